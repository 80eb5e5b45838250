// YOLO's training loss (after YOLOv5): an object is assigned to the anchors
// of the cells nearest its centre on every level (within one stride on both
// axes, so the bounded offsets can reach it) whose shape is within 4x of
// its own in width and height; an object no anchor takes keeps its
// best-overlapping anchor; an anchor wanted by several objects takes the
// smallest. Losses: binary cross-entropy on objectness over all anchors and
// on the classes of assigned anchors, and 1 - GIoU of their decoded boxes,
// each divided by the number of assigned anchors. Include only from files
// that use torch.
#pragma once

#include "runtime/train/DetectionLoss.h"

namespace edl::train {

// Which object each anchor is assigned: anchors, -1 for none.
torch::Tensor yolo_assign(const torch::Tensor &anchors, const torch::Tensor &strides, const torch::Tensor &boxes);

// head: N x anchors x (1 + classes + 4), as DetectorImpl::head_outputs
// gives for a yolo head. `classification` holds objectness and classes.
DetectionLoss yolo_loss(const torch::Tensor &head, const torch::Tensor &anchors, const torch::Tensor &strides,
                        const std::vector<ImageTargets> &targets, int classes);

// Generalised IoU of matching rows of a and b (N x 4 each), N.
torch::Tensor paired_giou(const torch::Tensor &a, const torch::Tensor &b);

}  // namespace edl::train
