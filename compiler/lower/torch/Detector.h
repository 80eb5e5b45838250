// One-stage detection networks: a backbone, an optional feature pyramid
// (fpn) over its stride-8/16/32 blocks, and a head of a classification and
// a box tower shared by every level, one anchor set per cell: RetinaNet's
// (Lin et al. 2017: class logits and R-CNN deltas, trained with focal
// loss) or YOLO's (objectness too, and bounded box offsets, YoloCoding.h).
// Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/DetectOps.h"

namespace edl::lower {

struct DetectorShape {
  bool yolo = false;  // the head: yolo, or retinanet
  std::vector<double> sizes = {32, 64, 128}, ratios = {0.5, 1.0, 2.0}, scales = {1.0, 1.26, 1.587};
  bool fpn = false;
  int fpn_channels = 256;
  int depth = 4;      // conv layers in each tower
  int channels = 256; // width of the towers
  DetectSettings settings;
};

class DetectorImpl : public torch::nn::Module {
 public:
  // forward: N x C x H x W → N x anchors x (classes + 4): class logits, then
  // box deltas against `anchors` (R-CNN coding, unit weights), whatever the
  // head: what decoding, evaluation and the export read.
  torch::Tensor forward(torch::Tensor x);
  // The head's own outputs, which its loss reads: retinanet's are forward's;
  // yolo's are N x anchors x (1 + classes + 4): objectness, class and box
  // logits.
  torch::Tensor head_outputs(torch::Tensor x);
  // head_outputs → forward's form.
  torch::Tensor scores_and_deltas(const torch::Tensor &head) const;
  // Each image's detections (DetectOps' detect): rows x0 y0 x1 y1 score label.
  std::vector<torch::Tensor> detect(const torch::Tensor &x);
  // One image's detections from its row of forward's output.
  torch::Tensor detections(const torch::Tensor &raw) const;
  std::vector<std::string> block_names() const;
  void train(bool on = true) override;

  torch::nn::Sequential backbone{nullptr};
  std::vector<int> taps;  // backbone blocks whose outputs feed the levels, shallow first
  torch::nn::ModuleList lateral{nullptr}, smooth{nullptr}, extra{nullptr};  // the pyramid (fpn only)
  torch::nn::Sequential class_tower{nullptr}, box_tower{nullptr};
  torch::Tensor anchors;  // anchors x 4 (a buffer)
  torch::Tensor strides;  // yolo: each anchor's level stride (a buffer)
  int classes = 0, width = 0, height = 0;
  DetectorShape shape;
  std::vector<std::string> frozen;

 private:
  std::vector<torch::Tensor> levels(torch::Tensor x);
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
