#include "runtime/deploy/Package.h"

#include "compiler/lower/torch/ExportTorchScript.h"
#include "compiler/lower/torch/QuantizeInt8.h"
#include "compiler/support/JsonText.h"
#include "runtime/deploy/Sdk.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

#include <torch/script.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

extern char **environ;

namespace edl::deploy {
namespace {

namespace fs = std::filesystem;

std::string staging_script(const PackageSpec &spec) {
  return (fs::path(spec.staging) / "model" / "torchscript.pt").string();
}

// The architecture this build runs on, in edge()'s names.
const char *host_arch() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "arm64";
#else
  return "other";
#endif
}

// edge(quantize = int8): the network quantized after training, and what
// that costs: accuracy before and after on the evaluated split, and how
// often the two agree.
bool int8_edge(lower::Network &net, const PackageSpec &spec, const std::string &path, nlohmann::json &entry,
               std::string &error) {
  if (!spec.calibration.defined() || spec.calibration.size(0) == 0 || !spec.next_check_batch) {
    error = "edge(quantize = int8): the train job has no images to calibrate on and check against";
    return false;
  }
  if (!lower::export_int8_torchscript(net, spec.calibration, path, error)) {
    error = "edge(quantize = int8): " + error;
    return false;
  }
  torch::NoGradGuard no_grad;
  net->eval();
  torch::jit::Module quantized = torch::jit::load(path);
  std::int64_t samples = 0, right_float = 0, right_int8 = 0, agree = 0;
  torch::Tensor x;
  std::vector<std::int64_t> labels;
  while (spec.next_check_batch(x, labels)) {
    const torch::Tensor truth = torch::tensor(labels, torch::kLong);
    const torch::Tensor want = net->forward(x).argmax(1), got = quantized.forward({x}).toTensor().argmax(1);
    samples += x.size(0);
    right_float += want.eq(truth).sum().item<std::int64_t>();
    right_int8 += got.eq(truth).sum().item<std::int64_t>();
    agree += got.eq(want).sum().item<std::int64_t>();
  }
  if (samples == 0) {
    error = "edge(quantize = int8): the " + spec.check_split + " split has no images to check against";
    return false;
  }
  const double before = static_cast<double>(right_float) / samples, after = static_cast<double>(right_int8) / samples;
  entry["engine"] = lower::select_int8_engine();
  entry["calibration_samples"] = spec.calibration.size(0);
  entry["accuracy_split"] = spec.check_split;
  entry["accuracy_samples"] = samples;
  entry["accuracy_float"] = before;
  entry["accuracy"] = after;
  entry["accuracy_change"] = after - before;
  entry["agreement"] = static_cast<double>(agree) / samples;
  return true;
}

// edge(arch, quantize): a TorchScript module for a small device of the
// build machine's architecture: the float one (none) or int8 (weights per
// channel, activations per tensor, libtorch's quantized kernels). libtorch
// 1.13 has no half-precision convolution or matrix kernels on CPU
// ("slow_conv2d_cpu not implemented for 'Half'"), so fp16 says so.
bool edge_target(const PackagedModel &model, const PackageSpec &spec, nlohmann::json &entry, std::string &error) {
  const nlohmann::json options = spec.target_options.value("edge", nlohmann::json::object());
  const std::string arch = options.value("arch", std::string(host_arch()));
  const std::string quantize = options.value("quantize", std::string("none"));
  if (arch != host_arch()) {
    error = "edge(): arch = " + arch + " needs a build on " + arch + "; this machine is " + host_arch();
    return false;
  }
  if (quantize == "fp16") {
    error = "edge(): quantize = fp16 is not supported: libtorch on CPU has no half-precision convolution or matrix "
            "kernels; use quantize = int8 or none";
    return false;
  }
  std::error_code ec;
  fs::create_directories(fs::path(spec.staging) / "edge", ec);
  const std::string path = (fs::path(spec.staging) / "edge" / "model.pt").string();
  if (quantize == "int8") {
    if (model.detector || model.segmenter) {  // edlc check refuses it (E0518); a plan built in code gets this
      error = std::string("edge(quantize = int8): quantizing a ") + (model.detector ? "detector" : "segmenter") +
              " is not supported; use quantize = none";
      return false;
    }
    lower::Network net = model.net;
    if (!int8_edge(net, spec, path, entry, error)) return false;
  } else {
    fs::copy_file(staging_script(spec), path, fs::copy_options::overwrite_existing, ec);
    if (ec) {
      error = "edge(): " + ec.message();
      return false;
    }
    entry["accuracy_change"] = 0.0;  // float32 as trained: the same outputs
  }
  entry["file"] = "edge/model.pt";
  entry["bytes"] = fs::file_size(path, ec);
  entry["arch"] = arch;
  entry["quantize"] = quantize;
  return true;
}

}  // namespace

