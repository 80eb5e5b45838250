// Model specs → libtorch modules. Include only from files that use torch:
// <torch/torch.h> costs ~30 s per translation unit.
#pragma once

#include "compiler/lower/torch/ModelSpec.h"
#include "compiler/lower/torch/Pretraining.h"
#include "compiler/support/Diagnostics.h"

#include <torch/torch.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edl::lower {

// A backbone (named blocks in order, so `freeze` can name one) and a head.
// forward: N x C x H x W floats → N x classes scores.
class NetworkImpl : public torch::nn::Module {
 public:
  // `pool`: average feature maps over space (deep networks); otherwise they
  // are flattened, keeping where things are (plain cnn on small images).
  NetworkImpl(torch::nn::Sequential backbone, torch::nn::Sequential head, bool pool);
  torch::Tensor forward(torch::Tensor x);
  // The backbone's output before the head, as N x features.
  torch::Tensor features(torch::Tensor x);
  // The penultimate layer: `features` through every head layer but the
  // last (the class scores); the features themselves when the head is one
  // linear layer. What coreset measures distances on.
  torch::Tensor embedding(torch::Tensor features);
  // The class scores of an embedding.
  torch::Tensor scores(torch::Tensor embedding);
  std::vector<std::string> block_names() const;
  // Training mode for everything but the frozen blocks, which stay in
  // evaluation mode: their batch-norm statistics do not move either.
  void train(bool on = true) override;

  torch::nn::Sequential backbone{nullptr}, head{nullptr};
  bool pool = true;
  std::vector<std::string> frozen;  // backbone blocks `freeze` names, up to and including it
};
TORCH_MODULE(Network);

// The names of a backbone's blocks, in order: what `freeze` can name.
std::vector<std::string> block_names_of(const torch::nn::Sequential &backbone);
// `whole` in training mode (`on`) but the `frozen` blocks of its backbone
// in evaluation mode: their batch-norm statistics do not move either.
// What every network's train() override does.
void train_unfrozen(torch::nn::Module &whole, const torch::nn::Sequential &backbone,
                    const std::vector<std::string> &frozen, bool on);

struct ModelError {
  SourceRange range;
  DiagId id;
  std::vector<std::string> args;
  std::vector<std::string> notes;  // extra lines for people, e.g. the block names there are
};

struct InputShape {
  int channels = 1, height = 0, width = 0;
  int classes = 0;
  // Text: token ids below `vocabulary`, `width` (max_len) per row; 0 for images.
  int vocabulary = 0;
  // Sound: 1 x n_mels (height) x frames (width) log-mel spectrograms.
  bool spectrogram = false;
};

// Builds the network and checks its shapes with one forward pass on zeros;
// loads `pretrained` weights and applies `freeze`. Empty with errors that
// point at the model block when the spec cannot work for this input.
Network build_model(const ModelSpec &spec, const InputShape &input, std::vector<ModelError> &errors,
                    std::string *pretrained_report = nullptr);

// The image network the spec names (its backbone, pooled, and a classifier
// head of `head_hidden` layers), computing with `conventions`, fresh
// weights: what importing a network fills. Throws when it cannot be built.
Network build_network(const ModelSpec &spec, const InputShape &input, const Conventions &conventions);

// Every parameter and buffer by qualified name: the weights file format
// (`torch::pickle_save` of a dict, readable by Python's torch.load), with
// the pretraining record of an imported network.
void save_weights(torch::nn::Module &model, const std::string &path, const Pretraining *pretraining = nullptr);

// A weights file: its tensors by name, and the record of where they came
// from when they were imported.
struct WeightsFile {
  std::map<std::string, torch::Tensor> tensors;
  std::optional<Pretraining> pretraining;
};
// False with a reason in `error` when the file cannot be read.
bool read_weights_file(const std::string &path, WeightsFile &file, std::string &error);
// The pretraining record of a weights file; null for a file a run saved
// (or one that cannot be read: building the model reports that).
std::optional<Pretraining> read_pretraining(const std::string &path);

// Copies the tensors of a weights file whose name and shape match; returns
// how many, and names a reason in `error` when the file cannot be read.
std::size_t load_weights(torch::nn::Module &model, const std::string &path, std::string &error,
                         std::size_t *skipped = nullptr);

}  // namespace edl::lower
