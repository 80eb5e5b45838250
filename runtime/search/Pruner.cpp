#include "runtime/search/Pruner.h"
#include "runtime/search/SearchSpec.h"

#include <algorithm>

namespace edl::search {
namespace {

class AshaPruner : public Pruner {
 public:
  AshaPruner(int min_epochs, int reduction) : min_(std::max(1, min_epochs)), eta_(std::max(2, reduction)) {}

  bool report(int, int epoch, double score) override {
    if (!is_rung(epoch)) return false;
    std::vector<double> &seen = rungs_[epoch];
    seen.push_back(score);
    // Until a rung has seen `reduction` trials there is no top fraction to miss.
    if (static_cast<int>(seen.size()) < eta_) return false;
    std::vector<double> sorted = seen;
    std::sort(sorted.begin(), sorted.end(), std::greater<>());
    const std::size_t keep = std::max<std::size_t>(1, sorted.size() / eta_);
    return score < sorted[keep - 1];
  }

 private:
  bool is_rung(int epoch) const {
    for (long long r = min_; r <= epoch; r *= eta_)
      if (r == epoch) return true;
    return false;
  }
  int min_, eta_;
  std::map<int, std::vector<double>> rungs_;
};

class MedianPruner : public Pruner {
 public:
  explicit MedianPruner(int warmup) : warmup_(std::max(0, warmup)) {}

  bool report(int trial, int epoch, double score) override {
    std::vector<double> others;
    for (const auto &[t, v] : at_[epoch])
      if (t != trial) others.push_back(v);
    at_[epoch][trial] = score;
    if (epoch <= warmup_ || others.size() < 2) return false;
    std::sort(others.begin(), others.end());
    const std::size_t n = others.size();
    const double median = n % 2 ? others[n / 2] : (others[n / 2 - 1] + others[n / 2]) / 2;
    return score < median;
  }

 private:
  int warmup_;
  std::map<int, std::map<int, double>> at_;  // epoch -> trial -> score
};

}  // namespace

std::unique_ptr<Pruner> make_pruner(const std::string &kind, int first, int reduction) {
  if (kind == "asha") return std::make_unique<AshaPruner>(first, reduction);
  if (kind == "median") return std::make_unique<MedianPruner>(first);
  return nullptr;
}

std::unique_ptr<Pruner> make_pruner(const SearchSpec &spec) {
  if (spec.pruner.empty()) return nullptr;
  return make_pruner(spec.pruner, spec.prune_first, spec.prune_reduction);
}

}  // namespace edl::search
