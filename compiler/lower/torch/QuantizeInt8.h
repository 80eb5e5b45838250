// Post-training static int8 quantization of a trained Network, done in C++
// (libtorch's own quantization workflow is Python): batch norms folded into
// the convolutions, weights int8 per output channel, activations uint8 per
// tensor with ranges observed on calibration images, and a TorchScript
// module whose forward runs libtorch's quantized kernels (quantized::conv2d,
// linear, add_relu, ...). Uses torch: include only from files that already
// pay for it.
#pragma once

#include "compiler/lower/torch/BuildModel.h"

#include <string>

namespace edl::lower {

// Selects the CPU's int8 engine (onednn on x86, qnnpack elsewhere) for this
// process and returns its name, or "" when this libtorch has none. Modules
// from export_int8_torchscript run only under that engine
// (Python: torch.backends.quantized.engine = name).
std::string select_int8_engine();

// Quantizes `net` (eval mode) with activation ranges observed on
// `calibration` (N x C x H x W, normalised as in training) and saves the
// module to `path`. False with `error` naming what cannot be quantized.
bool export_int8_torchscript(Network &net, const torch::Tensor &calibration, const std::string &path,
                             std::string &error);

}  // namespace edl::lower
