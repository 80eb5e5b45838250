#include "runtime/train/Metrics.h"

namespace edl::train {

std::int64_t ConfusionMatrix::total() const {
  std::int64_t t = 0;
  for (std::int64_t c : counts_) t += c;
  return t;
}

double ConfusionMatrix::accuracy() const {
  std::int64_t right = 0;
  for (int i = 0; i < n_; ++i) right += at(i, i);
  std::int64_t t = total();
  return t ? static_cast<double>(right) / static_cast<double>(t) : 0;
}

double ConfusionMatrix::precision() const {
  double sum = 0;
  for (int c = 0; c < n_; ++c) {
    std::int64_t predicted = 0;
    for (int t = 0; t < n_; ++t) predicted += at(t, c);
    sum += predicted ? static_cast<double>(at(c, c)) / static_cast<double>(predicted) : 0;
  }
  return n_ ? sum / n_ : 0;
}

double ConfusionMatrix::recall() const {
  double sum = 0;
  for (int c = 0; c < n_; ++c) {
    std::int64_t present = 0;
    for (int p = 0; p < n_; ++p) present += at(c, p);
    sum += present ? static_cast<double>(at(c, c)) / static_cast<double>(present) : 0;
  }
  return n_ ? sum / n_ : 0;
}

double ConfusionMatrix::f1() const {
  double sum = 0;
  for (int c = 0; c < n_; ++c) {
    std::int64_t predicted = 0, present = 0;
    for (int o = 0; o < n_; ++o) {
      predicted += at(o, c);
      present += at(c, o);
    }
    const double denom = static_cast<double>(predicted + present);
    sum += denom > 0 ? 2.0 * static_cast<double>(at(c, c)) / denom : 0;
  }
  return n_ ? sum / n_ : 0;
}

double EpochMetrics::value(const std::string &metric) const {
  if (metric == "loss") return loss;
  if (metric == "accuracy") return confusion.accuracy();
  if (metric == "precision") return confusion.precision();
  if (metric == "recall") return confusion.recall();
  if (metric == "f1") return confusion.f1();
  if (metric == "top5") {
    std::int64_t t = confusion.total();
    return t ? static_cast<double>(top5_hits) / static_cast<double>(t) : 0;
  }
  return 0;
}

}  // namespace edl::train
