// Learning a tokenizer: the vocabulary of text rows (and, for bpe, its
// merges) from the training split only, so validation and test words the
// training never saw count as unknown, as they will in use. What it learns
// is a TextEncoder (TextEncoder.h: the tokenizers, ids and package file):
//   word  the max_vocab most frequent words seen at least min_count times
//   char  every character seen
//   bpe   the subword symbols of a byte-pair encoding learnt from the
//         training words, max_vocab of them (bpe's `vocab`)
// No torch: plain ids, the trainer wraps them.
#pragma once

#include "runtime/data/DatasetSpec.h"
#include "runtime/data/TextEncoder.h"

#include <string>
#include <vector>

namespace edl::data {

// The encoder `settings` ask for, with no vocabulary yet.
TextEncoder untrained_encoder(const spec::Dataset::Text &settings);

// The encoder of `texts[i]` for i in `indices` (the training split).
// Ties in frequency go to the token seen first, so it is deterministic.
TextEncoder learn_vocabulary(const std::vector<std::string> &texts, const std::vector<std::size_t> &indices,
                             const spec::Dataset::Text &settings);

}  // namespace edl::data
