// Smart labeling against its two references, measured in one run on real
// Fashion-MNIST (issue 17): for each strategy, the share of a pool that must
// be labeled to come within one point of training on the whole pool, and
// the area under its learning curve as a ratio to random selection at the
// same labels; median over seeds. Also the time to score and choose over a
// 60,000-image pool. The model is a small cnn trained from scratch every
// round (what the literature uses for honest curves), Adam with a cosine
// schedule.
// Usage: edl_label_bench [DATA_DIR] [POOL] [TEST] [SEEDS] [EPOCHS] [BATCH] [MAX_SHARE] [STEPS] [SIZE] [STRATEGIES]
//                       [FIRST_SEED]
// Fashion-MNIST's t10k_ images are the test side; a folder without them
// (scikit-learn's digits) has its test images drawn from the rest. SIZE: the
// side images are resized to (28; 16 suits the 8x8 digits). STRATEGIES:
// a comma-separated subset (random is always run: the areas are its ratios).
// EPOCHS trains the full-label reference; with STEPS > 0 every round trains
// about that many optimizer steps instead of EPOCHS epochs. FIRST_SEED (1):
// the seeds run are FIRST_SEED .. FIRST_SEED + SEEDS - 1, so more seeds can
// be added to an earlier run's.
#include "runtime/label/RoundData.h"
#include "runtime/label/Rounds.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>

using namespace edl;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

bool starts(const std::string &path, const std::string &prefix) {
  return path.substr(path.find_last_of('/') + 1).rfind(prefix, 0) == 0;
}

}  // namespace

