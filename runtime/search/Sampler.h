// Hyperparameter samplers over a train job's searched variables: random,
// grid and TPE (tree-structured Parzen estimators, univariate, as Bergstra et
// al. 2011 and Optuna). Every draw comes from the seed and the history, so
// a search is reproducible.
#pragma once

#include "compiler/resolve/Spec.h"

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace edl::search {

using spec::Dimension;
using spec::SpaceValues;

struct Observation {
  SpaceValues values;
  double score = 0;  // higher is better (minimised objectives are negated)
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // The values of trial `number`, given every finished trial before it.
  virtual SpaceValues next(std::uint64_t number, const std::vector<Observation> &history) = 0;
};

// `strategy`: random, tpe, gp or grid. Null for strategies not implemented here
// (pbt is a schedule of trainings, run by the executor).
std::unique_ptr<Sampler> make_sampler(const std::string &strategy, std::vector<Dimension> dims, std::uint64_t seed,
                                      std::uint64_t trials);

std::unique_ptr<Sampler> make_gp_sampler(std::vector<Dimension> dims, std::uint64_t seed, std::uint64_t trials);

// The random stream of trial `number`: draws do not depend on how many
// draws earlier trials made.
std::mt19937_64 trial_rng(std::uint64_t seed, std::uint64_t number, std::uint64_t salt);

// Where a model-based sampler works on a dimension: log scale for
// loguniform, half a step beyond the ends for integers, mean ± 4 std for
// normal, the bounds otherwise (never empty).
void model_range(const Dimension &d, double &lo, double &hi);

// One value from a dimension's prior.
double sample_prior(const Dimension &d, std::mt19937_64 &rng);

}  // namespace edl::search
