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
  forward_layers = register_module("forward", nn::ModuleList());
  if (bidirectional) backward_layers = register_module("backward", nn::ModuleList());
  const int directions = bidirectional ? 2 : 1;
  for (int l = 0; l < layers; ++l) {
    const int in = l == 0 ? embed : hidden * directions;
    forward_layers->push_back(nn::LSTM(nn::LSTMOptions(in, hidden).batch_first(true)));
    if (bidirectional) backward_layers->push_back(nn::LSTM(nn::LSTMOptions(in, hidden).batch_first(true)));
  }
}

torch::Tensor TextRecurrentImpl::forward(torch::Tensor embedded) {
  // Padding embeds to exactly zero (padding_idx) and sits after the text.
  // Read forwards, the real tokens come first and what follows them is
  // masked out of the pool. Read backwards, each row's real tokens are
  // reversed in place (padding stays behind them), so that direction too
  // starts at the text, from the last real token: no output depends on
  // max_len. (Packed sequences do the same, about 20x slower on CPU.)
  const std::int64_t N = embedded.size(0), L = embedded.size(1);
  const torch::Tensor real = embedded.abs().amax(2) > 0;  // N x L
  const torch::Tensor lengths = real.sum(1, true);         // N x 1
  const torch::Tensor t = torch::arange(L, torch::kInt64).unsqueeze(0).expand({N, L});
  const torch::Tensor reversed = torch::where(t < lengths, lengths - 1 - t, t);  // its own inverse
  auto flip = [&](const torch::Tensor &x) { return x.gather(1, reversed.unsqueeze(2).expand_as(x)); };
  torch::Tensor x = embedded;
  for (std::size_t l = 0; l < forward_layers->size(); ++l) {
    torch::Tensor out = std::get<0>(forward_layers[l]->as<nn::LSTM>()->forward(x));
    if (backward_layers)
      out = torch::cat({out, flip(std::get<0>(backward_layers[l]->as<nn::LSTM>()->forward(flip(x))))}, 2);
    x = out;
  }
  // Max over the real tokens; a row of padding only (an empty text) pools to zeros.
  const torch::Tensor pooled = std::get<0>(x.masked_fill(~real.unsqueeze(2), -1e4).max(1));
  return pooled.masked_fill(~real.any(1, true), 0.0);
}

TextAttentionImpl::TextAttentionImpl(int embed, int heads, int layers_count, int ff, double dropout, int max_len) {
  positions = register_parameter("positions", torch::randn({max_len, embed}) * 0.02);
  layers = register_module("layers", nn::ModuleList());
  for (int l = 0; l < layers_count; ++l)
    layers->push_back(nn::TransformerEncoderLayer(
        nn::TransformerEncoderLayerOptions(embed, heads).dim_feedforward(ff).dropout(dropout).activation(torch::kGELU)));
  norm = register_module("norm", nn::LayerNorm(nn::LayerNormOptions({embed})));
}

torch::Tensor TextAttentionImpl::forward(torch::Tensor embedded) {
  const std::int64_t L = embedded.size(1);
  const torch::Tensor real = embedded.abs().amax(2) > 0;  // N x L: padding embeds to zero
  // A row of padding only would mask every key (NaN); its first place
  // stays visible, and the pool below ignores it anyway.
  const torch::Tensor any = real.any(1, true);
  const torch::Tensor visible = real.logical_or(torch::arange(L, torch::kInt64).unsqueeze(0).eq(0).logical_and(~any));
  torch::Tensor x = (embedded + positions.narrow(0, 0, L).unsqueeze(0)).transpose(0, 1);  // L x N x E
  for (const auto &layer : *layers)
    x = layer->as<nn::TransformerEncoderLayer>()->forward(x, {}, ~visible);
  x = norm->forward(x.transpose(0, 1));  // N x L x E
  const torch::Tensor weight = real.to(x.dtype()).unsqueeze(2);
  return (x * weight).sum(1) / weight.sum(1).clamp_min(1.0);
}

nn::Sequential text_transformer(int vocabulary, int embed, int heads, int layers, int ff, double dropout, int max_len) {
  nn::Sequential s;
  s->push_back("embed", nn::Embedding(nn::EmbeddingOptions(vocabulary, embed).padding_idx(0)));
  s->push_back("encoder", TextAttention(embed, heads, layers, ff, dropout, max_len));
  return s;
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
