#include "runtime/pretrained/ImportTfjs.h"

#include "compiler/lower/torch/BuildModel.h"

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>

namespace edl::pretrained {
namespace {

namespace nn = torch::nn;

bool holds_weights(const TfjsLayer &l) {
  return l.class_name == "Conv2D" || l.class_name == "DepthwiseConv2D" || l.class_name == "BatchNormalization" ||
         l.class_name == "Dense";
}

const TfjsWeight *weight(const TfjsLayer &layer, const std::string &suffix) {
  for (const TfjsWeight &w : layer.weights)
    if (w.name.size() > suffix.size() && w.name.compare(w.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
        w.name[w.name.size() - suffix.size() - 1] == '/')
      return &w;
  return nullptr;
}

torch::Tensor tensor_of(const TfjsWeight &w) {
  return torch::from_blob(const_cast<float *>(w.values.data()), w.shape, torch::kFloat32).clone();
}

std::string shape_text(torch::IntArrayRef sizes) {
  std::ostringstream out;
  out << sizes;
  return out.str();
}

int stride_of(const TfjsLayer &l) {
  const nlohmann::json &s = l.config.value("strides", nlohmann::json::array({1, 1}));
  return s.is_array() && !s.empty() ? s[0].get<int>() : 1;
}

const TfjsLayer *layer_named(const TfjsModel &m, const std::string &name) {
  for (const TfjsLayer &l : m.layers)
    if (l.name == name) return &l;
  return nullptr;
}

// TensorFlow's batch-norm epsilon (one for the whole network) and whether
// its strided convolutions pad on the right and bottom only.
std::optional<lower::Conventions> conventions_of(const TfjsModel &m, std::string &error) {
  lower::Conventions c;
  std::set<double> eps;
  std::set<bool> tf_padding;
  for (const TfjsLayer &l : m.layers) {
    if (l.class_name == "BatchNormalization") eps.insert(l.config.value("epsilon", 1e-3));
    if ((l.class_name != "Conv2D" && l.class_name != "DepthwiseConv2D") || stride_of(l) == 1) continue;
    if (l.config.value("padding", "valid") == "same") {
      tf_padding.insert(true);
      continue;
    }
    const TfjsLayer *in = l.inputs.size() == 1 ? layer_named(m, l.inputs[0]) : nullptr;
    if (!in || in->class_name != "ZeroPadding2D") continue;  // unpadded: no stdlib network has one
    const nlohmann::json &p = in->config.at("padding");
    const int top = p[0][0].get<int>(), bottom = p[0][1].get<int>(), left = p[1][0].get<int>(), right = p[1][1].get<int>();
    if (top == bottom && left == right) tf_padding.insert(false);
    else if (top + 1 == bottom && left + 1 == right) tf_padding.insert(true);
    else return error = "layer " + in->name + " pads " + p.dump() + ", which no stdlib network does", std::nullopt;
  }
  if (eps.size() > 1) return error = "its batch norms use different epsilons", std::nullopt;
  if (tf_padding.size() > 1) return error = "its strided convolutions pad in two different ways", std::nullopt;
  if (!eps.empty()) c.bn_eps = *eps.begin();
  c.tf_padding = !tf_padding.empty() && *tf_padding.begin();
  return c;
}

struct Target {
  std::string name;
  nn::Module *module;
};

std::vector<Target> targets_of(nn::Module &net) {
  std::vector<Target> out;
  for (const auto &m : net.named_modules("", false)) {
    nn::Module *p = m.value().get();
    if (dynamic_cast<nn::Conv2dImpl *>(p) || dynamic_cast<nn::BatchNorm2dImpl *>(p) || dynamic_cast<nn::LinearImpl *>(p))
      out.push_back({m.key(), p});
  }
  return out;
}

// One Keras layer's tensors in our layouts, by our parameter names (under
// `t.name`); an empty map with `error` when they do not fit `t`.
std::map<std::string, torch::Tensor> converted(const TfjsLayer &l, const Target &t, std::string &error) {
  std::map<std::string, torch::Tensor> out;
  auto misfit = [&](const std::string &why) {
    error = "layer " + l.name + " (" + l.class_name + ") does not fit " + t.name + ": " + why;
    return std::map<std::string, torch::Tensor>{};
  };
  auto require = [&](const char *suffix) -> const TfjsWeight * {
    const TfjsWeight *w = weight(l, suffix);
    if (!w) error = "layer " + l.name + " has no " + suffix;
    return w;
  };
  if (auto *conv = dynamic_cast<nn::Conv2dImpl *>(t.module)) {
    const bool depthwise = l.class_name == "DepthwiseConv2D";
    if (l.class_name != "Conv2D" && !depthwise) return misfit("a convolution here");
    const TfjsWeight *k = require(depthwise ? "depthwise_kernel" : "kernel");
    if (!k) return {};
    torch::Tensor w = tensor_of(*k);
    if (w.dim() != 4) return misfit("its kernel is not 4-D");
    if (depthwise) w = w.permute({2, 3, 0, 1}).reshape({w.size(2) * w.size(3), 1, w.size(0), w.size(1)});
    else w = w.permute({3, 2, 0, 1});
    if (w.sizes() != conv->weight.sizes())
      return misfit("kernel " + shape_text(w.sizes()) + ", the convolution's " + shape_text(conv->weight.sizes()));
    if (depthwise != (conv->options.groups() > 1 && conv->options.groups() == conv->options.in_channels()))
      return misfit(depthwise ? "a depthwise kernel for a full convolution" : "a full kernel for a depthwise convolution");
    if (stride_of(l) != (*conv->options.stride())[0]) return misfit("another stride");
    out[t.name + ".weight"] = w.contiguous();
    const TfjsWeight *b = weight(l, "bias");
    if (b && !conv->options.bias()) return misfit("a bias the convolution does not have");
    if (!b && conv->options.bias()) return misfit("no bias, and the convolution has one");
    if (b) out[t.name + ".bias"] = tensor_of(*b);
    return out;
  }
  if (auto *bn = dynamic_cast<nn::BatchNorm2dImpl *>(t.module)) {
    if (l.class_name != "BatchNormalization") return misfit("a batch norm here");
    const TfjsWeight *mean = require("moving_mean"), *var = require("moving_variance");
    if (!mean || !var) return {};
    const std::int64_t n = bn->options.num_features();
    if (mean->values.size() != static_cast<std::size_t>(n))
      return misfit(std::to_string(mean->values.size()) + " features, the batch norm's " + std::to_string(n));
    const TfjsWeight *gamma = weight(l, "gamma"), *beta = weight(l, "beta");
    out[t.name + ".weight"] = gamma ? tensor_of(*gamma) : torch::ones({n});
    out[t.name + ".bias"] = beta ? tensor_of(*beta) : torch::zeros({n});
    out[t.name + ".running_mean"] = tensor_of(*mean);
    out[t.name + ".running_var"] = tensor_of(*var);
    return out;
  }
  auto *linear = dynamic_cast<nn::LinearImpl *>(t.module);
  if (l.class_name != "Dense") return misfit("a dense layer here");
  const TfjsWeight *k = require("kernel");
  if (!k) return {};
  torch::Tensor w = tensor_of(*k).t().contiguous();
  if (w.sizes() != linear->weight.sizes())
    return misfit("kernel " + shape_text(w.sizes()) + " (transposed), the layer's " + shape_text(linear->weight.sizes()));
  out[t.name + ".weight"] = w;
  if (const TfjsWeight *b = weight(l, "bias")) out[t.name + ".bias"] = tensor_of(*b);
  else out[t.name + ".bias"] = torch::zeros({w.size(0)});
  return out;
}

// The dense head: hidden widths and the outputs of the last one.
void head_of(const std::vector<const TfjsLayer *> &layers, std::vector<int> &hidden, int &classes) {
  std::vector<int> units;
  for (const TfjsLayer *l : layers)
    if (l->class_name == "Dense") units.push_back(l->config.at("units").get<int>());
  classes = units.empty() ? 0 : units.back();
  hidden.assign(units.begin(), units.empty() ? units.end() : units.end() - 1);
}

// The layers between the backbone's last weighted layer and the first
// dense one pool the whole map (global average pooling, or an average
// pooling as large as the map at the model's input size).
bool pools_whole_map(const TfjsModel &m, std::int64_t map_h, std::int64_t map_w, std::string &error) {
  bool pooled = false;
  for (const TfjsLayer &l : m.layers) {
    if (l.class_name == "Dense") break;
    if (l.class_name == "GlobalAveragePooling2D") pooled = true;
    if (l.class_name == "AveragePooling2D") {
      const nlohmann::json &size = l.config.at("pool_size");
      if (size[0].get<std::int64_t>() != map_h || size[1].get<std::int64_t>() != map_w)
        return error = "layer " + l.name + " pools " + size.dump() + ", not the whole " + std::to_string(map_h) + "x" +
                       std::to_string(map_w) + " map (the stdlib classifier reads the map's average)",
               false;
      pooled = true;
    }
  }
  if (!pooled) error = "its dense layers read an unpooled map (the stdlib classifier reads the map's average)";
  return pooled;
}

}  // namespace

bool import_tfjs(const TfjsModel &model, const ImportOptions &options, const std::string &out, ImportReport &report,
                 std::string &error) {
  if (options.as != "mobilenet_v2") {
    error = "--as " + options.as + ": only mobilenet_v2 can be imported from TensorFlow.js";
    return false;
  }
  std::optional<lower::Conventions> conventions = conventions_of(model, error);
  if (!conventions) return false;
  std::vector<const TfjsLayer *> keras;
  for (const TfjsLayer &l : model.layers) {
    if (holds_weights(l)) keras.push_back(&l);
    else if (!l.weights.empty()) {
      error = "layer " + l.name + " (" + l.class_name + ") has weights, and no stdlib network has such a layer";
      return false;
    }
  }
  std::vector<int> hidden;
  int classes = 0;
  head_of(keras, hidden, classes);
  lower::InputShape input;
  input.channels = static_cast<int>(model.channels ? model.channels : 3);
  input.height = static_cast<int>(model.height ? model.height : 224);
  input.width = static_cast<int>(model.width ? model.width : 224);
  input.classes = std::max(classes, 1);

  torch::NoGradGuard no_grad;
  std::string why;
  for (double width : {1.0, 0.35, 0.5, 0.75, 1.3, 1.4}) {
    lower::ModelSpec spec;
    spec.backbone = options.as;
    spec.width = width;
    for (int h : hidden) spec.head_hidden.emplace_back(h);
    lower::Network net = lower::build_network(spec, input, *conventions);
    std::vector<Target> targets = targets_of(*net);
    if (classes == 0)  // no dense head: the backbone's layers only
      targets.erase(std::remove_if(targets.begin(), targets.end(),
                                   [](const Target &t) { return t.name.rfind("backbone.", 0) != 0; }),
                    targets.end());
    if (targets.size() != keras.size()) {
      why = std::to_string(keras.size()) + " layers with weights, and " + options.as + " with this head has " +
            std::to_string(targets.size());
      continue;
    }
    std::map<std::string, torch::Tensor> tensors;
    bool fits = true;
    for (std::size_t i = 0; i < keras.size() && fits; ++i) {
      std::map<std::string, torch::Tensor> one = converted(*keras[i], targets[i], why);
      fits = !one.empty();
      tensors.insert(one.begin(), one.end());
    }
    if (!fits) continue;
    if (classes > 0) {
      const torch::Tensor map = net->backbone->forward(torch::zeros({1, input.channels, input.height, input.width}));
      if (!pools_whole_map(model, map.size(2), map.size(3), error)) return false;
    }
    for (const auto &p : net->named_parameters()) {
      auto it = tensors.find(p.key());
      if (it != tensors.end()) p.value().copy_(it->second);
    }
    for (const auto &b : net->named_buffers()) {
      auto it = tensors.find(b.key());
      if (it != tensors.end()) b.value().copy_(it->second);
    }
    lower::Pretraining &p = report.pretraining;
    p.source = !options.source.empty() ? options.source
               : !model.generated_by.empty() ? model.generated_by
                                             : "a TensorFlow.js layers model (Keras " + model.keras_version + ")";
    p.backbone = options.as;
    p.width = width;
    p.conventions = *conventions;
    p.channels = input.channels;
    p.size = input.height == input.width ? input.height : 0;
    p.mean.assign(input.channels, 0.0);
    p.std.assign(input.channels, 1.0);
    for (int c = 0; c < input.channels; ++c) {
      p.mean[c] = options.mean[std::min<std::size_t>(c, options.mean.size() - 1)];
      p.std[c] = options.std[std::min<std::size_t>(c, options.std.size() - 1)];
    }
    p.head_hidden = hidden;
    p.classes = options.classes;
    if (!p.classes.empty() && static_cast<int>(p.classes.size()) != classes) {
      error = std::to_string(p.classes.size()) + " class names, and the model's last layer has " + std::to_string(classes) +
              " outputs";
      return false;
    }
    report.tensors = 0;
    report.values = 0;
    for (const TfjsLayer *l : keras)
      for (const TfjsWeight &w : l->weights) {
        ++report.tensors;
        report.values += w.values.size();
      }
    report.classes = classes;
    if (classes == 0) {
      // Only the backbone's tensors: a head of one dummy class is no pretraining.
      lower::Network backbone_only(net->backbone, nn::Sequential(), true);
      lower::save_weights(*backbone_only, out, &p);
    } else {
      lower::save_weights(*net, out, &p);
    }
    return true;
  }
  error = "it does not fit " + options.as + " at any width: " + why;
  return false;
}

}  // namespace edl::pretrained
