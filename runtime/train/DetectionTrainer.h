// Training and measuring detectors: the shared loop (train_task) with
// RetinaNet's loss on each augmented batch's boxes, and COCO mAP on the
// held-out images. Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/Detector.h"
#include "runtime/train/Trainer.h"

namespace edl::train {

// The watched metric defaults to val.map.
TrainResult train_detector(lower::Detector &net, const TrainJob &job, const TrainCallbacks &callbacks = {});

// Loss (the head's, with the job's focal gamma as training uses it) and
// COCO metrics (map map50 map75 map_small map_medium map_large, and
// map_class_K per class) of `net` over samples `indices`, without
// augmentation. Areas are compared in the stored images' pixels, as COCO does.
EpochMetrics evaluate_detector(lower::Detector &net, const data::LoadedDataset &data,
                               const std::vector<std::size_t> &indices, const Normalizer &norm, const LossSpec &loss,
                               int batch = 64);

}  // namespace edl::train
