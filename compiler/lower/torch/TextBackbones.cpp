#include "compiler/lower/torch/TextBackbones.h"

#include <algorithm>

namespace edl::lower {

namespace nn = torch::nn;

TextConvolutionsImpl::TextConvolutionsImpl(int embed, const std::vector<int> &kernels, int channels) {
  convs = register_module("convs", nn::ModuleList());
  for (int k : kernels) convs->push_back(nn::Conv1d(nn::Conv1dOptions(embed, channels, k)));
}

torch::Tensor TextConvolutionsImpl::forward(torch::Tensor embedded) {
  torch::Tensor x = embedded.transpose(1, 2);  // N x E x L
  std::vector<torch::Tensor> pooled;
  for (const auto &conv : *convs) {
    // A row shorter than the kernel still gets one output: padded on the right with zeros.
    const std::int64_t k = conv->as<nn::Conv1d>()->options.kernel_size()->at(0);
    torch::Tensor in = x.size(2) < k ? torch::constant_pad_nd(x, {0, k - x.size(2)}) : x;
    pooled.push_back(std::get<0>(torch::relu(conv->as<nn::Conv1d>()->forward(in)).max(2)));
  }
  return torch::cat(pooled, 1);
}

TextRecurrentImpl::TextRecurrentImpl(int embed, int hidden, int layers, bool bidirectional) {
  lstm = register_module(
      "lstm", nn::LSTM(nn::LSTMOptions(embed, hidden).num_layers(layers).batch_first(true).bidirectional(bidirectional)));
}

torch::Tensor TextRecurrentImpl::forward(torch::Tensor embedded) {
  torch::Tensor out = std::get<0>(lstm->forward(embedded));  // N x L x hidden (x2)
  // Padding never wins the max: its outputs are pushed far down. A row of
  // padding only (an empty text) pools to zeros.
  const torch::Tensor real = embedded.abs().amax(2, true) > 0;  // N x L x 1
  const torch::Tensor pooled = std::get<0>(out.masked_fill(~real, -1e4).max(1));
  return pooled.masked_fill(~real.any(1), 0.0);
}

nn::Sequential text_cnn(int vocabulary, int embed, const std::vector<int> &kernels, int channels) {
  nn::Sequential s;
  s->push_back("embed", nn::Embedding(nn::EmbeddingOptions(vocabulary, embed).padding_idx(0)));
  s->push_back("encoder", TextConvolutions(embed, kernels, channels));
  return s;
}

nn::Sequential text_lstm(int vocabulary, int embed, int hidden, int layers, bool bidirectional) {
  nn::Sequential s;
  s->push_back("embed", nn::Embedding(nn::EmbeddingOptions(vocabulary, embed).padding_idx(0)));
  s->push_back("encoder", TextRecurrent(embed, hidden, layers, bidirectional));
  return s;
}

}  // namespace edl::lower
