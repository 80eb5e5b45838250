#include "compiler/lower/torch/Detector.h"

#include "compiler/lower/torch/YoloCoding.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

namespace edl::lower {
namespace nn = torch::nn;
namespace {

// A head convolution, initialised as RetinaNet's (normal, std 0.01,
// bias as given).
nn::Conv2d head_conv(int in, int out, int k, int stride = 1, double bias = 0) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2));
  torch::NoGradGuard no_grad;
  nn::init::normal_(c->weight, 0, 0.01);
  nn::init::constant_(c->bias, bias);
  return c;
}

// A pyramid convolution, initialised as torchvision's and Detectron's FPN
// (Kaiming uniform, a = 1, zero bias): at the heads' std 0.01 the pyramid
// passes almost nothing on at first, and training starts slower.
nn::Conv2d pyramid_conv(int in, int out, int k, int stride = 1) {
  nn::Conv2d c(nn::Conv2dOptions(in, out, k).stride(stride).padding(k / 2));
  torch::NoGradGuard no_grad;
  nn::init::kaiming_uniform_(c->weight, 1);
  nn::init::zeros_(c->bias);
  return c;
}

// Group norm in the towers (as torchvision's RetinaNet v2 and FCOS): a
// detector trained from scratch on a small set converges far sooner.
int groups_for(int channels) {
  for (int g : {32, 16, 8, 4, 2})
    if (channels % g == 0) return g;
  return 1;
}

nn::Sequential tower(int in, int channels, int depth, int out, double last_bias) {
  nn::Sequential s;
  for (int i = 0; i < depth; ++i) {
    s->push_back("conv" + std::to_string(i + 1), head_conv(i == 0 ? in : channels, channels, 3));
    s->push_back("norm" + std::to_string(i + 1), nn::GroupNorm(groups_for(channels), channels));
    s->push_back("relu" + std::to_string(i + 1), nn::ReLU());
  }
  s->push_back("out", head_conv(depth == 0 ? in : channels, out, 3, 1, last_bias));
  return s;
}

// Faster R-CNN's box head on pooled regions (torchvision's TwoMLPHead and
// predictor in one): two fully connected layers, then each class's logit,
// the background's (last) and each class's deltas, which start as
// Detectron's (normal, std 0.01 for logits, 0.001 for deltas).
nn::Sequential box_head(int channels, int width, int classes) {
  nn::Sequential s;
  s->push_back("flatten", nn::Flatten());
  s->push_back("fc1", nn::Linear(channels * kPooled * kPooled, width));
  s->push_back("relu1", nn::ReLU());
  s->push_back("fc2", nn::Linear(width, width));
  s->push_back("relu2", nn::ReLU());
  nn::Linear out(width, classes + 1 + 4 * classes);
  {
    torch::NoGradGuard no_grad;
    nn::init::normal_(out->weight.narrow(0, 0, classes + 1), 0, 0.01);
    nn::init::normal_(out->weight.narrow(0, classes + 1, 4 * classes), 0, 0.001);
    nn::init::zeros_(out->bias);
  }
  s->push_back("out", out);
  return s;
}

// One level's map (N x A*K x H x W) as N x (H*W*A) x K: cell by cell, the
// cell's anchors in order, as make_anchors lays them out. No size is read
// from the tensor: the tracer would bake it into the exported module.
torch::Tensor per_anchor(const torch::Tensor &map, int k) {
  return map.permute({0, 2, 3, 1}).flatten(1).unflatten(1, {-1, k});
}

}  // namespace

std::vector<torch::Tensor> DetectorImpl::levels(torch::Tensor x) {
  std::vector<torch::Tensor> tapped;
  int index = 0;
  for (auto block = backbone->begin(); block != backbone->end() && index <= taps.back(); ++block, ++index) {
    x = block->forward(x);
    if (std::find(taps.begin(), taps.end(), index) != taps.end()) tapped.push_back(x);
  }
  if (!shape.fpn) return {tapped.back()};
  // Top-down: each level is its lateral plus the level above, enlarged.
  std::vector<torch::Tensor> inner(tapped.size());
  for (std::size_t i = tapped.size(); i-- > 0;) {
    inner[i] = lateral[i]->as<nn::Conv2d>()->forward(tapped[i]);
    if (i + 1 < tapped.size())
      inner[i] = inner[i] + torch::upsample_nearest2d(inner[i + 1], {inner[i].size(2), inner[i].size(3)});
  }
  std::vector<torch::Tensor> out;
  for (std::size_t i = 0; i < inner.size(); ++i) out.push_back(smooth[i]->as<nn::Conv2d>()->forward(inner[i]));
  // Coarser levels beyond the backbone: stride-2 convolutions (P6, P7).
  for (std::size_t i = 0; i < extra->size(); ++i)
    out.push_back(extra[i]->as<nn::Conv2d>()->forward(i == 0 ? out.back() : torch::relu(out.back())));
  return out;
}

