// Which unlabeled samples a round of smart labeling asks the oracle about.
// Plain numbers in, indices out (no torch): the runner scores the pool with
// the round's model and hands over its class probabilities and, for coreset,
// its penultimate features, one row per sample.
//   uncertainty  least confidence: 1 - max p
//   margin       1 - (p1 - p2), the two most likely classes closest
//   entropy      -sum p log p
//   coreset      k-center greedy: each pick the sample farthest from every
//                labeled or already picked one (Sener & Savarese 2018),
//                that distance counted in units of the sample's own
//                neighbourhood radius, so lone outliers do not come first
//   random       a seeded uniform draw, the baseline every curve is held to
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace edl::label {

enum class Strategy { Uncertainty, Margin, Entropy, Coreset, Random };
const char *to_string(Strategy s);
// The strategy named as in the label block, or false.
bool strategy_named(const std::string &name, Strategy &out);

// A row-major table: `rows` samples, `cols` values each.
struct Table {
  std::vector<float> values;
  std::size_t rows = 0, cols = 0;
  const float *row(std::size_t i) const { return values.data() + i * cols; }
};

// Per sample, how informative its label would be (higher: ask sooner).
std::vector<double> least_confidence(const Table &probabilities);
std::vector<double> margin(const Table &probabilities);
std::vector<double> entropy(const Table &probabilities);

// The `k` candidates of highest score, highest first; equal scores go to the
// lower index, so a selection never depends on sort stability.
std::vector<std::size_t> top_k(const std::vector<double> &scores, const std::vector<std::size_t> &candidates,
                               std::size_t k);

// k-center greedy over `features`: `k` of `candidates`, each the one whose
// distance to its nearest center (the labeled samples, then the picks) is
// largest. With nothing labeled the first pick is the candidate farthest
// from the candidates' mean. With `radius` (one per candidate), each
// candidate's distance is divided by its radius.
std::vector<std::size_t> k_center_greedy(const Table &features, const std::vector<std::size_t> &labeled,
                                         const std::vector<std::size_t> &candidates, std::size_t k,
                                         const std::vector<double> &radius = {});

// Per row of `rows`, the distance to its `k`-th nearest of `reference`
// (itself not counted): small where samples crowd, large for a loner.
std::vector<double> neighbourhood_radius(const Table &features, const std::vector<std::size_t> &rows,
                                         const std::vector<std::size_t> &reference, std::size_t k);

// The coreset strategy: k-center greedy with each candidate's radius taken
// over a `seed`ed sample of at most kCoresetReference of the candidates
// and labeled samples, at its kCoresetNeighbours share. Plain k-center
// greedy asks first for the samples far from everything, which in a small
// model's features are mostly the odd members of the most varied classes;
// in radius units a sample in a crowd that no center covers comes first.
// The share was chosen on Fashion-MNIST (docs/label.md has the sweep).
constexpr std::size_t kCoresetReference = 2000;
constexpr double kCoresetNeighbours = 0.05;
std::vector<std::size_t> coreset(const Table &features, const std::vector<std::size_t> &labeled,
                                 const std::vector<std::size_t> &candidates, std::size_t k, std::uint64_t seed);

// `k` of `candidates` drawn uniformly without replacement by `seed`.
std::vector<std::size_t> random_pick(const std::vector<std::size_t> &candidates, std::size_t k, std::uint64_t seed);

// `k` of `candidates` in proportion to their classes (`classes[i]` is
// candidate i's), each class's share drawn at random by `seed`: seed
// labels that cover every class when the oracle can say which is which.
std::vector<std::size_t> stratified_pick(const std::vector<std::size_t> &candidates, const std::vector<int> &classes,
                                         std::size_t k, std::uint64_t seed);

// One round's choice: `k` of `unlabeled` (fewer when fewer are left).
// `probabilities` serve the three uncertainty strategies, `features`
// coreset; `labeled` are the samples labeled so far.
std::vector<std::size_t> select(Strategy strategy, const Table &probabilities, const Table &features,
                                const std::vector<std::size_t> &labeled, const std::vector<std::size_t> &unlabeled,
                                std::size_t k, std::uint64_t seed);

}  // namespace edl::label
