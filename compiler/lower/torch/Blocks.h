// The modules the stdlib's backbones are made of, beyond libtorch's own:
// shared by BuildModel.cpp, which builds them, and QuantizeInt8.cpp, which
// rewrites them. Uses torch: include only from files that already pay for it.
#pragma once

#include "compiler/lower/torch/Pretraining.h"

#include <torch/torch.h>

namespace edl::lower {

// A Sequential that can sit inside another: libtorch only nests modules
// whose forward takes and returns plain tensors.
class BlockImpl : public torch::nn::SequentialImpl {
 public:
  using torch::nn::SequentialImpl::SequentialImpl;
  torch::Tensor forward(torch::Tensor x) { return torch::nn::SequentialImpl::forward(x); }
};
TORCH_MODULE(Block);

// relu(body(x) + shortcut(x)), the shortcut a strided 1x1 conv + batch norm
// where the shape changes, else x itself.
class ResidualImpl : public torch::nn::Module {
 public:
  // bottleneck: 1x1 → 3x3 → 1x1 (x4 channels), else two 3x3 convolutions.
  ResidualImpl(int in, int width, int stride, bool bottleneck);
  torch::Tensor forward(torch::Tensor x) {
    torch::Tensor y = body->forward(x);
    return torch::relu(y + (shortcut ? shortcut->forward(x) : x));
  }
  torch::nn::Sequential body{nullptr}, shortcut{nullptr};
};
TORCH_MODULE(Residual);

// MobileNetV2's block: expand 1x1 → depthwise 3x3 → project 1x1, plus x
// when the shape stays.
class InvertedResidualImpl : public torch::nn::Module {
 public:
  InvertedResidualImpl(int in, int out, int stride, int expand, const Conventions &c = {});
  torch::Tensor forward(torch::Tensor x) { return skip_ ? x + body->forward(x) : body->forward(x); }
  bool skips() const { return skip_; }
  torch::nn::Sequential body{nullptr};

 private:
  bool skip_;
};
TORCH_MODULE(InvertedResidual);

}  // namespace edl::lower
