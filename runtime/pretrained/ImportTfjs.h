// Maps a TensorFlow.js layers model onto a stdlib network and writes it as
// an edlc weights file with its pretraining record (`edlc import-weights
// tfjs`). Keras layers with weights pair, in topology order, with the
// network's convolutions, batch norms and linear layers: kernels go from
// HWIO to OIHW (depthwise ones from H W C M to C*M 1 H W), dense kernels are
// transposed, TensorFlow's padding and batch-norm epsilon are kept in the
// record so the network computes as the original did.
#pragma once

#include "compiler/lower/torch/Pretraining.h"
#include "runtime/pretrained/TfjsModel.h"

#include <string>
#include <vector>

namespace edl::pretrained {

struct ImportOptions {
  std::string as = "mobilenet_v2";  // the stdlib backbone to fill
  // The input normalisation the network was trained with, in [0, 1] units.
  std::vector<double> mean = {0.0}, std = {1.0};
  std::vector<std::string> classes;  // names of its last layer's outputs
  std::string source;                // for people; default: the model's own description
};

struct ImportReport {
  lower::Pretraining pretraining;
  std::size_t tensors = 0;  // Keras weights copied
  std::size_t values = 0;
  int classes = 0;          // outputs of the imported head; 0: no head
};

// Writes `out`; false with `error` saying which layer did not fit.
bool import_tfjs(const TfjsModel &model, const ImportOptions &options, const std::string &out, ImportReport &report,
                 std::string &error);

}  // namespace edl::pretrained
