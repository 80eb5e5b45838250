// One labeling round on real digits, from the pieces the label runner
// joins: train on the labels so far, score the pool, choose what to ask.
#include "Digits.h"

#include "runtime/label/RoundData.h"
#include "runtime/label/Rounds.h"
#include "runtime/label/Selection.h"
#include "runtime/train/Trainer.h"

#include <catch2/catch.hpp>

#include <numeric>
#include <set>

using namespace edl;

namespace {

train::TrainSpec small_cnn(std::vector<spec::Scalar> channels, int epochs, int batch) {
  train::TrainSpec ts;
  ts.model.backbone = "cnn";
  ts.model.channels = std::move(channels);
  ts.optimizer.kind = "adam";
  ts.optimizer.lr = 3e-3;
  ts.epochs = epochs;
  ts.batch = batch;
  ts.metrics = {"loss", "accuracy"};
  return ts;
}

}  // namespace

TEST_CASE("a labeling round on digits trains on its labels, scores the pool and asks about its doubts", "[label]") {
  const data::LoadedDataset &digits = test::digits16();
  const std::vector<std::size_t> &pool = digits.split.train;

  // 40 seed labels drawn at random; the oracle (a simulation) reveals the pool's own labels.
  std::vector<std::size_t> labeled = label::random_pick(pool, 40, 11);
  std::vector<int> labels;
  for (std::size_t i : labeled) labels.push_back(digits.labels[i]);
  data::LoadedDataset round = label::round_data(digits, labeled, labels, digits, digits.split.val);
  REQUIRE(round.split.train.size() == 40);
  REQUIRE(round.split.val.size() == digits.split.val.size());
  CHECK(round.labels[0] == digits.labels[labeled[0]]);

  const train::TrainSpec ts = small_cnn({16, 32}, 15, 8);
  torch::manual_seed(5);
  std::vector<lower::ModelError> errors;
  lower::Network net = lower::build_model(ts.model, {1, 16, 16, 10}, errors);
  REQUIRE(net);
  train::TrainJob job;
  job.spec = &ts;
  job.data = &round;
  job.norm = train::make_normalizer(data::DatasetSpec{}, round);
  train::TrainResult r = train::train_model(net, job);
  REQUIRE(r.epochs.size() == 15);
  CHECK(r.epochs.back().val.confusion.accuracy() > 0.4);  // 40 labels, 10 classes: far above chance

  std::set<std::size_t> asked(labeled.begin(), labeled.end());
  std::vector<std::size_t> unlabeled;
  for (std::size_t i : pool)
    if (!asked.count(i)) unlabeled.push_back(i);
  // Scores cover the whole dataset's rows; only the unlabeled pool is scored here.
  train::Predictions p = train::predict(net, digits, unlabeled, job.norm, true);
  REQUIRE(p.classes == 10);
  REQUIRE(p.probabilities.size() == unlabeled.size() * 10);
  REQUIRE(p.dims > 0);
  REQUIRE(p.features.size() == unlabeled.size() * p.dims);
  for (std::size_t row = 0; row < unlabeled.size(); row += 97)
    CHECK(std::accumulate(p.probabilities.begin() + row * 10, p.probabilities.begin() + row * 10 + 10, 0.0) ==
          Approx(1.0).epsilon(1e-4));

  label::Table probabilities{p.probabilities, unlabeled.size(), 10}, features{p.features, unlabeled.size(), p.dims};
  std::vector<std::size_t> rows(unlabeled.size());
  std::iota(rows.begin(), rows.end(), 0);
  auto top = [&](std::size_t row) {
    return *std::max_element(probabilities.row(row), probabilities.row(row) + 10);
  };
  double mean_all = 0;
  for (std::size_t row : rows) mean_all += top(row) / static_cast<double>(rows.size());
  std::vector<std::size_t> doubts = label::select(label::Strategy::Margin, probabilities, features, {}, rows, 50, 1);
  REQUIRE(doubts.size() == 50);
  double mean_asked = 0;
  for (std::size_t row : doubts) mean_asked += top(row) / 50.0;
  CHECK(mean_asked < mean_all - 0.1);  // the model is least sure of what it asks about

  std::vector<std::size_t> spread = label::select(label::Strategy::Coreset, probabilities, features, {}, rows, 30, 1);
  CHECK(std::set<std::size_t>(spread.begin(), spread.end()).size() == 30);
}

TEST_CASE("labeling rounds grow the labels by the batch, never ask twice and repeat exactly", "[label]") {
  const data::LoadedDataset &digits = test::digits16();
  const train::TrainSpec ts = small_cnn({8, 16}, 6, 16);
  int asked_of_oracle = 0;
  label::Oracle oracle = [&](std::size_t i) {
    ++asked_of_oracle;
    return digits.labels[i];
  };
  for (label::Strategy strategy : {label::Strategy::Margin, label::Strategy::Coreset, label::Strategy::Random}) {
    INFO(label::to_string(strategy));
    label::RoundsConfig config{strategy, 20, 40, 3, 9, false, 0};
    asked_of_oracle = 0;
    std::vector<label::Round> rounds =
        label::run_rounds(digits, digits.split.train, digits.split.val, ts, config, oracle);
    REQUIRE(rounds.size() == 3);
    CHECK(rounds[0].labels == 20);
    CHECK(rounds[1].labels == 60);
    CHECK(rounds[2].labels == 100);
    CHECK(rounds[2].asked.empty());  // the last round only trains and measures
    CHECK(asked_of_oracle == 100);
    CHECK(rounds[2].fraction == Approx(100.0 / static_cast<double>(digits.split.train.size())));
    std::set<std::size_t> asked, pool(digits.split.train.begin(), digits.split.train.end());
    for (const label::Round &r : rounds)
      for (std::size_t i : r.asked) {
        CHECK(asked.insert(i).second);  // nothing asked twice
        CHECK(pool.count(i));           // only the pool is asked about
      }
    CHECK(rounds[2].accuracy > 0.3);
    CHECK(label::curve_area(rounds) > 0);
    std::vector<label::Round> again =
        label::run_rounds(digits, digits.split.train, digits.split.val, ts, config, oracle);
    CHECK(again[1].asked == rounds[1].asked);
    CHECK(again[2].accuracy == rounds[2].accuracy);
  }
}
