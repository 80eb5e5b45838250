// The box operations of detection: IoU, box coding against anchors, greedy
// non-maximum suppression (per class), and anchor grids. They are written
// once, in TorchScript (DetectOps.cpp), so a deployed model decodes and
// suppresses exactly as training's evaluation did, in any libtorch or
// Python torch that loads the package. Boxes are N x 4, x0 y0 x1 y1.
// Include only from files that use torch.
#pragma once

#include <torch/torch.h>

#include <array>
#include <string>
#include <vector>

namespace edl::lower {

// The TorchScript source of the operations, as methods (each takes self
// first), for a module that defines them with Module::define.
const std::string &detect_ops_source();

// N x M IoU of every box of `a` with every box of `b`.
torch::Tensor box_iou(const torch::Tensor &a, const torch::Tensor &b);

// Indices of the boxes kept, best score first: a box is dropped when it
// overlaps a better-scored kept box by IoU > threshold (torchvision's nms).
torch::Tensor nms(const torch::Tensor &boxes, const torch::Tensor &scores, double iou_threshold);
// The same, but boxes of different labels never suppress each other.
torch::Tensor batched_nms(const torch::Tensor &boxes, const torch::Tensor &scores, const torch::Tensor &labels,
                          double iou_threshold);

// Features pooled over regions (torchvision's roi_align with a fixed
// sampling ratio): features N x C x H x W, rois K x 5 (image index, x0 y0
// x1 y1 in input pixels, times spatial_scale on the map) → K x C x
// output_size x output_size, each bin the mean of sampling_ratio^2
// bilinear samples; `aligned` shifts by half a pixel as Mask R-CNN does.
torch::Tensor roi_align(const torch::Tensor &features, const torch::Tensor &rois, int output_size, double spatial_scale,
                        int sampling_ratio, bool aligned);

// Box coding relative to anchors (R-CNN's): centre offsets in anchor widths
// and log size ratios, each multiplied by its weight.
using BoxWeights = std::array<double, 4>;
torch::Tensor encode_boxes(const torch::Tensor &boxes, const torch::Tensor &anchors, const BoxWeights &weights);
// Deltas (... x 4, with anchors broadcast) back to boxes; log ratios are
// capped at log(1000/16) so an untrained head cannot overflow exp.
torch::Tensor decode_boxes(const torch::Tensor &deltas, const torch::Tensor &anchors, const BoxWeights &weights);

// One image's detections from a one-stage head's raw output (anchors x
// (classes + 4): class logits, then box deltas): sigmoid scores above the
// threshold, the best `candidates` of them decoded, clipped to the image,
// suppressed per class, the best `detections` kept. Rows of x0 y0 x1 y1
// score label, best first.
struct DetectSettings {
  std::int64_t classes = 0;
  double score_threshold = 0.05, nms_threshold = 0.5;
  std::int64_t detections = 100, candidates = 1000;
  std::int64_t proposals = 1000;  // two-stage: the RPN's proposals kept per image
};
torch::Tensor detect(const torch::Tensor &raw, const torch::Tensor &anchors, const BoxWeights &weights,
                     const DetectSettings &settings, int width, int height);

// Faster R-CNN's stages after its RPN (Ren et al. 2015, as torchvision
// runs them). One image's proposals from the RPN's output (anchors x 5:
// objectness logit, then deltas): each level's best `proposals` anchors
// (level_counts anchors per level, in order) decoded, clipped, suppressed
// at IoU 0.7 within their level, the best `proposals` kept (P x 4).
torch::Tensor rpn_proposals(const torch::Tensor &head, const torch::Tensor &anchors,
                            const std::vector<std::int64_t> &level_counts, std::int64_t proposals, int width,
                            int height);
// Images' boxes as RoIAlign's rows: image index, x0 y0 x1 y1.
torch::Tensor rois_of(const std::vector<torch::Tensor> &proposals);
// Each region pooled (aligned RoIAlign) on its level by FPN's rule: the
// coarsest (strides ascending) on which its side, sqrt(w h), spans at least
// 14 cells, else the finest.
torch::Tensor pool_levels(const std::vector<torch::Tensor> &levels, const torch::Tensor &rois,
                          const std::vector<double> &strides, int output_size, int sampling_ratio);
// The box head's rows for all images' proposals, in order (K x (classes +
// 1 + 4 classes): logits with background last, then per-class deltas,
// coded with kBoxHeadWeights) to each image's detections, rows as detect's.
std::vector<torch::Tensor> box_detections(const torch::Tensor &box, const std::vector<torch::Tensor> &proposals,
                                          const DetectSettings &settings, int width, int height);
// The weights of the box head's deltas.
inline constexpr std::array<double, 4> kBoxHeadWeights = {10, 10, 5, 5};

// Anchors of one feature level: for each cell of a height x width grid
// (row-major), centred on the cell, one box per ratio and scale, ratio
// by ratio (ratio = height / width; area (size x scale)^2).
struct AnchorLevel {
  int height = 0, width = 0;  // the feature map
  double stride = 1;          // input pixels per feature cell
  double size = 32;           // the side of the ratio-1, scale-1 anchor
};
torch::Tensor make_anchors(const std::vector<AnchorLevel> &levels, const std::vector<double> &ratios,
                           const std::vector<double> &scales);

}  // namespace edl::lower
