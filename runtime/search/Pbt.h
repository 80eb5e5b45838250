// Population-based training's exploit and explore step (Jaderberg et al.
// 2017, truncation selection): after every interval, each member of the
// worst quarter takes the weights and hyperparameters of a member of the
// best quarter, then perturbs the hyperparameters. The executor trains the
// members; this decides who copies whom and the new values.
#pragma once

#include "runtime/search/Sampler.h"

#include <random>
#include <utility>
#include <vector>

namespace edl::search {

struct PbtMember {
  SpaceValues values;
  double score = 0;  // the objective at the end of the interval, higher is better
};

struct PbtReplacement {
  std::size_t loser = 0, winner = 0;  // indices into the population
  SpaceValues values;                 // the winner's values, perturbed
};

// Numeric values are multiplied by one of the two `factors`, chosen at
// random, and kept inside their bounds (an integer that would not move
// steps by one); a choice is redrawn from its options with probability 1/4.
std::vector<PbtReplacement> pbt_exploit(const std::vector<PbtMember> &population, const std::vector<Dimension> &dims,
                                        std::pair<double, double> factors, std::mt19937_64 &rng);

SpaceValues pbt_perturb(const SpaceValues &values, const std::vector<Dimension> &dims,
                        std::pair<double, double> factors, std::mt19937_64 &rng);

}  // namespace edl::search
