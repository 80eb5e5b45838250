#include "runtime/train/YoloLoss.h"

#include "compiler/lower/torch/DetectOps.h"
#include "compiler/lower/torch/YoloCoding.h"

#include <limits>

namespace edl::train {
namespace {

// An anchor may take an object at most this many times larger or smaller
// than itself in width or height (YOLOv5's anchor_t).
constexpr double kShapeRatio = 4.0;
constexpr double kBoxWeight = 2.0;  // the GIoU term against the two cross-entropies

}  // namespace

torch::Tensor paired_giou(const torch::Tensor &a, const torch::Tensor &b) {
  const torch::Tensor lt = torch::max(a.narrow(1, 0, 2), b.narrow(1, 0, 2));
  const torch::Tensor rb = torch::min(a.narrow(1, 2, 2), b.narrow(1, 2, 2));
  const torch::Tensor wh = (rb - lt).clamp_min(0);
  const torch::Tensor inter = wh.select(1, 0) * wh.select(1, 1);
  auto area = [](const torch::Tensor &x) {
    return (x.select(1, 2) - x.select(1, 0)).clamp_min(0) * (x.select(1, 3) - x.select(1, 1)).clamp_min(0);
  };
  const torch::Tensor uni = area(a) + area(b) - inter;
  const torch::Tensor hull_wh = (torch::max(a.narrow(1, 2, 2), b.narrow(1, 2, 2)) -
                                 torch::min(a.narrow(1, 0, 2), b.narrow(1, 0, 2))).clamp_min(0);
  const torch::Tensor hull = hull_wh.select(1, 0) * hull_wh.select(1, 1);
  const torch::Tensor iou = inter / uni.clamp_min(1e-9);
  return iou - (hull - uni) / hull.clamp_min(1e-9);
}

torch::Tensor yolo_assign(const torch::Tensor &anchors, const torch::Tensor &strides, const torch::Tensor &boxes) {
  const std::int64_t A = anchors.size(0), G = boxes.size(0);
  torch::Tensor object = torch::full({A}, -1, torch::kLong);
  if (G == 0) return object;
  auto centre = [](const torch::Tensor &b, int axis) { return (b.select(1, axis) + b.select(1, axis + 2)) / 2; };
  auto side = [](const torch::Tensor &b, int axis) {
    return (b.select(1, axis + 2) - b.select(1, axis)).clamp_min(1e-3);
  };
  const torch::Tensor stride = strides.unsqueeze(1);  // A x 1
  const torch::Tensor near = ((centre(anchors, 0).unsqueeze(1) - centre(boxes, 0).unsqueeze(0)).abs() < stride) &
                             ((centre(anchors, 1).unsqueeze(1) - centre(boxes, 1).unsqueeze(0)).abs() < stride);
  const torch::Tensor rw = side(boxes, 0).unsqueeze(0) / side(anchors, 0).unsqueeze(1);
  const torch::Tensor rh = side(boxes, 1).unsqueeze(0) / side(anchors, 1).unsqueeze(1);
  const torch::Tensor fits = torch::max(torch::max(rw, 1 / rw), torch::max(rh, 1 / rh)) < kShapeRatio;
  torch::Tensor wanted = near & fits;  // A x G
  // An object no anchor takes keeps its best-overlapping one.
  const torch::Tensor iou = lower::box_iou(anchors, boxes);
  const torch::Tensor orphan = ~wanted.any(0);  // G
  if (orphan.any().item<bool>()) {
    const torch::Tensor best = iou.argmax(0);  // G
    const torch::Tensor columns = torch::nonzero(orphan).flatten();
    wanted.index_put_({best.index({columns}), columns}, true);
  }
  // Among the objects an anchor is wanted by, the smallest.
  const torch::Tensor areas = (side(boxes, 0) * side(boxes, 1)).unsqueeze(0).expand({A, G});
  const torch::Tensor cost = torch::where(wanted, areas, torch::full_like(areas, std::numeric_limits<float>::infinity()));
  auto [lowest, which] = cost.min(1);
  return torch::where(wanted.any(1), which, object);
}

DetectionLoss yolo_loss(const torch::Tensor &head, const torch::Tensor &anchors, const torch::Tensor &strides,
                        const std::vector<ImageTargets> &targets, int classes) {
  const std::int64_t N = head.size(0);
  torch::Tensor cls_total = torch::zeros({}), box_total = torch::zeros({});
  for (std::int64_t i = 0; i < N; ++i) {
    const ImageTargets &want = targets[static_cast<std::size_t>(i)];
    const torch::Tensor obj = head[i].select(1, 0), cls = head[i].narrow(1, 1, classes), t = head[i].narrow(1, 1 + classes, 4);
    const torch::Tensor object = yolo_assign(anchors, strides, want.boxes);
    const torch::Tensor positive = object >= 0;
    const double assigned = std::max<double>(1.0, positive.sum().item<double>());
    torch::Tensor loss = torch::binary_cross_entropy_with_logits(obj, positive.to(torch::kFloat), {}, {},
                                                                 torch::Reduction::Sum) / assigned;
    if (positive.any().item<bool>()) {
      const torch::Tensor rows = torch::nonzero(positive).flatten();
      const torch::Tensor objects = object.index({rows});
      torch::Tensor onehot = torch::zeros({rows.size(0), classes});
      onehot.index_put_({torch::arange(rows.size(0)), want.labels.index({objects})}, 1.0);
      loss = loss + torch::binary_cross_entropy_with_logits(cls.index({rows}), onehot, {}, {}, torch::Reduction::Sum) / assigned;
      const torch::Tensor picked = anchors.index({rows});
      const torch::Tensor boxes = lower::decode_boxes(lower::yolo_deltas(t.index({rows}), picked, strides.index({rows})),
                                                      picked, {1, 1, 1, 1});
      box_total = box_total + kBoxWeight * (1 - paired_giou(boxes, want.boxes.index({objects}))).sum() / assigned;
    }
    cls_total = cls_total + loss;
  }
  return {cls_total / static_cast<double>(N), box_total / static_cast<double>(N)};
}

}  // namespace edl::train
