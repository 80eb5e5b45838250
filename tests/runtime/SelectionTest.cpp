// Smart labeling's selection maths on hand-made tables: which samples each
// strategy asks about, and that the picks are deterministic.
#include "runtime/label/Selection.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <set>

using namespace edl::label;

namespace {

Table table(std::size_t cols, std::vector<float> values) {
  Table t;
  t.cols = cols;
  t.rows = values.size() / cols;
  t.values = std::move(values);
  return t;
}

// Three classes, five samples: 0 sure, 1 torn between two, 2 spread over
// three, 3 fairly sure, 4 torn but leaning.
const Table kProbabilities = table(3, {0.98f, 0.01f, 0.01f,   //
                                       0.50f, 0.49f, 0.01f,   //
                                       0.34f, 0.33f, 0.33f,   //
                                       0.80f, 0.10f, 0.10f,   //
                                       0.60f, 0.40f, 0.00f});

const std::vector<std::size_t> kAll{0, 1, 2, 3, 4};

}  // namespace

TEST_CASE("least confidence, margin and entropy score hand-made probabilities", "[label]") {
  std::vector<double> lc = least_confidence(kProbabilities);
  CHECK(lc[0] == Approx(0.02));
  CHECK(lc[2] == Approx(0.66));
  CHECK(top_k(lc, kAll, 2) == std::vector<std::size_t>{2, 1});  // lowest top probability first

  std::vector<double> m = margin(kProbabilities);
  CHECK(m[1] == Approx(0.99));  // 1 - (0.50 - 0.49)
  CHECK(m[2] == Approx(0.99));  // 1 - (0.34 - 0.33): a tie goes to the lower index
  CHECK(m[4] == Approx(0.80));
  CHECK(top_k(m, kAll, 3) == std::vector<std::size_t>{1, 2, 4});

  std::vector<double> h = entropy(kProbabilities);
  CHECK(h[2] == Approx(std::log(3.0)).epsilon(0.001));  // nearly uniform: the most
  CHECK(h[4] == Approx(-(0.6 * std::log(0.6) + 0.4 * std::log(0.4))));  // a zero adds nothing
  CHECK(top_k(h, kAll, 1) == std::vector<std::size_t>{2});
  // Sample 3 (one likely class, the rest spread) against 4 (two classes,
  // leaning): margin calls 4 far less certain; entropy only slightly.
  CHECK(m[4] - m[3] == Approx(0.50));
  CHECK(h[4] - h[3] == Approx(0.0342).epsilon(0.01));

  // Only candidates are chosen, and never more than there are.
  CHECK(top_k(lc, {0, 3}, 5) == std::vector<std::size_t>{3, 0});
}

TEST_CASE("k-center greedy picks the far points, away from what is labeled", "[label]") {
  // A tight cluster near the origin, two far points, one middling.
  const Table f = table(2, {0.0f, 0.0f,    // 0 labeled
                            0.1f, 0.0f,    // 1 next to it
                            0.0f, 0.1f,    // 2 next to it
                            10.0f, 0.0f,   // 3 far right
                            0.0f, 9.0f,    // 4 far up
                            3.0f, 3.0f});  // 5 middling
  CHECK(k_center_greedy(f, {0}, {1, 2, 3, 4, 5}, 2) == std::vector<std::size_t>{3, 4});
  // Once 3 and 4 are centers, the middling point is farther than the cluster's.
  CHECK(k_center_greedy(f, {0}, {1, 2, 3, 4, 5}, 3) == std::vector<std::size_t>{3, 4, 5});
  // With 3 labeled too, the far point left comes first.
  CHECK(k_center_greedy(f, {0, 3}, {1, 2, 4, 5}, 1) == std::vector<std::size_t>{4});
  // Nothing labeled: the farthest from the candidates' mean starts.
  CHECK(k_center_greedy(f, {}, {1, 2, 3}, 1) == std::vector<std::size_t>{3});
}

