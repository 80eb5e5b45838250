#include "compiler/lower/halide/AugmentProgram.h"

#include "compiler/ast/Dump.h"
#include "compiler/support/Hash.h"
#include "stdlib/Catalogue.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>

namespace edl::lower {
namespace {

using Matrix = std::array<double, 9>;  // row-major 3x3, forward: input -> output coordinates

Matrix multiply(const Matrix &a, const Matrix &b) {
  Matrix r{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) r[i * 3 + j] += a[i * 3 + k] * b[k * 3 + j];
  return r;
}

Matrix affine(double a, double b, double c, double d, double e, double f) { return {a, b, c, d, e, f, 0, 0, 1}; }

// Rotation by `deg` counter-clockwise as seen on screen (y points down),
// scaling and shearing, all about the canvas centre.
Matrix about_center(double cx, double cy, const Matrix &m) {
  return multiply(affine(1, 0, cx, 0, 1, cy), multiply(m, affine(1, 0, -cx, 0, 1, -cy)));
}

const std::map<std::string, OpKind> kOps = {
    {"flip_horizontal", OpKind::FlipH}, {"flip_vertical", OpKind::FlipV}, {"rotate", OpKind::Rotate},
    {"rotate90", OpKind::Rotate90}, {"affine", OpKind::Affine}, {"shear_x", OpKind::ShearX},
    {"shear_y", OpKind::ShearY}, {"translate_x", OpKind::TranslateX}, {"translate_y", OpKind::TranslateY},
    {"crop", OpKind::Crop}, {"random_resized_crop", OpKind::RandomResizedCrop}, {"resize", OpKind::Resize},
    {"pad", OpKind::Pad}, {"brightness", OpKind::Brightness}, {"contrast", OpKind::Contrast},
    {"saturation", OpKind::Saturation}, {"grayscale", OpKind::Grayscale}, {"invert", OpKind::Invert},
    {"solarize", OpKind::Solarize}, {"posterize", OpKind::Posterize}, {"gamma", OpKind::Gamma},
    {"cutout", OpKind::Cutout}, {"noise", OpKind::Noise}, {"hue", OpKind::Hue}, {"blur", OpKind::Blur},
    {"sharpness", OpKind::Sharpness}, {"equalize", OpKind::Equalize}, {"autocontrast", OpKind::Autocontrast},
    {"mixup", OpKind::Mixup}, {"cutmix", OpKind::Cutmix}};

bool is_geometric(OpKind k) { return k <= OpKind::Pad; }
bool changes_size(OpKind k) { return k == OpKind::Crop || k == OpKind::RandomResizedCrop || k == OpKind::Resize || k == OpKind::Pad; }
// Pointwise ops that are not affine in the pixel value do not commute with
// interpolation, so before the warp they run on source pixels.
bool nonlinear(OpKind k) {
  return k == OpKind::Solarize || k == OpKind::Posterize || k == OpKind::Gamma || k == OpKind::Custom ||
         k == OpKind::Equalize || k == OpKind::Autocontrast || k == OpKind::Blur || k == OpKind::Sharpness;
}

const ast::Expr *argument(const std::vector<ast::Argument> &args, const stdlib::Function &f, const std::string &name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return args[i].value.get();
    if (args[i].name.empty() && i < f.params.size() && f.params[i].name == name) return args[i].value.get();
  }
  return nullptr;
}

class Builder {
 public:
  Builder(const CheckedProject &project, AugmentProgram &prog, std::vector<LoweringError> &errors,
          const SpaceValues &space)
      : project_(project), prog_(prog), errors_(errors), space_(space) {}