DetectorOutputs DetectorImpl::run(torch::Tensor x) {
  DetectorOutputs out;
  out.levels = levels(std::move(x));
  std::vector<torch::Tensor> cls, box;
  const int scores = shape.yolo() ? classes + 1 : shape.two_stage() ? 1 : classes;
  for (const torch::Tensor &level : out.levels) {
    cls.push_back(per_anchor(class_tower->forward(level), scores));
    box.push_back(per_anchor(box_tower->forward(level), 4));
  }
  out.head = torch::cat({torch::cat(cls, 1), torch::cat(box, 1)}, 2);
  return out;
}

torch::Tensor DetectorImpl::scores_and_deltas(const torch::Tensor &head) const {
  if (!shape.yolo()) return head;
  const torch::Tensor logits = yolo_class_logits(head.select(2, 0), head.narrow(2, 1, classes));
  return torch::cat({logits, yolo_deltas(head.narrow(2, 1 + classes, 4), anchors, strides)}, 2);
}

torch::Tensor DetectorImpl::forward(torch::Tensor x) { return scores_and_deltas(head_outputs(std::move(x))); }

std::vector<torch::Tensor> DetectorImpl::detections(const DetectorOutputs &out) {
  if (shape.two_stage()) {
    const std::vector<torch::Tensor> boxes = proposals(out.head);
    return box_detections(box_outputs(out.levels, rois_of(boxes)), boxes, shape.settings, width, height);
  }
  const torch::Tensor raw = scores_and_deltas(out.head);
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < raw.size(0); ++i) images.push_back(one_stage_detections(raw[i]));
  return images;
}

torch::Tensor DetectorImpl::one_stage_detections(const torch::Tensor &raw) const {
  return lower::detect(raw, anchors, {1, 1, 1, 1}, shape.settings, width, height);
}

std::vector<torch::Tensor> DetectorImpl::proposals(const torch::Tensor &head) const {
  torch::NoGradGuard no_grad;  // proposals are inputs of the second stage, not trained through
  std::vector<torch::Tensor> images;
  for (std::int64_t i = 0; i < head.size(0); ++i)
    images.push_back(rpn_proposals(head[i], anchors, level_anchors, shape.settings.proposals, width, height));
  return images;
}

torch::Tensor DetectorImpl::box_outputs(const std::vector<torch::Tensor> &levels, const torch::Tensor &rois) {
  return box_head->forward(pool_levels(levels, rois, level_strides, kPooled, kSamplingRatio));
}

std::vector<std::string> DetectorImpl::block_names() const { return block_names_of(backbone); }

void DetectorImpl::train(bool on) { train_unfrozen(*this, backbone, frozen, on); }

