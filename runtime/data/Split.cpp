#include "runtime/data/Dataset.h"

#include <algorithm>
#include <cmath>
#include <random>

namespace edl::data {
namespace {

// Cuts shuffled indices into train, val and test by the declared shares;
// rounding goes to train, so every share that is not zero gets its part.
void cut(std::vector<std::size_t> &idx, const DatasetSpec &spec, Split &out) {
  const double total = spec.train + spec.val + spec.test;
  const std::size_t n = idx.size();
  std::size_t n_val = static_cast<std::size_t>(std::llround(n * spec.val / total));
  std::size_t n_test = static_cast<std::size_t>(std::llround(n * spec.test / total));
  if (spec.train > 0 && n_val + n_test >= n && n > 0) {  // keep one sample for training
    if (n_test > 0) --n_test;
    else if (n_val > 0) --n_val;
  }
  n_val = std::min(n_val, n);
  n_test = std::min(n_test, n - n_val);
  out.val.insert(out.val.end(), idx.begin(), idx.begin() + n_val);
  out.test.insert(out.test.end(), idx.begin() + n_val, idx.begin() + n_val + n_test);
  out.train.insert(out.train.end(), idx.begin() + n_val + n_test, idx.end());
}

}  // namespace

Split split_samples(const std::vector<int> &labels, std::size_t class_count, const DatasetSpec &spec,
                    DataReport &report, const std::vector<std::string> &class_names) {
  Split out;
  std::mt19937_64 rng(spec.seed ^ 0x9e3779b97f4a7c15ULL);
  int shares = (spec.train > 0) + (spec.val > 0) + (spec.test > 0);
  if (!spec.stratify) {
    std::vector<std::size_t> idx(labels.size());
    for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::shuffle(idx.begin(), idx.end(), rng);
    cut(idx, spec, out);
  } else {
    std::vector<std::vector<std::size_t>> by_class(class_count);
    for (std::size_t i = 0; i < labels.size(); ++i) by_class[static_cast<std::size_t>(labels[i])].push_back(i);
    for (std::size_t c = 0; c < class_count; ++c) {
      std::vector<std::size_t> &idx = by_class[c];
      std::size_t val_before = out.val.size(), test_before = out.test.size();
      std::shuffle(idx.begin(), idx.end(), rng);
      cut(idx, spec, out);
      bool short_val = spec.val > 0 && out.val.size() == val_before;
      bool short_test = spec.test > 0 && out.test.size() == test_before;
      if (!idx.empty() && (short_val || short_test))
        report.warnings.push_back("class '" + class_names[c] + "' has " + std::to_string(idx.size()) +
                                  " sample(s), too few to stratify over " + std::to_string(shares) +
                                  " splits: " + (short_val ? "val" : "test") + " gets none of it");
    }
  }
  // Within each split, a stable order.
  std::sort(out.train.begin(), out.train.end());
  std::sort(out.val.begin(), out.val.end());
  std::sort(out.test.begin(), out.test.end());
  return out;
}

}  // namespace edl::data
