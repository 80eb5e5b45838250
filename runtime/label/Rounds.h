// The rounds of smart labeling, as one loop over plain data: train the
// recipe on the labels so far (from scratch each round unless warm-started),
// measure it on the fixed held-out samples, score the unlabeled pool, and
// ask the oracle about the strategy's choice. The label benchmark runs it
// whole to draw learning curves; the label runner (one task per round,
// runtime/workflow/LabelRunner.cpp) shares its choice, `choose`. Uses torch.
#pragma once

#include "runtime/label/Selection.h"
#include "runtime/train/Trainer.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace edl::label {

struct RoundsConfig {
  Strategy strategy = Strategy::Uncertainty;
  std::size_t seed_labels = 0;  // labeled at random before the first round
  std::size_t batch = 100;      // asked per round
  int rounds = 5;
  std::uint64_t seed = 0;       // seed labels, random picks and model initialisation
  bool warm_start = false;      // continue from the last round's weights
  // When > 0, each round trains for about this many optimizer steps (its
  // epochs follow from its label count and the recipe's batch): a round of
  // 100 labels otherwise gets a handful of steps and a round of 2,000 many.
  int train_steps = 0;
};

// One round: trained on `labels` samples, then `asked` chosen for the next.
struct Round {
  int number = 0;
  std::size_t labels = 0;
  double fraction = 0;  // labels as a share of the pool
  double accuracy = 0;  // on the held-out samples, after the last epoch
  std::vector<std::size_t> asked;  // pool sample indices chosen after this round
  double select_seconds = 0;       // scoring the pool and choosing
};

// What a round asks about next, with the model's guess for each.
struct Choice {
  std::vector<std::size_t> asked;  // indices into the data
  std::vector<int> suggested;      // the model's most likely class of each
  std::vector<double> confidence;  // its probability
  double seconds = 0;              // scoring the pool and choosing
};

// `batch` of `unlabeled` (indices into `data`) chosen by `strategy` from
// `net`'s predictions; coreset measures distances to `labeled` too.
Choice choose(lower::Network &net, const data::LoadedDataset &data, const train::Normalizer &norm,
              const std::vector<std::size_t> &unlabeled, const std::vector<std::size_t> &labeled, Strategy strategy,
              std::size_t batch, std::uint64_t seed);

// Mixed into the seed that picks the seed labels, so that they are not the
// first picks of every other random choice made with the same seed.
constexpr std::uint64_t kSeedLabelsSalt = 0x1abe1;

// The oracle: the label of pool sample `i`.
using Oracle = std::function<int(std::size_t i)>;

// Runs the rounds over `pool` (indices into `data`) against `held_out`
// (indices into `data` too, never asked about). The last round trains and is
// measured but asks nothing. `on_round` sees each round as it ends.
std::vector<Round> run_rounds(const data::LoadedDataset &data, const std::vector<std::size_t> &pool,
                              const std::vector<std::size_t> &held_out, const train::TrainSpec &recipe,
                              const RoundsConfig &config, const Oracle &oracle,
                              const std::function<void(const Round &)> &on_round = nullptr);

// The area under a learning curve (accuracy over the share of the pool
// labeled, trapezoids), for comparing strategies at equal labels.
double curve_area(const std::vector<Round> &rounds);

}  // namespace edl::label
