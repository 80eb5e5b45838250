// Pruners stop weak trials early from the metrics they report after each
// epoch: `asha` (successive halving: at epochs min_epochs · reduction^k a
// trial goes on only if it is in the top 1/reduction of the trials that
// reached that epoch) and `median` (after `warmup` epochs, a trial below the
// median of the earlier trials at the same epoch stops).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace edl::search {

class Pruner {
 public:
  virtual ~Pruner() = default;
  // Records a trial's score (higher is better) after `epoch` (1-based);
  // true when the trial should stop here.
  virtual bool report(int trial, int epoch, double score) = 0;
};

// kind: asha or median. `first` is min_epochs (asha) or warmup (median);
// `reduction` is asha's. Null for an unknown kind.
std::unique_ptr<Pruner> make_pruner(const std::string &kind, int first, int reduction);

}  // namespace edl::search
