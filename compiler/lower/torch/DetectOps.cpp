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
    # Greedy NMS, exactly, without a step per box (the interpreter's cost):
    # blocks of 64 in score order. Within a block, "a box is kept when no
    # kept better box of the block overlaps it" is iterated to its fixed
    # point (unique, and reached from any superset of it: the greedy answer);
    # then the block's kept boxes suppress every later box at once.
    order = torch.argsort(scores, descending=True)
    n = boxes.size(0)
    if n == 0:
        return order
    b = boxes[order]
    over = self.box_iou(b, b) > iou_threshold
    keep = torch.ones([n]) > 0.0  # all True (Tensor.bool is Python's, not TorchScript's)
    for start in range(0, n, 64):
        end = min(start + 64, n)
        inner = over[start:end, start:end] & (torch.ones([end - start, end - start]).triu(1) > 0.0)
        before = keep[start:end]
        alive = before
        for _ in range(end - start):
            again = before & ~(inner & alive[:, None]).any(0)
            if bool(torch.equal(again, alive)):
                break
            alive = again
        keep[start:end] = alive
        if end < n:
            keep[end:] = keep[end:] & ~(over[start:end, end:] & alive[:, None]).any(0)
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

def clip_boxes(self, boxes: Tensor, width: float, height: float) -> Tensor:
    return torch.stack([boxes[:, 0].clamp(0.0, width), boxes[:, 1].clamp(0.0, height),
                        boxes[:, 2].clamp(0.0, width), boxes[:, 3].clamp(0.0, height)], dim=1)

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
    boxes = self.clip_boxes(boxes, width, height)
    kept = self.batched_nms(boxes, score, label, nms_threshold)[:detections]
    return torch.cat([boxes[kept], score[kept][:, None], label[kept][:, None].to(boxes.dtype)], dim=1)

def roi_axis(self, start: Tensor, length: Tensor, size: int, output_size: int, sampling_ratio: int):
    # Sample points of each RoI along one axis (bins of length / output_size,
    # sampling_ratio evenly inside each), and their bilinear neighbours and
    # weights, as torchvision's kernel clamps them: a point beyond one pixel
    # outside the map weighs nothing; one inside the border band is clamped.
    steps = (torch.arange(output_size, dtype=start.dtype, device=start.device)[:, None] +
             (torch.arange(sampling_ratio, dtype=start.dtype, device=start.device)[None, :] + 0.5) / sampling_ratio).flatten()
    p = start[:, None] + steps[None, :] * (length / output_size)[:, None]
    valid = (p >= -1.0) & (p <= float(size))
    p = p.clamp(min=0.0)
    low = p.floor().long()
    at_edge = low >= size - 1
    low = torch.where(at_edge, torch.full_like(low, size - 1), low)
    high = torch.where(at_edge, low, low + 1)
    p = torch.where(at_edge, low.to(p.dtype), p)
    frac = p - low.to(p.dtype)
    valid_f = valid.to(p.dtype)
    return low, high, (1.0 - frac) * valid_f, frac * valid_f

