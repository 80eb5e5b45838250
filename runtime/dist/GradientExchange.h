// How the ranks of a data-parallel training agree on one gradient per
// step: dense all-reduce, or a compressed exchange (DGC, PowerSGD) that
// keeps what it did not send as a local residual. After exchange(), every
// rank's parameters hold the same gradient, so the same optimizer step
// keeps their weights equal.
#pragma once

#include "runtime/dist/Group.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edl::dist {

// distributed.compress, as the trainer hands it over.
struct Compression {
  std::string kind = "none";  // none dgc powersgd
  double sparsity = 0.999;    // dgc: share of each gradient not sent
  int warmup = 4;             // dgc: epochs over which sparsity rises to it
  double clip = 0;            // dgc: global gradient-norm clip, 0 for none
  int rank = 4;               // powersgd
};

// Bytes one rank contributes to the exchange, summed over steps: what a
// dense all-reduce of its gradient carries, and what it really sent.
struct Traffic {
  std::int64_t steps = 0;
  double dense_bytes = 0, sent_bytes = 0;
  double ratio() const { return sent_bytes > 0 ? dense_bytes / sent_bytes : 0; }
};

class GradientExchange {
 public:
  virtual ~GradientExchange() = default;
  // Called once with the trained parameters, before the first backward
  // pass (a dense exchange hooks them to start sending during it).
  virtual void attach(const std::vector<at::Tensor> &params) { (void)params; }
  // Replaces each parameter's gradient by the group's average, or by the
  // compressed estimate of it; `epoch` (0-based) drives DGC's warm-up.
  virtual void exchange(const std::vector<at::Tensor> &params, int epoch) = 0;
  // DGC applies SGD's momentum itself, before compressing (momentum
  // correction): the optimizer then runs without momentum.
  virtual bool applies_momentum() const { return false; }
  // What this rank carries from one step to the next (DGC's residuals,
  // velocity and step count; PowerSGD's errors and Q): saved with each
  // checkpoint so that a resumed training goes on as if never stopped.
  // Empty for a dense exchange, and before attach() or the first step.
  virtual std::vector<at::Tensor> state() const { return {}; }
  // Puts back what state() returned on the same rank, after attach();
  // throws std::invalid_argument when the shapes are not this model's.
  virtual void set_state(const std::vector<at::Tensor> &state) { (void)state; }
  const Traffic &traffic() const { return traffic_; }

 protected:
  Traffic traffic_;
};

// For set_state(): throws std::invalid_argument unless `given` has the
// number, shapes and types of `want`.
void check_state_shapes(const std::vector<at::Tensor> &want, const std::vector<at::Tensor> &given);

// `momentum`: the SGD momentum DGC corrects for (0 for another optimizer).
std::unique_ptr<GradientExchange> make_exchange(Group &group, const Compression &c, double momentum);

}  // namespace edl::dist
