// RetinaNet's training loss: anchors matched to objects by IoU (at least
// 0.5 an object's, under 0.4 background, between ignored; each object also
// keeps the anchors it overlaps best, so no object goes without one), sigmoid
// focal loss on the classes and L1 on the box deltas of matched anchors, both
// divided by the number of matched anchors. Include only from files that use torch.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace edl::train {

// One image's objects: boxes G x 4 (x0 y0 x1 y1, float), labels G (long).
struct ImageTargets {
  torch::Tensor boxes, labels;
};

struct AnchorMatch {
  torch::Tensor object;  // anchors: the matched object's index, -1 background, -2 ignored
};
// `positive` and `negative` are the IoU bounds (RetinaNet's 0.5 and 0.4;
// Faster R-CNN's RPN uses 0.7 and 0.3).
AnchorMatch match_anchors(const torch::Tensor &anchors, const torch::Tensor &boxes, double positive = 0.5,
                          double negative = 0.4);

struct DetectionLoss {
  torch::Tensor classification, box;  // scalars, averaged over images
  torch::Tensor total() const { return classification + box; }
};
// raw: N x anchors x (classes + 4), as DetectorImpl::forward gives.
DetectionLoss detection_loss(const torch::Tensor &raw, const torch::Tensor &anchors,
                             const std::vector<ImageTargets> &targets, int classes, double gamma = 2.0,
                             double alpha = 0.25);

}  // namespace edl::train
