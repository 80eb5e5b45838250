// Images per second on one core for the issue's chain at 224x224x3 uint8:
//   rotate uniform(-15, 15), bilinear -> flip_horizontal p 0.5 ->
//   brightness and contrast uniform(0.8, 1.2) -> crop 80% at a random
//   position -> resize back to 224x224
// as one fused EDL kernel, against the same chain written by hand with
// OpenCV (warpAffine, flip, convertTo, crop, resize), and a memcpy bound,
// all measured in this run, and OpenCV's warpAffine alone (the chain's
// one resampling). Also the kernel's JIT compile time, and a second chain
// whose images only move whole pixels (flip p 0.5 -> crop 200x200 ->
// brightness) against OpenCV's flip, a region of interest and convertTo.
// Usage: edl_augment_bench FASHION_DIR [SECONDS_PER_MEASURE]
#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/frontend/CompileProject.h"
#include "runtime/data/Dataset.h"

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

using namespace edl;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kSize = 224, kChannels = 3, kBatch = 32;

const char *kChainDefault = R"(project "bench" { seed = 1 }
augment chain {
  rotate(degrees = uniform(-15, 15))
  flip_horizontal(p = 0.5)
  brightness(factor = uniform(0.8, 1.2))
  contrast(factor = uniform(0.8, 1.2))
  crop(size = 80%)
  resize(size = 224x224)
}
)";

// A chain as text -> its augment program for 224x224x3 images.
lower::AugmentProgram program_of(const std::string &text) {
  SourceManager sm;
  DiagnosticEngine diags;
  CompiledProject compiled = compile_project("bench.edl", sm, diags, text);
  std::vector<lower::LoweringError> errors;
  const spec::Augment *chain = compiled.specs ? compiled.specs->augment("chain") : nullptr;
  if (!chain) return {};
  lower::AugmentProgram program = lower::build_program(*chain, kSize, kSize, kChannels, errors);
  return errors.empty() ? program : lower::AugmentProgram{};
}

const char *kCopyChain = R"(project "bench" { seed = 1 }
augment chain {
  flip_horizontal(p = 0.5)
  crop(size = 200x200)
  brightness(factor = uniform(0.8, 1.2))
}
)";

// Best images/s over three runs of at least `seconds` each.
template <typename F>
double rate(double seconds, F batch) {
  double best = 0;
  for (int run = 0; run < 3; ++run) {
    std::size_t images = 0;
    auto start = Clock::now();
    double elapsed = 0;
    while (elapsed < seconds) {
      batch();
      images += kBatch;
      elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    }
    best = std::max(best, images / elapsed);
  }
  return best;
}

}  // namespace

