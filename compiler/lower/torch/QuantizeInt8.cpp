#include "compiler/lower/torch/QuantizeInt8.h"

#include "compiler/lower/torch/Blocks.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/frontend/resolver.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace edl::lower {
namespace {

namespace nn = torch::nn;

// A point of the quantized forward: its TorchScript variable, and the float
// value the network computes there for the current calibration chunk.
struct Value {
  std::string var;
  torch::Tensor f;
};

struct QParams {
  double scale = 1;
  std::int64_t zero_point = 0;
};

enum class Activation { None, Relu, Relu6 };

Activation activation_of(const nn::Module *m) {
  if (dynamic_cast<const nn::ReLUImpl *>(m)) return Activation::Relu;
  if (dynamic_cast<const nn::ReLU6Impl *>(m)) return Activation::Relu6;
  return Activation::None;
}

// A float the TorchScript parser reads back as the same double.
std::string literal(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

std::string int_list(c10::ArrayRef<std::int64_t> v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Symmetric int8 per output channel, the weight format every engine takes.
torch::Tensor per_channel_int8(const torch::Tensor &w) {
  torch::Tensor scales = w.abs().flatten(1).amax(1).clamp_min(1e-8).to(torch::kDouble) / 127;
  return torch::quantize_per_channel(w.contiguous(), scales, torch::zeros_like(scales, torch::kLong), 0,
                                     torch::kQInt8);
}

// Runs a registered operator (quantized::conv2d_prepack, ...) by name: the
// prepacked weights it returns are TorchScript objects the module keeps.
c10::IValue call_operator(const char *name, torch::jit::Stack stack) {
  c10::Dispatcher::singleton().findSchemaOrThrow(name, "").callBoxed(&stack);
  return stack.at(0);
}

// Names the generated forward uses: torch.* (aten) and quantized.*.
struct QuantizedNames : torch::jit::Resolver {
  std::shared_ptr<torch::jit::SugaredValue> resolveValue(const std::string &name, torch::jit::GraphFunction &,
                                                         const torch::jit::SourceRange &) override {
    if (name == "torch") return std::make_shared<torch::jit::BuiltinModule>("aten");
    if (name == "quantized") return std::make_shared<torch::jit::BuiltinModule>("quantized");
    return nullptr;
  }
  torch::jit::TypePtr resolveType(const std::string &, const torch::jit::SourceRange &) override { return nullptr; }
};

// Walks the network once per calibration chunk, in the same order each
// time, widening the observed range of every quantized point; the last walk
// also writes the module: prepacked weights as attributes, forward's code.
class Quantizer {
 public:
  explicit Quantizer(torch::jit::Module &out) : out_(out) {}

  void walk(Network &net, const torch::Tensor &x, bool emit) {
    emit_ = emit;
    point_ = 0;
    vars_ = 0;
    code_ = "def forward(self, x: Tensor) -> Tensor:\n";
    Value v{next_var(), x};
    const QParams q = observe(x);
    line(v.var + " = torch.quantize_per_tensor(x, " + literal(q.scale) + ", " + std::to_string(q.zero_point) + ", " +
         std::to_string(static_cast<int>(c10::ScalarType::QUInt8)) + ")");
    v = sequence(*net->backbone, "backbone", v);
    Value features{next_var(), {}};
    if (v.f.dim() == 4 && net->pool) {
      features.f = torch::adaptive_avg_pool2d(v.f, {1, 1}).flatten(1);
      line(features.var + " = torch.flatten(torch.adaptive_avg_pool2d(" + v.var + ", [1, 1]), 1)");
    } else {
      features.f = v.f.flatten(1);
      line(features.var + " = torch.flatten(" + v.var + ", 1)");
    }
    v = sequence(*net->head, "head", features);
    line("return " + v.var + ".dequantize()");
  }

  const std::string &code() const { return code_; }

 private:
  Value sequence(nn::Module &seq, const std::string &path, Value x) {
    const auto children = seq.named_children().items();
    for (std::size_t i = 0; i < children.size(); ++i) {
      const std::string name = path + "_" + children[i].key();
      nn::Module *m = children[i].value().get();
      nn::Module *next = i + 1 < children.size() ? children[i + 1].value().get() : nullptr;
      if (auto *c = dynamic_cast<nn::Conv2dImpl *>(m)) {
        // conv [→ batch norm] [→ ReLU/ReLU6]: one quantized kernel.
        auto *bn = dynamic_cast<nn::BatchNorm2dImpl *>(next);
        if (bn) ++i;
        const Activation act = i + 1 < children.size() ? activation_of(children[i + 1].value().get()) : Activation::None;
        if (act != Activation::None) ++i;
        x = conv(*c, bn, act, name, x);
      } else if (auto *l = dynamic_cast<nn::LinearImpl *>(m)) {
        const bool relu = activation_of(next) == Activation::Relu;
        if (relu) ++i;
        x = linear(*l, relu, name, x);
      } else if (auto *p = dynamic_cast<nn::MaxPool2dImpl *>(m)) {
        x = max_pool(*p, x);
      } else if (auto *z = dynamic_cast<nn::ZeroPad2dImpl *>(m)) {
        // TensorFlow's padding of an imported network: a quantized tensor
        // pads with its zero point, which stands for 0.
        Value y{next_var(), torch::constant_pad_nd(x.f, *z->options.padding(), 0)};
        line(y.var + " = torch.constant_pad_nd(" + x.var + ", " + int_list(*z->options.padding()) + ", 0.)");
        x = y;
      } else if (auto *f = dynamic_cast<nn::FlattenImpl *>(m)) {
        Value y{next_var(), x.f.flatten(f->options.start_dim(), f->options.end_dim())};
        line(y.var + " = torch.flatten(" + x.var + ", " + std::to_string(f->options.start_dim()) + ", " +
             std::to_string(f->options.end_dim()) + ")");
        x = y;
      } else if (dynamic_cast<nn::DropoutImpl *>(m)) {
        continue;  // the identity in eval mode
      } else if (auto *r = dynamic_cast<ResidualImpl *>(m)) {
        Value body = sequence(*r->body, name + "_body", x);
        Value skip = r->shortcut ? sequence(*r->shortcut, name + "_shortcut", x) : x;
        x = add(body, skip, true);
      } else if (auto *r = dynamic_cast<InvertedResidualImpl *>(m)) {
        Value body = sequence(*r->body, name + "_body", x);
        x = r->skips() ? add(x, body, false) : body;
      } else if (dynamic_cast<nn::SequentialImpl *>(m)) {
        x = sequence(*m, name, x);
      } else {
        throw std::runtime_error("cannot quantize " + name + " (" + m->name() + ")");
      }
    }
    return x;
  }

  Value conv(nn::Conv2dImpl &c, nn::BatchNorm2dImpl *bn, Activation act, const std::string &name, const Value &x) {
    torch::Tensor w = c.weight.detach();
    torch::Tensor b = c.options.bias() ? c.bias.detach() : torch::zeros({w.size(0)});
    if (bn) {  // folded: bn(conv(x, w) + b) = conv(x, w * k) + (b - mean) * k + beta
      torch::Tensor k = bn->weight.detach() / torch::sqrt(bn->running_var + bn->options.eps());
      w = w * k.view({-1, 1, 1, 1});
      b = (b - bn->running_mean) * k + bn->bias.detach();
    }
    const auto *padding = c10::get_if<torch::ExpandingArray<2>>(&c.options.padding());
    if (!padding) throw std::runtime_error("cannot quantize " + name + ": padding 'same'/'valid'");
    const auto stride = *c.options.stride(), pad = **padding, dilation = *c.options.dilation();
    const std::int64_t groups = c.options.groups();
    torch::Tensor f = torch::conv2d(x.f, w, b, stride, pad, dilation, groups);
    if (act == Activation::Relu) f = torch::relu(f);
    if (act == Activation::Relu6) f = torch::clamp(f, 0, 6);
    // ReLU6 as conv2d_relu whose range ends at 6, then a clamp: with 7-bit
    // activations the uint8 type itself would hold values up to twice that.
    const QParams q = observe(f, act == Activation::Relu6 ? 6.0 : std::numeric_limits<double>::infinity());
    Value y{next_var(), f};
    if (emit_) {
      torch::jit::Stack args;
      args.emplace_back(per_channel_int8(w));
      args.emplace_back(b);
      args.emplace_back(std::vector<std::int64_t>(stride.begin(), stride.end()));
      args.emplace_back(std::vector<std::int64_t>(pad.begin(), pad.end()));
      args.emplace_back(std::vector<std::int64_t>(dilation.begin(), dilation.end()));
      args.emplace_back(groups);
      c10::IValue packed = call_operator("quantized::conv2d_prepack", std::move(args));
      out_.register_attribute(name, packed.type(), packed);
      line(y.var + " = quantized." + (act == Activation::None ? "conv2d" : "conv2d_relu") + "(" + x.var + ", self." +
           name + ", " + literal(q.scale) + ", " + std::to_string(q.zero_point) + ")");
      if (act == Activation::Relu6) line(y.var + " = torch.clamp(" + y.var + ", 0.0, 6.0)");
    }
    return y;
  }

  Value linear(nn::LinearImpl &l, bool relu, const std::string &name, const Value &x) {
    torch::Tensor w = l.weight.detach();
    torch::Tensor b = l.options.bias() ? l.bias.detach() : torch::zeros({w.size(0)});
    torch::Tensor f = torch::linear(x.f, w, b);
    if (relu) f = torch::relu(f);
    const QParams q = observe(f);
    Value y{next_var(), f};
    if (emit_) {
      c10::IValue packed = call_operator("quantized::linear_prepack", {c10::IValue(per_channel_int8(w)), c10::IValue(b)});
      out_.register_attribute(name, packed.type(), packed);
      line(y.var + " = quantized." + (relu ? "linear_relu" : "linear") + "(" + x.var + ", self." + name + ", " +
           literal(q.scale) + ", " + std::to_string(q.zero_point) + ")");
    }
    return y;
  }

  // Max pooling keeps its input's scale: no new range.
  Value max_pool(nn::MaxPool2dImpl &p, const Value &x) {
    const auto &o = p.options;
    Value y{next_var(), torch::max_pool2d(x.f, *o.kernel_size(), *o.stride(), *o.padding(), *o.dilation(),
                                          o.ceil_mode())};
    line(y.var + " = torch.max_pool2d(" + x.var + ", " + int_list(*o.kernel_size()) + ", " + int_list(*o.stride()) +
         ", " + int_list(*o.padding()) + ", " + int_list(*o.dilation()) + ", " + (o.ceil_mode() ? "True" : "False") +
         ")");
    return y;
  }

  Value add(const Value &a, const Value &b, bool relu) {
    torch::Tensor f = relu ? torch::relu(a.f + b.f) : a.f + b.f;
    const QParams q = observe(f);
    Value y{next_var(), f};
    line(y.var + " = quantized." + (relu ? "add_relu" : "add") + "(" + a.var + ", " + b.var + ", " + literal(q.scale) +
         ", " + std::to_string(q.zero_point) + ")");
    return y;
  }

  // Widens the range of the next point by `f` (always including 0, so zero
  // padding is exact); its uint8 parameters from the range so far, capped.
  // Activations use 7 of the 8 bits, as PyTorch's reduce_range does: x86
  // CPUs without VNNI multiply uint8 by int8 in pairs summed into int16
  // (vpmaddubsw), which saturates past 127 x 127 x 2, and a package made on
  // one CPU must compute the same on any other.
  static constexpr int kLevels = 127;
  QParams observe(const torch::Tensor &f, double cap = std::numeric_limits<double>::infinity()) {
    const double lo = std::min(0.0, f.min().item<double>()), hi = std::max(0.0, f.max().item<double>());
    if (point_ == ranges_.size()) ranges_.emplace_back(lo, hi);
    auto &range = ranges_[point_++];
    range.first = std::min(range.first, lo);
    range.second = std::max(range.second, hi);
    const double top = std::min(range.second, cap);
    QParams q;
    q.scale = top > range.first ? (top - range.first) / kLevels : 1.0 / kLevels;  // a point that is always 0
    q.zero_point = std::clamp<std::int64_t>(std::llround(-range.first / q.scale), 0, kLevels);
    return q;
  }

  std::string next_var() { return "v" + std::to_string(vars_++); }
  void line(const std::string &text) {
    if (emit_) code_ += "    " + text + "\n";
  }

  torch::jit::Module &out_;
  std::vector<std::pair<double, double>> ranges_;
  std::size_t point_ = 0;
  int vars_ = 0;
  bool emit_ = false;
  std::string code_;
};

}  // namespace

std::string select_int8_engine() {
  auto &context = at::globalContext();
  const auto &supported = context.supportedQEngines();
  for (at::QEngine engine : {at::kONEDNN, at::kFBGEMM, at::kQNNPACK})
    if (std::find(supported.begin(), supported.end(), engine) != supported.end()) {
      context.setQEngine(engine);
      std::string name = c10::toString(engine);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      return name;
    }
  return "";
}

bool export_int8_torchscript(Network &net, const torch::Tensor &calibration, const std::string &path,
                             std::string &error) {
  if (select_int8_engine().empty()) {
    error = "this libtorch has no int8 CPU engine (onednn, fbgemm or qnnpack)";
    return false;
  }
  if (calibration.size(0) == 0) {
    error = "no calibration images";
    return false;
  }
  try {
    torch::NoGradGuard no_grad;
    net->eval();
    torch::jit::Module module("__torch__.edl.Int8Model");
    Quantizer quantizer(module);
    const std::int64_t n = calibration.size(0), chunk = 64;  // bounded memory for large inputs
    for (std::int64_t s = 0; s < n; s += chunk)
      quantizer.walk(net, calibration.slice(0, s, std::min(s + chunk, n)), s + chunk >= n);
    module.define(quantizer.code(), std::make_shared<QuantizedNames>());
    module.eval();
    module.save(path);
    return true;
  } catch (const std::exception &e) {
    const std::string what = e.what();
    error = what.substr(0, what.find('\n'));
    return false;
  }
}

}  // namespace edl::lower