  std::optional<Value> value_of(const ast::Expr &e) {
    if (auto n = const_number(e)) return Value{Value::Const, n->value, 0, {}};
    if (auto v = resolve_number(project_, e, space_)) return Value{Value::Const, *v, 0, {}};
    const auto *c = e.as<ast::Call>();
    if (!c) {
      error(e.range, DiagId::NotAKernelValue, {"this value"});
      return std::nullopt;
    }
    if (c->callee == "choice") {
      Value v{Value::Choice, 0, 0, {}};
      for (const ast::Argument &a : c->args) {
        auto n = const_number(*a.value);
        if (!n) return error(a.value->range, DiagId::NotAKernelValue, {"a choice option"}), std::nullopt;
        v.options.push_back(n->value);
      }
      return v;
    }
    static const std::map<std::string, Value::Kind> kinds = {
        {"uniform", Value::Uniform}, {"loguniform", Value::LogUniform}, {"int", Value::Int}, {"normal", Value::Normal}};
    auto k = kinds.find(c->callee);
    if (k == kinds.end() || c->args.size() != 2) {
      error(e.range, DiagId::NotAKernelValue, {"this value"});
      return std::nullopt;
    }
    auto a = const_number(*c->args[0].value), b = const_number(*c->args[1].value);
    if (!a || !b) return error(e.range, DiagId::NotAKernelValue, {"a distribution bound"}), std::nullopt;
    return Value{k->second, a->value, b->value, {}};
  }

  Value arg_value(const ast::Step &s, const stdlib::Function &f, const std::string &name, double fallback) {
    if (const ast::Expr *e = argument(s.args, f, name))
      if (auto v = value_of(*e)) return *v;
    return {Value::Const, fallback, 0, {}};
  }

  Control steps(const std::vector<ast::Step> &list, bool conditional) {
    Control seq;
    for (const ast::Step &s : list) seq.children.push_back(step(s, conditional));
    return seq;
  }

  Control step(const ast::Step &s, bool conditional) {
    const auto &cat = stdlib::catalogue();
    if (const stdlib::Function *ctl = cat.find(stdlib::Category::Control, s.name)) {
      Control c;
      if (s.name == "maybe") {
        c.kind = Control::Maybe;
        c.p_value = arg_value(s, *ctl, "p", 0.5);
        c.children.push_back(steps(s.body, true));
      } else {
        c.kind = s.name == "one_of" ? Control::OneOf : Control::SomeOf;
        c.n = static_cast<int>(arg_value(s, *ctl, "n", 1).a);
        for (const ast::Step &inner : s.body) c.children.push_back(step(inner, true));
      }
      return c;
    }
    if (const stdlib::Function *policy = cat.find(stdlib::Category::Policy, s.name)) return policy_step(s, *policy);
    const ast::Decl *user = project_.find(ast::DeclKind::Op, s.name);
    const stdlib::Function *f = cat.find(stdlib::Category::AugmentOp, s.name);
    auto kind = kOps.find(s.name);
    if (!user && (!f || kind == kOps.end())) {
      error(s.name_range, DiagId::UnsupportedAugmentOp, {s.name});
      return {};
    }
    ProgramOp op;
    op.name = s.name;
    op.range = s.range;
    Value p{Value::Const, 1, 0, {}};
    if (user) {
      op.kind = OpKind::Custom;
      op.custom = user;
      for (std::size_t i = 0; i < user->params.size(); ++i) {
        const ast::Expr *e = nullptr;
        for (std::size_t k = 0; k < s.args.size(); ++k)
          if (s.args[k].name == user->params[i].name || (s.args[k].name.empty() && k == i)) e = s.args[k].value.get();
        auto v = e ? value_of(*e) : std::nullopt;
        op.args.push_back(v ? *v : Value{});
      }
      for (const ast::Argument &a : s.args)
        if (a.name == "p") p = value_of(*a.value).value_or(p);
    } else {
      op.kind = kind->second;
      p = arg_value(s, *f, "p", 1);
      lower_args(s, *f, op);
    }
    op.geometric = is_geometric(op.kind);
    bool maybe_skipped = conditional || p.kind != Value::Const || p.a < 1;
    bool size_op = changes_size(op.kind) ||
                   (op.kind == OpKind::Rotate90 && prog_.in_w != prog_.in_h &&
                    (op.args[0].kind != Value::Const || static_cast<int>(op.args[0].a) % 2 != 0));
    if (size_op && maybe_skipped)
      error(s.name_range, DiagId::ConditionalSizeChange, {s.name});
    prog_.ops.push_back(std::move(op));
    Control leaf{Control::Op, static_cast<int>(prog_.ops.size() - 1), 1, {}, 1, {}};
    if (p.kind == Value::Const && p.a >= 1) return leaf;
    Control maybe{Control::Maybe, -1, 1, p, 1, {leaf}};
    return maybe;
  }

