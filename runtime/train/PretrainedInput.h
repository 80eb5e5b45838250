// Inputs normalised as a pretrained network's were: a weights file that
// `edlc import-weights` wrote states its pretraining's normalisation, and
// training, evaluation and the deploy package (which keeps the job's
// normaliser) use it instead of the dataset's own statistics.
#pragma once

#include "compiler/resolve/Spec.h"
#include "runtime/train/Batches.h"

#include <optional>

namespace edl::train {

// The normalisation `model`'s pretrained weights were trained with, for
// `channels` channels (one-channel images take the colours' average);
// null when the model loads none or its file states none.
std::optional<Normalizer> pretrained_normalizer(const spec::Model &model, int channels);

// What a job trained with `model` on `data` normalises its inputs by: the
// pretraining's normalisation when it states one, else the dataset's
// (make_normalizer).
// `from_pretraining` (optional) says which.
Normalizer input_normalizer(const data::DatasetSpec &spec, const data::LoadedDataset &data, const spec::Model &model,
                            bool *from_pretraining = nullptr);

}  // namespace edl::train
