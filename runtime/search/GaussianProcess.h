// Gaussian-process regression on the unit cube: Matern 5/2 kernel with one
// length scale per coordinate (ARD), amplitude and noise fitted by maximising
// the log marginal likelihood. Small and dense: a search has at most a few
// hundred observations, so a plain Cholesky factorisation is the right tool.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

namespace edl::search {

struct GpPrediction {
  double mean = 0, sd = 0;  // in the units of the observed y
};

class GaussianProcess {
 public:
  // Fits to points `x` (each of the same length, coordinates in [0, 1]) with
  // values `y`. Hyperparameters come from a seeded search, so a fit is
  // reproducible.
  GaussianProcess(std::vector<std::vector<double>> x, std::vector<double> y, std::mt19937_64 &rng);

  GpPrediction predict(const std::vector<double> &point) const;
  double log_marginal_likelihood() const { return lml_; }
  const std::vector<double> &length_scales() const { return length_; }

 private:
  struct Hyper {
    std::vector<double> log_length;
    double log_amplitude = 0, log_noise = -6;
  };
  // Factorises K for `h`; false when it is not positive definite.
  bool factorise(const Hyper &h);
  double objective(const Hyper &h);  // log marginal likelihood plus a weak prior on the length scales
  double kernel(const std::vector<double> &a, const std::vector<double> &b) const;

  std::vector<std::vector<double>> x_;
  std::vector<double> y_;  // standardised
  double y_mean_ = 0, y_scale_ = 1;
  std::vector<double> length_;
  double amplitude_ = 1, noise_ = 1e-6;
  std::vector<double> chol_;   // lower triangle, row-major n x n
  std::vector<double> alpha_;  // K^-1 y
  double lml_ = 0;
};

// Expected improvement over `best` of a maximised objective.
double expected_improvement(const GpPrediction &p, double best, double xi);

}  // namespace edl::search