  // randaugment(n, m, ops) applies n different ops of the list to each
  // image at magnitude m of 30; trivialaugment(ops) one op at a random
  // magnitude. Each op of the list becomes a step of the program that the
  // policy enables per image; signs are random, as in torchvision.
  Control policy_step(const ast::Step &s, const stdlib::Function &f) {
    bool trivial = s.name == "trivialaugment";
    double m = trivial ? 0 : arg_value(s, f, "m", 9).a;
    double frac = std::clamp(m / 30.0, 0.0, 1.0);
    std::vector<std::pair<std::string, SourceRange>> names;
    if (const ast::Expr *list = argument(s.args, f, "ops")) {
      if (const auto *l = list->as<ast::List>())
        for (const auto &item : l->items)
          if (const auto *n = item->as<ast::Name>()) names.push_back({n->name, n->range});
    } else {
      for (const char *n : {"shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "saturation",
                            "contrast", "sharpness", "posterize", "solarize", "autocontrast", "equalize"})
        names.push_back({n, s.name_range});
    }
    // A magnitude-scaled value: a random sign at the policy's magnitude, or
    // uniform over the whole range for trivialaugment.
    auto symmetric = [&](double max, double center) {
      if (trivial) return Value{Value::Uniform, center - max, center + max, {}};
      return Value{Value::Choice, 0, 0, {center - max * frac, center + max * frac}};
    };
    Control group;
    group.kind = trivial ? Control::OneOf : Control::SomeOf;
    group.n = trivial ? 1 : static_cast<int>(arg_value(s, f, "n", 2).a);
    for (const auto &[name, range] : names) {
      auto kind = kOps.find(name);
      ProgramOp op;
      op.name = name;
      op.range = range;
      bool known = kind != kOps.end();
      if (known) {
        op.kind = kind->second;
        switch (op.kind) {
          case OpKind::ShearX:
          case OpKind::ShearY: op.args = {symmetric(0.3, 0)}; break;
          case OpKind::TranslateX:
          case OpKind::TranslateY: op.args = {symmetric(0.45, 0)}; break;
          case OpKind::Rotate: op.args = {symmetric(30, 0)}; break;
          case OpKind::Brightness:
          case OpKind::Contrast:
          case OpKind::Saturation: op.args = {symmetric(0.9, 1)}; break;
          case OpKind::Posterize:
            op.args = {trivial ? Value{Value::Int, 4, 8, {}} : Value{Value::Const, std::round(8 - 4 * frac), 0, {}}};
            break;
          case OpKind::Solarize:
            op.args = {trivial ? Value{Value::Uniform, 0, 1, {}} : Value{Value::Const, 1 - frac, 0, {}}};
            break;
          case OpKind::Cutout:
            op.size_fraction = trivial ? 0.25 : 0.05 + 0.35 * frac;
            op.args = {Value{Value::Uniform, 0, 1, {}}, Value{Value::Uniform, 0, 1, {}}};
            break;
          case OpKind::Sharpness: op.args = {symmetric(0.9, 1)}; break;
          case OpKind::Hue: op.args = {symmetric(0.1, 0)}; break;
          case OpKind::Gamma: op.args = {symmetric(0.5, 1)}; break;
          case OpKind::Invert:
          case OpKind::Grayscale:
          case OpKind::Equalize:
          case OpKind::Autocontrast:
          case OpKind::FlipH:
          case OpKind::FlipV: break;
          default: known = false;
        }
      }
      if (!known) {
        error(range, DiagId::UnsupportedAugmentOp, {name + "' in '" + s.name});
        continue;
      }
      op.geometric = is_geometric(op.kind);
      prog_.ops.push_back(std::move(op));
      group.children.push_back(Control{Control::Op, static_cast<int>(prog_.ops.size() - 1), 1, {}, 1, {}});
    }
    Value p = arg_value(s, f, "p", 1);
    if (p.kind == Value::Const && p.a >= 1) return group;
    return Control{Control::Maybe, -1, 1, p, 1, {group}};
  }