def roi_align(self, features: Tensor, rois: Tensor, output_size: int, spatial_scale: float, sampling_ratio: int,
              aligned: bool) -> Tensor:
    # features N x C x H x W; rois K x 5 (image index, x0 y0 x1 y1 in input
    # pixels) -> K x C x output_size x output_size, torchvision's roi_align
    # with a fixed sampling_ratio (> 0).
    rois = rois.detach()  # gradients flow to the features only, as torchvision's
    K = rois.size(0)
    C = features.size(1)
    H = features.size(2)
    W = features.size(3)
    offset = 0.5 if aligned else 0.0
    x0 = rois[:, 1] * spatial_scale - offset
    y0 = rois[:, 2] * spatial_scale - offset
    rw = rois[:, 3] * spatial_scale - offset - x0
    rh = rois[:, 4] * spatial_scale - offset - y0
    if not aligned:
        rw = rw.clamp(min=1.0)
        rh = rh.clamp(min=1.0)
    y_low, y_high, wy_low, wy_high = self.roi_axis(y0, rh, H, output_size, sampling_ratio)
    x_low, x_high, wx_low, wx_high = self.roi_axis(x0, rw, W, output_size, sampling_ratio)
    S = y_low.size(1)
    # Every bin is a weighted sum of map pixels: one sparse (bins x pixels)
    # matrix of the bilinear weights, averaged over the bin's samples, times
    # the channels-last map; no per-region copy of the map.
    flat = features.permute(0, 2, 3, 1).reshape(-1, C)
    base = rois[:, 0].long() * (H * W)
    cell = torch.div(torch.arange(S, device=features.device), sampling_ratio, rounding_mode="floor")
    bins = (torch.arange(K, device=features.device)[:, None, None] * (output_size * output_size) +
            (cell[:, None] * output_size + cell[None, :])[None, :, :]).flatten()
    rows: List[Tensor] = []
    columns: List[Tensor] = []
    values: List[Tensor] = []
    for ys, wy in [(y_low, wy_low), (y_high, wy_high)]:
        for xs, wx in [(x_low, wx_low), (x_high, wx_high)]:
            rows.append(bins)
            columns.append((base[:, None, None] + ys[:, :, None] * W + xs[:, None, :]).flatten())
            values.append((wy[:, :, None] * wx[:, None, :]).flatten() / float(sampling_ratio * sampling_ratio))
    weights = torch.sparse_coo_tensor(torch.stack([torch.cat(rows), torch.cat(columns)]), torch.cat(values),
                                      [K * output_size * output_size, flat.size(0)])
    out = torch.mm(weights, flat).view(K, output_size, output_size, C)
    return out.permute(0, 3, 1, 2)

def rpn_proposals(self, head: Tensor, anchors: Tensor, level_counts: List[int], proposals: int, width: float,
                  height: float) -> Tensor:
    # One image's region proposals (Faster R-CNN's RPN, as torchvision
    # keeps them): from head (anchors x 5: objectness logit, deltas), each
    # level's best `proposals` anchors decoded and clipped, empty boxes
    # dropped, NMS at 0.7 within each level, the best `proposals` kept.
    # P x 4, best first.
    chosen: List[Tensor] = []
    levels: List[Tensor] = []
    start = 0
    for level, count in enumerate(level_counts):
        top = head[start:start + count, 0].topk(min(proposals, count)).indices + start
        chosen.append(top)
        levels.append(torch.full_like(top, level))
        start += count
    index = torch.cat(chosen)
    level = torch.cat(levels)
    boxes = self.decode_boxes(head[index, 1:], anchors[index], [1.0, 1.0, 1.0, 1.0])
    boxes = self.clip_boxes(boxes, width, height)
    wide = ((boxes[:, 2] - boxes[:, 0]) >= 1e-3) & ((boxes[:, 3] - boxes[:, 1]) >= 1e-3)
    boxes = boxes[wide]
    score = head[index, 0][wide]
    kept = self.batched_nms(boxes, score, level[wide], 0.7)[:proposals]
    return boxes[kept]

def rois_of(self, proposals: List[Tensor]) -> Tensor:
    # Each image's boxes as rows of (image index, x0 y0 x1 y1).
    rows: List[Tensor] = []
    for i, boxes in enumerate(proposals):
        rows.append(torch.cat([torch.full_like(boxes[:, :1], float(i)), boxes], dim=1))
    return torch.cat(rows)

def pool_levels(self, levels: List[Tensor], rois: Tensor, strides: List[float], output_size: int,
                sampling_ratio: int) -> Tensor:
    # RoIAlign of each region on the coarsest level (strides ascending) on
    # which its side, sqrt(w h), spans at least 14 cells, else the finest:
    # FPN's rule (k = floor(4 + log2(side / 224)): a 224-pixel region on
    # stride 16), written by stride rather than by level number.
    side = torch.sqrt(((rois[:, 3] - rois[:, 1]) * (rois[:, 4] - rois[:, 2])).clamp(min=1e-6))
    fits = (side[:, None] / 14.0 + 1e-6) >= torch.tensor(strides, dtype=rois.dtype)[None, :]
    level = (fits.sum(1) - 1).clamp(min=0)
    out = torch.zeros([rois.size(0), levels[0].size(1), output_size, output_size], dtype=levels[0].dtype)
    for l, features in enumerate(levels):
        index = torch.nonzero(level == l).flatten()
        if index.numel() > 0:
            pooled = self.roi_align(features, rois[index], output_size, 1.0 / strides[l], sampling_ratio, True)
            out = out.index_copy(0, index, pooled)
    return out

