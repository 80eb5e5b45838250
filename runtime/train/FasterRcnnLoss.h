// Faster R-CNN's training losses, with torchvision's settings. The RPN:
// anchors at IoU >= 0.7 with an object are positive (each object also keeps
// its best anchors), under 0.3 negative, between ignored; 256 sampled per
// image, at most half positive; binary cross-entropy on objectness and
// smooth L1 (beta 1/9) on the positives' deltas. The box head: each image's
// proposals and its objects themselves; IoU >= 0.5 with an object takes its
// class, less is background; `rois` sampled per image, at most a quarter
// positive; cross-entropy over the classes and background, smooth L1 on the
// positives' deltas for their class (weights 10 10 5 5). Each loss is over
// its sampled count in the batch. Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/Detector.h"
#include "runtime/train/DetectionLoss.h"

#include <cstdint>
#include <random>

namespace edl::train {

// Up to `count` of the candidates, at most `fraction` of them from
// `positive` (the rest from `negative`), drawn by `rng`: the indices of
// the positives drawn, then of the negatives.
struct Sampled {
  std::vector<std::int64_t> positive, negative;
};
Sampled sample_balanced(const torch::Tensor &positive, const torch::Tensor &negative, int count, double fraction,
                        std::mt19937_64 &rng);

// `classification`: RPN objectness + box head classes; `box`: both box
// terms. `seed` fixes the sampling (the trainer derives it from the batch,
// so a resumed run draws as the first did).
DetectionLoss faster_rcnn_loss(lower::DetectorImpl &net, const lower::DetectorOutputs &out,
                               const std::vector<ImageTargets> &targets, std::uint64_t seed);

}  // namespace edl::train
