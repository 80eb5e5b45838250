// What one labeling round trains on: the pool's samples labeled so far
// (with the oracle's labels, not the pool's own) as the training split, and
// the fixed held-out samples as the validation split. The pool's labels
// never reach the learner except through the oracle.
#pragma once

#include "runtime/data/Dataset.h"

#include <cstddef>
#include <vector>

namespace edl::label {

// `pool[labeled[i]]` labeled `labels[i]`, then every sample of `held_out`'s
// `held_out_indices`. Both must be images of the same size and channels;
// `labels` index the held-out samples' classes (an unlabeled pool has none).
data::LoadedDataset round_data(const data::LoadedDataset &pool, const std::vector<std::size_t> &labeled,
                               const std::vector<int> &labels, const data::LoadedDataset &held_out,
                               const std::vector<std::size_t> &held_out_indices);

}  // namespace edl::label
