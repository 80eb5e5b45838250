// Training and measuring segmenters: the shared loop (train_task) with a
// per-pixel loss on each augmented batch's label maps, and IoU on the
// held-out images. Pixels marked ignore_index are neither trained on nor
// counted. Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/Segmenter.h"
#include "runtime/train/Trainer.h"

namespace edl::train {

// The loss of class scores (N x K x H x W) against label maps (N x H x W,
// long): cross-entropy over the pixels that are a class (label smoothing
// as the spec says), or dice: one minus the soft Dice score averaged over
// the classes, plus `cross_entropy` times the cross-entropy.
torch::Tensor segmentation_loss(const torch::Tensor &scores, const torch::Tensor &masks, int ignore_index,
                                const LossSpec &loss);

// Counts each pixel that is a class into `confusion` (truth, prediction).
void count_pixels(ConfusionMatrix &confusion, const torch::Tensor &predicted, const torch::Tensor &masks,
                  int ignore_index);

// The watched metric defaults to val.miou.
TrainResult train_segmenter(lower::Segmenter &net, const TrainJob &job, const TrainCallbacks &callbacks = {});

// Loss, miou, pixel_accuracy (the confusion matrix's accuracy) and
// iou_class_K per class (classes never present nor predicted are left out)
// of `net` over samples `indices`, without augmentation.
EpochMetrics evaluate_segmenter(lower::Segmenter &net, const data::LoadedDataset &data,
                                const std::vector<std::size_t> &indices, const Normalizer &norm, const LossSpec &loss,
                                int batch = 32);

}  // namespace edl::train
