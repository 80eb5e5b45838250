#include "runtime/search/GaussianProcess.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace edl::search {
namespace {

constexpr double kSqrt5 = 2.23606797749979;
constexpr double kLog2Pi = 1.8378770664093453;

// Ranges the hyperparameters are searched in (natural logs; y is standardised).
constexpr double kMinLogLength = -4.6, kMaxLogLength = 1.6;  // 0.01 .. 5 of the unit cube
constexpr double kMinLogAmplitude = -3, kMaxLogAmplitude = 2;
constexpr double kMinLogNoise = -13.8, kMaxLogNoise = -1;  // 1e-6 .. 0.37

double normal_pdf(double z) { return std::exp(-0.5 * z * z) / 2.5066282746310002; }
double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

}  // namespace

GaussianProcess::GaussianProcess(std::vector<std::vector<double>> x, std::vector<double> y, std::mt19937_64 &rng)
    : x_(std::move(x)) {
  const std::size_t n = y.size();
  y_mean_ = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(n);
  double var = 0;
  for (double v : y) var += (v - y_mean_) * (v - y_mean_);
  y_scale_ = n > 1 && var > 0 ? std::sqrt(var / static_cast<double>(n)) : 1.0;
  for (double v : y) y_.push_back((v - y_mean_) / y_scale_);

  const std::size_t dims = x_.empty() ? 0 : x_[0].size();
  std::uniform_real_distribution<double> unit(0, 1);
  auto draw = [&](double lo, double hi) { return lo + (hi - lo) * unit(rng); };

  // Random starts, then a pattern search (one coordinate at a time, halving
  // the step) from the best: cheap for a handful of hyperparameters.
  Hyper best;
  best.log_length.assign(dims, std::log(0.3));
  best.log_amplitude = 0;
  best.log_noise = -8;
  double best_value = objective(best);
  for (int start = 0; start < 48; ++start) {
    Hyper h;
    for (std::size_t d = 0; d < dims; ++d) h.log_length.push_back(draw(kMinLogLength + 1.5, kMaxLogLength));
    h.log_amplitude = draw(-1, 1);
    h.log_noise = draw(kMinLogNoise, -3);
    double v = objective(h);
    if (v > best_value) best_value = v, best = h;
  }
  auto coordinate = [&](Hyper &h, std::size_t i) -> double & {
    return i < dims ? h.log_length[i] : i == dims ? h.log_amplitude : h.log_noise;
  };
  auto limits = [&](std::size_t i) {
    return i < dims ? std::pair{kMinLogLength, kMaxLogLength}
           : i == dims ? std::pair{kMinLogAmplitude, kMaxLogAmplitude}
                       : std::pair{kMinLogNoise, kMaxLogNoise};
  };
  for (double step = 1.0; step > 0.05; step /= 2) {
    bool moved = true;
    for (int round = 0; moved && round < 4; ++round) {
      moved = false;
      for (std::size_t i = 0; i < dims + 2; ++i)
        for (double sign : {-1.0, 1.0}) {
          Hyper h = best;
          auto [lo, hi] = limits(i);
          coordinate(h, i) = std::clamp(coordinate(h, i) + sign * step, lo, hi);
          double v = objective(h);
          if (v > best_value + 1e-9) best_value = v, best = h, moved = true;
        }
    }
  }
  if (!factorise(best)) {  // every candidate failed: fall back to a well-conditioned one
    best.log_noise = -1;
    factorise(best);
  }
  lml_ = best_value;
}

double GaussianProcess::kernel(const std::vector<double> &a, const std::vector<double> &b) const {
  double r2 = 0;
  for (std::size_t d = 0; d < a.size(); ++d) {
    double t = (a[d] - b[d]) / length_[d];
    r2 += t * t;
  }
  double r = std::sqrt(r2);
  return amplitude_ * (1 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
}

bool GaussianProcess::factorise(const Hyper &h) {
  length_.clear();
  for (double l : h.log_length) length_.push_back(std::exp(l));
  amplitude_ = std::exp(h.log_amplitude);
  noise_ = std::exp(h.log_noise);
  const std::size_t n = x_.size();
  chol_.assign(n * n, 0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = kernel(x_[i], x_[j]) + (i == j ? noise_ + 1e-9 : 0);
      for (std::size_t k = 0; k < j; ++k) s -= chol_[i * n + k] * chol_[j * n + k];
      if (i == j) {
        if (s <= 0) return false;
        chol_[i * n + i] = std::sqrt(s);
      } else {
        chol_[i * n + j] = s / chol_[j * n + j];
      }
    }
  // alpha = K^-1 y by forward then backward substitution.
  alpha_ = y_;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < i; ++k) alpha_[i] -= chol_[i * n + k] * alpha_[k];
    alpha_[i] /= chol_[i * n + i];
  }
  for (std::size_t i = n; i-- > 0;) {
    for (std::size_t k = i + 1; k < n; ++k) alpha_[i] -= chol_[k * n + i] * alpha_[k];
    alpha_[i] /= chol_[i * n + i];
  }
  return true;
}

double GaussianProcess::objective(const Hyper &h) {
  if (!factorise(h)) return -1e300;
  const std::size_t n = y_.size();
  double fit = 0, log_det = 0;
  for (std::size_t i = 0; i < n; ++i) {
    fit += y_[i] * alpha_[i];
    log_det += std::log(chol_[i * n + i]);
  }
  double lml = -0.5 * fit - log_det - 0.5 * static_cast<double>(n) * kLog2Pi;
  // A weak log-normal prior keeps length scales away from the degenerate ends.
  for (double l : h.log_length) lml -= 0.5 * std::pow((l - std::log(0.5)) / 1.5, 2);
  return lml;
}

GpPrediction GaussianProcess::predict(const std::vector<double> &point) const {
  const std::size_t n = x_.size();
  std::vector<double> k(n);
  for (std::size_t i = 0; i < n; ++i) k[i] = kernel(point, x_[i]);
  double mean = 0;
  for (std::size_t i = 0; i < n; ++i) mean += k[i] * alpha_[i];
  // var = k(x,x) - |L^-1 k|^2
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < i; ++j) k[i] -= chol_[i * n + j] * k[j];
    k[i] /= chol_[i * n + i];
  }
  double var = amplitude_;
  for (double v : k) var -= v * v;
  GpPrediction p;
  p.mean = y_mean_ + y_scale_ * mean;
  p.sd = y_scale_ * std::sqrt(std::max(var, 1e-12));
  return p;
}

double expected_improvement(const GpPrediction &p, double best, double xi) {
  const double gain = p.mean - best - xi;
  if (p.sd <= 0) return std::max(gain, 0.0);
  const double z = gain / p.sd;
  return gain * normal_cdf(z) + p.sd * normal_pdf(z);
}

}  // namespace edl::search
