// PBT's exploit and explore step: the worst quarter copies the best quarter,
// values are the winner's times one of the perturb factors, inside bounds.
#include "runtime/search/Pbt.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <set>

using namespace edl;
using namespace edl::search;

namespace {

std::vector<Dimension> dims() {
  return {{"hp.lr", Dimension::LogUniform, 1e-4, 1e-1, {}},
          {"hp.n", Dimension::Int, 1, 8, {}},
          {"hp.batch", Dimension::Choice, 0, 0, {16, 32, 64}}};
}

}  // namespace

TEST_CASE("PBT replaces the worst quarter with perturbed copies of the best quarter", "[search]") {
  std::vector<PbtMember> population;
  for (int i = 0; i < 8; ++i)  // scores 0.1 .. 0.8; members 6 and 7 are the best quarter
    population.push_back({{{"hp.lr", 0.001 * (i + 1)}, {"hp.n", 4}, {"hp.batch", 32}}, 0.1 * (i + 1)});
  std::mt19937_64 rng(5);
  for (int round = 0; round < 50; ++round) {
    std::vector<PbtReplacement> r = pbt_exploit(population, dims(), {0.8, 1.2}, rng);
    REQUIRE(r.size() == 2);
    std::set<std::size_t> losers;
    for (const PbtReplacement &x : r) {
      losers.insert(x.loser);
      CHECK((x.winner == 6 || x.winner == 7));
      const double ratio = x.values.at("hp.lr") / population[x.winner].values.at("hp.lr");
      CHECK((std::abs(ratio - 0.8) < 1e-12 || std::abs(ratio - 1.2) < 1e-12));
      const double n = x.values.at("hp.n");
      CHECK((n == 3 || n == 5));  // 4 · 0.8 rounds back to 3, 4 · 1.2 to 5
      const double b = x.values.at("hp.batch");
      CHECK((b == 16 || b == 32 || b == 64));
    }
    CHECK(losers == std::set<std::size_t>{0, 1});
  }
}

TEST_CASE("PBT perturbation stays inside the space and redraws choices sometimes", "[search]") {
  std::mt19937_64 rng(9);
  SpaceValues edge{{"hp.lr", 0.1}, {"hp.n", 8}, {"hp.batch", 32}};
  int redrawn = 0;
  for (int i = 0; i < 400; ++i) {
    SpaceValues v = pbt_perturb(edge, dims(), {0.8, 1.2}, rng);
    CHECK(v.at("hp.lr") <= 0.1);
    CHECK(v.at("hp.n") <= 8);
    CHECK(v.at("hp.n") == std::round(v.at("hp.n")));
    if (v.at("hp.batch") != 32) ++redrawn;
  }
  // A quarter are redrawn, two thirds of those to another option: about 67.
  CHECK(redrawn > 35);
  CHECK(redrawn < 100);
}

TEST_CASE("PBT leaves a population of equals alone", "[search]") {
  std::vector<PbtMember> same(4, PbtMember{{{"hp.lr", 0.01}}, 0.5});
  std::mt19937_64 rng(1);
  CHECK(pbt_exploit(same, dims(), {0.8, 1.2}, rng).empty());
}