int main(int argc, char **argv) {
  const char *kChain = std::getenv("EDL_BENCH_CHAIN") ? std::getenv("EDL_BENCH_CHAIN") : kChainDefault;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FASHION_DIR [SECONDS_PER_MEASURE]\n", argv[0]);
    return 2;
  }
  double seconds = argc > 2 ? std::atof(argv[2]) : 1.0;
  setenv("HL_NUM_THREADS", "1", 1);  // one core, as OpenCV below
  cv::setNumThreads(1);

  // Real images: Fashion-MNIST, three different images as R, G and B,
  // enlarged to 224x224.
  data::DatasetSpec spec;
  spec.name = "fashion";
  spec.path = argv[1];
  spec.channels = 1;
  data::LoadedDataset gray = data::load_dataset(spec, {false});
  if (!gray.report.ok() || gray.size() < 3 * kBatch) {
    std::fprintf(stderr, "cannot load %s: run scripts/fetch-data.sh\n", argv[1]);
    return 1;
  }
  const std::size_t px = static_cast<std::size_t>(kSize) * kSize, image_bytes = px * kChannels;
  const std::size_t small = static_cast<std::size_t>(gray.width) * gray.height;
  std::vector<std::uint8_t> input(image_bytes * kBatch);
  for (int i = 0; i < kBatch; ++i) {
    std::vector<cv::Mat> planes;
    for (int c = 0; c < kChannels; ++c) {
      std::size_t pick = (static_cast<std::size_t>(i) * 3 * 700 + static_cast<std::size_t>(c) * 700) % gray.size();
      cv::Mat plane(gray.height, gray.width, CV_8UC1, gray.pixels.data() + pick * small), big;
      cv::resize(plane, big, cv::Size(kSize, kSize), 0, 0, cv::INTER_LINEAR);
      planes.push_back(big);
    }
    cv::Mat rgb(kSize, kSize, CV_8UC3, input.data() + i * image_bytes);
    cv::merge(planes, rgb);
  }
  std::vector<std::uint8_t> output(input.size());

  // The EDL kernel.
  lower::AugmentProgram program = program_of(kChain);
  // Compile three ways: JIT, ahead of time into an empty kernel cache, and
  // again from that cache (what every later run of a project does).
  std::string error;
  std::string cache = (std::filesystem::temp_directory_path() / ("edl-bench-kernels-" + std::to_string(getpid()))).string();
  auto jit = lower::CompiledAugment::compile(program, error);
  auto cold = jit ? lower::CompiledAugment::compile(program, error, cache) : nullptr;
  auto compiled = cold ? lower::CompiledAugment::compile(program, error, cache) : nullptr;
  std::filesystem::remove_all(cache);
  if (!compiled || program.slots == 0) {
    std::fprintf(stderr, "cannot compile the chain: %s\n", error.c_str());
    return 1;
  }
  auto edl_rate_of = [&](const lower::AugmentProgram &p, const lower::CompiledAugment &kernel) {
    std::uint64_t next = 0;
    std::vector<float> params(static_cast<std::size_t>(p.slots) * kBatch);
    return rate(seconds, [&] {
      for (int i = 0; i < kBatch; ++i) {  // per-image sampling is part of the cost
        std::vector<float> row = p.sample(1, next++);
        std::copy(row.begin(), row.end(), params.begin() + static_cast<long>(i) * p.slots);
      }
      kernel.run(input.data(), kBatch, params.data(), output.data());
    });
  };
  double edl_rate = edl_rate_of(program, *compiled);

  // The same chain by hand with OpenCV.
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> angle(-15, 15), factor(0.8, 1.2), u01(0, 1);
  cv::Mat a, b, c, out;
  double cv_rate = rate(seconds, [&] {
    for (int i = 0; i < kBatch; ++i) {
      cv::Mat img(kSize, kSize, CV_8UC3, input.data() + i * image_bytes);
      cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(kSize / 2.0f - 0.5f, kSize / 2.0f - 0.5f), angle(rng), 1);
      cv::warpAffine(img, a, m, img.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
      if (u01(rng) < 0.5) cv::flip(a, a, 1);
      a.convertTo(b, -1, factor(rng), 0);
      cv::Mat g;
      cv::cvtColor(b, g, cv::COLOR_RGB2GRAY);
      double mean = cv::mean(g)[0], f = factor(rng);
      b.convertTo(c, -1, f, (1 - f) * mean);
      int cw = static_cast<int>(kSize * 0.8);
      int x0 = static_cast<int>(u01(rng) * (kSize - cw + 1)), y0 = static_cast<int>(u01(rng) * (kSize - cw + 1));
      cv::Mat dst(kSize, kSize, CV_8UC3, output.data() + i * image_bytes);
      cv::resize(c(cv::Rect(x0, y0, cw, cw)), dst, dst.size(), 0, 0, cv::INTER_LINEAR);
    }
  });

  // The chain's one resampling alone: what 10x the chain has to beat by far.
  double warp_rate = rate(seconds, [&] {
    for (int i = 0; i < kBatch; ++i) {
      cv::Mat img(kSize, kSize, CV_8UC3, input.data() + i * image_bytes);
      cv::Mat dst(kSize, kSize, CV_8UC3, output.data() + i * image_bytes);
      cv::Mat m = cv::getRotationMatrix2D(cv::Point2f(kSize / 2.0f - 0.5f, kSize / 2.0f - 0.5f), angle(rng), 1);
      cv::warpAffine(img, dst, m, img.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, 0);
    }
  });

  double copy_rate = rate(seconds, [&] { std::memcpy(output.data(), input.data(), input.size()); });

  // A chain whose images only move whole pixels (the kernel copies them
  // instead of resampling): flip p 0.5 -> crop 200x200 -> brightness.
  lower::AugmentProgram copy_program = program_of(kCopyChain);
  auto copy_kernel = copy_program.slots ? lower::CompiledAugment::compile(copy_program, error) : nullptr;
  if (!copy_kernel) {
    std::fprintf(stderr, "cannot compile the flip and crop chain: %s\n", error.c_str());
    return 1;
  }
  double edl_copy_rate = edl_rate_of(copy_program, *copy_kernel);
  const int kCrop = 200;
  double cv_copy_rate = rate(seconds, [&] {
    for (int i = 0; i < kBatch; ++i) {
      cv::Mat img(kSize, kSize, CV_8UC3, input.data() + i * image_bytes);
      if (u01(rng) < 0.5) cv::flip(img, a, 1);
      else a = img;
      int x0 = static_cast<int>(u01(rng) * (kSize - kCrop + 1)), y0 = static_cast<int>(u01(rng) * (kSize - kCrop + 1));
      cv::Mat dst(kCrop, kCrop, CV_8UC3, output.data() + i * kCrop * kCrop * kChannels);
      a(cv::Rect(x0, y0, kCrop, kCrop)).convertTo(dst, -1, factor(rng), 0);
    }
  });

  std::printf("augmentation chain, 224x224x3 uint8, batches of %d, one core\n", kBatch);
  std::printf("  %-34s %10.0f images/s\n", "memcpy (bound)", copy_rate);
  std::printf("  %-34s %10.0f images/s\n", "OpenCV chain (5 calls, 5 passes)", cv_rate);
  std::printf("  %-34s %10.0f images/s\n", "OpenCV warpAffine alone (1 call)", warp_rate);
  std::printf("  %-34s %10.0f images/s\n", "EDL fused Halide kernel", edl_rate);
  std::printf("  EDL / OpenCV: %.2fx   EDL / memcpy: %.3fx\n", edl_rate / cv_rate, edl_rate / copy_rate);
  std::printf("  kernel: JIT %.0f ms; ahead of time into the cache %.0f ms; from the cache %.1f ms (%s)\n",
              jit->compile_seconds() * 1000, cold->compile_seconds() * 1000, compiled->compile_seconds() * 1000,
              compiled->from_cache() ? "loaded" : "not cached: no C++ compiler to link it");
  std::printf("flip_horizontal p 0.5 -> crop 200x200 at a random position -> brightness uniform(0.8, 1.2)\n");
  std::printf("  %-34s %10.0f images/s\n", "OpenCV (flip, ROI, convertTo)", cv_copy_rate);
  std::printf("  %-34s %10.0f images/s\n", "EDL fused Halide kernel", edl_copy_rate);
  std::printf("  EDL / OpenCV: %.2fx\n", edl_copy_rate / cv_copy_rate);
  return 0;
}
