#include "compiler/lower/torch/ExportTorchScript.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

#include <cstdio>
#include <functional>

namespace edl::lower {
namespace {

// Attribute names may not contain dots: "backbone.stem.0.weight" -> "backbone_stem_0_weight".
std::string attribute_name(std::string name) {
  for (char &c : name)
    if (c == '.') c = '_';
  return "p_" + name;
}


// A new module whose attributes are the very tensors `net` computes with
// (parameters and buffers), so the tracer recognises them as attributes
// rather than constants; `net` is put in eval mode.
torch::jit::Module module_of(torch::nn::Module &net) {
  net.eval();
  torch::jit::Module module("__torch__.edl.Model");
  for (const auto &p : net.named_parameters()) module.register_parameter(attribute_name(p.key()), p.value(), false);
  for (const auto &b : net.named_buffers()) module.register_buffer(attribute_name(b.key()), b.value());
  return module;
}

// Traces `fn` on `example` into a method `name` of `module` (a tensor, or a
// tuple of them, out).
void add_traced(torch::jit::Module &module, const torch::Tensor &example, const std::string &name,
                const std::function<c10::IValue(const torch::Tensor &)> &fn) {
  torch::NoGradGuard no_grad;
  auto traced = torch::jit::tracer::trace(
      {example}, [&](torch::jit::Stack inputs) -> torch::jit::Stack { return {fn(inputs[0].toTensor())}; },
      [](const torch::autograd::Variable &) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false,
      &module);
  std::shared_ptr<torch::jit::Graph> graph = traced.first->graph;
  torch::jit::EliminateDeadCode(graph);
  auto method = module._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*module.type()->name(), name), graph);
  module.type()->addMethod(method);
}

// A batch of one input of `shape`: an image, or a text's max_len token ids.
torch::Tensor example_input(const InputShape &shape) {
  if (shape.vocabulary > 0) return torch::zeros({1, shape.width}, torch::kInt64);
  return torch::zeros({1, shape.channels, shape.height, shape.width});
}

// Traces `forward` of `net` (on example_input) into a method `name` of a
// new module (module_of).
torch::jit::Module traced_module(torch::nn::Module &net, const InputShape &shape, const std::string &name,
                                 const std::function<torch::Tensor(const torch::Tensor &)> &forward) {
  torch::jit::Module module = module_of(net);
  add_traced(module, example_input(shape), name,
             [&](const torch::Tensor &x) { return c10::IValue(forward(x)); });
  return module;
}

// A TorchScript List[float] literal (each number with a point, or it is an int).
std::string numbers(const std::vector<double> &values) {
  std::string out;
  char one[32];
  for (double v : values) {
    std::snprintf(one, sizeof one, "%.17g", v);
    std::string text = one;
    if (text.find_first_of(".e") == std::string::npos) text += ".0";
    out += (out.empty() ? "" : ", ") + text;
  }
  return "[" + out + "]";
}

