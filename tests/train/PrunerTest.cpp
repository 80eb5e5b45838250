// Pruners on synthetic learning curves, and the grid's enumeration.
#include "runtime/search/Pruner.h"
#include "runtime/search/Sampler.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace edl::search;

namespace {

// Trials of quality q: score after epoch e is q · (1 − e^(−e/3)). Good
// trials (q near 1) and clearly bad ones (q ≤ 0.3), interleaved.
const std::vector<double> kQuality = {0.95, 0.2, 0.9, 0.15, 0.3, 0.97, 0.1, 0.92, 0.25, 0.2, 0.99, 0.12};

// Runs every trial for up to `epochs` epochs; the epochs each one got.
std::vector<int> run(Pruner &p, int epochs) {
  std::vector<int> ran;
  for (std::size_t t = 0; t < kQuality.size(); ++t) {
    int e = 1;
    for (; e <= epochs; ++e)
      if (p.report(static_cast<int>(t), e, kQuality[t] * (1 - std::exp(-e / 3.0))) && e < epochs) break;
    ran.push_back(std::min(e, epochs));
  }
  return ran;
}

}  // namespace

TEST_CASE("ASHA stops the clearly bad trials and keeps the best", "[search]") {
  auto asha = make_pruner("asha", 1, 3);
  std::vector<int> ran = run(*asha, 9);
  int bad_stopped = 0, bad_after_start = 0;
  for (std::size_t t = 0; t < kQuality.size(); ++t) {
    INFO("trial " << t << " quality " << kQuality[t] << " ran " << ran[t] << " epochs");
    if (kQuality[t] <= 0.3 && t >= 3) {
      ++bad_after_start;
      if (ran[t] < 9) ++bad_stopped;
    }
  }
  CHECK(bad_after_start == 6);
  CHECK(bad_stopped == 6);  // every bad trial once the rungs have a top third to compare with
  CHECK(ran[10] == 9);      // the best trial runs to the end
}

TEST_CASE("the median pruner stops trials below the median after its warm-up", "[search]") {
  auto median = make_pruner("median", 2, 0);
  std::vector<int> ran = run(*median, 6);
  CHECK(ran[0] == 6);
  CHECK(ran[2] == 6);
  for (std::size_t t = 3; t < kQuality.size(); ++t) {
    INFO("trial " << t);
    if (kQuality[t] <= 0.3) CHECK(ran[t] == 3);  // stopped at the first epoch after the warm-up
  }
  CHECK(ran[10] == 6);  // the best trial runs to the end
  CHECK_FALSE(make_pruner("hyperband", 1, 3));
}

TEST_CASE("grid enumerates every combination once, continuous dimensions at 5 points", "[search]") {
  std::vector<Dimension> dims = {{"s.lr", Dimension::LogUniform, 1e-4, 1, {}},
                                 {"s.batch", Dimension::Choice, 0, 0, {32, 64}},
                                 {"s.n", Dimension::Int, 1, 3, {}}};
  auto grid = make_sampler("grid", dims, 1, 30);
  std::set<std::vector<double>> seen;
  std::set<double> lrs;
  for (int k = 0; k < 30; ++k) {
    edl::spec::SpaceValues v = grid->next(k, {});
    seen.insert({v.at("s.lr"), v.at("s.batch"), v.at("s.n")});
    lrs.insert(v.at("s.lr"));
  }
  CHECK(seen.size() == 30);  // 5 x 2 x 3, no repeats
  CHECK(lrs.size() == 5);
  CHECK(*lrs.begin() == Approx(1e-4));
  CHECK(*std::next(lrs.begin()) == Approx(1e-3));  // geometric steps on a log scale
  CHECK(*lrs.rbegin() == Approx(1.0));
}
