// Models built from specs: output shapes for every backbone at several
// input sizes, shape errors as diagnostics, weights round trips, freeze.
#include "compiler/lower/torch/BuildModel.h"
#include "compiler/lower/torch/ExportTorchScript.h"
#include "compiler/lower/torch/QuantizeInt8.h"

#include <torch/script.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <unistd.h>

using namespace edl;
using namespace edl::lower;

namespace {

ModelSpec model_of(const std::string &backbone) {
  ModelSpec s;
  s.backbone = backbone;
  if (backbone == "mlp") s.hidden = {64, 32};
  if (backbone == "cnn") s.channels = {8, 16};
  s.head_hidden = {32};
  s.dropout = 0.1;
  return s;
}

std::string temp_file(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() / ("edl-model-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

}  // namespace

TEST_CASE("every backbone gives batch x classes scores at several input sizes", "[model]") {
  torch::NoGradGuard no_grad;
  struct Size { int c, h, w; };
  for (const char *backbone : {"mlp", "cnn", "resnet18", "resnet34", "resnet50", "mobilenet_v2"})
    for (Size size : {Size{1, 32, 32}, Size{3, 48, 40}, Size{3, 64, 64}}) {
      INFO(backbone << " " << size.c << "x" << size.h << "x" << size.w);
      std::vector<ModelError> errors;
      Network net = build_model(model_of(backbone), {size.c, size.h, size.w, 7}, errors);
      REQUIRE(errors.empty());
      REQUIRE(net);
      net->eval();
      torch::Tensor out = net->forward(torch::randn({3, size.c, size.h, size.w}));
      CHECK(out.sizes() == torch::IntArrayRef({3, 7}));
    }
}

TEST_CASE("resnet and mobilenet blocks are named as torchvision names them", "[model]") {
  std::vector<ModelError> errors;
  Network r = build_model(model_of("resnet18"), {3, 32, 32, 10}, errors);
  CHECK(r->block_names() == std::vector<std::string>{"stem", "layer1", "layer2", "layer3", "layer4"});
  std::int64_t params = 0;
  for (const auto &p : r->backbone->parameters()) params += p.numel();
  CHECK(params == 11176512);  // torchvision's resnet18 without its fc layer
  Network m = build_model(model_of("mobilenet_v2"), {3, 32, 32, 10}, errors);
  CHECK(m->block_names().size() == 19);  // stem, 17 inverted residual blocks, last
}

TEST_CASE("a cnn deeper than its input allows is a diagnostic at the backbone", "[model]") {
  ModelSpec s = model_of("cnn");
  s.channels = {8, 8, 8, 8};
  s.backbone_range = {0, 10, 20};
  std::vector<ModelError> errors;
  Network net = build_model(s, {1, 8, 8, 10}, errors);
  CHECK_FALSE(net);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].id == DiagId::ModelInputTooSmall);
  CHECK(errors[0].range.begin == 10);
}

TEST_CASE("a model too large to allocate is a diagnostic, not a crash", "[model]") {
  ModelSpec s = model_of("mlp");
  s.hidden = {1000000};  // 150,528 inputs x 1e6: 600 GB of weights
  s.backbone_range = {0, 3, 9};
  std::vector<ModelError> errors;
  CHECK_FALSE(build_model(s, {3, 224, 224, 10}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].id == DiagId::ModelShape);
  CHECK(errors[0].args.at(0).find("allocate") != std::string::npos);
}

TEST_CASE("freeze stops gradients up to the named block and rejects unknown names", "[model]") {
  ModelSpec s = model_of("resnet18");
  s.freeze = "layer2";
  std::vector<ModelError> errors;
  Network net = build_model(s, {3, 32, 32, 4}, errors);
  REQUIRE(net);
  auto children = net->backbone->named_children();
  for (const char *frozen : {"stem", "layer1", "layer2"})
    for (const auto &p : children[frozen]->parameters()) CHECK_FALSE(p.requires_grad());
  for (const char *trained : {"layer3", "layer4"})
    for (const auto &p : children[trained]->parameters()) CHECK(p.requires_grad());
  for (const auto &p : net->head->parameters()) CHECK(p.requires_grad());

  // In training mode the frozen blocks stay in evaluation mode: a training
  // forward pass moves the batch-norm statistics of layer3, not layer2's.
  auto running_mean = [&](const char *block) {
    for (const auto &b : children[block]->named_buffers())
      if (b.key().find("running_mean") != std::string::npos) return b.value().clone();
    FAIL("no batch norm in " << block);
    return torch::Tensor();
  };
  net->train();
  CHECK_FALSE(children["layer2"]->is_training());
  CHECK(children["layer3"]->is_training());
  torch::Tensor frozen_before = running_mean("layer2"), trained_before = running_mean("layer3");
  {
    torch::NoGradGuard no_grad;
    net->forward(torch::randn({8, 3, 32, 32}) * 3 + 1);
  }
  CHECK(torch::equal(running_mean("layer2"), frozen_before));
  CHECK_FALSE(torch::equal(running_mean("layer3"), trained_before));
  net->eval();
  CHECK_FALSE(children["layer3"]->is_training());

  s.freeze = "layer9";
  errors.clear();
  CHECK_FALSE(build_model(s, {3, 32, 32, 4}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].id == DiagId::UnknownFreezeBlock);
  CHECK(errors[0].notes.at(0) == "stem, layer1, layer2, layer3, layer4");
}

