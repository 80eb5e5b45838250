// The training loop on real digits: it can overfit a small slice, batches
// are reproducible, mixed labels follow mixup, metrics match hand counts.
#include "Digits.h"

#include "compiler/lower/halide/LowerAugment.h"
#include "runtime/train/Trainer.h"

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using namespace edl;

namespace {

// A training of `spec` on `d`, unaugmented, with its normalisation.
train::TrainJob job_for(const train::TrainSpec &spec, const data::LoadedDataset &d) {
  train::TrainJob job;
  job.spec = &spec;
  job.data = &d;
  job.norm = train::make_normalizer(data::DatasetSpec{}, d);
  return job;
}

}  // namespace

TEST_CASE("confusion-matrix metrics match hand counts", "[metrics]") {
  train::ConfusionMatrix m(3);
  // truth 0: 0 0 1; truth 1: 1 1; truth 2: 2 0
  for (auto [t, p] : std::vector<std::pair<int, int>>{{0, 0}, {0, 0}, {0, 1}, {1, 1}, {1, 1}, {2, 2}, {2, 0}}) m.add(t, p);
  CHECK(m.total() == 7);
  CHECK(m.accuracy() == Approx(5.0 / 7));
  // precision: class 0 2/3, class 1 2/3, class 2 1/1; recall: 2/3, 1, 1/2
  CHECK(m.precision() == Approx((2.0 / 3 + 2.0 / 3 + 1.0) / 3));
  CHECK(m.recall() == Approx((2.0 / 3 + 1.0 + 0.5) / 3));
  // F1 per class: 2/3, 4/5, 2/3
  CHECK(m.f1() == Approx((2.0 / 3 + 0.8 + 2.0 / 3) / 3));
}

TEST_CASE("a small cnn overfits 64 digits", "[train]") {
  data::LoadedDataset d = test::digits16();
  d.split.train.assign(d.split.train.begin(), d.split.train.begin() + 64);
  d.split.val = d.split.train;
  train::TrainSpec spec;
  spec.model.backbone = "cnn";
  spec.model.channels = {16, 32};
  spec.optimizer.kind = "adam";
  spec.optimizer.lr = 3e-3;
  spec.epochs = 40;
  spec.batch = 16;
  spec.metrics = {"loss", "accuracy"};
  torch::manual_seed(3);
  std::vector<lower::ModelError> errors;
  lower::Network net = lower::build_model(spec.model, {1, 16, 16, 10}, errors);
  REQUIRE(net);
  train::TrainJob job = job_for(spec, d);
  const double before = train::evaluate(net, d, d.split.train, job.norm, spec.loss).loss;
  CHECK(before > 1.5);  // about ln(10) for an untrained model
  train::TrainResult r = train::train_model(net, job);
  REQUIRE(r.epochs.size() == 40);
  CHECK(r.epochs.back().train.loss < 0.05);
  CHECK(r.epochs.back().val.confusion.accuracy() == 1.0);
}

TEST_CASE("batches are reproducible and mixup mixes the labels it mixes the pixels of", "[train]") {
  const data::LoadedDataset &d = test::digits16();
  auto checked = test::check_text("project \"t\" { seed = 1 }\naugment a {\n  rotate(degrees = uniform(-10, 10))\n"
                                  "  mixup(alpha = 0.4)\n}\n");
  std::vector<lower::LoweringError> errors;
  auto program = lower::build_program(*checked->specs.augment("a"), 16, 16, 1, errors);
  REQUIRE(errors.empty());
  std::string error;
  auto kernel = lower::CompiledAugment::compile(program, error);
  REQUIRE(kernel);
  train::EpochPlan plan{&d, d.split.train, 32, true, kernel.get(), 5, 2, {{0.0f}, {1.0f}}, 10};
  auto first = train::Prefetcher(plan).next();
  auto again = train::Prefetcher(plan).next();
  REQUIRE(first);
  REQUIRE(again);
  CHECK(first->x == again->x);
  CHECK(first->samples == again->samples);
  plan.epoch = 3;  // another epoch: another order and other parameters
  CHECK(train::Prefetcher(plan).next()->samples != first->samples);

  REQUIRE(first->targets.size() == 32u * 10);
  int mixed = 0;
  for (int i = 0; i < 32; ++i) {
    double sum = 0;
    for (int k = 0; k < 10; ++k) sum += first->targets[i * 10 + k];
    CHECK(sum == Approx(1.0));
    if (first->targets[i * 10 + first->labels[i]] < 0.999f) ++mixed;
  }
  CHECK(mixed > 0);  // partners of another class got some of the label
}

TEST_CASE("label smoothing and focal loss follow their formulas", "[train]") {
  torch::Tensor logits = torch::tensor({{2.0f, 0.0f, -1.0f}});
  torch::Tensor target = torch::tensor({{1.0f, 0.0f, 0.0f}});
  torch::Tensor logp = torch::log_softmax(logits, 1);
  train::LossSpec ce;
  CHECK(train::batch_loss(logits, target, ce).item<double>() == Approx(-logp[0][0].item<double>()));
  train::LossSpec smooth;
  smooth.label_smoothing = 0.3;
  double want = -(0.8 * logp[0][0] + 0.1 * logp[0][1] + 0.1 * logp[0][2]).item<double>();
  CHECK(train::batch_loss(logits, target, smooth).item<double>() == Approx(want));
  train::LossSpec focal;
  focal.kind = "focal";
  focal.gamma = 2;
  double p = logp[0][0].exp().item<double>();
  CHECK(train::batch_loss(logits, target, focal).item<double>() == Approx(-std::pow(1 - p, 2) * std::log(p)));
}

TEST_CASE("early stopping ends training after `patience` epochs without improvement", "[train]") {
  const data::LoadedDataset &d = test::digits16();
  train::TrainSpec spec;
  spec.model.backbone = "mlp";  // no batch norm: with lr = 0 nothing changes between epochs
  spec.model.hidden = {16};
  spec.optimizer.lr = 0;
  spec.epochs = 10;
  spec.early_stop.enabled = true;
  spec.early_stop.metric = "loss";
  spec.early_stop.patience = 2;
  std::vector<lower::ModelError> errors;
  lower::Network net = lower::build_model(spec.model, {1, 16, 16, 10}, errors);
  REQUIRE(net);
  train::TrainJob job = job_for(spec, d);
  auto dir = std::filesystem::temp_directory_path() / ("edl-early-" + std::to_string(::getpid()));
  job.checkpoint_dir = dir.string();
  train::TrainResult r = train::train_model(net, job);
  CHECK(r.stopped_early);
  CHECK(r.epochs.size() == 3);  // the best epoch, then two without improvement
  CHECK(r.best_epoch == 1);
  CHECK(std::filesystem::exists(dir / "epoch-3.pt"));
  CHECK(std::filesystem::exists(dir / "epoch-3.optim"));
  CHECK(std::filesystem::exists(dir / "model.pt"));
  std::filesystem::remove_all(dir);
}
