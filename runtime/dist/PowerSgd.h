// PowerSGD (Vogels et al., NeurIPS 2019): each gradient matrix M (a
// tensor seen as rows x the rest) is sent as a rank-r product P Q^T from
// one power-iteration step, P = M Q then Q = M^T P, each all-reduced; Q
// starts from the last step's (warm start), and M - P Q^T stays behind as
// the rank's error, added to the next gradient. Vectors and matrices too
// small to gain are all-reduced dense.
#pragma once

#include "runtime/dist/GradientExchange.h"

namespace edl::dist {

class PowerSgdExchange : public GradientExchange {
 public:
  PowerSgdExchange(Group &group, int rank);
  void attach(const std::vector<at::Tensor> &params) override;
  void exchange(const std::vector<at::Tensor> &params, int epoch) override;
  std::vector<at::Tensor> state() const override;
  void set_state(const std::vector<at::Tensor> &state) override;
  const std::vector<at::Tensor> &errors() const { return error_; }  // empty for a dense parameter

 private:
  struct Shape {
    bool low_rank = false;
    std::int64_t rows = 0, cols = 0;
  };
  Group &group_;
  int rank_;
  std::vector<Shape> shapes_;
  std::vector<at::Tensor> error_, q_;
};

}  // namespace edl::dist
