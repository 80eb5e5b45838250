// The text backbones: token ids (N x L, int64, 0 = padding) → N x features.
// Each is a Sequential of named blocks, so `freeze` and `pretrained` see
// "embed" (the token embeddings) and "encoder" like any backbone's blocks.
//   text_cnn  embeddings → 1-D convolutions of each kernel width → ReLU →
//             max over the tokens, concatenated (Kim 2014)
//   lstm      embeddings → (bi)LSTM over each row's real tokens (padding
//             is never read) → max over them, as InferSent pools
//   transformer  embeddings + learnt positions → encoder layers of
//             self-attention (padding masked out of every key) and a
//             feed-forward block (post-norm, as libtorch builds them), a
//             last layer norm → mean over the real tokens
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

// A small transformer encoder over embeddings (N x L x E): a learnt
// position embedding per place (L at most max_len), then layers of
// multi-head self-attention whose keys never include padding, and the
// mean of the outputs over the real tokens (zeros for an empty row).
class TextAttentionImpl : public torch::nn::Module {
 public:
  TextAttentionImpl(int embed, int heads, int layers, int ff, double dropout, int max_len);
  torch::Tensor forward(torch::Tensor embedded);
  torch::Tensor positions;  // max_len x E
  torch::nn::ModuleList layers{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(TextAttention);

torch::nn::Sequential text_cnn(int vocabulary, int embed, const std::vector<int> &kernels, int channels);
torch::nn::Sequential text_transformer(int vocabulary, int embed, int heads, int layers, int ff, double dropout,
                                       int max_len);
torch::nn::Sequential text_lstm(int vocabulary, int embed, int hidden, int layers, bool bidirectional);

}  // namespace edl::lower