  void lower_args(const ast::Step &s, const stdlib::Function &f, ProgramOp &op) {
    auto v = [&](const char *name, double fallback) { return arg_value(s, f, name, fallback); };
    auto pair = [&](const char *name, double fallback, std::vector<Value> &out) {
      const ast::Expr *e = argument(s.args, f, name);
      const auto *l = e ? e->as<ast::List>() : nullptr;
      for (int i = 0; i < 2; ++i) {
        auto item = l && l->items.size() == 2 ? value_of(*l->items[static_cast<std::size_t>(i)]) : std::nullopt;
        out.push_back(item.value_or(Value{Value::Const, fallback, 0, {}}));
      }
    };
    auto size = [&](const char *name) {
      const ast::Expr *e = argument(s.args, f, name);
      const auto *lit = e ? e->as<ast::Literal>() : nullptr;
      if (lit && lit->literal == ast::LiteralKind::Size) {
        op.size_w = static_cast<int>(lit->int_value);
        op.size_h = static_cast<int>(lit->height);
      } else if (auto n = e ? const_number(*e) : std::nullopt) {
        op.size_fraction = n->value;
      }
    };
    switch (op.kind) {
      case OpKind::Rotate: op.args = {v("degrees", 0)}; break;
      case OpKind::Rotate90: op.args = {v("k", 1)}; break;
      case OpKind::Affine:
        op.args = {v("scale", 1), v("rotate", 0)};
        pair("shear", 0, op.args);
        pair("translate", 0, op.args);
        break;
      case OpKind::ShearX:
      case OpKind::ShearY: op.args = {v("amount", 0)}; break;
      case OpKind::TranslateX:
      case OpKind::TranslateY: op.args = {v("fraction", 0)}; break;
      case OpKind::Crop: {
        size("size");
        const ast::Expr *pos = argument(s.args, f, "position");
        const auto *n = pos ? pos->as<ast::Name>() : nullptr;
        op.center = n && n->name == "center";
        op.args = {Value{Value::Uniform, 0, 1, {}}, Value{Value::Uniform, 0, 1, {}}};  // where, if random
        break;
      }
      case OpKind::RandomResizedCrop:
        size("size");
        pair("scale", 0, op.args);
        pair("ratio", 0, op.args);
        if (!argument(s.args, f, "scale")) op.args[0].a = 0.08, op.args[1].a = 1.0;
        if (!argument(s.args, f, "ratio")) op.args[2].a = 0.75, op.args[3].a = 1.333;
        break;
      case OpKind::Resize: size("size"); break;
      case OpKind::Pad: {
        op.args = {v("pixels", 0)};
        if (op.args[0].kind != Value::Const) error(s.range, DiagId::NotAKernelValue, {"pad's pixels (a constant)"});
        prog_.fill = v("fill", 0).a;
        break;
      }
      case OpKind::Brightness:
      case OpKind::Contrast:
      case OpKind::Saturation: op.args = {v("factor", 1)}; break;
      case OpKind::Solarize: op.args = {v("threshold", 0.5)}; break;
      case OpKind::Posterize: op.args = {v("bits", 8)}; break;
      case OpKind::Gamma: op.args = {v("g", 1)}; break;
      case OpKind::Noise: op.args = {v("std", 0), Value{Value::Int, 0, 16777215, {}}}; break;  // + the image's noise seed
      case OpKind::Hue: op.args = {v("shift", 0)}; break;
      case OpKind::Sharpness: op.args = {v("factor", 1)}; break;
      case OpKind::Blur: {
        op.args = {v("sigma", 1)};
        const Value &s0 = op.args[0];
        op.max_sigma = s0.kind == Value::Const ? s0.a
                       : s0.kind == Value::Choice ? *std::max_element(s0.options.begin(), s0.options.end())
                       : s0.kind == Value::Normal ? s0.a + 4 * s0.b
                                                  : std::max(s0.a, s0.b);
        op.max_sigma = std::clamp(op.max_sigma, 0.1, 50.0);
        break;
      }
      case OpKind::Mixup:
      case OpKind::Cutmix: {
        // The partner (a fraction of the batch), the mixing weight from
        // Beta(alpha, alpha), and for cutmix the box centre.
        double alpha = v("alpha", 1).a;
        op.args = {Value{Value::Uniform, 0, 1, {}}, Value{Value::Const, alpha, 0, {}}, Value{Value::Uniform, 0, 1, {}},
                   Value{Value::Uniform, 0, 1, {}}};
        break;
      }
      case OpKind::Cutout: {
        size("size");
        op.count = static_cast<int>(v("count", 1).a);
        for (int i = 0; i < op.count; ++i) {
          op.args.push_back({Value::Uniform, 0, 1, {}});  // centre x, y as canvas fractions
          op.args.push_back({Value::Uniform, 0, 1, {}});
        }
        break;
      }
      default: break;
    }
  }

