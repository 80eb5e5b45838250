// Classification metrics from a confusion matrix: accuracy, macro
// precision, recall and F1; top-5 counted separately (it needs scores).
// Segmentation counts pixels in the same matrix: pixel accuracy is its
// accuracy, and each class's intersection over union is read from it.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace edl::train {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(int classes = 0) : n_(classes), counts_(static_cast<std::size_t>(classes) * classes) {}
  void add(int truth, int predicted, std::int64_t count = 1) {
    counts_[static_cast<std::size_t>(truth) * n_ + predicted] += count;
  }
  std::int64_t at(int truth, int predicted) const { return counts_[static_cast<std::size_t>(truth) * n_ + predicted]; }
  int classes() const { return n_; }
  std::int64_t total() const;
  double accuracy() const;
  // Macro averages over classes; a class never predicted (or never present)
  // counts as 0 for its precision (recall).
  double precision() const;
  double recall() const;
  double f1() const;
  // A class's hits over the pixels either truly or predicted of it; -1 when
  // it is neither present nor predicted (no evidence either way).
  double iou(int c) const;
  // The mean IoU over the classes with evidence (as torchmetrics and
  // mmsegmentation leave absent classes out), 0 when none has any.
  double mean_iou() const;
  const std::vector<std::int64_t> &counts() const { return counts_; }

 private:
  int n_;
  std::vector<std::int64_t> counts_;
};

struct EpochMetrics {
  double loss = 0;
  ConfusionMatrix confusion;
  std::int64_t top5_hits = 0;
  // Metrics a confusion matrix does not give, by name (detection: map,
  // map50, map75, map_small, map_medium, map_large).
  std::map<std::string, double> values;
  // The value of a metric named as in the catalogue (loss accuracy top5 f1 precision recall map map50).
  double value(const std::string &metric) const;
};

}  // namespace edl::train
