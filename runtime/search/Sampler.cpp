#include "runtime/search/Sampler.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <set>

namespace edl::search {
namespace {

constexpr double kSqrt2Pi = 2.5066282746310002;

class RandomSampler : public Sampler {
 public:
  RandomSampler(std::vector<Dimension> dims, std::uint64_t seed) : dims_(std::move(dims)), seed_(seed) {}
  SpaceValues next(std::uint64_t number, const std::vector<Observation> &) override {
    std::mt19937_64 rng = trial_rng(seed_, number, 1);
    SpaceValues v;
    for (const Dimension &d : dims_) v[d.name] = sample_prior(d, rng);
    return v;
  }

 private:
  std::vector<Dimension> dims_;
  std::uint64_t seed_;
};

// A Parzen estimator over one numeric dimension, in the space where the
// prior is uniform (log for loguniform): Gaussians at the observations with
// widths from their neighbours' distances, plus one wide prior component.
class Parzen {
 public:
  Parzen(std::vector<double> points, double low, double high) : low_(low), high_(high) {
    std::sort(points.begin(), points.end());
    const double range = high - low;
    const double min_sigma = range / std::min(100.0, 1.0 + points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
      double left = i > 0 ? points[i] - points[i - 1] : points[i] - low;
      double right = i + 1 < points.size() ? points[i + 1] - points[i] : high - points[i];
      mus_.push_back(points[i]);
      sigmas_.push_back(std::clamp(std::max(left, right), min_sigma, range));
    }
    mus_.push_back((low + high) / 2);  // the prior
    sigmas_.push_back(range);
  }

  double sample(std::mt19937_64 &rng) const {
    std::size_t k = std::uniform_int_distribution<std::size_t>(0, mus_.size() - 1)(rng);
    for (int tries = 0; tries < 100; ++tries) {  // truncated to the bounds
      double x = std::normal_distribution<double>(mus_[k], sigmas_[k])(rng);
      if (x >= low_ && x <= high_) return x;
    }
    return std::clamp(mus_[k], low_, high_);
  }

  double log_density(double x) const {
    double sum = 0;
    for (std::size_t k = 0; k < mus_.size(); ++k) {
      // Each component renormalised to the bounds.
      double mass = 0.5 * (std::erf((high_ - mus_[k]) / (sigmas_[k] * std::sqrt(2.0))) -
                           std::erf((low_ - mus_[k]) / (sigmas_[k] * std::sqrt(2.0))));
      double z = (x - mus_[k]) / sigmas_[k];
      sum += std::exp(-0.5 * z * z) / (sigmas_[k] * kSqrt2Pi * std::max(mass, 1e-12));
    }
    return std::log(sum / mus_.size() + 1e-300);
  }

 private:
  double low_, high_;
  std::vector<double> mus_, sigmas_;
};

class TpeSampler : public Sampler {
 public:
  TpeSampler(std::vector<Dimension> dims, std::uint64_t seed, std::uint64_t trials)
      : dims_(std::move(dims)), seed_(seed),
        // Random trials first, so the estimators have something to model.
        startup_(std::clamp<std::uint64_t>(trials / 4, 3, 10)) {}

  SpaceValues next(std::uint64_t number, const std::vector<Observation> &history) override {
    std::mt19937_64 rng = trial_rng(seed_, number, 2);
    SpaceValues v;
    if (history.size() < startup_) {
      for (const Dimension &d : dims_) v[d.name] = sample_prior(d, rng);
      return v;
    }
    // The best quarter (at most 25) is "good", the rest "bad".
    std::vector<const Observation *> sorted;
    for (const Observation &o : history) sorted.push_back(&o);
    std::stable_sort(sorted.begin(), sorted.end(), [](auto *a, auto *b) { return a->score > b->score; });
    const std::size_t good = std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(0.25 * sorted.size())), 1, 25);
    for (const Dimension &d : dims_) v[d.name] = choose(d, sorted, good, rng);
    return v;
  }

 private:
  static constexpr int kCandidates = 24;

  static double to_model(const Dimension &d, double x) { return d.kind == Dimension::LogUniform ? std::log(x) : x; }
  static double from_model(const Dimension &d, double t) {
    if (d.kind == Dimension::LogUniform) return std::clamp(std::exp(t), d.low, d.high);
    if (d.kind == Dimension::Int) return std::clamp(std::round(t), d.low, d.high);
    return t;
  }

