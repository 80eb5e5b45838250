#include "compiler/resolve/Spec.h"

#include <algorithm>
#include <cmath>

namespace edl::spec {

double Scalar::at(const SpaceValues &values) const {
  if (!searched) return value;
  double v = evaluate(*searched, values);
  return integral ? std::round(v) : v;
}

const char *to_string(SourceKind k) {
  switch (k) {
    case SourceKind::ImageFolder: return "image_folder";
    case SourceKind::Csv: return "csv";
    case SourceKind::AudioFolder: return "audio_folder";
    case SourceKind::Coco: return "coco";
    case SourceKind::Voc: return "voc";
    case SourceKind::MaskFolder: return "mask_folder";
  }
  return "?";
}

const char *to_string(Label::Oracle o) { return o == Label::Oracle::Human ? "human" : "folder"; }

const char *to_string(Dimension::Kind k) {
  switch (k) {
    case Dimension::Uniform: return "uniform";
    case Dimension::LogUniform: return "loguniform";
    case Dimension::Int: return "int";
    case Dimension::Choice: return "choice";
    case Dimension::Normal: return "normal";
  }
  return "?";
}

bool is_geometric(OpKind k) { return k <= OpKind::Pad; }
bool changes_size(OpKind k) {
  return k == OpKind::Crop || k == OpKind::RandomResizedCrop || k == OpKind::Resize || k == OpKind::Pad;
}

bool is_token_op(OpKind k) { return k == OpKind::TokenDropout || k == OpKind::TokenSwap; }
bool is_audio_only_op(OpKind k) {
  return k == OpKind::TimeShift || k == OpKind::Gain || k == OpKind::TimeMask || k == OpKind::FreqMask;
}

namespace {

void walk_enabled(const Control &c, bool on, std::mt19937_64 &rng, std::vector<char> &enabled) {
  std::uniform_real_distribution<double> u01(0, 1);
  switch (c.kind) {
    case Control::Op: enabled[static_cast<std::size_t>(c.op)] = on; return;
    case Control::Sequence:
      for (const Control &child : c.children) walk_enabled(child, on, rng, enabled);
      return;
    case Control::Maybe: {
      bool take = u01(rng) < c.p_value.sample(rng);
      for (const Control &child : c.children) walk_enabled(child, on && take, rng, enabled);
      return;
    }
    case Control::OneOf:
    case Control::SomeOf: {
      std::vector<std::size_t> order(c.children.size());
      for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
      std::shuffle(order.begin(), order.end(), rng);
      std::size_t take = c.kind == Control::OneOf ? 1 : static_cast<std::size_t>(std::max(0, c.n));
      std::vector<char> chosen(order.size(), 0);
      for (std::size_t i = 0; i < order.size() && i < take; ++i) chosen[order[i]] = 1;
      for (std::size_t i = 0; i < c.children.size(); ++i) walk_enabled(c.children[i], on && chosen[i], rng, enabled);
      return;
    }
  }
}

}  // namespace

std::vector<char> enabled_ops(const Control &root, std::size_t ops, std::mt19937_64 &rng) {
  std::vector<char> enabled(ops, 0);
  walk_enabled(root, true, rng, enabled);
  return enabled;
}

double Value::sample(std::mt19937_64 &rng) const {
  switch (kind) {
    case Const: return a;
    case Uniform: return std::uniform_real_distribution<double>(a, b)(rng);
    case LogUniform: return std::exp(std::uniform_real_distribution<double>(std::log(a.value), std::log(b))(rng));
    case Int:
      return static_cast<double>(
          std::uniform_int_distribution<long long>(static_cast<long long>(a.value), static_cast<long long>(b))(rng));
    case Choice:
      return options.empty() ? 0 : options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)];
    case Normal: return std::normal_distribution<double>(a, b)(rng);
  }
  return a;
}

bool set_policy_args(AugmentOp &op, OpKind k, bool trivial, double m) {
  const double frac = std::clamp(m / 30.0, 0.0, 1.0);
  auto symmetric = [&](double max, double center) {
    if (trivial) return Value{Value::Uniform, center - max, center + max, {}};
    return Value{Value::Choice, 0, 0, {center - max * frac, center + max * frac}};
  };
  op.kind = k;
  switch (k) {
    case OpKind::ShearX:
    case OpKind::ShearY: op.args = {symmetric(0.3, 0)}; return true;
    case OpKind::TranslateX:
    case OpKind::TranslateY: op.args = {symmetric(0.45, 0)}; return true;
    case OpKind::Rotate: op.args = {symmetric(30, 0)}; return true;
    case OpKind::Brightness:
    case OpKind::Contrast:
    case OpKind::Saturation:
    case OpKind::Sharpness: op.args = {symmetric(0.9, 1)}; return true;
    case OpKind::Posterize:
      op.args = {trivial ? Value{Value::Int, 4, 8, {}} : Value::constant(std::round(8 - 4 * frac))};
      return true;
    case OpKind::Solarize: op.args = {trivial ? Value::uniform(0, 1) : Value::constant(1 - frac)}; return true;
    case OpKind::Cutout:
      op.size_fraction = trivial ? 0.25 : 0.05 + 0.35 * frac;
      op.args = {Value::uniform(0, 1), Value::uniform(0, 1)};
      return true;
    case OpKind::Hue: op.args = {symmetric(0.1, 0)}; return true;
    case OpKind::Gamma: op.args = {symmetric(0.5, 1)}; return true;
    case OpKind::Invert:
    case OpKind::Grayscale:
    case OpKind::Equalize:
    case OpKind::Autocontrast:
    case OpKind::FlipH:
    case OpKind::FlipV: return true;
    default: return false;
  }
}

