#include "runtime/train/TokenAugment.h"

#include "runtime/data/TextEncoder.h"

#include <algorithm>
#include <random>

namespace edl::train {

bool TokenAugment::accepts(const spec::Augment &block, std::string &error) {
  for (const spec::AugmentOp &op : block.ops)
    if (!spec::is_token_op(op.kind)) {
      error = "augment '" + block.name + "': '" + op.name + "' does not work on text (token_dropout and token_swap do)";
      return false;
    }
  return true;
}

void TokenAugment::apply(std::int32_t *ids, std::size_t len, std::uint64_t seed, std::uint64_t index) const {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32)};
  std::mt19937_64 rng(seq);
  const std::vector<char> enabled = spec::enabled_ops(block_.root, block_.ops.size(), rng);
  std::uniform_real_distribution<double> u01(0, 1);
  std::size_t real = 0;
  while (real < len && ids[real] != data::kPadToken) ++real;
  for (std::size_t i = 0; i < block_.ops.size(); ++i) {
    const spec::AugmentOp &op = block_.ops[i];
    // Every op draws its rate, applied or not, so one op's choice never
    // shifts another's randomness.
    const double rate = std::clamp(op.args.empty() ? 0.0 : op.args[0].sample(rng), 0.0, 1.0);
    if (!enabled[i] || real == 0) continue;
    if (op.kind == spec::OpKind::TokenDropout) {
      std::size_t kept = 0;
      for (std::size_t k = 0; k < real; ++k)
        if (u01(rng) >= rate) ids[kept++] = ids[k];
      if (kept == 0) kept = 1;  // ids[0] is still the first token: never an empty text
      std::fill(ids + kept, ids + real, data::kPadToken);
      real = kept;
    } else if (op.kind == spec::OpKind::TokenSwap) {
      for (std::size_t k = 0; k + 1 < real; ++k)
        if (u01(rng) < rate) std::swap(ids[k], ids[k + 1]), ++k;
    }
  }
}

}  // namespace edl::train
