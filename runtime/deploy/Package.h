// A deploy block's package: one .tar.gz holding manifest.json (what the
// model is, what it expects, how it scored, where it came from, its
// targets), model/weights.pt (our weights format) and
// model/torchscript.pt (the TorchScript module the predictor runs). Uses
// torch: include only from files that already pay for it.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/Detector.h"
#include "compiler/lower/torch/Segmenter.h"
#include "runtime/data/TextEncoder.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace edl::deploy {

struct PackageSpec {
  std::string path;       // the .tar.gz to write, absolute
  std::string staging;    // a folder to assemble it in (emptied first)
  std::vector<std::string> targets;  // target callees: torchscript, server, sdk, edge
  nlohmann::json target_options;     // per target, its arguments as written
  nlohmann::json manifest;           // everything the manifest says besides files and targets
  lower::InputShape shape;
  // A text model's tokenizer, kept as model/tokenizer.txt; null for images.
  const data::TextEncoder *text = nullptr;
  // edge(quantize = int8) only: normalised images from the training split
  // to observe activation ranges on, and the labelled images of the
  // evaluated split to measure the accuracy change on, batch by batch (a
  // whole split need not fit in memory); false at the end.
  torch::Tensor calibration;
  std::function<bool(torch::Tensor &inputs, std::vector<std::int64_t> &labels)> next_check_batch;
  std::string check_split;
};

// Does this deploy block's edge() target ask for int8? (Only then the
// package needs calibration and check images.)
bool wants_int8(const PackageSpec &spec);

// The trained model a package holds: a classifier (`net`), a detector or a segmenter.
struct PackagedModel {
  lower::Network net{nullptr};
  lower::Detector detector{nullptr};
  lower::Segmenter segmenter{nullptr};
  torch::nn::Module &module() const {
    if (detector) return *detector.ptr();
    if (segmenter) return *segmenter.ptr();
    return *net.ptr();
  }
};

// Writes the package and returns the manifest it holds in `manifest`;
// false with `error` (a target that cannot be built, a file that cannot be
// written, tar failing).
bool write_package(const PackagedModel &model, const PackageSpec &spec, nlohmann::json &manifest, std::string &error);

// Runs a program (no shell, its stderr discarded) and waits; its exit
// status, or -1 when it could not start.
int run_program(const std::vector<std::string> &argv);

}  // namespace edl::deploy