  void error(SourceRange r, DiagId id, std::vector<std::string> args) { errors_.push_back({r, id, std::move(args)}); }

 private:
  const CheckedProject &project_;
  AugmentProgram &prog_;
  std::vector<LoweringError> &errors_;
  const SpaceValues &space_;
};

// Output canvas size after every size-changing op (they are unconditional).
void plan_canvas(AugmentProgram &prog) {
  int w = prog.in_w, h = prog.in_h;
  for (const ProgramOp &op : prog.ops) {
    switch (op.kind) {
      case OpKind::Crop:
        if (op.size_w) w = op.size_w, h = op.size_h;
        else w = std::max(1, static_cast<int>(std::lround(w * op.size_fraction))), h = std::max(1, static_cast<int>(std::lround(h * op.size_fraction)));
        break;
      case OpKind::RandomResizedCrop:
      case OpKind::Resize: w = op.size_w, h = op.size_h; break;
      case OpKind::Pad: w += 2 * static_cast<int>(op.args[0].a), h += 2 * static_cast<int>(op.args[0].a); break;
      case OpKind::Rotate90:
        if (op.args[0].kind == Value::Const && static_cast<int>(op.args[0].a) % 2 != 0) std::swap(w, h);
        break;
      default: break;
    }
  }
  prog.out_w = w;
  prog.out_h = h;
}

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

double Value::sample(std::mt19937_64 &rng) const {
  switch (kind) {
    case Const: return a;
    case Uniform: return std::uniform_real_distribution<double>(a, b)(rng);
    case LogUniform: return std::exp(std::uniform_real_distribution<double>(std::log(a), std::log(b))(rng));
    case Int: return static_cast<double>(std::uniform_int_distribution<long long>(static_cast<long long>(a), static_cast<long long>(b))(rng));
    case Choice: return options.empty() ? 0 : options[std::uniform_int_distribution<std::size_t>(0, options.size() - 1)(rng)];
    case Normal: return std::normal_distribution<double>(a, b)(rng);
  }
  return a;
}

AugmentProgram build_program(const CheckedProject &project, const ast::Decl &augment, int width, int height,
                             int channels, std::vector<LoweringError> &errors, const SpaceValues &space) {
  AugmentProgram prog;
  prog.name = augment.name;
  prog.in_w = width;
  prog.in_h = height;
  prog.channels = channels;
  Builder b(project, prog, errors, space);
  prog.root = b.steps(augment.steps, false);
  plan_canvas(prog);
  // Pixel ops before the last geometric op, if nonlinear, run on the source.
  int last_geometric = -1;
  for (std::size_t i = 0; i < prog.ops.size(); ++i)
    if (prog.ops[i].geometric) last_geometric = static_cast<int>(i);
  prog.has_warp = last_geometric >= 0;
  int slot = 6;
  for (std::size_t i = 0; i < prog.ops.size(); ++i) {
    ProgramOp &op = prog.ops[i];
    op.before_warp = !op.geometric && static_cast<int>(i) < last_geometric && nonlinear(op.kind);
    op.enabled_slot = slot++;
    op.first_arg_slot = slot;
    slot += static_cast<int>(op.args.size());
  }
  prog.slots = slot;
  // What shapes the generated kernel: the ops, their order and placement, sizes.
  std::string fp = "in " + std::to_string(width) + "x" + std::to_string(height) + "x" + std::to_string(channels) +
                   " out " + std::to_string(prog.out_w) + "x" + std::to_string(prog.out_h) + " fill " +
                   std::to_string(prog.fill) + "\n";
  for (const ProgramOp &op : prog.ops) {
    fp += op.name + (op.before_warp ? " pre" : "") + " args " + std::to_string(op.args.size()) + " count " +
          std::to_string(op.count) + " slot " + std::to_string(op.enabled_slot);
    if (op.custom) fp += " = " + ast::dump(*op.custom->body);
    if (op.kind == OpKind::Blur) fp += " sigma " + std::to_string(op.max_sigma);
    if (op.kind == OpKind::Cutout) fp += " size " + std::to_string(op.size_w) + "x" + std::to_string(op.size_h) + "/" + std::to_string(op.size_fraction);
    fp += "\n";
  }
  prog.fingerprint = content_hash(fp);
  return prog;
}

std::vector<float> AugmentProgram::sample(std::uint64_t seed, std::uint64_t index) const {
  // One generator per image, from the seed and the image's index, so an
  // image's augmentation does not depend on which batch it is in.
  std::seed_seq seq{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32),
                    static_cast<std::uint32_t>(index), static_cast<std::uint32_t>(index >> 32)};
  std::mt19937_64 rng(seq);
  std::vector<char> enabled(ops.size(), 0);
  walk_enabled(root, true, rng, enabled);
  std::vector<float> row(static_cast<std::size_t>(slots), 0.0f);
  std::vector<std::vector<double>> values(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    for (const Value &v : ops[i].args) values[i].push_back(v.sample(rng));
    if (ops[i].kind == OpKind::Mixup || ops[i].kind == OpKind::Cutmix) {
      // lambda ~ Beta(alpha, alpha), from two gamma draws.
      double alpha = std::max(1e-3, ops[i].args[1].a);
      double g1 = std::gamma_distribution<double>(alpha, 1)(rng), g2 = std::gamma_distribution<double>(alpha, 1)(rng);
      values[i][1] = g1 + g2 > 0 ? g1 / (g1 + g2) : 0.5;
    }
  }

