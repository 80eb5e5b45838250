// A trained Network as a TorchScript module: its parameters and buffers
// become attributes of a script module and forward() is the graph traced on
// an example input, so Python's torch.jit.load and libtorch's
// torch::jit::load run it without our code. Uses torch: include only from
// files that already pay for it.
#pragma once

#include "compiler/lower/torch/BuildModel.h"

#include <string>

namespace edl::lower {

// Traces `net` in eval mode on a batch of one input of `shape` and saves the
// module to `path`. False with `error` when tracing or saving fails.
bool export_torchscript(Network &net, const InputShape &shape, const std::string &path, std::string &error);

}  // namespace edl::lower