std::shared_ptr<DetectorImpl> make_detector(nn::Sequential backbone, const DetectorShape &shape, const InputShape &input) {
  auto d = std::make_shared<DetectorImpl>();
  d->shape = shape;
  d->classes = input.classes;
  d->width = input.width;
  d->height = input.height;
  d->backbone = d->register_module("backbone", backbone);

  // Each block's output stride and channels, from one pass on zeros.
  struct Tap {
    int block, stride, channels, h, w;
  };
  std::vector<Tap> all;
  {
    torch::NoGradGuard no_grad;
    backbone->eval();
    torch::Tensor x = torch::zeros({1, input.channels, input.height, input.width});
    int index = 0;
    for (auto block = backbone->begin(); block != backbone->end(); ++block, ++index) {
      x = block->forward(x);
      if (x.dim() != 4) throw std::invalid_argument("a detector's backbone must give feature maps; mlp does not");
      all.push_back({index, static_cast<int>(std::lround(static_cast<double>(input.height) / x.size(2))),
                     static_cast<int>(x.size(1)), static_cast<int>(x.size(2)), static_cast<int>(x.size(3))});
    }
    backbone->train();
  }
  // The last block at each stride.
  std::map<int, Tap> by_stride;
  for (const Tap &t : all) by_stride[t.stride] = t;
  std::vector<Tap> chosen;
  if (!shape.fpn) {
    chosen.push_back(all.back());
  } else {
    // From stride 8 up (or from the deepest stride, for a shallow backbone), at most as many levels as sizes.
    const int first = by_stride.rbegin()->first < 8 ? by_stride.rbegin()->first : 8;
    for (const auto &[stride, tap] : by_stride)
      if (stride >= first && chosen.size() < shape.sizes.size()) chosen.push_back(tap);
  }
  for (const Tap &t : chosen) d->taps.push_back(t.block);

  int level_channels = chosen.back().channels;
  std::vector<AnchorLevel> anchor_levels;
  std::vector<double> scales = shape.scales;
  if (shape.fpn) {
    d->lateral = d->register_module("lateral", nn::ModuleList());
    d->smooth = d->register_module("smooth", nn::ModuleList());
    d->extra = d->register_module("extra", nn::ModuleList());
    for (const Tap &t : chosen) {
      d->lateral->push_back(pyramid_conv(t.channels, shape.fpn_channels, 1));
      d->smooth->push_back(pyramid_conv(shape.fpn_channels, shape.fpn_channels, 3));
      anchor_levels.push_back({t.h, t.w, static_cast<double>(t.stride), 0});
    }
    while (anchor_levels.size() < shape.sizes.size()) {
      d->extra->push_back(pyramid_conv(shape.fpn_channels, shape.fpn_channels, 3, 2));
      const AnchorLevel &last = anchor_levels.back();
      anchor_levels.push_back({(last.height + 1) / 2, (last.width + 1) / 2, last.stride * 2, 0});
    }
    for (std::size_t i = 0; i < anchor_levels.size(); ++i) anchor_levels[i].size = shape.sizes[i];
    level_channels = shape.fpn_channels;
  } else {
    // One level: every size there, as scales of the first.
    const Tap &t = chosen.back();
    anchor_levels.push_back({t.h, t.w, static_cast<double>(t.stride), shape.sizes.front()});
    scales.clear();
    for (double size : shape.sizes)
      for (double scale : shape.scales) scales.push_back(size / shape.sizes.front() * scale);
  }
  const int per_cell = static_cast<int>(shape.ratios.size() * scales.size());
  // The prior: every anchor starts as background with probability 0.99,
  // so the first steps' focal loss is not swamped by easy negatives (for
  // yolo, its objectness; its classes start even).
  const double prior = -std::log((1 - 0.01) / 0.01);
  // The RPN's objectness starts even, as torchvision's.
  const int scores = shape.yolo() ? input.classes + 1 : shape.two_stage() ? 1 : input.classes;
  d->class_tower = d->register_module(
      "class_tower", tower(level_channels, shape.channels, shape.depth, per_cell * scores,
                           shape.head == DetectorShape::Head::retinanet ? prior : 0));
  d->box_tower = d->register_module("box_tower", tower(level_channels, shape.channels, shape.depth, per_cell * 4, 0));
  d->anchors = d->register_buffer("anchors", make_anchors(anchor_levels, shape.ratios, scales));
  if (shape.yolo()) {
    torch::NoGradGuard no_grad;
    d->class_tower->named_children()["out"]->named_parameters()["bias"].view({per_cell, scores}).select(1, 0).fill_(prior);
    std::vector<float> strides;
    for (const AnchorLevel &level : anchor_levels)
      strides.insert(strides.end(), static_cast<std::size_t>(level.height * level.width * per_cell),
                     static_cast<float>(level.stride));
    d->strides = d->register_buffer("strides", torch::tensor(strides));
  }
  for (const AnchorLevel &level : anchor_levels) {
    d->level_anchors.push_back(static_cast<std::int64_t>(level.height) * level.width * per_cell);
    d->level_strides.push_back(level.stride);
  }
  if (shape.two_stage()) d->box_head = d->register_module("box_head", box_head(level_channels, shape.box_width, input.classes));
  // The head's output must line up with the anchors, level by level.
  torch::NoGradGuard no_grad;
  d->eval();
  const torch::Tensor raw = d->forward(torch::zeros({1, input.channels, input.height, input.width}));
  d->train();
  if (raw.size(1) != d->anchors.size(0))
    throw std::logic_error("the head gives " + std::to_string(raw.size(1)) + " anchors' outputs for " +
                           std::to_string(d->anchors.size(0)) + " anchors");
  return d;
}

}  // namespace edl::lower
