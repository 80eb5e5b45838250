#include "compiler/lower/torch/Segmenter.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace edl::lower {
namespace nn = torch::nn;
namespace {

// 3x3 convolution, batch norm, ReLU: the unit of both heads.
void conv_bn_relu(nn::Sequential &s, const std::string &name, int in, int out) {
  s->push_back(name + "_conv", nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(false)));
  s->push_back(name + "_norm", nn::BatchNorm2d(out));
  s->push_back(name + "_relu", nn::ReLU());
}

torch::Tensor resized(const torch::Tensor &x, std::int64_t h, std::int64_t w) {
  return torch::upsample_bilinear2d(x, {h, w}, /*align_corners=*/false);
}

}  // namespace

torch::Tensor SegmenterImpl::forward(torch::Tensor x) {
  std::vector<torch::Tensor> tapped;
  int index = 0;
  for (auto block = backbone->begin(); block != backbone->end() && index <= taps.back(); ++block, ++index) {
    x = block->forward(x);
    if (std::find(taps.begin(), taps.end(), index) != taps.end()) tapped.push_back(x);
  }
  torch::Tensor scores;
  if (fcn) {
    scores = fcn->forward(tapped.back());
  } else {
    torch::Tensor up = tapped.back();
    for (std::size_t k = 0; k < decoder->size(); ++k) {
      const torch::Tensor &skip = tapped[tapped.size() - 2 - k];
      up = resized(up, skip.size(2), skip.size(3));
      up = decoder[k]->as<nn::Sequential>()->forward(torch::cat({up, skip}, 1));
    }
    scores = classify->forward(up);
  }
  return resized(scores, height, width);
}

std::vector<std::string> SegmenterImpl::block_names() const { return block_names_of(backbone); }

void SegmenterImpl::train(bool on) { train_unfrozen(*this, backbone, frozen, on); }

std::shared_ptr<SegmenterImpl> make_segmenter(nn::Sequential backbone, const std::string &head, double dropout,
                                              int channels, const InputShape &input) {
  auto s = std::make_shared<SegmenterImpl>();
  s->classes = input.classes;
  s->width = input.width;
  s->height = input.height;
  s->backbone = s->register_module("backbone", backbone);
  // The last block at each stride, and its channels, from one pass on zeros.
  std::map<int, std::pair<int, int>> by_stride;  // stride -> block, channels
  {
    torch::NoGradGuard no_grad;
    backbone->eval();
    torch::Tensor x = torch::zeros({1, input.channels, input.height, input.width});
    int index = 0;
    for (auto block = backbone->begin(); block != backbone->end(); ++block, ++index) {
      x = block->forward(x);
      if (x.dim() != 4) throw std::invalid_argument("a segmenter's backbone must give feature maps; mlp does not");
      const int stride = static_cast<int>(std::lround(static_cast<double>(input.height) / x.size(2)));
      by_stride[stride] = {index, static_cast<int>(x.size(1))};
    }
    backbone->train();
  }
  std::vector<int> tap_channels;
  for (const auto &[stride, tap] : by_stride) {
    s->taps.push_back(tap.first);
    tap_channels.push_back(tap.second);
  }
  if (head == "fcn") {
    // Only the deepest stage: FCN-32s, as torchvision's fcn_resnet heads.
    s->taps = {s->taps.back()};
    const int in = tap_channels.back(), inner = std::max(1, in / 4);
    nn::Sequential f;
    conv_bn_relu(f, "fcn", in, inner);
    f->push_back("dropout", nn::Dropout(dropout));
    f->push_back("classify", nn::Conv2d(nn::Conv2dOptions(inner, input.classes, 1)));
    s->fcn = s->register_module("fcn", f);
  } else {
    s->decoder = s->register_module("decoder", nn::ModuleList());
    int below = tap_channels.back();
    for (std::size_t k = tap_channels.size() - 1; k-- > 0;) {
      nn::Sequential stage;
      conv_bn_relu(stage, "join", below + tap_channels[k], channels);
      conv_bn_relu(stage, "refine", channels, channels);
      s->decoder->push_back(stage);
      below = channels;
    }
    s->classify = s->register_module("classify", nn::Conv2d(nn::Conv2dOptions(below, input.classes, 1)));
  }
  // The whole network once on zeros: every shape settles here, not mid-training.
  torch::NoGradGuard no_grad;
  s->eval();
  const torch::Tensor out = s->forward(torch::zeros({1, input.channels, input.height, input.width}));
  s->train();
  if (out.size(1) != input.classes || out.size(2) != input.height || out.size(3) != input.width)
    throw std::logic_error("the segmenter gives " + std::to_string(out.size(1)) + " x " + std::to_string(out.size(2)) +
                           " x " + std::to_string(out.size(3)) + " scores");
  return s;
}

}  // namespace edl::lower
