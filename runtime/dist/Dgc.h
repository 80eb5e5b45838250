// Deep Gradient Compression (Lin et al., ICLR 2018): each rank sends only
// the largest entries of each gradient as (index, value) pairs and keeps
// the rest as a residual that is sent once it has grown. With SGD momentum
// it corrects for momentum (accumulates velocity locally and masks it
// where it sent), clips its own gradient at clip / sqrt(workers), and
// warms the sparsity up over the first epochs. Parameters of one
// dimension (biases, norms) are not compressed: they are all-reduced whole,
// with plain momentum.
#pragma once

#include "runtime/dist/GradientExchange.h"

namespace edl::dist {

// The sparsity of an epoch (0-based): 1 - 0.25^(epoch + 1) during the
// warm-up (75%, 93.75%, 98.4375%, 99.6%, ...), never above `target`, then
// `target`.
double dgc_sparsity(int epoch, int warmup, double target);
// Entries kept of a tensor of n at `sparsity`: at least one.
std::int64_t dgc_kept(std::int64_t n, double sparsity);
// The indices of (about) the k largest entries of `magnitude` (1-D, >= 0),
// at most k, all of the k largest when they stand clear of the rest. Small
// tensors are sorted exactly; larger ones take a threshold from a strided
// sample (`phase` moves it between steps), as the paper does, and an exact
// top-k only among the entries over it.
at::Tensor dgc_select(const at::Tensor &magnitude, std::int64_t k, std::int64_t phase = 0);

class DgcExchange : public GradientExchange {
 public:
  DgcExchange(Group &group, const Compression &c, double momentum);
  void attach(const std::vector<at::Tensor> &params) override;
  void exchange(const std::vector<at::Tensor> &params, int epoch) override;
  bool applies_momentum() const override { return momentum_ > 0; }
  std::vector<at::Tensor> state() const override;
  void set_state(const std::vector<at::Tensor> &state) override;
  // What stays behind per parameter: the accumulated velocity (or
  // gradient) not sent yet, and the momentum (empty without).
  const std::vector<at::Tensor> &residuals() const { return residual_; }
  const std::vector<at::Tensor> &momenta() const { return momentum_buffer_; }

 private:
  Group &group_;
  Compression c_;
  double momentum_;
  std::vector<at::Tensor> residual_, momentum_buffer_;
  std::int64_t step_ = 0;
};

}  // namespace edl::dist
