// A trained Network as a TorchScript module: its parameters and buffers
// become attributes of a script module and forward() is the graph traced on
// an example input, so Python's torch.jit.load and libtorch's
// torch::jit::load run it without our code. Uses torch: include only from
// files that already pay for it.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/Detector.h"
#include "compiler/lower/torch/Segmenter.h"

#include <string>

namespace edl::lower {

// Traces `net` in eval mode on a batch of one input of `shape` (a text
// model: N x max_len int64 token ids) and saves the module to `path`. False with `error` when tracing or saving fails.
bool export_torchscript(Network &net, const InputShape &shape, const std::string &path, std::string &error);

// A detector likewise, with forward() returning each image's detections
// (rows x0 y0 x1 y1 score label, as DetectorImpl::detect): the traced
// network is the method raw(), and decoding and suppression are the same
// TorchScript methods evaluation runs (DetectOps), thresholds built in.
bool export_detector_torchscript(Detector &net, const InputShape &shape, const std::string &path, std::string &error);

// A segmenter likewise: forward() returns its class scores, N x classes x
// height x width at the input's resolution (the argmax is the label map).
bool export_segmenter_torchscript(Segmenter &net, const InputShape &shape, const std::string &path, std::string &error);

}  // namespace edl::lower