  Matrix m = affine(1, 0, 0, 0, 1, 0);
  double w = in_w, h = in_h;
  std::uniform_real_distribution<double> u01(0, 1);
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const ProgramOp &op = ops[i];
    const std::vector<double> &a = values[i];
    row[static_cast<std::size_t>(op.enabled_slot)] = enabled[i] ? 1.0f : 0.0f;
    for (std::size_t k = 0; k < a.size(); ++k) row[static_cast<std::size_t>(op.first_arg_slot) + k] = static_cast<float>(a[k]);
    if (!op.geometric || !enabled[i]) continue;
    double cx = w / 2, cy = h / 2;
    Matrix step = affine(1, 0, 0, 0, 1, 0);
    switch (op.kind) {
      case OpKind::FlipH: step = affine(-1, 0, w, 0, 1, 0); break;
      case OpKind::FlipV: step = affine(1, 0, 0, 0, -1, h); break;
      case OpKind::Rotate: {
        double t = a[0] * M_PI / 180;  // counter-clockwise on screen, where y points down
        step = about_center(cx, cy, affine(std::cos(t), std::sin(t), 0, -std::sin(t), std::cos(t), 0));
        break;
      }
      case OpKind::Rotate90: {
        int k = ((static_cast<int>(std::lround(a[0])) % 4) + 4) % 4;
        for (int r = 0; r < k; ++r) {  // a quarter turn counter-clockwise: (x, y) -> (y, w - x)
          step = multiply(affine(0, 1, 0, -1, 0, w), step);
          std::swap(w, h);
        }
        break;
      }
      case OpKind::Affine: {
        double s = a[0], t = a[1] * M_PI / 180;
        Matrix lin = multiply(affine(s * std::cos(t), s * std::sin(t), 0, -s * std::sin(t), s * std::cos(t), 0),
                              affine(1, a[2], 0, a[3], 1, 0));
        step = multiply(affine(1, 0, a[4] * w, 0, 1, a[5] * h), about_center(cx, cy, lin));
        break;
      }
      case OpKind::ShearX: step = about_center(cx, cy, affine(1, a[0], 0, 0, 1, 0)); break;
      case OpKind::ShearY: step = about_center(cx, cy, affine(1, 0, 0, a[0], 1, 0)); break;
      case OpKind::TranslateX: step = affine(1, 0, a[0] * w, 0, 1, 0); break;
      case OpKind::TranslateY: step = affine(1, 0, 0, 0, 1, a[0] * h); break;
      case OpKind::Crop: {
        double cw = op.size_w ? op.size_w : std::max(1.0, std::round(w * op.size_fraction));
        double ch = op.size_w ? op.size_h : std::max(1.0, std::round(h * op.size_fraction));
        double x0 = op.center ? (w - cw) / 2 : std::floor(a[0] * (w - cw + 1));
        double y0 = op.center ? (h - ch) / 2 : std::floor(a[1] * (h - ch + 1));
        step = affine(1, 0, -x0, 0, 1, -y0);
        w = cw, h = ch;
        break;
      }
      case OpKind::RandomResizedCrop: {
        // torchvision's sampler: up to 10 tries at a random area and aspect
        // ratio, else a centre crop of the nearest allowed ratio.
        double area = w * h, cw = w, ch = h, x0 = 0, y0 = 0;
        bool found = false;
        for (int tries = 0; tries < 10 && !found; ++tries) {
          double target = area * std::uniform_real_distribution<double>(a[0], a[1])(rng);
          double ratio = std::exp(std::uniform_real_distribution<double>(std::log(a[2]), std::log(a[3]))(rng));
          double tw = std::round(std::sqrt(target * ratio)), th = std::round(std::sqrt(target / ratio));
          if (tw > 0 && th > 0 && tw <= w && th <= h) {
            cw = tw, ch = th;
            x0 = std::floor(u01(rng) * (w - cw + 1));
            y0 = std::floor(u01(rng) * (h - ch + 1));
            found = true;
          }
        }
        if (!found) {
          double r = w / h;
          if (r < a[2]) cw = w, ch = std::round(w / a[2]);
          else if (r > a[3]) ch = h, cw = std::round(h * a[3]);
          x0 = (w - cw) / 2, y0 = (h - ch) / 2;
        }
        step = affine(op.size_w / cw, 0, -x0 * op.size_w / cw, 0, op.size_h / ch, -y0 * op.size_h / ch);
        w = op.size_w, h = op.size_h;
        break;
      }
      case OpKind::Resize:
        step = affine(op.size_w / w, 0, 0, 0, op.size_h / h, 0);
        w = op.size_w, h = op.size_h;
        break;
      case OpKind::Pad: {
        double p = a[0];
        step = affine(1, 0, p, 0, 1, p);
        w += 2 * p, h += 2 * p;
        break;
      }
      default: break;
    }
    m = multiply(step, m);
  }
  // The kernel needs output -> input: invert the 2x3 affine part.
  double det = m[0] * m[4] - m[1] * m[3];
  if (std::fabs(det) < 1e-12) det = 1e-12;
  double i0 = m[4] / det, i1 = -m[1] / det, i3 = -m[3] / det, i4 = m[0] / det;
  row[0] = static_cast<float>(i0);
  row[1] = static_cast<float>(i1);
  row[2] = static_cast<float>(-(i0 * m[2] + i1 * m[5]));
  row[3] = static_cast<float>(i3);
  row[4] = static_cast<float>(i4);
  row[5] = static_cast<float>(-(i3 * m[2] + i4 * m[5]));
  return row;
}

}  // namespace edl::lower
