#include "runtime/data/Dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>
#include <regex>

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

// Whole groups into val, then test, until each holds its share of the
// samples; the rest train. Groups go in a seeded random order.
void cut_groups(const std::vector<std::string> &sources, const DatasetSpec &spec, std::mt19937_64 &rng,
                DataReport &report, Split &out) {
  const std::regex pattern(spec.split_group);  // checked by edlc check (E0523)
  std::map<std::string, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    const std::string name = std::filesystem::path(sources[i]).filename().string();
    std::smatch m;
    const std::string key = !std::regex_search(name, m, pattern) ? sources[i] : m.size() > 1 ? m[1].str() : m[0].str();
    groups[key].push_back(i);
  }
  std::vector<const std::vector<std::size_t> *> order;
  for (const auto &[key, members] : groups) order.push_back(&members);
  std::shuffle(order.begin(), order.end(), rng);
  const double total = spec.train + spec.val + spec.test, n = static_cast<double>(sources.size());
  const double want_val = n * spec.val / total, want_test = n * spec.test / total;
  std::size_t next = 0;
  for (auto [part, want] : {std::pair<std::vector<std::size_t> *, double>{&out.val, want_val}, {&out.test, want_test}})
    while (want > 0 && static_cast<double>(part->size()) < want - 0.5 && next + 1 < order.size())
      part->insert(part->end(), order[next]->begin(), order[next]->end()), ++next;
  for (; next < order.size(); ++next) out.train.insert(out.train.end(), order[next]->begin(), order[next]->end());
  if (groups.size() < 3 && spec.val + spec.test > 0)
    report.warnings.push_back("split.group finds " + std::to_string(groups.size()) +
                              " group(s) in the file names: too few to hold any out");
}

}  // namespace

Split split_samples(const std::vector<int> &labels, std::size_t class_count, const DatasetSpec &spec,
                    DataReport &report, const std::vector<std::string> &class_names,
                    const std::vector<std::string> &sources) {
  Split out;
  std::mt19937_64 rng(spec.seed ^ 0x9e3779b97f4a7c15ULL);
  int shares = (spec.train > 0) + (spec.val > 0) + (spec.test > 0);
  if (!spec.split_group.empty() && sources.size() == labels.size()) {
    cut_groups(sources, spec, rng, report, out);
  } else if (!spec.stratify) {
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
