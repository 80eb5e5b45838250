// Fine-tuning a pretrained backbone: learning rates per backbone block
// (a model's `layer_decay`) and gradual unfreezing (`unfreeze`). Decides
// the optimizer's parameter groups, the share of the job's learning rate
// each takes, and when the frozen blocks start training.
// Uses torch: include only from files that already pay for it.
#pragma once

#include "compiler/resolve/Spec.h"

#include <torch/torch.h>

#include <string>
#include <vector>

namespace edl::train {

struct ParamGroups {
  std::vector<torch::optim::OptimizerParamGroup> groups;
  std::vector<double> lr_scales;           // per group: its share of the job's learning rate
  std::vector<torch::Tensor> trainable;    // what trains from the first step (a gradient exchange's share)
};

// One group of every trainable parameter, unless the model decays
// learning rates per block or unfreezes: then a group per backbone block
// ("backbone.NAME.*"; block i of n takes decay^(n - i), and a frozen one
// lr_scale on top, ready for when it unfreezes) and one for the rest.
ParamGroups param_groups(torch::nn::Module &net, const std::vector<std::string> *frozen, const spec::Model &model);

// At the start of 0-based `epoch`: the frozen blocks train from here on if
// `unfreeze.after` epochs are done (gradients on, `frozen` emptied so
// train() moves their batch-norm statistics again). True when it did.
bool unfreeze_if_due(torch::nn::Module &net, std::vector<std::string> *frozen, const spec::Model &model, int epoch);

}  // namespace edl::train
