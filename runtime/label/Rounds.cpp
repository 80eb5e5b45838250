#include "runtime/label/Rounds.h"

#include "runtime/label/RoundData.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>

namespace edl::label {
namespace {

// Coreset's distances are taken in at most this many dimensions: a plain
// cnn's flattened features have thousands, and k-center greedy's cost is
// candidates x centers x dimensions.
constexpr std::size_t kCoresetDims = 128;

// A seeded Gaussian random projection to kCoresetDims dimensions, which keeps
// distances within a small factor (Johnson-Lindenstrauss).
Table projected(const Table &features, std::uint64_t seed) {
  torch::Generator generator = at::detail::createCPUGenerator(seed);
  torch::Tensor from = torch::from_blob(const_cast<float *>(features.values.data()),
                                        {static_cast<std::int64_t>(features.rows), static_cast<std::int64_t>(features.cols)});
  torch::Tensor projection = torch::randn({static_cast<std::int64_t>(features.cols), static_cast<std::int64_t>(kCoresetDims)},
                                          generator) /
                             std::sqrt(static_cast<double>(kCoresetDims));
  torch::Tensor to = torch::matmul(from, projection).contiguous();
  Table out;
  out.rows = features.rows;
  out.cols = kCoresetDims;
  out.values.assign(to.data_ptr<float>(), to.data_ptr<float>() + to.numel());
  return out;
}

}  // namespace

Choice choose(lower::Network &net, const data::LoadedDataset &data, const train::Normalizer &norm,
              const std::vector<std::size_t> &unlabeled, const std::vector<std::size_t> &labeled, Strategy strategy,
              std::size_t batch, std::uint64_t seed) {
  const auto started = std::chrono::steady_clock::now();
  Choice c;
  std::vector<std::size_t> rows(unlabeled.size());
  for (std::size_t k = 0; k < rows.size(); ++k) rows[k] = k;
  std::vector<std::size_t> labeled_rows;
  Table probabilities, features;
  if (strategy != Strategy::Random) {
    // Coreset measures distances to the labeled samples too: score them with the pool.
    std::vector<std::size_t> scored = unlabeled;
    if (strategy == Strategy::Coreset) {
      for (std::size_t k = 0; k < labeled.size(); ++k) labeled_rows.push_back(unlabeled.size() + k);
      scored.insert(scored.end(), labeled.begin(), labeled.end());
    }
    train::Predictions p = train::predict(net, data, scored, norm, strategy == Strategy::Coreset);
    probabilities = {std::move(p.probabilities), scored.size(), p.classes};
    features = {std::move(p.features), p.dims ? scored.size() : 0, p.dims};
    if (features.cols > kCoresetDims) features = projected(features, seed);
  }
  std::vector<std::size_t> picked = select(strategy, probabilities, features, labeled_rows, rows, batch, seed);
  for (std::size_t row : picked) c.asked.push_back(unlabeled[row]);
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  // The model's guess for each item asked (a person sees it as a suggestion).
  if (c.asked.empty()) return c;
  const train::Predictions guesses = train::predict(net, data, c.asked, norm, false);
  for (std::size_t k = 0; k < c.asked.size(); ++k) {
    const float *row = guesses.probabilities.data() + k * guesses.classes;
    const auto best = std::max_element(row, row + guesses.classes) - row;
    c.suggested.push_back(static_cast<int>(best));
    c.confidence.push_back(row[best]);
  }
  return c;
}

std::vector<Round> run_rounds(const data::LoadedDataset &data, const std::vector<std::size_t> &pool,
                              const std::vector<std::size_t> &held_out, const train::TrainSpec &recipe,
                              const RoundsConfig &config, const Oracle &oracle,
                              const std::function<void(const Round &)> &on_round) {
  std::vector<Round> rounds;
  std::vector<std::size_t> labeled = random_pick(pool, config.seed_labels, config.seed ^ kSeedLabelsSalt);
  std::vector<int> labels;
  for (std::size_t i : labeled) labels.push_back(oracle(i));
  lower::Network previous{nullptr};
  const lower::InputShape shape{data.channels, data.height, data.width, static_cast<int>(data.classes.size())};
  for (int number = 1; number <= config.rounds && !labeled.empty(); ++number) {
    Round r;
    r.number = number;
    r.labels = labeled.size();
    r.fraction = static_cast<double>(labeled.size()) / static_cast<double>(pool.size());
    const data::LoadedDataset round = round_data(data, labeled, labels, data, held_out);
    torch::manual_seed(config.seed);
    std::vector<lower::ModelError> errors;
    lower::Network net = lower::build_model(recipe.model, shape, errors);
    if (!net) break;
    if (config.warm_start && previous) {
      torch::NoGradGuard no_grad;
      auto from = previous->named_parameters(), to = net->named_parameters();
      for (auto &p : to) p.value().copy_(from[p.key()]);
    }
    train::TrainSpec spec = recipe;
    if (config.train_steps > 0) {
      const double per_epoch = std::ceil(static_cast<double>(labeled.size()) / std::max(1.0, static_cast<double>(recipe.batch)));
      spec.epochs = std::clamp(static_cast<int>(std::ceil(config.train_steps / per_epoch)), 1, 1000);
    }
    train::TrainJob job;
    job.spec = &spec;
    job.data = &round;
    job.norm = train::make_normalizer(data::DatasetSpec{}, round);
    job.seed = config.seed;
    train::TrainResult trained = train::train_model(net, job);
    // After the last epoch: choosing the best epoch on the held-out samples would flatter the curve.
    if (!trained.epochs.empty()) r.accuracy = trained.epochs.back().val.confusion.accuracy();

    if (number < config.rounds) {
      std::set<std::size_t> asked_before(labeled.begin(), labeled.end());
      std::vector<std::size_t> unlabeled;
      for (std::size_t i : pool)
        if (!asked_before.count(i)) unlabeled.push_back(i);
      Choice c = choose(net, data, job.norm, unlabeled, labeled, config.strategy, config.batch,
                        config.seed + static_cast<std::uint64_t>(number));
      r.asked = c.asked;
      r.select_seconds = c.seconds;
      for (std::size_t i : r.asked) {
        labeled.push_back(i);
        labels.push_back(oracle(i));
      }
    }
    if (config.warm_start) previous = net;
    rounds.push_back(r);
    if (on_round) on_round(r);
  }
  return rounds;
}

double curve_area(const std::vector<Round> &rounds) {
  double area = 0;
  for (std::size_t k = 1; k < rounds.size(); ++k)
    area += (rounds[k].fraction - rounds[k - 1].fraction) * (rounds[k].accuracy + rounds[k - 1].accuracy) / 2;
  return area;
}

}  // namespace edl::label
