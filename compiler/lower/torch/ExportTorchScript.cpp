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


// Traces `forward` of `net` (in eval mode, on a batch of one input of
// `shape`) into a method `name` of a new module whose attributes are the
// net's parameters and buffers.
torch::jit::Module traced_module(torch::nn::Module &net, const InputShape &shape, const std::string &name,
                                 const std::function<torch::Tensor(const torch::Tensor &)> &forward) {
  torch::NoGradGuard no_grad;
  net.eval();
  torch::jit::Module module("__torch__.edl.Model");
  // The very tensors the network computes with, so the tracer recognises
  // them as the module's attributes rather than constants.
  for (const auto &p : net.named_parameters()) module.register_parameter(attribute_name(p.key()), p.value(), false);
  for (const auto &b : net.named_buffers()) module.register_buffer(attribute_name(b.key()), b.value());
  torch::Tensor example = torch::zeros({1, shape.channels, shape.height, shape.width});
  auto traced = torch::jit::tracer::trace(
      {example}, [&](torch::jit::Stack inputs) -> torch::jit::Stack { return {forward(inputs[0].toTensor())}; },
      [](const torch::autograd::Variable &) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false,
      &module);
  std::shared_ptr<torch::jit::Graph> graph = traced.first->graph;
  torch::jit::EliminateDeadCode(graph);
  auto fn = module._ivalue()->compilation_unit()->create_function(c10::QualifiedName(*module.type()->name(), name), graph);
  module.type()->addMethod(fn);
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

bool export_detector_torchscript(Detector &net, const InputShape &shape, const std::string &path, std::string &error) {
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
