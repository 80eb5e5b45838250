// The text backbones: token ids (N x L, int64, 0 = padding) → N x features.
// Each is a Sequential of named blocks, so `freeze` and `pretrained` see
// "embed" (the token embeddings) and "encoder" like any backbone's blocks.
//   text_cnn  embeddings → 1-D convolutions of each kernel width → ReLU →
//             max over the tokens, concatenated (Kim 2014)
//   lstm      embeddings → (bi)LSTM over each row's real tokens (padding
//             is never read) → max over them, as InferSent pools
// Uses torch: include only from files that already pay for it.
#pragma once

#include <torch/torch.h>

#include <vector>

namespace edl::lower {

// Convolutions of several widths over embeddings (N x L x E), each max-pooled over time.
class TextConvolutionsImpl : public torch::nn::Module {
 public:
  TextConvolutionsImpl(int embed, const std::vector<int> &kernels, int channels);
  torch::Tensor forward(torch::Tensor embedded);
  torch::nn::ModuleList convs{nullptr};
};
TORCH_MODULE(TextConvolutions);

// A stacked LSTM over embeddings (N x L x E), optionally bidirectional,
// whose directions read only each row's real tokens (a padding token
// embeds to exactly zero), outputs max-pooled over them.
class TextRecurrentImpl : public torch::nn::Module {
 public:
  TextRecurrentImpl(int embed, int hidden, int layers, bool bidirectional);
  torch::Tensor forward(torch::Tensor embedded);
  // One single-layer LSTM per layer and direction.
  torch::nn::ModuleList forward_layers{nullptr}, backward_layers{nullptr};
};
TORCH_MODULE(TextRecurrent);

torch::nn::Sequential text_cnn(int vocabulary, int embed, const std::vector<int> &kernels, int channels);
torch::nn::Sequential text_lstm(int vocabulary, int embed, int hidden, int layers, bool bidirectional);

}  // namespace edl::lower
