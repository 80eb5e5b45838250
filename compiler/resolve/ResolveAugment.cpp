// Augment blocks resolved for the kernel compiler: ops with their
// argument values, the control tree, custom ops' formulas. What the kernel
// compiler cannot build is reported here (E0701-E0703), at check time.
#include "compiler/resolve/Resolver.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace edl::resolve {
namespace {

using spec::AugmentOp;
using spec::Augment;
using spec::Control;
using spec::CustomOp;
using spec::OpKind;
using spec::Value;

struct Problem {
  SourceRange range;
  DiagId id;
  std::vector<std::string> args;
};

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
    {"mixup", OpKind::Mixup}, {"cutmix", OpKind::Cutmix}, {"token_dropout", OpKind::TokenDropout},
    {"token_swap", OpKind::TokenSwap}, {"time_shift", OpKind::TimeShift}, {"gain", OpKind::Gain},
    {"time_mask", OpKind::TimeMask}, {"freq_mask", OpKind::FreqMask}};

const ast::Expr *argument(const std::vector<ast::Argument> &args, const stdlib::Function &f, const std::string &name) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i].name == name) return args[i].value.get();
    if (args[i].name.empty() && i < f.params.size() && f.params[i].name == name) return args[i].value.get();
  }
  return nullptr;
}

class Builder {
 public:
  Builder(const Resolver &resolver, const CheckedProject &project, Augment &prog, std::vector<Problem> &problems,
          bool square)
      : resolver_(resolver), project_(project), prog_(prog), problems_(problems), square_(square) {}

