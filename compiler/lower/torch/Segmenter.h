// Segmentation networks: a backbone and a head that gives class scores for
// every pixel of the input. fcn (Long et al. 2015, torchvision's FCNHead):
// a 3x3 convolution to a quarter of the deepest stage's channels, batch
// norm, ReLU, dropout and 1x1 class scores, upsampled bilinearly to the
// input. unet (Ronneberger et al. 2015): a decoder that climbs back from
// the deepest stage, joining each shallower stage of the backbone (the
// last block at each stride) by concatenation and two 3x3 convolutions,
// then class scores upsampled to the input.
// Include only from files that use torch.
#pragma once

#include "compiler/lower/torch/BuildModel.h"

namespace edl::lower {

class SegmenterImpl : public torch::nn::Module {
 public:
  // N x C x H x W → N x classes x H x W class scores (logits).
  torch::Tensor forward(torch::Tensor x);
  std::vector<std::string> block_names() const;
  // Training mode but for the frozen backbone blocks (as NetworkImpl's).
  void train(bool on = true) override;

  torch::nn::Sequential backbone{nullptr};
  std::vector<int> taps;  // backbone blocks whose outputs the head reads, shallow first
  torch::nn::Sequential fcn{nullptr};        // fcn: the deepest tap → class scores
  torch::nn::ModuleList decoder{nullptr};    // unet: one stage per shallower tap, deepest first
  torch::nn::Conv2d classify{nullptr};       // unet: decoder width → class scores
  int classes = 0, width = 0, height = 0;
  std::vector<std::string> frozen;
};
TORCH_MODULE(Segmenter);

// `head` is "fcn" or "unet"; `dropout` (fcn) and `channels` (unet's decoder
// width) as the head's arguments. Finds the taps with one forward pass on
// zeros. Throws (std::exception) on shapes that cannot work.
std::shared_ptr<SegmenterImpl> make_segmenter(torch::nn::Sequential backbone, const std::string &head, double dropout,
                                              int channels, const InputShape &input);

// The segmenter a model spec with a segmentation head describes
// (BuildModel.cpp, beside build_model, whose pretrained and freeze rules it shares).
Segmenter build_segmenter(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                          std::string *pretrained_report = nullptr);

}  // namespace edl::lower