// Faster R-CNN: the levels and the RPN's outputs traced as one method, the
// box head as another, and the stages between them in the TorchScript that
// evaluation ran (DetectOps).
torch::jit::Module two_stage_module(Detector &net, const InputShape &shape) {
  torch::jit::Module module = module_of(*net);
  add_traced(module, torch::zeros({1, shape.channels, shape.height, shape.width}), "stages", [&](const torch::Tensor &x) {
    DetectorOutputs out = net->run(x);
    std::vector<c10::IValue> items = {out.head};
    for (const torch::Tensor &level : out.levels) items.emplace_back(level);
    return c10::IValue(c10::ivalue::Tuple::create(std::move(items)));
  });
  const std::int64_t channels =
      net->box_head->named_children()["fc1"]->as<torch::nn::Linear>()->options.in_features() / (kPooled * kPooled);
  add_traced(module, torch::zeros({1, channels, kPooled, kPooled}), "box_head",
             [&](const torch::Tensor &pooled) { return c10::IValue(net->box_head->forward(pooled)); });
  module.define(detect_ops_source());
  const DetectSettings &s = net->shape.settings;
  std::string levels, counts;
  for (std::size_t i = 0; i < net->level_anchors.size(); ++i) {
    levels += (i ? ", out[" : "out[") + std::to_string(i + 1) + "]";
    counts += (i ? ", " : "") + std::to_string(net->level_anchors[i]);
  }
  char call[768];
  std::snprintf(call, sizeof call,
                "def forward(self, x: Tensor) -> List[Tensor]:\n"
                "    out = self.stages(x)\n"
                "    levels = [%s]\n"
                "    proposals: List[Tensor] = []\n"
                "    for i in range(out[0].size(0)):\n"
                "        proposals.append(self.rpn_proposals(out[0][i], self.%s, [%s], %lld, %d.0, %d.0))\n"
                "    pooled = self.pool_levels(levels, self.rois_of(proposals), %s, %d, %d)\n"
                "    return self.box_detections(self.box_head(pooled), proposals, %s, %lld, %.17g, %.17g, %lld, %d.0, "
                "%d.0)\n",
                levels.c_str(), attribute_name("anchors").c_str(), counts.c_str(),
                static_cast<long long>(s.proposals), net->width, net->height, numbers(net->level_strides).c_str(),
                kPooled, kSamplingRatio,
                numbers({kBoxHeadWeights.begin(), kBoxHeadWeights.end()}).c_str(), static_cast<long long>(s.classes),
                s.score_threshold, s.nms_threshold, static_cast<long long>(s.detections), net->width, net->height);
  module.define(call);
  return module;
}

// Builds the module and saves it in evaluation mode; false with `error` when either fails.
bool save_built(const std::function<torch::jit::Module()> &build, const std::string &path, std::string &error) {
  try {
    torch::jit::Module module = build();
    module.eval();
    module.save(path);
    return true;
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
}

}  // namespace

bool export_torchscript(Network &net, const InputShape &shape, const std::string &path, std::string &error) {
  return save_built([&] { return traced_module(*net, shape, "forward", [&](const torch::Tensor &x) { return net->forward(x); }); },
                    path, error);
}

bool export_segmenter_torchscript(Segmenter &net, const InputShape &shape, const std::string &path, std::string &error) {
  return save_built([&] { return traced_module(*net, shape, "forward", [&](const torch::Tensor &x) { return net->forward(x); }); },
                    path, error);
}

bool export_detector_torchscript(Detector &net, const InputShape &shape, const std::string &path, std::string &error) {
  if (net->shape.two_stage()) return save_built([&] { return two_stage_module(net, shape); }, path, error);
  return save_built(
      [&] {
        torch::jit::Module module = traced_module(*net, shape, "raw", [&](const torch::Tensor &x) { return net->forward(x); });
        // Decoding and suppression: the very TorchScript source evaluation ran.
        module.define(detect_ops_source());
        const DetectSettings &s = net->shape.settings;
        char call[512];
        std::snprintf(call, sizeof call,
                      "self.detect(raw[i], self.%s, [1.0, 1.0, 1.0, 1.0], %lld, %.17g, %.17g, %lld, %lld, %d.0, %d.0)",
                      attribute_name("anchors").c_str(), static_cast<long long>(s.classes), s.score_threshold,
                      s.nms_threshold, static_cast<long long>(s.detections), static_cast<long long>(s.candidates),
                      net->width, net->height);
        module.define(std::string("def forward(self, x: Tensor) -> List[Tensor]:\n") +
                      "    raw = self.raw(x)\n"
                      "    out: List[Tensor] = []\n"
                      "    for i in range(raw.size(0)):\n"
                      "        out.append(" + call + ")\n"
                      "    return out\n");
        return module;
      },
      path, error);
}

}  // namespace edl::lower
