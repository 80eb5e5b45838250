// Detection networks: a backbone, an optional feature pyramid (fpn) over
// its stride-8/16/32 blocks, and a head of a classification and a box
// tower shared by every level, one anchor set per cell: RetinaNet's (Lin et
// al. 2017: class logits and R-CNN deltas, trained with focal loss),
// YOLO's (objectness too, and bounded box offsets, YoloCoding.h), or
// Faster R-CNN's region proposal network (objectness and deltas), whose
// proposals a box head classifies and refines from RoIAlign-pooled levels.
// Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/DetectOps.h"

namespace edl::lower {

struct DetectorShape {
  enum class Head { retinanet, yolo, faster_rcnn } head = Head::retinanet;
  bool yolo() const { return head == Head::yolo; }
  bool two_stage() const { return head == Head::faster_rcnn; }
  std::vector<double> sizes = {32, 64, 128}, ratios = {0.5, 1.0, 2.0}, scales = {1.0, 1.26, 1.587};
  bool fpn = false;
  int fpn_channels = 256;
  int depth = 4;      // conv layers in each tower
  int channels = 256; // width of the towers
  int box_width = 1024;  // faster_rcnn: the box head's two layers
  int rois = 512;        // faster_rcnn: proposals sampled per image to train the box head
  DetectSettings settings;
};

// faster_rcnn pools each region to 7 x 7, two samples per bin and axis
// (torchvision's MultiScaleRoIAlign).
inline constexpr int kPooled = 7, kSamplingRatio = 2;

// What one pass of the network gives: the pyramid's levels (shallow
// first) and the head's own outputs on them.
struct DetectorOutputs {
  std::vector<torch::Tensor> levels;
  torch::Tensor head;
};

class DetectorImpl : public torch::nn::Module {
 public:
  // The levels and the head's outputs, N x anchors x K, which its loss
  // reads: retinanet's class logits then box deltas (K = classes + 4);
  // yolo's objectness, class and box logits (1 + classes + 4); the RPN's
  // objectness logit and deltas (1 + 4).
  DetectorOutputs run(torch::Tensor x);
  torch::Tensor head_outputs(torch::Tensor x) { return run(std::move(x)).head; }
  // One-stage heads: N x anchors x (classes + 4), class logits, then box
  // deltas against `anchors` (R-CNN coding, unit weights), whatever the
  // head: what decoding and the export read. faster_rcnn: the RPN's outputs.
  torch::Tensor forward(torch::Tensor x);
  // A one-stage head's outputs → forward's form.
  torch::Tensor scores_and_deltas(const torch::Tensor &head) const;
  // Each image's detections: rows x0 y0 x1 y1 score label, best first.
  std::vector<torch::Tensor> detect(const torch::Tensor &x) { return detections(run(x)); }
  std::vector<torch::Tensor> detections(const DetectorOutputs &out);
  // faster_rcnn: each image's proposals (DetectOps' rpn_proposals), and the
  // box head's rows for regions (RoIAlign rows) pooled from the levels.
  std::vector<torch::Tensor> proposals(const torch::Tensor &head) const;
  torch::Tensor box_outputs(const std::vector<torch::Tensor> &levels, const torch::Tensor &rois);
  std::vector<std::string> block_names() const;
  void train(bool on = true) override;

  torch::nn::Sequential backbone{nullptr};
  std::vector<int> taps;  // backbone blocks whose outputs feed the levels, shallow first
  torch::nn::ModuleList lateral{nullptr}, smooth{nullptr}, extra{nullptr};  // the pyramid (fpn only)
  torch::nn::Sequential class_tower{nullptr}, box_tower{nullptr};
  torch::Tensor anchors;  // anchors x 4 (a buffer)
  torch::Tensor strides;  // yolo: each anchor's level stride (a buffer)
  torch::nn::Sequential box_head{nullptr};  // faster_rcnn: pooled regions → logits and deltas
  std::vector<std::int64_t> level_anchors;  // anchors on each level, in order
  std::vector<double> level_strides;
  int classes = 0, width = 0, height = 0;
  DetectorShape shape;
  std::vector<std::string> frozen;

 private:
  std::vector<torch::Tensor> levels(torch::Tensor x);
  torch::Tensor one_stage_detections(const torch::Tensor &raw) const;
  friend std::shared_ptr<DetectorImpl> make_detector(torch::nn::Sequential, const DetectorShape &, const InputShape &);
};
TORCH_MODULE(Detector);

// The detector for a backbone: finds its taps by one forward pass on
// zeros, builds pyramid, towers and anchors. Throws (std::exception) on
// shapes that cannot work.
std::shared_ptr<DetectorImpl> make_detector(torch::nn::Sequential backbone, const DetectorShape &shape,
                                            const InputShape &input);

// The detector a model spec with a detection head describes (BuildModel.cpp,
// beside build_model, whose pretrained and freeze rules it shares).
Detector build_detector(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                        std::string *pretrained_report = nullptr);

}  // namespace edl::lower
