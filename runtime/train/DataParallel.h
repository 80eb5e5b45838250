// What the training loop does differently on one rank of a data-parallel
// group: start from rank 0's state, agree on stopping, add up metrics.
// Uses torch: include only from files that already pay for it.
#pragma once

#include "runtime/dist/GradientExchange.h"
#include "runtime/dist/Group.h"
#include "runtime/train/Metrics.h"

#include <torch/torch.h>

namespace edl::train {

// Where every rank starts: rank 0's epoch, best-so-far and weights
// (parameters and buffers), and, when it resumes, its optimizer's state.
struct StartPoint {
  int epoch = 0;
  double best = 0;
  int best_epoch = 0;
};
void share_start(dist::Group &group, torch::nn::Module &net, torch::optim::Optimizer &optimizer, StartPoint &start);

// A compressed exchange's state differs per rank (residuals, errors):
// at a checkpoint every rank's is gathered into rank 0's file `path` (the
// others pass ""). Collective: every rank calls it at the same epoch.
void save_exchange_state(dist::Group &group, const dist::GradientExchange &exchange, const std::string &path);
// On resume, after attach(): rank 0 reads `path` and hands each rank its
// own part. False on every rank when rank 0 has no such file (a checkpoint
// of an older edlc): the state then starts at zero. Throws
// std::runtime_error when the file is not this group's.
bool restore_exchange_state(dist::Group &group, dist::GradientExchange &exchange, const std::string &path);

// True on every rank when it is on any (Ctrl-C reaches rank 0's process).
bool any_rank(dist::Group &group, bool flag);

// Sums an epoch's metrics over the ranks: `m` held the mean loss over this
// rank's `count` samples; after, the mean over all of them, `count` their
// number, and the confusion matrix and top-5 hits of all.
void reduce_metrics(dist::Group &group, EpochMetrics &m, std::int64_t &count);

}  // namespace edl::train
