// Gaussian-process Bayesian optimisation: a GP fitted to the finished trials
// in the unit cube, the next trial where expected improvement is highest.
#include "runtime/search/GaussianProcess.h"
#include "runtime/search/Sampler.h"

#include <algorithm>
#include <cmath>

namespace edl::search {
namespace {

// Every dimension as coordinates in [0, 1] of its model_range, and one
// coordinate per option for a choice (one-hot).
class UnitCube {
 public:
  explicit UnitCube(const std::vector<Dimension> &dims) : dims_(dims) {
    for (const Dimension &d : dims_) size_ += d.kind == Dimension::Choice ? d.options.size() : 1;
  }
  std::size_t size() const { return size_; }

  std::vector<double> encode(const SpaceValues &v) const {
    std::vector<double> x;
    for (const Dimension &d : dims_) {
      auto it = v.find(d.name);
      const double value = it == v.end() ? d.low : it->second;
      if (d.kind == Dimension::Choice) {
        for (double o : d.options) x.push_back(o == value ? 1.0 : 0.0);
        continue;
      }
      double lo, hi;
      model_range(d, lo, hi);
      const double t = d.kind == Dimension::LogUniform ? std::log(value) : value;
      x.push_back(std::clamp((t - lo) / (hi - lo), 0.0, 1.0));
    }
    return x;
  }

  SpaceValues decode(const std::vector<double> &x) const {
    SpaceValues v;
    std::size_t at = 0;
    for (const Dimension &d : dims_) {
      if (d.kind == Dimension::Choice) {
        auto first = x.begin() + static_cast<std::ptrdiff_t>(at);
        auto best = std::max_element(first, first + static_cast<std::ptrdiff_t>(d.options.size()));
        v[d.name] = d.options[static_cast<std::size_t>(best - first)];
        at += d.options.size();
        continue;
      }
      double lo, hi;
      model_range(d, lo, hi);
      const double t = lo + std::clamp(x[at++], 0.0, 1.0) * (hi - lo);
      v[d.name] = d.kind == Dimension::LogUniform ? std::clamp(std::exp(t), d.low, d.high)
                  : d.kind == Dimension::Int      ? std::clamp(std::round(t), d.low, d.high)
                                                  : t;
    }
    return v;
  }

 private:
  const std::vector<Dimension> &dims_;
  std::size_t size_ = 0;
};

class GpSampler : public Sampler {
 public:
  GpSampler(std::vector<Dimension> dims, std::uint64_t seed, std::uint64_t trials)
      : dims_(std::move(dims)), cube_(dims_), seed_(seed),
        // Random trials first: a GP needs a few points per dimension to fit.
        startup_(std::clamp<std::uint64_t>(cube_.size() + 1, 4, std::max<std::uint64_t>(4, trials / 3))) {}

  SpaceValues next(std::uint64_t number, const std::vector<Observation> &history) override {
    std::mt19937_64 rng = trial_rng(seed_, number, 3);
    if (history.size() < startup_ || cube_.size() == 0) {
      SpaceValues v;
      for (const Dimension &d : dims_) v[d.name] = sample_prior(d, rng);
      return v;
    }
    std::vector<std::vector<double>> x;
    std::vector<double> y;
    for (const Observation &o : history) {
      x.push_back(cube_.encode(o.values));
      y.push_back(o.score);
    }
    y = warp(y);
    GaussianProcess gp(x, y, rng);
    const double best = *std::max_element(y.begin(), y.end());
    // A little exploration, in units of the objective's spread.
    const double xi = 0.01 * std::max(1e-12, spread(y));

    struct Candidate {
      std::vector<double> x;
      double ei = -1;
    };
    auto score = [&](std::vector<double> point) {
      point = cube_.encode(cube_.decode(point));  // integers rounded, choices one-hot
      Candidate c{point, expected_improvement(gp.predict(point), best, xi)};
      return c;
    };
    std::vector<Candidate> pool;
    for (int i = 0; i < 1000; ++i) {
      SpaceValues v;
      for (const Dimension &d : dims_) v[d.name] = sample_prior(d, rng);
      pool.push_back(score(cube_.encode(v)));
    }
    // Around the best trials so far, at several scales.
    std::vector<std::size_t> order(history.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return y[a] > y[b]; });
    for (std::size_t k = 0; k < std::min<std::size_t>(5, order.size()); ++k)
      for (double sd : {0.01, 0.03, 0.1, 0.3})
        for (int i = 0; i < 50; ++i) pool.push_back(score(jitter(x[order[k]], sd, rng)));
    Candidate top = *std::max_element(pool.begin(), pool.end(), [](auto &a, auto &b) { return a.ei < b.ei; });
    // Then a local search from the best candidate with shrinking steps.
    for (double sd = 0.05; sd > 0.001; sd /= 2)
      for (int i = 0; i < 40; ++i) {
        Candidate c = score(jitter(top.x, sd, rng));
        if (c.ei > top.ei) top = c;
      }
    return cube_.decode(top.x);
  }

 private:
  static double spread(const std::vector<double> &y) {
    auto [lo, hi] = std::minmax_element(y.begin(), y.end());
    return *hi - *lo;
  }
  // Objectives often span orders of magnitude with the interesting part near
  // the best; a log of the distance to the best (monotone, so the ranking is
  // kept) lets the GP resolve that part instead of fitting the outliers.
  static std::vector<double> warp(std::vector<double> y) {
    const double top = *std::max_element(y.begin(), y.end());
    std::vector<double> gaps;
    for (double v : y) gaps.push_back(top - v);
    std::nth_element(gaps.begin(), gaps.begin() + static_cast<std::ptrdiff_t>(gaps.size() / 2), gaps.end());
    const double scale = std::max(gaps[gaps.size() / 2], 1e-12);
    for (double &v : y) v = -std::log1p((top - v) / scale);
    return y;
  }
  static std::vector<double> jitter(std::vector<double> x, double sd, std::mt19937_64 &rng) {
    std::normal_distribution<double> n(0, sd);
    for (double &v : x) v = std::clamp(v + n(rng), 0.0, 1.0);
    return x;
  }

  std::vector<Dimension> dims_;
  UnitCube cube_;
  std::uint64_t seed_;
  std::uint64_t startup_;
};

}  // namespace

std::unique_ptr<Sampler> make_gp_sampler(std::vector<Dimension> dims, std::uint64_t seed, std::uint64_t trials) {
  return std::make_unique<GpSampler>(std::move(dims), seed, trials);
}

}  // namespace edl::search