  double choose(const Dimension &d, const std::vector<const Observation *> &sorted, std::size_t good,
                std::mt19937_64 &rng) const {
    auto value = [&](const Observation *o) {
      auto it = o->values.find(d.name);
      return it == o->values.end() ? 0.0 : it->second;
    };
    if (d.kind == Dimension::Choice) {
      // Category frequencies with a prior count of one each.
      const std::size_t k = d.options.size();
      std::vector<double> l(k, 1), g(k, 1);
      for (std::size_t i = 0; i < sorted.size(); ++i) {
        auto at = std::find(d.options.begin(), d.options.end(), value(sorted[i]));
        if (at != d.options.end()) (i < good ? l : g)[static_cast<std::size_t>(at - d.options.begin())] += 1;
      }
      std::discrete_distribution<std::size_t> from_l(l.begin(), l.end());
      const double lsum = std::accumulate(l.begin(), l.end(), 0.0), gsum = std::accumulate(g.begin(), g.end(), 0.0);
      std::size_t best = 0;
      double best_score = -1e300;
      for (int c = 0; c < kCandidates; ++c) {
        std::size_t i = from_l(rng);
        double s = std::log(l[i] / lsum) - std::log(g[i] / gsum);
        if (s > best_score) best_score = s, best = i;
      }
      return d.options[best];
    }
    double lo, hi;
    model_range(d, lo, hi);
    std::vector<double> lp, gp;
    for (std::size_t i = 0; i < sorted.size(); ++i) (i < good ? lp : gp).push_back(to_model(d, value(sorted[i])));
    Parzen l(lp, lo, hi), g(gp, lo, hi);
    double best = l.sample(rng), best_score = -1e300;
    for (int c = 0; c < kCandidates; ++c) {
      double t = l.sample(rng);
      double s = l.log_density(t) - g.log_density(t);
      if (s > best_score) best_score = s, best = t;
    }
    return from_model(d, best);
  }

  std::vector<Dimension> dims_;
  std::uint64_t seed_;
  std::uint64_t startup_;
};

// Every combination in mixed-radix order: choices and integers exactly,
// continuous dimensions at 5 points (evenly spaced; geometric for
// loguniform; mean ± 0, 1, 2 std for normal), as the planner counts them.
class GridSampler : public Sampler {
 public:
  explicit GridSampler(std::vector<Dimension> dims) : dims_(std::move(dims)) {
    for (const Dimension &d : dims_) points_.push_back(grid_points(d));
  }
  SpaceValues next(std::uint64_t number, const std::vector<Observation> &) override {
    SpaceValues v;
    for (std::size_t i = dims_.size(); i-- > 0;) {  // the last dimension varies fastest
      const std::vector<double> &p = points_[i];
      v[dims_[i].name] = p[number % p.size()];
      number /= p.size();
    }
    return v;
  }

 private:
  static std::vector<double> grid_points(const Dimension &d) {
    std::vector<double> p;
    switch (d.kind) {
      case Dimension::Choice: return d.options;
      case Dimension::Int:
        for (long long x = std::llround(d.low); x <= std::llround(d.high); ++x) p.push_back(static_cast<double>(x));
        return p;
      case Dimension::Normal:
        for (int k = -2; k <= 2; ++k) p.push_back(d.low + k * d.high);
        return p;
      case Dimension::LogUniform:
        for (int k = 0; k < 5; ++k) p.push_back(std::exp(std::log(d.low) + k * (std::log(d.high) - std::log(d.low)) / 4));
        return p;
      case Dimension::Uniform:
        for (int k = 0; k < 5; ++k) p.push_back(d.low + k * (d.high - d.low) / 4);
        return p;
    }
    return {d.low};
  }
  std::vector<Dimension> dims_;
  std::vector<std::vector<double>> points_;
};

}  // namespace

std::mt19937_64 trial_rng(std::uint64_t seed, std::uint64_t number, std::uint64_t salt) {
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(number), static_cast<std::uint32_t>(salt)};
  return std::mt19937_64(seq);
}

void model_range(const Dimension &d, double &lo, double &hi) {
  switch (d.kind) {
    case Dimension::LogUniform: lo = std::log(d.low), hi = std::log(d.high); break;
    case Dimension::Int: lo = d.low - 0.5, hi = d.high + 0.5; break;
    case Dimension::Normal: lo = d.low - 4 * d.high, hi = d.low + 4 * d.high; break;
    default: lo = d.low, hi = d.high;
  }
  if (hi <= lo) hi = lo + 1;
}

double sample_prior(const Dimension &d, std::mt19937_64 &rng) {
  switch (d.kind) {
    case Dimension::Uniform: return std::uniform_real_distribution<double>(d.low, d.high)(rng);
    case Dimension::LogUniform:
      return std::exp(std::uniform_real_distribution<double>(std::log(d.low), std::log(d.high))(rng));
    case Dimension::Int:
      return static_cast<double>(std::uniform_int_distribution<long long>(std::llround(d.low), std::llround(d.high))(rng));
    case Dimension::Choice:
      return d.options[std::uniform_int_distribution<std::size_t>(0, d.options.size() - 1)(rng)];
    case Dimension::Normal: return std::normal_distribution<double>(d.low, d.high)(rng);
  }
  return d.low;
}

std::unique_ptr<Sampler> make_sampler(const std::string &strategy, std::vector<Dimension> dims, std::uint64_t seed,
                                      std::uint64_t trials) {
  if (strategy == "random") return std::make_unique<RandomSampler>(std::move(dims), seed);
  if (strategy == "tpe") return std::make_unique<TpeSampler>(std::move(dims), seed, trials);
  if (strategy == "gp") return make_gp_sampler(std::move(dims), seed, trials);
  if (strategy == "grid") return std::make_unique<GridSampler>(std::move(dims));
  return nullptr;
}

}  // namespace edl::search