def box_detections(self, box: Tensor, proposals: List[Tensor], weights: List[float], classes: int,
                   score_threshold: float, nms_threshold: float, detections: int, width: float,
                   height: float) -> List[Tensor]:
    # The box head's rows (logits of the classes and background, last; then
    # each class's deltas from its proposal, coded with `weights`) to each
    # image's detections: softmax scores above the threshold, clipped,
    # suppressed per class, the best `detections`. Rows x0 y0 x1 y1 score label.
    out: List[Tensor] = []
    start = 0
    for boxes in proposals:
        rows = box[start:start + boxes.size(0)]
        start += boxes.size(0)
        scores = torch.softmax(rows[:, :classes + 1], dim=1)[:, :classes]
        decoded = self.decode_boxes(rows[:, classes + 1:].reshape(-1, classes, 4), boxes[:, None, :],
                                    weights).reshape(-1, 4)
        decoded = self.clip_boxes(decoded, width, height)
        score = scores.flatten()
        label = torch.arange(classes, device=box.device).repeat(boxes.size(0))
        keep = (score > score_threshold) & ((decoded[:, 2] - decoded[:, 0]) >= 1e-2) & \
               ((decoded[:, 3] - decoded[:, 1]) >= 1e-2)
        decoded = decoded[keep]
        score = score[keep]
        label = label[keep]
        kept = self.batched_nms(decoded, score, label, nms_threshold)[:detections]
        out.append(torch.cat([decoded[kept], score[kept][:, None], label[kept][:, None].to(decoded.dtype)], dim=1))
    return out
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

torch::Tensor roi_align(const torch::Tensor &features, const torch::Tensor &rois, int output_size, double spatial_scale,
                        int sampling_ratio, bool aligned) {
  return ops()
      .get_method("roi_align")({features, rois, static_cast<std::int64_t>(output_size), spatial_scale,
                                static_cast<std::int64_t>(sampling_ratio), aligned})
      .toTensor();
}

torch::Tensor rpn_proposals(const torch::Tensor &head, const torch::Tensor &anchors,
                            const std::vector<std::int64_t> &level_counts, std::int64_t proposals, int width,
                            int height) {
  return ops()
      .get_method("rpn_proposals")({head, anchors, c10::List<std::int64_t>(level_counts), proposals,
                                    static_cast<double>(width), static_cast<double>(height)})
      .toTensor();
}

torch::Tensor rois_of(const std::vector<torch::Tensor> &proposals) {
  return ops().get_method("rois_of")({c10::List<torch::Tensor>(proposals)}).toTensor();
}

torch::Tensor pool_levels(const std::vector<torch::Tensor> &levels, const torch::Tensor &rois,
                          const std::vector<double> &strides, int output_size, int sampling_ratio) {
  return ops()
      .get_method("pool_levels")({c10::List<torch::Tensor>(levels), rois, c10::List<double>(strides),
                                  static_cast<std::int64_t>(output_size),
                                  static_cast<std::int64_t>(sampling_ratio)})
      .toTensor();
}

std::vector<torch::Tensor> box_detections(const torch::Tensor &box, const std::vector<torch::Tensor> &proposals,
                                          const DetectSettings &settings, int width, int height) {
  const c10::List<c10::IValue> out =
      ops()
          .get_method("box_detections")({box, c10::List<torch::Tensor>(proposals), weight_list(kBoxHeadWeights),
                                         settings.classes,
                                         settings.score_threshold, settings.nms_threshold, settings.detections,
                                         static_cast<double>(width), static_cast<double>(height)})
          .toList();
  std::vector<torch::Tensor> images;
  for (const c10::IValue &v : out) images.push_back(v.toTensor());
  return images;
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
