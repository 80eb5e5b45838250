// Forward rate of edge(quantize = int8) modules against the float
// TorchScript modules of the same networks, measured in one run, one
// thread: batch 1 (a device answering one request) and batch 32. Networks
// are built from specs with batch-norm statistics of their own; the
// calibration images are random, which does not change the speed.
// Usage: edl_int8_bench [SECONDS_PER_MEASURE]
#include "compiler/lower/torch/ExportTorchScript.h"
#include "compiler/lower/torch/QuantizeInt8.h"

#include <torch/script.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

using namespace edl::lower;
using Clock = std::chrono::steady_clock;

namespace {

// Best images/s over three runs of at least `seconds` each.
double rate(torch::jit::Module &m, const torch::Tensor &x, double seconds) {
  torch::NoGradGuard no_grad;
  m.forward({x});  // warm-up: first-call set-up is not the steady rate
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    std::size_t images = 0;
    const auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      m.forward({x});
      images += static_cast<std::size_t>(x.size(0));
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    best = std::max(best, images / elapsed);
  }
  return best;
}

}  // namespace

int main(int argc, char **argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 1.0;
  torch::set_num_threads(1);
  const std::string engine = select_int8_engine();
  if (engine.empty()) {
    std::fprintf(stderr, "this libtorch has no int8 engine\n");
    return 1;
  }
  const auto dir = std::filesystem::temp_directory_path() / ("edl-int8-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  struct Case { const char *backbone; int size; };
  std::printf("int8 (%s) against float TorchScript, one thread, images/s\n", engine.c_str());
  std::printf("  %-14s %-9s %6s %10s %10s %7s %9s %9s\n", "backbone", "input", "batch", "float", "int8", "ratio",
              "float KiB", "int8 KiB");
  for (Case c : {Case{"cnn", 28}, Case{"resnet18", 64}, Case{"mobilenet_v2", 64}, Case{"resnet18", 224}}) {
    ModelSpec spec;
    spec.backbone = c.backbone;
    if (spec.backbone == "cnn") spec.channels = {32, 64};
    std::vector<ModelError> errors;
    torch::manual_seed(1);
    const int channels = spec.backbone == "cnn" ? 1 : 3;
    const InputShape shape{channels, c.size, c.size, 10};
    Network net = build_model(spec, shape, errors);
    if (!net) return 1;
    {
      torch::NoGradGuard no_grad;
      net->train();
      for (int i = 0; i < 3; ++i) net->forward(torch::randn({8, channels, c.size, c.size}));
    }
    net->eval();
    const std::string fp = (dir / "float.pt").string(), q = (dir / "int8.pt").string();
    std::string error;
    if (!export_torchscript(net, shape, fp, error) ||
        !export_int8_torchscript(net, torch::randn({64, channels, c.size, c.size}), q, error)) {
      std::fprintf(stderr, "%s: %s\n", c.backbone, error.c_str());
      return 1;
    }
    torch::jit::Module float_module = torch::jit::load(fp), int8_module = torch::jit::load(q);
    for (int batch : {1, 32}) {
      if (c.size == 224 && batch == 32) continue;  // minutes on one thread; batch 1 says enough
      torch::Tensor x = torch::randn({batch, channels, c.size, c.size});
      const double f = rate(float_module, x, seconds), i = rate(int8_module, x, seconds);
      std::printf("  %-14s %3dx%-5d %6d %10.0f %10.0f %6.2fx %9ju %9ju\n", c.backbone, c.size, c.size, batch, f, i,
                  i / f, static_cast<std::uintmax_t>(std::filesystem::file_size(fp) / 1024),
                  static_cast<std::uintmax_t>(std::filesystem::file_size(q) / 1024));
    }
  }
  std::filesystem::remove_all(dir);
  return 0;
}
