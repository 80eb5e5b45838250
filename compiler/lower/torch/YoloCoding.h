// YOLO's outputs (as YOLOv5 parametrises them) in RetinaNet's terms, so a
// yolo head decodes, suppresses and exports through the same DetectOps:
//  - score: objectness times class, both sigmoids, as one logit;
//  - box: the centre moves at most one cell (stride) from its anchor's
//    centre, (2 sigmoid(t) - 1) x stride, and the size is the anchor's times
//    (2 sigmoid(t))^2, so between 0 and 4 times it. Both are bounded, which
//    keeps early training stable; written as R-CNN deltas (unit weights).
// Include only from files that use torch.
#pragma once

#include <torch/torch.h>

namespace edl::lower {

// obj: ... (logits), cls: ... x classes (logits) → ... x classes logits of
// sigmoid(obj) * sigmoid(cls).
torch::Tensor yolo_class_logits(const torch::Tensor &obj, const torch::Tensor &cls);

// t: ... x anchors x 4 raw box outputs; anchors: anchors x 4; strides:
// anchors (each anchor's level stride) → R-CNN deltas against the anchors.
torch::Tensor yolo_deltas(const torch::Tensor &t, const torch::Tensor &anchors, const torch::Tensor &strides);

}  // namespace edl::lower
