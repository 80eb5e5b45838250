#include "runtime/search/Pbt.h"

#include <algorithm>
#include <cmath>

namespace edl::search {

SpaceValues pbt_perturb(const SpaceValues &values, const std::vector<Dimension> &dims,
                        std::pair<double, double> factors, std::mt19937_64 &rng) {
  SpaceValues out = values;
  std::bernoulli_distribution coin(0.5), redraw(0.25);
  for (const Dimension &d : dims) {
    auto it = out.find(d.name);
    if (it == out.end()) continue;
    double &v = it->second;
    if (d.kind == Dimension::Choice) {
      if (redraw(rng)) v = sample_prior(d, rng);
      continue;
    }
    const bool up = coin(rng);
    const double moved = v * (up ? factors.second : factors.first);
    if (d.kind == Dimension::Int) {
      double n = std::round(moved);
      if (n == v) n = v + (moved >= v ? 1 : -1);
      v = std::clamp(n, d.low, d.high);
    } else if (d.kind == Dimension::Normal) {
      v = moved;  // unbounded
    } else {
      v = std::clamp(moved, d.low, d.high);
    }
  }
  return out;
}

std::vector<PbtReplacement> pbt_exploit(const std::vector<PbtMember> &population, const std::vector<Dimension> &dims,
                                        std::pair<double, double> factors, std::mt19937_64 &rng) {
  const std::size_t n = population.size();
  const std::size_t quarter = std::max<std::size_t>(1, n / 4);
  if (n < 2) return {};
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return population[a].score > population[b].score; });
  std::vector<PbtReplacement> out;
  std::uniform_int_distribution<std::size_t> pick(0, quarter - 1);
  for (std::size_t k = 0; k < quarter; ++k) {
    const std::size_t loser = order[n - 1 - k];
    const std::size_t winner = order[pick(rng)];
    if (population[loser].score >= population[winner].score) continue;  // ties: nothing to gain
    out.push_back({loser, winner, pbt_perturb(population[winner].values, dims, factors, rng)});
  }
  return out;
}

}  // namespace edl::search
