#include "runtime/label/Selection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

namespace edl::label {

const char *to_string(Strategy s) {
  switch (s) {
    case Strategy::Uncertainty: return "uncertainty";
    case Strategy::Margin: return "margin";
    case Strategy::Entropy: return "entropy";
    case Strategy::Coreset: return "coreset";
    case Strategy::Random: return "random";
  }
  return "random";
}

bool strategy_named(const std::string &name, Strategy &out) {
  for (Strategy s : {Strategy::Uncertainty, Strategy::Margin, Strategy::Entropy, Strategy::Coreset, Strategy::Random})
    if (name == to_string(s)) {
      out = s;
      return true;
    }
  return false;
}

std::vector<double> least_confidence(const Table &p) {
  std::vector<double> scores(p.rows);
  for (std::size_t i = 0; i < p.rows; ++i) scores[i] = 1.0 - *std::max_element(p.row(i), p.row(i) + p.cols);
  return scores;
}

std::vector<double> margin(const Table &p) {
  std::vector<double> scores(p.rows);
  for (std::size_t i = 0; i < p.rows; ++i) {
    float first = -1, second = -1;
    for (const float *v = p.row(i); v != p.row(i) + p.cols; ++v) {
      if (*v > first) second = first, first = *v;
      else if (*v > second) second = *v;
    }
    scores[i] = 1.0 - (first - std::max(second, 0.0f));
  }
  return scores;
}

std::vector<double> entropy(const Table &p) {
  std::vector<double> scores(p.rows);
  for (std::size_t i = 0; i < p.rows; ++i) {
    double h = 0;
    for (const float *v = p.row(i); v != p.row(i) + p.cols; ++v)
      if (*v > 0) h -= *v * std::log(static_cast<double>(*v));
    scores[i] = h;
  }
  return scores;
}

std::vector<std::size_t> top_k(const std::vector<double> &scores, const std::vector<std::size_t> &candidates,
                               std::size_t k) {
  std::vector<std::size_t> order = candidates;
  k = std::min(k, order.size());
  auto higher = [&](std::size_t a, std::size_t b) { return scores[a] != scores[b] ? scores[a] > scores[b] : a < b; };
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), higher);
  order.resize(k);
  return order;
}

namespace {

// In float, so the compiler can vectorise the loop: k-center greedy spends
// nearly all its time here (candidates x centers x dimensions).
double squared_distance(const float *a, const float *b, std::size_t n) {
  float d = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const float x = a[i] - b[i];
    d += x * x;
  }
  return d;
}

}  // namespace

std::vector<std::size_t> k_center_greedy(const Table &f, const std::vector<std::size_t> &labeled,
                                         const std::vector<std::size_t> &candidates, std::size_t k,
                                         const std::vector<double> &radius) {
  k = std::min(k, candidates.size());
  std::vector<std::size_t> picks;
  if (k == 0) return picks;
  // Squared distances are compared, so each is divided by the squared radius.
  std::vector<double> scale(candidates.size(), 1.0);
  if (!radius.empty())
    for (std::size_t c = 0; c < candidates.size(); ++c)
      scale[c] = 1.0 / std::max(radius[c] * radius[c], std::numeric_limits<double>::min());
  // Distance of each candidate to its nearest center so far.
  std::vector<double> nearest(candidates.size(), std::numeric_limits<double>::infinity());
  auto add_center = [&](const float *center) {
    for (std::size_t c = 0; c < candidates.size(); ++c)
      nearest[c] = std::min(nearest[c], scale[c] * squared_distance(f.row(candidates[c]), center, f.cols));
  };
  if (labeled.empty()) {
    std::vector<float> mean(f.cols, 0.0f);
    for (std::size_t c : candidates)
      for (std::size_t j = 0; j < f.cols; ++j) mean[j] += f.row(c)[j] / static_cast<float>(candidates.size());
    add_center(mean.data());
  } else {
    for (std::size_t l : labeled) add_center(f.row(l));
  }
  std::vector<bool> taken(candidates.size(), false);
  while (picks.size() < k) {
    std::size_t best = candidates.size();
    for (std::size_t c = 0; c < candidates.size(); ++c)
      if (!taken[c] && (best == candidates.size() || nearest[c] > nearest[best])) best = c;
    taken[best] = true;
    picks.push_back(candidates[best]);
    add_center(f.row(candidates[best]));
  }
  return picks;
}

