#include "compiler/lower/torch/YoloCoding.h"

#include <cmath>

namespace edl::lower {

torch::Tensor yolo_class_logits(const torch::Tensor &obj, const torch::Tensor &cls) {
  // log p - log(1 - p) with log p = logsigmoid(obj) + logsigmoid(cls); p is
  // kept under 1 so a saturated score stays finite.
  const torch::Tensor log_p = (torch::log_sigmoid(obj).unsqueeze(-1) + torch::log_sigmoid(cls)).clamp_max(-1e-6);
  return log_p - torch::log(-torch::expm1(log_p));
}

torch::Tensor yolo_deltas(const torch::Tensor &t, const torch::Tensor &anchors, const torch::Tensor &strides) {
  const torch::Tensor widths = anchors.select(1, 2) - anchors.select(1, 0);
  const torch::Tensor heights = anchors.select(1, 3) - anchors.select(1, 1);
  const torch::Tensor shift = 2 * torch::sigmoid(t.narrow(-1, 0, 2)) - 1;  // cells, in [-1, 1]
  const torch::Tensor dx = shift.select(-1, 0) * strides / widths;
  const torch::Tensor dy = shift.select(-1, 1) * strides / heights;
  // log((2 sigmoid(t))^2) = 2 (log 2 + logsigmoid(t))
  const torch::Tensor dwh = 2 * (std::log(2.0) + torch::log_sigmoid(t.narrow(-1, 2, 2)));
  return torch::cat({torch::stack({dx, dy}, -1), dwh}, -1);
}

}  // namespace edl::lower
