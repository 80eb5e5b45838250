// Token augmentation on one sample's ids: reproducible per seed and sample,
// dropout removes about `rate` of the real tokens keeping their order,
// swap moves tokens one place at most, padding stays behind the text, and
// the control tree (maybe) decides whether an op applies.
#include "runtime/train/TokenAugment.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>

using namespace edl;
using spec::Control;
using spec::OpKind;
using spec::Value;

namespace {

// A block of `ops` in sequence, each under maybe(p) when p < 1.
spec::Augment block(const std::vector<std::pair<OpKind, double>> &ops, double p = 1) {
  spec::Augment a;
  a.name = "noisy";
  Control *parent = &a.root;
  if (p < 1) {
    Control maybe;
    maybe.kind = Control::Maybe;
    maybe.p_value = Value::constant(p);
    a.root.children.push_back(maybe);
    parent = &a.root.children.back();
  }
  for (const auto &[kind, rate] : ops) {
    spec::AugmentOp op;
    op.kind = kind;
    op.name = kind == OpKind::TokenDropout ? "token_dropout" : "token_swap";
    op.args = {Value::constant(rate)};
    Control c;
    c.kind = Control::Op;
    c.op = static_cast<int>(a.ops.size());
    parent->children.push_back(c);
    a.ops.push_back(op);
  }
  return a;
}

// Ids 2..real+1, then padding to 64.
std::vector<std::int32_t> text(int real) {
  std::vector<std::int32_t> ids(64, 0);
  std::iota(ids.begin(), ids.begin() + real, 2);
  return ids;
}

std::vector<std::int32_t> applied(const train::TokenAugment &a, std::vector<std::int32_t> ids, std::uint64_t index) {
  a.apply(ids.data(), ids.size(), 7, index);
  return ids;
}

}  // namespace

TEST_CASE("token_dropout: about rate of the real tokens removed, order kept, padding behind", "[text]") {
  const train::TokenAugment drop(block({{OpKind::TokenDropout, 0.3}}));
  std::size_t removed = 0;
  for (std::uint64_t i = 0; i < 400; ++i) {
    const std::vector<std::int32_t> out = applied(drop, text(50), i);
    const auto end = std::find(out.begin(), out.end(), 0);
    CHECK(std::all_of(end, out.end(), [](std::int32_t id) { return id == 0; }));
    CHECK(std::is_sorted(out.begin(), end));  // a subsequence of 2..51: order kept, nothing new
    CHECK(std::adjacent_find(out.begin(), end) == end);
    removed += 50 - static_cast<std::size_t>(end - out.begin());
  }
  CHECK(removed / (400.0 * 50) == Approx(0.3).margin(0.01));
  // Rate 1 keeps the first token: an augmented text is never empty.
  CHECK(applied(train::TokenAugment(block({{OpKind::TokenDropout, 1.0}})), text(5), 3) ==
        std::vector<std::int32_t>(text(1)));
  // Rate 0, and an empty text, change nothing.
  CHECK(applied(train::TokenAugment(block({{OpKind::TokenDropout, 0.0}})), text(20), 3) == text(20));
  CHECK(applied(drop, text(0), 3) == text(0));
}

TEST_CASE("token_swap: neighbours swapped, each token moved one place at most", "[text]") {
  const train::TokenAugment swap(block({{OpKind::TokenSwap, 0.5}}));
  std::size_t moved = 0;
  for (std::uint64_t i = 0; i < 100; ++i) {
    const std::vector<std::int32_t> before = text(40), out = applied(swap, before, i);
    CHECK(std::is_permutation(out.begin(), out.end(), before.begin()));
    for (std::size_t k = 0; k < out.size(); ++k) {
      CHECK(std::abs(out[k] - before[k]) <= 1);
      moved += out[k] != before[k];
    }
    CHECK(std::all_of(out.begin() + 40, out.end(), [](std::int32_t id) { return id == 0; }));
  }
  CHECK(moved > 1000);  // about a third of the tokens at rate 0.5
}

TEST_CASE("token augmentation: the same seed and sample give the same text, maybe(p) decides", "[text]") {
  const train::TokenAugment both(block({{OpKind::TokenDropout, 0.2}, {OpKind::TokenSwap, 0.2}}));
  CHECK(applied(both, text(60), 11) == applied(both, text(60), 11));
  CHECK(applied(both, text(60), 11) != applied(both, text(60), 12));
  const train::TokenAugment never(block({{OpKind::TokenDropout, 0.5}}, 0.0));
  CHECK(applied(never, text(30), 5) == text(30));
  const train::TokenAugment half(block({{OpKind::TokenDropout, 0.5}}, 0.5));
  int changed = 0;
  for (std::uint64_t i = 0; i < 200; ++i) changed += applied(half, text(30), i) != text(30);
  CHECK(changed > 70);
  CHECK(changed < 130);
  // An image op in a text block is refused before training.
  spec::Augment mixed = block({{OpKind::TokenSwap, 0.1}});
  mixed.ops[0].kind = OpKind::Rotate;
  mixed.ops[0].name = "rotate";
  std::string error;
  CHECK_FALSE(train::TokenAugment::accepts(mixed, error));
  CHECK(error.find("'rotate' does not work on text") != std::string::npos);
}