std::vector<double> neighbourhood_radius(const Table &f, const std::vector<std::size_t> &rows,
                                         const std::vector<std::size_t> &reference, std::size_t k) {
  std::vector<double> radius(rows.size(), 0.0);
  std::vector<double> d(reference.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::size_t n = 0;
    for (std::size_t q : reference)
      if (q != rows[r]) d[n++] = squared_distance(f.row(rows[r]), f.row(q), f.cols);
    if (n == 0) continue;
    const auto kth = d.begin() + static_cast<std::ptrdiff_t>(std::clamp<std::size_t>(k, 1, n) - 1);
    std::nth_element(d.begin(), kth, d.begin() + static_cast<std::ptrdiff_t>(n));
    radius[r] = std::sqrt(*kth);
  }
  return radius;
}

std::vector<std::size_t> coreset(const Table &features, const std::vector<std::size_t> &labeled,
                                 const std::vector<std::size_t> &candidates, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> everyone = candidates;
  everyone.insert(everyone.end(), labeled.begin(), labeled.end());
  const std::vector<std::size_t> reference = random_pick(everyone, kCoresetReference, seed);
  const auto neighbours = static_cast<std::size_t>(std::lround(kCoresetNeighbours * static_cast<double>(reference.size())));
  return k_center_greedy(features, labeled, candidates, k, neighbourhood_radius(features, candidates, reference, neighbours));
}

std::vector<std::size_t> random_pick(const std::vector<std::size_t> &candidates, std::size_t k, std::uint64_t seed) {
  std::vector<std::size_t> order = candidates;
  std::mt19937_64 rng(seed);
  k = std::min(k, order.size());
  for (std::size_t i = 0; i < k; ++i) {  // a partial Fisher-Yates shuffle
    std::uniform_int_distribution<std::size_t> pick(i, order.size() - 1);
    std::swap(order[i], order[pick(rng)]);
  }
  order.resize(k);
  return order;
}

std::vector<std::size_t> stratified_pick(const std::vector<std::size_t> &candidates, const std::vector<int> &classes,
                                         std::size_t k, std::uint64_t seed) {
  // Shuffled, then grouped by class with the shuffle kept inside each
  // group: every (n/k)-th position takes each class's share of k.
  std::vector<std::size_t> positions(candidates.size());
  for (std::size_t i = 0; i < positions.size(); ++i) positions[i] = i;
  positions = random_pick(positions, positions.size(), seed);
  std::stable_sort(positions.begin(), positions.end(),
                   [&](std::size_t a, std::size_t b) { return classes[a] < classes[b]; });
  k = std::min(k, candidates.size());
  std::vector<std::size_t> out;
  const double step = k ? static_cast<double>(candidates.size()) / static_cast<double>(k) : 0;
  for (std::size_t i = 0; i < k; ++i)
    out.push_back(candidates[positions[static_cast<std::size_t>((static_cast<double>(i) + 0.5) * step)]]);
  return out;
}

std::vector<std::size_t> select(Strategy strategy, const Table &probabilities, const Table &features,
                                const std::vector<std::size_t> &labeled, const std::vector<std::size_t> &unlabeled,
                                std::size_t k, std::uint64_t seed) {
  switch (strategy) {
    case Strategy::Uncertainty: return top_k(least_confidence(probabilities), unlabeled, k);
    case Strategy::Margin: return top_k(margin(probabilities), unlabeled, k);
    case Strategy::Entropy: return top_k(entropy(probabilities), unlabeled, k);
    case Strategy::Coreset: return coreset(features, labeled, unlabeled, k, seed);
    case Strategy::Random: return random_pick(unlabeled, k, seed);
  }
  return {};
}

}  // namespace edl::label
