// How close augmented training comes to the compute bound: the benchmark
// job's model trained one epoch with the fused augmentation kernel, one
// epoch without, alternately in one process, so both see the same machine
// state; prints the median of the paired ratios and the ratio of the
// summed epoch times.
// Usage: edl_train_bound DIGITS_DIR [ROUNDS]
#include "compiler/lower/halide/LowerAugment.h"
#include "compiler/frontend/CompileProject.h"
#include "runtime/train/Trainer.h"

#include <algorithm>
#include <cstdio>
#include <thread>

using namespace edl;

int main(int argc, char **argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: edl_train_bound DIGITS_DIR [ROUNDS]\n");
    return 2;
  }
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 10;
  torch::set_num_threads(2);
  data::DatasetSpec ds;
  ds.path = argv[1];
  ds.width = ds.height = 32;
  ds.channels = 1;
  data::LoadedDataset d = data::load_dataset(ds);
  if (!d.report.ok()) {
    std::fprintf(stderr, "cannot load %s\n", argv[1]);
    return 1;
  }

  // The augment block of bench/train_bench.sh.
  SourceManager sm;
  DiagnosticEngine diags;
  const std::string text = "project \"b\" { seed = 42 }\naugment light {\n  rotate(degrees = uniform(-15, 15))\n"
                                  "  flip_horizontal(p = 0.5)\n  brightness(factor = uniform(0.8, 1.2))\n"
                                  "  contrast(factor = uniform(0.8, 1.2))\n}\n";
  CompiledProject compiled = compile_project("bench.edl", sm, diags, text);
  if (!compiled.specs || !compiled.specs->augment("light")) {
    std::fprintf(stderr, "the augment block does not check\n");
    return 1;
  }
  std::vector<lower::LoweringError> errors;
  auto program = lower::build_program(*compiled.specs->augment("light"), 32, 32, 1, errors);
  std::string error;
  auto kernel = lower::CompiledAugment::compile(program, error);
  if (!kernel) {
    std::fprintf(stderr, "kernel: %s\n", error.c_str());
    return 1;
  }

  train::TrainSpec spec;
  spec.model.backbone = "cnn";
  spec.model.channels = {32, 64};
  spec.model.head_hidden = {128};
  spec.optimizer.lr = 0.01;
  spec.optimizer.momentum = 0.9;
  spec.batch = 64;
  spec.epochs = 1;
  std::vector<lower::ModelError> model_errors;
  lower::Network net = lower::build_model(spec.model, {1, 32, 32, static_cast<int>(d.classes.size())}, model_errors);
  train::TrainJob job;
  job.spec = &spec;
  job.data = &d;
  job.norm = train::make_normalizer(ds, d);

  std::vector<double> ratios;
  double time_with = 0, time_without = 0;  // seconds per image, summed over rounds
  std::printf("%5s %12s %12s %7s\n", "round", "augmented/s", "plain/s", "ratio");
  for (int r = 0; r <= rounds; ++r) {
    job.augment = kernel.get();
    double with = train::train_model(net, job).epochs.at(0).images_per_second;
    job.augment = nullptr;
    double without = train::train_model(net, job).epochs.at(0).images_per_second;
    if (r == 0) continue;  // warm-up
    ratios.push_back(with / without);
    time_with += 1 / with;
    time_without += 1 / without;
    std::printf("%5d %12.0f %12.0f %7.3f\n", r, with, without, with / without);
  }
  std::sort(ratios.begin(), ratios.end());
  std::printf("share of the compute bound: median of rounds %.1f%%, all rounds together %.1f%% (floor 95%%)\n",
              100 * ratios[ratios.size() / 2], 100 * time_without / time_with);
  return 0;
}
