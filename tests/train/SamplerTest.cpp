// Samplers: every value inside its space (bounds, integers, log scale,
// categoricals), reproducible from the seed, TPE and GP better than random
// on a smooth function over many seeds, GP close to Branin's minimum.
#include "bench/search_functions.h"
#include "runtime/search/GaussianProcess.h"
#include "runtime/search/Sampler.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

using namespace edl;
using namespace edl::search;

namespace {

std::vector<Dimension> space() {
  return {{"s.x", Dimension::Uniform, -2, 3, {}},
          {"s.lr", Dimension::LogUniform, 1e-5, 1e-1, {}},
          {"s.n", Dimension::Int, 1, 10, {}},
          {"s.batch", Dimension::Choice, 0, 0, {16, 32, 64}}};
}

// Smooth, with its optimum at x = 0.7, lr = 1e-3, n = 4, batch = 32.
double objective(const SpaceValues &v) {
  double lr = std::log10(v.at("s.lr")) + 3;
  return -std::pow(v.at("s.x") - 0.7, 2) - lr * lr - 0.1 * std::pow(v.at("s.n") - 4, 2) -
         (v.at("s.batch") == 32 ? 0 : 0.5);
}

double best_of(const std::string &strategy, std::uint64_t seed, int trials) {
  auto sampler = make_sampler(strategy, space(), seed, trials);
  std::vector<Observation> history;
  double best = -1e300;
  for (int k = 0; k < trials; ++k) {
    SpaceValues v = sampler->next(k, history);
    double score = objective(v);
    history.push_back({v, score});
    best = std::max(best, score);
  }
  return best;
}

}  // namespace

TEST_CASE("samplers stay inside the space and repeat with the seed", "[search]") {
  for (const char *strategy : {"random", "tpe", "gp"}) {
    INFO(strategy);
    auto a = make_sampler(strategy, space(), 7, 40), b = make_sampler(strategy, space(), 7, 40);
    std::vector<Observation> history;
    int small_lr = 0;
    for (int k = 0; k < 40; ++k) {
      SpaceValues v = a->next(k, history);
      CHECK(v == b->next(k, history));
      CHECK(v.at("s.x") >= -2);
      CHECK(v.at("s.x") <= 3);
      CHECK(v.at("s.lr") >= 1e-5);
      CHECK(v.at("s.lr") <= 1e-1);
      if (v.at("s.lr") < 1e-3) ++small_lr;
      CHECK(v.at("s.n") == std::round(v.at("s.n")));
      CHECK(v.at("s.n") >= 1);
      CHECK(v.at("s.n") <= 10);
      CHECK((v.at("s.batch") == 16 || v.at("s.batch") == 32 || v.at("s.batch") == 64));
      history.push_back({v, objective(v)});
    }
    if (std::string(strategy) == "random") CHECK(small_lr > 10);  // log scale: half the draws below 1e-3
  }
  CHECK(make_sampler("random", space(), 1, 5)->next(0, {}) != make_sampler("random", space(), 2, 5)->next(0, {}));
  CHECK_FALSE(make_sampler("pbt", space(), 1, 5));
}

TEST_CASE("TPE and GP beat random search on a smooth function (median of 15 seeds)", "[search]") {
  std::vector<double> tpe, gp, random;
  for (std::uint64_t seed = 1; seed <= 15; ++seed) {
    tpe.push_back(best_of("tpe", seed, 40));
    gp.push_back(best_of("gp", seed, 40));
    random.push_back(best_of("random", seed, 40));
  }
  for (auto *v : {&tpe, &gp, &random}) std::sort(v->begin(), v->end());
  INFO("median best: tpe " << tpe[7] << ", gp " << gp[7] << ", random " << random[7]);
  CHECK(tpe[7] > random[7]);
  CHECK(gp[7] > random[7]);
}

TEST_CASE("a Gaussian process interpolates what it saw and is unsure far from it", "[search]") {
  std::mt19937_64 rng(3);
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  for (int i = 0; i <= 8; ++i) {
    x.push_back({i / 16.0});  // observed on [0, 0.5] only
    y.push_back(std::sin(6 * i / 16.0));
  }
  GaussianProcess gp(x, y, rng);
  for (std::size_t i = 0; i < x.size(); ++i) CHECK(std::abs(gp.predict(x[i]).mean - y[i]) < 1e-2);
  const GpPrediction between = gp.predict({5 / 32.0}), far = gp.predict({1.0});
  CHECK(std::abs(between.mean - std::sin(6 * 5 / 32.0)) < 0.05);
  CHECK(far.sd > 10 * between.sd);
  CHECK(expected_improvement(far, 1.0, 0) > expected_improvement(between, 1.0, 0));
}

TEST_CASE("GP search gets within 0.45 of Branin's minimum 0.398 in 50 trials (median of 5 seeds)", "[search]") {
  std::vector<Dimension> dims = {{"b.x1", Dimension::Uniform, -5, 10, {}}, {"b.x2", Dimension::Uniform, 0, 15, {}}};
  std::vector<double> best;
  for (std::uint64_t seed = 0; seed < 5; ++seed) {
    auto sampler = make_sampler("gp", dims, seed, 50);
    std::vector<Observation> history;
    double b = 1e300;
    for (int k = 0; k < 50; ++k) {
      SpaceValues v = sampler->next(k, history);
      const double f = bench::branin(v.at("b.x1"), v.at("b.x2"));
      b = std::min(b, f);
      history.push_back({v, -f});
    }
    best.push_back(b);
  }
  std::sort(best.begin(), best.end());
  INFO("median best " << best[2]);
  CHECK(best[2] < 0.45);
}
