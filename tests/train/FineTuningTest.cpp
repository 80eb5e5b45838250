// Fine-tuning a pretrained backbone: a weights file's pretraining record
// round-trips and builds the network with TensorFlow's conventions (and an
// int8 module of it), per-block learning rates decay towards the stem,
// and gradual unfreezing turns the frozen blocks' gradients on at its
// epoch. The comparison with the original network lives in
// tests/cli/pretrained.sh (it needs TensorFlow.js).
#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/QuantizeInt8.h"
#include "runtime/train/FineTuning.h"

#include <torch/script.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <unistd.h>

using namespace edl;

namespace {

std::string temp_weights(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() / ("edl-finetune-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

lower::InputShape shape_of(int channels, int side, int classes) {
  lower::InputShape s;
  s.channels = channels;
  s.height = s.width = side;
  s.classes = classes;
  return s;
}

// A MobileNetV2 saved with a TensorFlow-style pretraining record.
std::string imported_weights() {
  lower::ModelSpec spec;
  spec.backbone = "mobilenet_v2";
  spec.width = 0.35;
  lower::Pretraining p;
  p.source = "a test";
  p.backbone = "mobilenet_v2";
  p.width = 0.35;
  p.conventions = {true, 1e-3};
  p.size = 32;
  p.mean = {0.5, 0.5, 0.5};
  p.std = {0.25, 0.25, 0.25};
  torch::manual_seed(1);
  lower::Network net = lower::build_network(spec, shape_of(3, 32, 4), p.conventions);
  const std::string path = temp_weights("imported.pt");
  lower::save_weights(*net, path, &p);
  return path;
}

}  // namespace

TEST_CASE("a weights file keeps its pretraining record, and the model computes with it", "[finetune]") {
  const std::string path = imported_weights();
  std::optional<lower::Pretraining> p = lower::read_pretraining(path);
  REQUIRE(p);
  CHECK(p->conventions.tf_padding);
  CHECK(p->conventions.bn_eps == Approx(1e-3));
  CHECK(p->mean == std::vector<double>{0.5, 0.5, 0.5});

  lower::ModelSpec spec;
  spec.backbone = "mobilenet_v2";
  spec.width = 0.35;
  spec.pretrained = path;
  std::vector<lower::ModelError> errors;
  std::string report;
  lower::Network net = lower::build_model(spec, shape_of(3, 32, 4), errors, &report);
  REQUIRE(errors.empty());
  CHECK(report.find("from a test") != std::string::npos);
  // Strided convolutions pad right and bottom only; batch norms add 1e-3.
  auto stem = net->backbone->named_children()["stem"];
  CHECK(stem->named_children().contains("pad"));
  bool eps_kept = true;
  for (const auto &m : net->modules())
    if (auto *bn = dynamic_cast<torch::nn::BatchNorm2dImpl *>(m.get())) eps_kept = eps_kept && bn->options.eps() == 1e-3;
  CHECK(eps_kept);
  // The same weights in a network without the conventions answer otherwise.
  lower::ModelSpec plain = spec;
  plain.pretrained.clear();
  lower::Network other = lower::build_model(plain, shape_of(3, 32, 4), errors);
  std::string error;
  lower::load_weights(*other, path, error);
  net->eval();
  other->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor x = torch::rand({2, 3, 32, 32});
  torch::Tensor maps = net->backbone->forward(x), shifted = other->backbone->forward(x);
  INFO("largest difference " << (maps - shifted).abs().max().item<double>());
  CHECK((maps - shifted).abs().max().item<double>() > 1e-3 * maps.abs().max().item<double>());

  // One-channel images: the stem's kernels summed over the colours answer
  // as grey fed as R = G = B.
  lower::Network grey = lower::build_model(spec, shape_of(1, 32, 4), errors);
  REQUIRE(grey);
  grey->eval();
  torch::Tensor g = torch::rand({2, 1, 32, 32});
  CHECK(torch::allclose(grey->forward(g), net->forward(g.expand({2, 3, 32, 32})), 1e-4, 1e-5));

  // The int8 rewriter pads in the quantized domain: the module answers
  // within a few uint8 steps of the float network.
  if (!lower::select_int8_engine().empty()) {
    const std::string int8 = temp_weights("int8.pt");
    REQUIRE(lower::export_int8_torchscript(net, torch::rand({64, 3, 32, 32}), int8, error));
    torch::jit::Module loaded = torch::jit::load(int8);
    torch::Tensor want = net->forward(x), got = loaded.forward({x}).toTensor();
    CHECK((got - want).abs().max().item<double>() < 0.05 * (want.max() - want.min()).item<double>());
  }

  // Weights imported for one backbone refuse another.
  lower::ModelSpec wrong = spec;
  wrong.backbone = "resnet18";
  errors.clear();
  CHECK(!lower::build_model(wrong, shape_of(3, 32, 4), errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].args.at(1) == "it holds a mobilenet_v2, and this model's backbone is resnet18");
}

TEST_CASE("layer_decay gives each backbone block a smaller rate than the one above it", "[finetune]") {
  lower::ModelSpec spec;
  spec.backbone = "cnn";
  spec.channels = {4, 8, 8};
  spec.layer_decay = 0.5;
  std::vector<lower::ModelError> errors;
  lower::Network net = lower::build_model(spec, shape_of(1, 16, 3), errors);
  REQUIRE(net);
  train::ParamGroups groups = train::param_groups(*net, &net->frozen, spec);
  // stage1, stage2, stage3, then the head.
  CHECK(groups.lr_scales == std::vector<double>{0.125, 0.25, 0.5, 1.0});
  CHECK(groups.groups.size() == 4);

  spec.layer_decay = 1.0;  // no decay, no unfreezing: one group, as before
  CHECK(train::param_groups(*net, &net->frozen, spec).lr_scales == std::vector<double>{1.0});
}

TEST_CASE("unfreeze trains the frozen blocks from its epoch on, at their scaled rate", "[finetune]") {
  lower::ModelSpec spec;
  spec.backbone = "cnn";
  spec.channels = {4, 8};
  spec.freeze = "stage1";
  spec.unfreeze_after = 2;
  spec.unfreeze_lr_scale = 0.1;
  std::vector<lower::ModelError> errors;
  lower::Network net = lower::build_model(spec, shape_of(1, 16, 3), errors);
  REQUIRE(net);
  REQUIRE(net->frozen == std::vector<std::string>{"stage1"});
  train::ParamGroups groups = train::param_groups(*net, &net->frozen, spec);
  // The frozen block is in the optimizer already, at lr x 0.1, with no gradient yet.
  CHECK(groups.lr_scales == std::vector<double>{0.1, 1.0, 1.0});
  auto frozen_weight = net->backbone->named_children()["stage1"]->parameters()[0];
  CHECK(!frozen_weight.requires_grad());
  CHECK(groups.trainable.size() + net->backbone->named_children()["stage1"]->parameters().size() ==
        net->parameters().size());

  CHECK(!train::unfreeze_if_due(*net, &net->frozen, spec, 1));  // epoch 2 (0-based 1): still frozen
  net->train();
  CHECK(!net->backbone->named_children()["stage1"]->is_training());
  CHECK(train::unfreeze_if_due(*net, &net->frozen, spec, 2));  // from epoch 3 on
  CHECK(frozen_weight.requires_grad());
  CHECK(net->frozen.empty());
  net->train();
  CHECK(net->backbone->named_children()["stage1"]->is_training());  // its batch norm moves again
  CHECK(!train::unfreeze_if_due(*net, &net->frozen, spec, 3));
}