namespace {

template <typename T> const T *named(const std::vector<T> &all, const std::string &name) {
  for (const T &x : all)
    if (x.name == name) return &x;
  return nullptr;
}

// A variable `values` does not hold keeps its default.
SpaceValues with_defaults(const SpaceValues &values, const SpaceValues &defaults) {
  SpaceValues all = defaults;
  for (const auto &[k, v] : values) all[k] = v;
  return all;
}

struct Binder {
  const SpaceValues values;  // every variable: the trial's, else its default
  void operator()(Scalar &s) const { s.value = s.at(values); }
  void operator()(std::vector<Scalar> &list) const {
    for (Scalar &s : list) (*this)(s);
  }
  void operator()(Value &v) const { (*this)(v.a); }
  void operator()(Control &c, std::vector<AugmentOp> &ops) const {
    (*this)(c.p_value);
    if (c.n_value.searched) {
      (*this)(c.n_value);
      c.n = static_cast<int>(std::lround(c.n_value.value));
    }
    if (c.policy != Control::None && c.magnitude.searched) {
      (*this)(c.magnitude);
      for (const Control &child : c.children)
        if (child.kind == Control::Op) {
          AugmentOp &op = ops[static_cast<std::size_t>(child.op)];
          set_policy_args(op, op.kind, c.policy == Control::TrivialAugment, c.magnitude);
        }
    }
    for (Control &child : c.children) (*this)(child, ops);
  }
};

bool searched(const Value &v) { return v.a.searched != nullptr; }
bool searched(const Control &c) {
  return searched(c.p_value) || c.magnitude.searched || c.n_value.searched || std::any_of(c.children.begin(), c.children.end(), [](const Control &x) { return searched(x); });
}

}  // namespace

const Dataset *Specs::dataset(const std::string &name) const { return named(datasets, name); }
const Augment *Specs::augment(const std::string &name) const { return named(augments, name); }
const Train *Specs::train(const std::string &name) const { return named(trains, name); }
const Label *Specs::label(const std::string &name) const { return named(labels, name); }
const Deploy *Specs::deploy(const std::string &name) const { return named(deploys, name); }

Augment bind(const Augment &augment, const SpaceValues &values, const SpaceValues &defaults) {
  Augment out = augment;
  Binder b{with_defaults(values, defaults)};
  for (AugmentOp &op : out.ops)
    for (Value &v : op.args) b(v);
  b(out.root, out.ops);
  return out;
}

Train bind(const Train &train, const SpaceValues &values, const SpaceValues &defaults) {
  Train t = train;
  Binder b{with_defaults(values, defaults)};
  for (Scalar *s : {&t.model.kernel, &t.model.dims, &t.model.width, &t.model.dropout, &t.optimizer.lr, &t.optimizer.momentum,
                    &t.optimizer.weight_decay, &t.optimizer.beta1, &t.optimizer.beta2, &t.schedule.every,
                    &t.schedule.gamma, &t.schedule.warmup, &t.schedule.max_lr, &t.loss.label_smoothing, &t.loss.gamma,
                    &t.epochs, &t.batch, &t.early_stop.patience, &t.checkpoint_every, &t.checkpoint_keep,
                    &t.model.neck_channels, &t.model.head_depth, &t.model.head_channels, &t.model.score_threshold,
                    &t.model.nms_threshold, &t.model.detections, &t.model.proposals, &t.model.rois,
                    &t.model.box_width, &t.model.embed, &t.model.layers})
    b(*s);
  for (std::vector<Scalar> *list : {&t.model.hidden, &t.model.channels, &t.model.head_hidden, &t.model.anchor_sizes,
                                    &t.model.anchor_ratios, &t.model.anchor_scales, &t.model.kernels})
    b(*list);
  if (t.augment) t.augment = std::make_shared<Augment>(bind(*t.augment, values, defaults));
  t.space = b.values;
  return t;
}

bool is_searched(const Augment &augment) {
  for (const AugmentOp &op : augment.ops)
    if (std::any_of(op.args.begin(), op.args.end(), [](const Value &v) { return searched(v); })) return true;
  return searched(augment.root);
}

}  // namespace edl::spec