TEST_CASE("coreset counts distance in neighbourhood radii, so a loner waits", "[label]") {
  // A labeled point, a crowd of six at distance 4 from it, and one loner at
  // distance 6, which is also its nearest neighbour's.
  const Table f = table(2, {0.0f, 0.0f,     // 0 labeled
                            4.0f, 0.0f,     // 1..6: the crowd
                            4.1f, 0.0f,  4.0f, 0.1f,  4.1f, 0.1f,  4.0f, -0.1f,  4.1f, -0.1f,
                            0.0f, -6.0f});  // 7: the loner
  const std::vector<std::size_t> candidates = {1, 2, 3, 4, 5, 6, 7};
  // Plain k-center greedy asks for the loner first, then the crowd's farthest.
  CHECK(k_center_greedy(f, {0}, candidates, 2) == std::vector<std::size_t>{7, 4});
  // The distance to each one's nearest other: 0.1 in the crowd, 6 for the loner.
  const std::vector<double> radius = neighbourhood_radius(f, candidates, {0, 1, 2, 3, 4, 5, 6, 7}, 1);
  CHECK(radius[0] == Approx(0.1).epsilon(0.01));
  CHECK(radius[6] == Approx(6.0));
  // In radius units the crowd is 40 away and the loner 1: the crowd comes first.
  CHECK(k_center_greedy(f, {0}, candidates, 1, radius) == std::vector<std::size_t>{4});
  // The strategy: its radii from a sample of everyone, here all eight.
  CHECK(coreset(f, {0}, candidates, 1, 5) == std::vector<std::size_t>{4});
  CHECK(select(Strategy::Coreset, Table{}, f, {0}, candidates, 1, 5) == coreset(f, {0}, candidates, 1, 5));
}

TEST_CASE("random picks are a seeded draw without repeats", "[label]") {
  std::vector<std::size_t> pool(100);
  for (std::size_t i = 0; i < pool.size(); ++i) pool[i] = i * 3;
  std::vector<std::size_t> a = random_pick(pool, 10, 7), b = random_pick(pool, 10, 7), c = random_pick(pool, 10, 8);
  CHECK(a == b);
  CHECK(a != c);
  CHECK(std::set<std::size_t>(a.begin(), a.end()).size() == 10);
  for (std::size_t x : a) CHECK(x % 3 == 0);
  CHECK(random_pick(pool, 500, 1).size() == 100);
}

TEST_CASE("select dispatches by strategy and names round-trip", "[label]") {
  const Table none;
  CHECK(select(Strategy::Uncertainty, kProbabilities, none, {}, kAll, 1, 0) == std::vector<std::size_t>{2});
  CHECK(select(Strategy::Margin, kProbabilities, none, {}, {0, 3, 4}, 1, 0) == std::vector<std::size_t>{4});
  CHECK(select(Strategy::Random, kProbabilities, none, {}, kAll, 5, 3).size() == 5);
  for (Strategy s : {Strategy::Uncertainty, Strategy::Margin, Strategy::Entropy, Strategy::Coreset, Strategy::Random}) {
    Strategy back;
    REQUIRE(strategy_named(to_string(s), back));
    CHECK(back == s);
  }
  Strategy unused;
  CHECK_FALSE(strategy_named("badge", unused));
}

TEST_CASE("stratified seed labels take each class's share of the pick", "[label]") {
  // 60 of class 0, 30 of class 1, 10 of class 2, interleaved.
  std::vector<std::size_t> candidates;
  std::vector<int> classes;
  for (std::size_t i = 0; i < 100; ++i) {
    candidates.push_back(1000 + i);
    classes.push_back(i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2);
  }
  const std::vector<std::size_t> picked = stratified_pick(candidates, classes, 20, 11);
  REQUIRE(picked.size() == 20);
  CHECK(std::set<std::size_t>(picked.begin(), picked.end()).size() == 20);
  int per_class[3] = {0, 0, 0};
  for (std::size_t p : picked) ++per_class[classes[p - 1000]];
  CHECK(per_class[0] == 12);
  CHECK(per_class[1] == 6);
  CHECK(per_class[2] == 2);
  CHECK(stratified_pick(candidates, classes, 20, 11) == picked);  // seeded
  CHECK(stratified_pick(candidates, classes, 20, 12) != picked);
  CHECK(stratified_pick(candidates, classes, 500, 11).size() == 100);  // never more than there are
}
