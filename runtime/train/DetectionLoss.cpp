#include "runtime/train/DetectionLoss.h"

#include "compiler/lower/torch/DetectOps.h"

namespace edl::train {

AnchorMatch match_anchors(const torch::Tensor &anchors, const torch::Tensor &boxes, double positive, double negative) {
  const std::int64_t A = anchors.size(0);
  AnchorMatch m;
  if (boxes.size(0) == 0) {
    m.object = torch::full({A}, -1, torch::kLong);
    return m;
  }
  const torch::Tensor iou = lower::box_iou(anchors, boxes);  // A x G
  auto [best, object] = iou.max(1);
  m.object = object.clone();
  m.object.masked_fill_(best < positive, -2);
  m.object.masked_fill_(best < negative, -1);
  // Each object's best anchors (ties included) match it, however low.
  const torch::Tensor object_best = std::get<0>(iou.max(0));  // G
  const torch::Tensor is_best = (iou == object_best.unsqueeze(0)) & (object_best.unsqueeze(0) > 0);
  const torch::Tensor anchors_best = is_best.any(1);
  m.object = torch::where(anchors_best, object, m.object);
  return m;
}

DetectionLoss detection_loss(const torch::Tensor &raw, const torch::Tensor &anchors,
                             const std::vector<ImageTargets> &targets, int classes, double gamma, double alpha) {
  const std::int64_t N = raw.size(0);
  torch::Tensor cls_total = torch::zeros({}), box_total = torch::zeros({});
  for (std::int64_t i = 0; i < N; ++i) {
    const torch::Tensor logits = raw[i].slice(1, 0, classes), deltas = raw[i].slice(1, classes, classes + 4);
    const AnchorMatch match = match_anchors(anchors, targets[static_cast<std::size_t>(i)].boxes);
    const torch::Tensor positive = match.object >= 0, counted = match.object >= -1;
    const double matched = std::max<double>(1.0, positive.sum().item<double>());
    torch::Tensor wanted = torch::zeros_like(logits);
    if (positive.any().item<bool>()) {
      const torch::Tensor objects = match.object.index({positive});
      const torch::Tensor labels = targets[static_cast<std::size_t>(i)].labels.index({objects});
      const torch::Tensor rows = torch::nonzero(positive).flatten();
      wanted.index_put_({rows, labels}, 1.0);
      const torch::Tensor goal = lower::encode_boxes(targets[static_cast<std::size_t>(i)].boxes.index({objects}),
                                                     anchors.index({positive}), {1, 1, 1, 1});
      box_total = box_total + torch::l1_loss(deltas.index({positive}), goal, torch::Reduction::Sum) / matched;
    }
    // Sigmoid focal loss over the anchors that count (not the ignored).
    const torch::Tensor p = torch::sigmoid(logits);
    const torch::Tensor ce = torch::binary_cross_entropy_with_logits(logits, wanted, {}, {}, torch::Reduction::None);
    const torch::Tensor p_t = p * wanted + (1 - p) * (1 - wanted);
    const torch::Tensor alpha_t = alpha * wanted + (1 - alpha) * (1 - wanted);
    const torch::Tensor focal = alpha_t * ce * torch::pow(1 - p_t, gamma);
    cls_total = cls_total + focal.index({counted}).sum() / matched;
  }
  return {cls_total / static_cast<double>(N), box_total / static_cast<double>(N)};
}

}  // namespace edl::train
