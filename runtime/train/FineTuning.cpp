#include "runtime/train/FineTuning.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace edl::train {
namespace {

// "backbone.block3.body.0.weight" → "block3"; "" outside the backbone.
std::string block_of(const std::string &name) {
  const std::string prefix = "backbone.";
  if (name.rfind(prefix, 0) != 0) return "";
  return name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size());
}

bool is_frozen(const std::vector<std::string> *frozen, const std::string &block) {
  return frozen && !block.empty() && std::find(frozen->begin(), frozen->end(), block) != frozen->end();
}

}  // namespace

ParamGroups param_groups(torch::nn::Module &net, const std::vector<std::string> *frozen, const spec::Model &model) {
  ParamGroups out;
  const auto named = net.named_parameters();
  for (const auto &p : named)
    if (p.value().requires_grad()) out.trainable.push_back(p.value());
  const bool unfreezes = model.unfreeze_after > 0 && frozen && !frozen->empty();
  if (model.layer_decay >= 1.0 && !unfreezes) {
    out.groups.emplace_back(out.trainable);
    out.lr_scales.push_back(1.0);
    return out;
  }
  std::vector<std::string> blocks;  // in the backbone's order
  std::map<std::string, std::vector<torch::Tensor>> by_block;
  for (const auto &p : named) {
    const std::string block = block_of(p.key());
    if (!p.value().requires_grad() && !(unfreezes && is_frozen(frozen, block))) continue;
    if (!by_block.count(block) && !block.empty()) blocks.push_back(block);
    by_block[block].push_back(p.value());
  }
  const int n = static_cast<int>(blocks.size());
  for (int i = 0; i < n; ++i) {
    double scale = std::pow(model.layer_decay, n - i);
    if (is_frozen(frozen, blocks[i])) scale *= model.unfreeze_lr_scale;
    out.groups.emplace_back(by_block[blocks[i]]);
    out.lr_scales.push_back(scale);
  }
  if (by_block.count("")) {  // the head (and a detector's neck): the job's rate
    out.groups.emplace_back(by_block[""]);
    out.lr_scales.push_back(1.0);
  }
  return out;
}

bool unfreeze_if_due(torch::nn::Module &net, std::vector<std::string> *frozen, const spec::Model &model, int epoch) {
  if (model.unfreeze_after <= 0 || !frozen || frozen->empty() || epoch < model.unfreeze_after) return false;
  for (const auto &p : net.named_parameters())
    if (is_frozen(frozen, block_of(p.key()))) p.value().set_requires_grad(true);
  frozen->clear();
  return true;
}

}  // namespace edl::train