int run_program(const std::vector<std::string> &argv) {
  std::vector<char *> args;
  for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  // Its complaints would only repeat what the caller reports better.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

bool wants_int8(const PackageSpec &spec) {
  return std::find(spec.targets.begin(), spec.targets.end(), "edge") != spec.targets.end() &&
         spec.target_options.value("edge", nlohmann::json::object()).value("quantize", "") == "int8";
}

bool write_package(const PackagedModel &model, const PackageSpec &spec, nlohmann::json &manifest, std::string &error) {
  std::error_code ec;
  fs::remove_all(spec.staging, ec);
  fs::create_directories(fs::path(spec.staging) / "model", ec);
  if (ec) {
    error = "cannot create " + spec.staging + ": " + ec.message();
    return false;
  }
  manifest = spec.manifest;
  nlohmann::json files = nlohmann::json::object();
  lower::save_weights(model.module(), (fs::path(spec.staging) / "model" / "weights.pt").string());
  files["weights"] = "model/weights.pt";

  // The TorchScript module is always there: the predictor (edlc predict)
  // runs it, so a package needs nothing but libtorch.
  const std::string script = (fs::path(spec.staging) / "model" / "torchscript.pt").string();
  lower::Network net = model.net;
  lower::Detector detector = model.detector;
  lower::Segmenter segmenter = model.segmenter;
  if (!(detector    ? lower::export_detector_torchscript(detector, spec.shape, script, error)
        : segmenter ? lower::export_segmenter_torchscript(segmenter, spec.shape, script, error)
                    : lower::export_torchscript(net, spec.shape, script, error))) {
    error = "the TorchScript export failed: " + error;
    return false;
  }
  files["torchscript"] = "model/torchscript.pt";
  if (spec.text) {
    std::ofstream out(fs::path(spec.staging) / "model" / "tokenizer.txt", std::ios::binary);
    spec.text->write(out);
    if (!out.flush()) {
      error = "cannot write the tokenizer in " + spec.staging;
      return false;
    }
    files["tokenizer"] = "model/tokenizer.txt";
  }

  nlohmann::json targets = nlohmann::json::array();
  for (const std::string &target : spec.targets) {
    nlohmann::json entry = {{"target", target}, {"options", spec.target_options.value(target, nlohmann::json::object())}};
    if (target == "torchscript") {
      entry["file"] = "model/torchscript.pt";
    } else if (target == "sdk") {
      if (spec.target_options.value("sdk", nlohmann::json::object()).value("lang", "cpp") != "cpp") {
        error = "sdk(): only lang = \"cpp\" is built";
        return false;
      }
      nlohmann::json with_files = manifest;
      if (!write_sdk(with_files, (fs::path(spec.staging) / "sdk").string(), error)) {
        error = "sdk(): " + error;
        return false;
      }
      entry["folder"] = "sdk";
      entry["build"] = std::string("cmake -S sdk/example -B build && cmake --build build && build/") +
                       sdk_example_program(manifest) +
                       (spec.text ? " . TEXT_FILE" : manifest["input"].value("kind", "") == "audio" ? " . AUDIO_FILE" : " . IMAGE");
    } else if (target == "edge") {
      if (!edge_target(model, spec, entry, error)) return false;
    } else if (target == "server") {
      entry["command"] = "edlc serve " + fs::path(spec.path).filename().string();
    } else {
      error = target + "(): unknown target";
      return false;
    }
    targets.push_back(entry);
  }
  manifest["files"] = files;
  manifest["targets"] = targets;
  {
    std::ofstream out(fs::path(spec.staging) / "manifest.json");
    out << json_text(manifest, 2) << "\n";
    if (!out) {
      error = "cannot write the manifest in " + spec.staging;
      return false;
    }
  }
  fs::create_directories(fs::path(spec.path).parent_path(), ec);
  const std::string partial = spec.path + ".partial";  // never a half-written package under the real name
  if (run_program({"tar", "-czf", partial, "-C", spec.staging, "."}) != 0) {
    fs::remove(partial, ec);
    error = "tar could not write " + spec.path;
    return false;
  }
  fs::rename(partial, spec.path, ec);
  if (ec) {
    error = "cannot move the package to " + spec.path + ": " + ec.message();
    return false;
  }
  return true;
}

}  // namespace edl::deploy
