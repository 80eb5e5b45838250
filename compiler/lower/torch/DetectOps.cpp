#include "compiler/lower/torch/DetectOps.h"

#include <torch/csrc/jit/api/module.h>

#include <cmath>

namespace edl::lower {
namespace {

// TorchScript, not C++: the same code runs in training's evaluation and in
// the deployed module (DetectOps.h says why).
const char *const kSource = R"TS(
def box_iou(self, a: Tensor, b: Tensor) -> Tensor:
    area_a = (a[:, 2] - a[:, 0]) * (a[:, 3] - a[:, 1])
    area_b = (b[:, 2] - b[:, 0]) * (b[:, 3] - b[:, 1])
    top_left = torch.max(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.min(a[:, None, 2:], b[None, :, 2:])
    wh = (bottom_right - top_left).clamp(min=0.0)
    inter = wh[:, :, 0] * wh[:, :, 1]
    return inter / (area_a[:, None] + area_b[None, :] - inter)

def nms(self, boxes: Tensor, scores: Tensor, iou_threshold: float) -> Tensor:
    order = torch.argsort(scores, descending=True)
    n = boxes.size(0)
    if n == 0:
        return order
    iou = self.box_iou(boxes[order], boxes[order])
    removed = torch.zeros([n]) > 0.0  # all False (Tensor.bool is Python's, not TorchScript's)
    keep = torch.zeros([n]) > 0.0
    for i in range(n):
        if not bool(removed[i]):
            keep[i] = True
            removed = removed | (iou[i] > iou_threshold)
    return order[keep]

def batched_nms(self, boxes: Tensor, scores: Tensor, labels: Tensor, iou_threshold: float) -> Tensor:
    if boxes.size(0) == 0:
        return torch.argsort(scores)  # empty, of indices' type
    # Boxes of different labels moved apart so far that they never overlap.
    offsets = labels.to(boxes.dtype) * (boxes.max() - boxes.min() + 1.0)
    return self.nms(boxes + offsets[:, None], scores, iou_threshold)

def encode_boxes(self, boxes: Tensor, anchors: Tensor, weights: List[float]) -> Tensor:
    aw = anchors[..., 2] - anchors[..., 0]
    ah = anchors[..., 3] - anchors[..., 1]
    ax = anchors[..., 0] + 0.5 * aw
    ay = anchors[..., 1] + 0.5 * ah
    bw = boxes[..., 2] - boxes[..., 0]
    bh = boxes[..., 3] - boxes[..., 1]
    bx = boxes[..., 0] + 0.5 * bw
    by = boxes[..., 1] + 0.5 * bh
    return torch.stack([weights[0] * (bx - ax) / aw, weights[1] * (by - ay) / ah,
                        weights[2] * torch.log(bw / aw), weights[3] * torch.log(bh / ah)], dim=-1)

def decode_boxes(self, deltas: Tensor, anchors: Tensor, weights: List[float]) -> Tensor:
    aw = anchors[..., 2] - anchors[..., 0]
    ah = anchors[..., 3] - anchors[..., 1]
    ax = anchors[..., 0] + 0.5 * aw
    ay = anchors[..., 1] + 0.5 * ah
    limit = 4.135166556742356  # log(1000 / 16)
    x = deltas[..., 0] / weights[0] * aw + ax
    y = deltas[..., 1] / weights[1] * ah + ay
    w = torch.exp((deltas[..., 2] / weights[2]).clamp(max=limit)) * aw
    h = torch.exp((deltas[..., 3] / weights[3]).clamp(max=limit)) * ah
    return torch.stack([x - 0.5 * w, y - 0.5 * h, x + 0.5 * w, y + 0.5 * h], dim=-1)

def detect(self, raw: Tensor, anchors: Tensor, weights: List[float], classes: int, score_threshold: float,
           nms_threshold: float, detections: int, candidates: int, width: float, height: float) -> Tensor:
    scores = torch.sigmoid(raw[:, :classes]).flatten()
    index = torch.nonzero(scores > score_threshold).flatten()
    score = scores[index]
    if index.numel() > candidates:
        score, order = score.topk(candidates)
        index = index[order]
    anchor = torch.div(index, classes, rounding_mode="floor")
    label = index - anchor * classes
    boxes = self.decode_boxes(raw[anchor, classes:], anchors[anchor], weights)
    boxes = torch.stack([boxes[:, 0].clamp(0.0, width), boxes[:, 1].clamp(0.0, height),
                         boxes[:, 2].clamp(0.0, width), boxes[:, 3].clamp(0.0, height)], dim=1)
    kept = self.batched_nms(boxes, score, label, nms_threshold)[:detections]
    return torch.cat([boxes[kept], score[kept][:, None], label[kept][:, None].to(boxes.dtype)], dim=1)
)TS";

torch::jit::Module &ops() {
  static torch::jit::Module module = [] {
    torch::jit::Module m("__torch__.edl.DetectOps");
    m.define(kSource);
    return m;
  }();
  return module;
}

c10::List<double> weight_list(const BoxWeights &w) { return c10::List<double>({w[0], w[1], w[2], w[3]}); }

}  // namespace

const std::string &detect_ops_source() {
  static const std::string source = kSource;
  return source;
}

torch::Tensor box_iou(const torch::Tensor &a, const torch::Tensor &b) {
  return ops().get_method("box_iou")({a, b}).toTensor();
}

torch::Tensor nms(const torch::Tensor &boxes, const torch::Tensor &scores, double iou_threshold) {
  return ops().get_method("nms")({boxes, scores, iou_threshold}).toTensor();
}

torch::Tensor batched_nms(const torch::Tensor &boxes, const torch::Tensor &scores, const torch::Tensor &labels,
                          double iou_threshold) {
  return ops().get_method("batched_nms")({boxes, scores, labels, iou_threshold}).toTensor();
}

torch::Tensor encode_boxes(const torch::Tensor &boxes, const torch::Tensor &anchors, const BoxWeights &weights) {
  return ops().get_method("encode_boxes")({boxes, anchors, weight_list(weights)}).toTensor();
}

torch::Tensor decode_boxes(const torch::Tensor &deltas, const torch::Tensor &anchors, const BoxWeights &weights) {
  return ops().get_method("decode_boxes")({deltas, anchors, weight_list(weights)}).toTensor();
}

torch::Tensor detect(const torch::Tensor &raw, const torch::Tensor &anchors, const BoxWeights &weights,
                     const DetectSettings &settings, int width, int height) {
  return ops()
      .get_method("detect")({raw, anchors, weight_list(weights), settings.classes, settings.score_threshold,
                             settings.nms_threshold, settings.detections, settings.candidates,
                             static_cast<double>(width), static_cast<double>(height)})
      .toTensor();
}

torch::Tensor make_anchors(const std::vector<AnchorLevel> &levels, const std::vector<double> &ratios,
                           const std::vector<double> &scales) {
  std::vector<torch::Tensor> all;
  for (const AnchorLevel &level : levels) {
    // The cell's anchors around (0, 0): A x 4.
    std::vector<float> base;
    for (double ratio : ratios)
      for (double scale : scales) {
        const double side = level.size * scale, w = side / std::sqrt(ratio), h = side * std::sqrt(ratio);
        base.insert(base.end(), {static_cast<float>(-w / 2), static_cast<float>(-h / 2), static_cast<float>(w / 2),
                                 static_cast<float>(h / 2)});
      }
    const torch::Tensor cell = torch::tensor(base).view({-1, 4});
    const torch::Tensor xs = (torch::arange(level.width, torch::kFloat) + 0.5) * level.stride;
    const torch::Tensor ys = (torch::arange(level.height, torch::kFloat) + 0.5) * level.stride;
    const std::vector<torch::Tensor> grid = torch::meshgrid({ys, xs}, "ij");
    const torch::Tensor centres = torch::stack({grid[1].flatten(), grid[0].flatten(), grid[1].flatten(), grid[0].flatten()}, 1);
    all.push_back((centres.view({-1, 1, 4}) + cell.view({1, -1, 4})).reshape({-1, 4}));
  }
  return all.empty() ? torch::zeros({0, 4}) : torch::cat(all);
}

}  // namespace edl::lower