int main(int argc, char **argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // rounds show as they end, also into a file
  const std::string dir = argc > 1 ? argv[1] : "data/fashion";
  const std::size_t pool_size = argc > 2 ? std::stoul(argv[2]) : 10000, test_size = argc > 3 ? std::stoul(argv[3]) : 2000;
  const int seeds = argc > 4 ? std::stoi(argv[4]) : 3, epochs = argc > 5 ? std::stoi(argv[5]) : 8;
  const std::size_t batch = argc > 6 ? std::stoul(argv[6]) : 200;
  const double max_share = argc > 7 ? std::stod(argv[7]) : 0.4;
  const int steps = argc > 8 ? std::stoi(argv[8]) : 0;
  const int size = argc > 9 ? std::stoi(argv[9]) : 28;
  std::vector<label::Strategy> strategies;
  for (std::string rest = argc > 10 ? argv[10] : "uncertainty,margin,entropy,coreset"; !rest.empty();) {
    const std::string name = rest.substr(0, rest.find(','));
    rest = rest.size() > name.size() ? rest.substr(name.size() + 1) : "";
    label::Strategy s;
    if (!label::strategy_named(name, s)) {
      std::fprintf(stderr, "unknown strategy '%s'\n", name.c_str());
      return 2;
    }
    if (s != label::Strategy::Random) strategies.push_back(s);
  }
  strategies.push_back(label::Strategy::Random);
  const int first_seed = argc > 11 ? std::stoi(argv[11]) : 1;

  data::DatasetSpec spec;
  spec.name = "fashion";
  spec.path = dir;
  spec.width = spec.height = size;
  spec.channels = 1;
  spec.cache_dir = "bench/out/label-cache";
  const data::LoadedDataset all = data::load_dataset(spec);
  if (!all.report.ok() || all.size() == 0) {
    std::fprintf(stderr, "cannot load %s: run scripts/fetch-data.sh\n", dir.c_str());
    return 1;
  }
  std::vector<std::size_t> train_all, test_all;
  for (std::size_t i = 0; i < all.size(); ++i) (starts(all.sources[i], "t10k_") ? test_all : train_all).push_back(i);
  if (test_all.empty()) {  // no test side of its own: hold out a fixed draw
    test_all = label::random_pick(train_all, test_size, 7);
    std::set<std::size_t> held(test_all.begin(), test_all.end());
    std::vector<std::size_t> rest;
    for (std::size_t i : train_all)
      if (!held.count(i)) rest.push_back(i);
    train_all = rest;
  }
  if (train_all.size() < pool_size || test_all.size() < test_size) {
    std::fprintf(stderr, "%s has %zu training and %zu test images: fewer than the pool %zu and test %zu asked\n",
                 dir.c_str(), train_all.size(), test_all.size(), pool_size, test_size);
    return 1;
  }

  train::TrainSpec recipe;
  recipe.model.backbone = "cnn";
  recipe.model.channels = {16, 32};
  recipe.model.head_hidden = {64};
  recipe.optimizer.kind = "adam";
  recipe.optimizer.lr = 2e-3;
  recipe.schedule.kind = "cosine";  // to zero at the last epoch: the accuracy measured there settles
  recipe.epochs = epochs;
  recipe.batch = 32;
  recipe.metrics = {"loss", "accuracy"};
  const label::Oracle oracle = [&](std::size_t i) { return all.labels[i]; };
  std::map<label::Strategy, std::vector<double>> needed, area_ratio;
  std::vector<double> full_accuracy;
  for (int seed = first_seed; seed < first_seed + seeds; ++seed) {
    const std::vector<std::size_t> pool = label::random_pick(train_all, pool_size, 100 + seed);
    const std::vector<std::size_t> test = label::random_pick(test_all, test_size, 200 + seed);
    // The full-label reference: the whole pool, labeled.
    std::vector<int> pool_labels;
    for (std::size_t i : pool) pool_labels.push_back(all.labels[i]);
    const data::LoadedDataset full = label::round_data(all, pool, pool_labels, all, test);
    torch::manual_seed(seed);
    std::vector<lower::ModelError> errors;
    lower::Network net = lower::build_model(recipe.model, {1, size, size, static_cast<int>(all.classes.size())}, errors);
    train::TrainJob job;
    job.spec = &recipe;
    job.data = &full;
    job.norm = train::make_normalizer(data::DatasetSpec{}, full);
    job.seed = seed;
    const double reference = train::train_model(net, job).epochs.back().val.confusion.accuracy();
    full_accuracy.push_back(reference);
    std::printf("seed %d: full-label accuracy %.4f on %zu test images (%zu pool labels)\n", seed, reference,
                test.size(), pool.size());

    const int rounds = static_cast<int>((max_share * pool_size - batch) / batch) + 1;
    std::map<label::Strategy, std::vector<label::Round>> curves;
    for (label::Strategy s : strategies) {
      label::RoundsConfig config{s, batch, batch, rounds, static_cast<std::uint64_t>(seed), false, steps};
      curves[s] = label::run_rounds(all, pool, test, recipe, config, oracle);
      double reached = -1;
      for (const label::Round &r : curves[s])
        if (reached < 0 && r.accuracy >= reference - 0.01) reached = r.fraction;
      needed[s].push_back(reached < 0 ? 2.0 : reached);  // 2.0: not reached within max_share
      std::printf("  %-12s", label::to_string(s));
      for (const label::Round &r : curves[s]) std::printf(" %.3f", r.accuracy);
      if (reached < 0) std::printf("  -> not reached\n");
      else std::printf("  -> %.1f%% of the pool\n", reached * 100);
      // What it asked, by class: a strategy that favours some classes shows here.
      std::vector<int> asked(all.classes.size(), 0);
      for (const label::Round &r : curves[s])
        for (std::size_t i : r.asked) ++asked[static_cast<std::size_t>(all.labels[i])];
      std::printf("  %-12s asked by class:", "");
      for (std::size_t c = 0; c < asked.size(); ++c) std::printf(" %s %d", all.classes[c].c_str(), asked[c]);
      std::printf("\n");
    }
    for (label::Strategy s : strategies)
      area_ratio[s].push_back(label::curve_area(curves[s]) / label::curve_area(curves[label::Strategy::Random]));
  }

  // Scoring and choosing over a 60,000-image pool with a model of 1,000 labels.
  std::vector<std::size_t> big = train_all;
  big.resize(std::min<std::size_t>(big.size(), 60000));
  std::map<label::Strategy, double> select_seconds;
  for (label::Strategy s : strategies) {
    label::RoundsConfig config{s, 1000, batch, 2, 1, false, steps};
    std::vector<label::Round> r = label::run_rounds(all, big, test_all, recipe, config, oracle);
    select_seconds[s] = r.empty() ? 0 : r[0].select_seconds;
  }

  std::printf("\n%s, pool %zu, test %zu, cnn [16, 32] + [64], adam + cosine, %s a round, batch %zu a round, "
              "median of %d seed(s); full-label accuracy %.4f (%d epochs)\n",
              dir.c_str(), pool_size, test_size,
              steps > 0 ? (std::to_string(steps) + " steps").c_str() : (std::to_string(epochs) + " epochs").c_str(), batch,
              seeds, median(full_accuracy), epochs);
  const std::string select_column = "select over " + std::to_string(big.size()) + " (s)";
  std::printf("%-12s %28s %22s %24s\n", "strategy", "labels for full - 1 point", "curve area / random",
              select_column.c_str());
  for (label::Strategy s : strategies) {
    const double share = median(needed[s]);
    char reached[32];
    if (share > 1.0) std::snprintf(reached, sizeof reached, "> %.0f%%", max_share * 100);
    else std::snprintf(reached, sizeof reached, "%.1f%%", share * 100);
    std::printf("%-12s %28s %22.3f %24.2f\n", label::to_string(s), reached, median(area_ratio[s]), select_seconds[s]);
  }
  return 0;
}