  std::optional<Value> value_of(const ast::Expr &e) {
    if (auto n = const_number(e)) return Value::constant(n->value);
    if (searched_number(e)) return Value{Value::Const, resolver_.scalar(e), 0, {}};
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
    return Value::constant(fallback);
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
        c.n_value = arg_value(s, *ctl, "n", 1).a;
        c.n = static_cast<int>(c.n_value);
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
    AugmentOp op;
    op.name = s.name;
    op.range = s.range;
    Value p = Value::constant(1);
    if (user) {
      op.kind = OpKind::Custom;
      auto custom = std::make_shared<CustomOp>();
      custom->name = user->name;
      for (const ast::Param &param : user->params) custom->params.push_back({param.name, param.type});
      custom->body = resolve_formula(*user->body);
      op.custom = std::move(custom);
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
                   (op.kind == OpKind::Rotate90 && !square_ &&
                    (op.args[0].kind != Value::Const || static_cast<int>(op.args[0].a) % 2 != 0));
    if (size_op && maybe_skipped)
      error(s.name_range, DiagId::ConditionalSizeChange, {s.name});
    prog_.ops.push_back(std::move(op));
    Control leaf{Control::Op, static_cast<int>(prog_.ops.size() - 1), Value::constant(1), 1, {}, {}, Control::None, {}};
    if (p.kind == Value::Const && p.a >= 1) return leaf;
    Control maybe{Control::Maybe, -1, p, 1, {}, {leaf}, Control::None, {}};
    return maybe;
  }

  // randaugment(n, m, ops) applies n different ops of the list to each
  // image at magnitude m of 30; trivialaugment(ops) one op at a random
  // magnitude. Each op of the list becomes a step of the program that the
  // policy enables per image; signs are random, as in torchvision.
  Control policy_step(const ast::Step &s, const stdlib::Function &f) {
    bool trivial = s.name == "trivialaugment";
    std::vector<std::pair<std::string, SourceRange>> names;
    if (const ast::Expr *list = argument(s.args, f, "ops")) {
      if (const auto *l = list->as<ast::List>())
        for (const auto &item : l->items)
          if (const auto *n = item->as<ast::Name>()) names.push_back({n->name, n->range});
    } else {
      for (const std::string &n : policy_ops()) names.push_back({n, s.name_range});
    }
    Control group = policy(s.name, trivial ? spec::Scalar(0) : arg_value(s, f, "m", 9).a,
                           trivial ? 1 : static_cast<int>(arg_value(s, f, "n", 2).a), names, arg_value(s, f, "p", 1));
    Control &chooser = group.kind == Control::Maybe ? group.children[0] : group;
    if (!trivial) chooser.n_value = arg_value(s, f, "n", 2).a;
    return group;
  }

  // The ops a policy chooses from when its `ops` is not written.
  static std::vector<std::string> policy_ops() {
    return {"shear_x", "shear_y", "translate_x", "translate_y", "rotate", "brightness", "saturation",
            "contrast", "sharpness", "posterize", "solarize", "autocontrast", "equalize"};
  }

  Control policy(const std::string &policy_name, const spec::Scalar &m, int n,
                 const std::vector<std::pair<std::string, SourceRange>> &names, const Value &p) {
    bool trivial = policy_name == "trivialaugment";
    Control group;
    group.kind = trivial ? Control::OneOf : Control::SomeOf;
    group.n = n;
    group.policy = trivial ? Control::TrivialAugment : Control::RandAugment;
    group.magnitude = m;
    for (const auto &[name, range] : names) {
      auto kind = kOps.find(name);
      AugmentOp op;
      op.name = name;
      op.range = range;
      if (kind == kOps.end() || !spec::set_policy_args(op, kind->second, trivial, m)) {
        error(range, DiagId::UnsupportedAugmentOp, {name + "' in '" + policy_name});
        continue;
      }
      op.geometric = is_geometric(op.kind);
      prog_.ops.push_back(std::move(op));
      group.children.push_back(
          Control{Control::Op, static_cast<int>(prog_.ops.size() - 1), Value::constant(1), 1, {}, {}, Control::None, {}});
    }
    if (p.kind == Value::Const && p.a >= 1) return group;
    return Control{Control::Maybe, -1, p, 1, {}, {group}, Control::None, {}};
  }

  void lower_args(const ast::Step &s, const stdlib::Function &f, AugmentOp &op) {
    auto v = [&](const char *name, double fallback) { return arg_value(s, f, name, fallback); };
    auto pair = [&](const char *name, double fallback, std::vector<Value> &out) {
      const ast::Expr *e = argument(s.args, f, name);
      const auto *l = e ? e->as<ast::List>() : nullptr;
      for (int i = 0; i < 2; ++i) {
        auto item = l && l->items.size() == 2 ? value_of(*l->items[static_cast<std::size_t>(i)]) : std::nullopt;
        out.push_back(item.value_or(Value::constant(fallback)));
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
      case OpKind::Blur: op.args = {v("sigma", 1)}; break;  // the kernel radius is set when laid out
      case OpKind::TokenDropout: op.args = {v("rate", 0.1)}; break;
      case OpKind::TokenSwap: op.args = {v("rate", 0.05)}; break;
      case OpKind::TimeShift: op.args = {v("fraction", 0)}; break;
      case OpKind::Gain: op.args = {v("db", 0)}; break;
      case OpKind::TimeMask:
      case OpKind::FreqMask:
        op.args = {v("width", 1)};
        op.count = static_cast<int>(v("count", 1).a);
        break;
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

  void error(SourceRange r, DiagId id, std::vector<std::string> args) { problems_.push_back({r, id, std::move(args)}); }

 private:
  // Arithmetic on searched variables, or one of them: a per-run constant.
  bool searched_number(const ast::Expr &e) const {
    if (e.as<ast::Member>()) return true;
    if (const auto *u = e.as<ast::Unary>()) return searched_number(*u->operand) || const_number(*u->operand);
    if (const auto *bin = e.as<ast::Binary>())
      return (searched_number(*bin->lhs) || const_number(*bin->lhs)) &&
             (searched_number(*bin->rhs) || const_number(*bin->rhs));
    return false;
  }

  const Resolver &resolver_;
  const CheckedProject &project_;
  Augment &prog_;
  std::vector<Problem> &problems_;
  bool square_;
};


}  // namespace

spec::Augment Resolver::augment(const ast::Decl &d, bool square) {
  Augment prog;
  prog.name = d.name;
  std::vector<Problem> problems;
  Builder b(*this, project_, prog, problems, square);
  prog.root = b.steps(d.steps, false);
  for (const Problem &p : problems)  // one report per place, however many jobs use the block
    if (reported_.insert(std::to_string(p.range.file) + ":" + std::to_string(p.range.begin) + ":" +
                         format_message(diagnostic_info(p.id).message, p.args))
            .second)
      diags_.report(p.id, p.range, p.args);
  return prog;
}

spec::Augment Resolver::trivialaugment_baseline() const {
  spec::Augment prog;
  prog.name = "trivialaugment_baseline";
  std::vector<Problem> problems;
  Builder b(*this, project_, prog, problems, true);
  std::vector<std::pair<std::string, SourceRange>> names;
  for (const std::string &n : Builder::policy_ops()) names.push_back({n, SourceRange{}});
  prog.root = b.policy("trivialaugment", 0, 1, names, spec::Value::constant(1));
  return prog;
}

}  // namespace edl::resolve