TEST_CASE("weights saved by one model load into another with a different head", "[model]") {
  std::vector<ModelError> errors;
  torch::manual_seed(1);
  Network a = build_model(model_of("cnn"), {1, 32, 32, 10}, errors);
  std::string path = temp_file("a.pt");
  save_weights(*a, path);

  torch::manual_seed(2);
  ModelSpec s = model_of("cnn");
  s.pretrained = path;
  std::string report;
  Network b = build_model(s, {1, 32, 32, 4}, errors, &report);  // 4 classes: the output layer differs
  REQUIRE(errors.empty());
  CHECK(report.find("kept new") != std::string::npos);
  auto pa = a->backbone->named_parameters(), pb = b->backbone->named_parameters();
  for (const auto &p : pa) CHECK(torch::equal(p.value(), pb[p.key()]));
  CHECK_FALSE(torch::equal(a->head->named_parameters()["out.weight"].narrow(0, 0, 4),
                           b->head->named_parameters()["out.weight"]));

  s.pretrained = temp_file("missing.pt");
  errors.clear();
  CHECK_FALSE(build_model(s, {1, 32, 32, 4}, errors));
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].id == DiagId::PretrainedUnreadable);

  std::string junk = temp_file("junk.pt");
  { std::ofstream(junk) << "not weights"; }
  s.pretrained = junk;
  errors.clear();
  CHECK_FALSE(build_model(s, {1, 32, 32, 4}, errors));
  CHECK(errors.at(0).id == DiagId::PretrainedUnreadable);
}

TEST_CASE("every backbone exported as TorchScript computes what the network computes", "[model]") {
  for (const char *backbone : {"mlp", "cnn", "resnet18", "mobilenet_v2"}) {
    INFO(backbone);
    std::vector<ModelError> errors;
    Network net = build_model(model_of(backbone), {3, 32, 32, 5}, errors);
    REQUIRE(net);
    net->eval();
    const std::string path = (std::filesystem::temp_directory_path() /
                              ("edl-ts-" + std::to_string(::getpid()) + "-" + backbone + ".pt")).string();
    std::string error;
    REQUIRE(export_torchscript(net, {3, 32, 32, 5}, path, error));
    torch::jit::Module loaded = torch::jit::load(path);
    std::filesystem::remove(path);
    torch::manual_seed(4);
    torch::Tensor x = torch::randn({4, 3, 32, 32});  // a batch of 4, traced on 1
    torch::NoGradGuard no_grad;
    torch::Tensor want = net->forward(x);
    torch::Tensor got = loaded.forward({x}).toTensor();
    CHECK(got.sizes() == want.sizes());
    CHECK(torch::allclose(got, want, 1e-5, 1e-5));
  }
}

TEST_CASE("every backbone quantized to int8 computes nearly what the network computes", "[model][int8]") {
  if (select_int8_engine().empty()) {
    WARN("this libtorch has no int8 engine");
    return;
  }
  for (const char *backbone : {"mlp", "cnn", "resnet18", "mobilenet_v2"}) {
    INFO(backbone);
    std::vector<ModelError> errors;
    torch::manual_seed(7);
    Network net = build_model(model_of(backbone), {3, 32, 32, 5}, errors);
    REQUIRE(net);
    {  // batch norms with statistics of their own, so folding them matters
      torch::NoGradGuard no_grad;
      net->train();
      for (int i = 0; i < 5; ++i) net->forward(torch::randn({16, 3, 32, 32}) * 2 + 0.5);
    }
    net->eval();
    const std::string path = temp_file(std::string("int8-") + backbone + ".pt");
    std::string error;
    torch::Tensor calibration = torch::randn({100, 3, 32, 32}) * 2 + 0.5;
    REQUIRE(export_int8_torchscript(net, calibration, path, error));
    CHECK(std::filesystem::file_size(path) > 0);
    torch::jit::Module loaded = torch::jit::load(path);
    std::filesystem::remove(path);
    torch::NoGradGuard no_grad;
    torch::Tensor x = torch::randn({8, 3, 32, 32}) * 2 + 0.5;
    torch::Tensor want = net->forward(x);
    torch::Tensor got = loaded.forward({x}).toTensor();
    REQUIRE(got.sizes() == want.sizes());
    CHECK(got.scalar_type() == torch::kFloat);
    // Within a few uint8 steps of the logits' spread.
    const double spread = (want.max() - want.min()).item<double>();
    const double worst = (got - want).abs().max().item<double>();
    INFO("spread " << spread << " worst " << worst);
    CHECK(worst < 0.05 * spread);
    CHECK(worst > 0);  // really quantized
  }
}
