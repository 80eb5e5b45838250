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

namespace {

// The mean over classes of f(hits, predicted as the class, truly the class).
template <typename F> double macro_average(const ConfusionMatrix &m, F f) {
  const int n = m.classes();
  double sum = 0;
  for (int c = 0; c < n; ++c) {
    std::int64_t predicted = 0, present = 0;
    for (int o = 0; o < n; ++o) {
      predicted += m.at(o, c);
      present += m.at(c, o);
    }
    sum += f(static_cast<double>(m.at(c, c)), static_cast<double>(predicted), static_cast<double>(present));
  }
  return n ? sum / n : 0;
}

}  // namespace

double ConfusionMatrix::precision() const {
  return macro_average(*this, [](double hits, double predicted, double) { return predicted ? hits / predicted : 0; });
}

double ConfusionMatrix::recall() const {
  return macro_average(*this, [](double hits, double, double present) { return present ? hits / present : 0; });
}

double ConfusionMatrix::f1() const {
  return macro_average(*this, [](double hits, double predicted, double present) {
    return predicted + present > 0 ? 2 * hits / (predicted + present) : 0;
  });
}

double ConfusionMatrix::iou(int c) const {
  std::int64_t predicted = 0, present = 0;
  for (int o = 0; o < n_; ++o) {
    predicted += at(o, c);
    present += at(c, o);
  }
  const std::int64_t joined = predicted + present - at(c, c);
  return joined ? static_cast<double>(at(c, c)) / static_cast<double>(joined) : -1;
}

double ConfusionMatrix::mean_iou() const {
  double sum = 0;
  int counted = 0;
  for (int c = 0; c < n_; ++c)
    if (const double v = iou(c); v >= 0) sum += v, ++counted;
  return counted ? sum / counted : 0;
}

double EpochMetrics::value(const std::string &metric) const {
  if (metric == "loss") return loss;
  if (auto it = values.find(metric); it != values.end()) return it->second;
  if (metric == "accuracy") return confusion.accuracy();
  if (metric == "precision") return confusion.precision();
  if (metric == "recall") return confusion.recall();
  if (metric == "f1") return confusion.f1();
  if (metric == "miou") return confusion.mean_iou();
  if (metric == "pixel_accuracy") return confusion.accuracy();
  if (metric == "top5") {
    std::int64_t t = confusion.total();
    return t ? static_cast<double>(top5_hits) / static_cast<double>(t) : 0;
  }
  return 0;
}

}  // namespace edl::train
