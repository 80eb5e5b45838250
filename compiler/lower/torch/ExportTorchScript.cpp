#include "compiler/lower/torch/ExportTorchScript.h"

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/tracer.h>
#include <torch/csrc/jit/passes/dead_code_elimination.h>

namespace edl::lower {
namespace {

// Attribute names may not contain dots: "backbone.stem.0.weight" -> "backbone_stem_0_weight".
std::string attribute_name(std::string name) {
  for (char &c : name)
    if (c == '.') c = '_';
  return "p_" + name;
}

}  // namespace

bool export_torchscript(Network &net, const InputShape &shape, const std::string &path, std::string &error) {
  try {
    torch::NoGradGuard no_grad;
    net->eval();
    torch::jit::Module module("__torch__.edl.Model");
    // The very tensors the network computes with, so the tracer recognises
    // them as the module's attributes rather than constants.
    for (const auto &p : net->named_parameters()) module.register_parameter(attribute_name(p.key()), p.value(), false);
    for (const auto &b : net->named_buffers()) module.register_buffer(attribute_name(b.key()), b.value());
    torch::Tensor example = torch::zeros({1, shape.channels, shape.height, shape.width});
    auto traced = torch::jit::tracer::trace(
        {example},
        [&](torch::jit::Stack inputs) -> torch::jit::Stack { return {net->forward(inputs[0].toTensor())}; },
        [](const torch::autograd::Variable &) { return std::string(); }, /*strict=*/true, /*force_outplace=*/false,
        &module);
    std::shared_ptr<torch::jit::Graph> graph = traced.first->graph;
    torch::jit::EliminateDeadCode(graph);
    auto fn = module._ivalue()->compilation_unit()->create_function(
        c10::QualifiedName(*module.type()->name(), "forward"), graph);
    module.type()->addMethod(fn);
    module.eval();
    module.save(path);
    return true;
  } catch (const std::exception &e) {
    error = e.what();
    return false;
  }
}

}  // namespace edl::lower
