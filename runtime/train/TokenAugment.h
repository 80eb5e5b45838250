// Text augmentation: an augment block's token ops (token_dropout,
// token_swap) applied to one sample's token ids on the host, in the
// prefetch thread, with the control tree (maybe, one_of, some_of, an op's
// p) walked as for images. Each sample's randomness comes from the run's
// seed, the epoch and the sample, never from the batch it lands in, so a
// resumed run sees the same texts. The ops work on the ids training reads:
// the first max_len tokens of the text. No torch.
#pragma once

#include "compiler/resolve/AugmentSpec.h"

#include <cstdint>

namespace edl::train {

class TokenAugment {
 public:
  // False (with the op's name in `error`) when the block holds an op that
  // is not a token op.
  static bool accepts(const spec::Augment &block, std::string &error);
  explicit TokenAugment(spec::Augment block) : block_(std::move(block)) {}

  // `ids`: one sample's max_len ids, real tokens first, then padding (0).
  //   token_dropout(rate)  each real token removed with probability rate
  //                        (the rest close up; at least one is kept)
  //   token_swap(rate)     each pair of neighbouring real tokens swapped
  //                        with probability rate, left to right, a token
  //                        moved at most once
  void apply(std::int32_t *ids, std::size_t len, std::uint64_t seed, std::uint64_t index) const;

  const std::string &name() const { return block_.name; }

 private:
  spec::Augment block_;
};

}  // namespace edl::train
