// Checker: a value against the catalogue type expected where it stands.
#include "compiler/sema/CheckerImpl.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace edl {

std::optional<ConstNumber> const_number(const ast::Expr &e) {
  if (const auto *l = e.as<ast::Literal>()) {
    switch (l->literal) {
      case ast::LiteralKind::Int: return ConstNumber{static_cast<double>(l->int_value), true};
      case ast::LiteralKind::Float:
      case ast::LiteralKind::Percent: return ConstNumber{l->number, false};
      default: return std::nullopt;
    }
  }
  if (const auto *u = e.as<ast::Unary>()) {
    if (u->op != ast::UnaryOp::Neg) return std::nullopt;
    auto v = const_number(*u->operand);
    if (v) v->value = -v->value;
    return v;
  }
  if (const auto *b = e.as<ast::Binary>()) {
    auto l = const_number(*b->lhs), r = const_number(*b->rhs);
    if (!l || !r) return std::nullopt;
    bool integral = l->integral && r->integral;
    double v;
    switch (b->op) {
      case ast::BinaryOp::Add: v = l->value + r->value; break;
      case ast::BinaryOp::Sub: v = l->value - r->value; break;
      case ast::BinaryOp::Mul: v = l->value * r->value; break;
      case ast::BinaryOp::Div: v = l->value / r->value; integral = false; break;
      case ast::BinaryOp::Pow:
        v = std::pow(l->value, r->value);
        integral = integral && r->value >= 0;
        break;
      default: return std::nullopt;
    }
    if (!std::isfinite(v)) return std::nullopt;
    return ConstNumber{v, integral};
  }
  return std::nullopt;
}

namespace sema {

using ast::DeclKind;
using stdlib::Category;
using stdlib::catalogue;
using stdlib::TypeKind;

namespace {

std::string spelling(const ast::Expr &e) {
  if (const auto *l = e.as<ast::Literal>()) return l->spelling;
  if (auto n = const_number(e)) return number_text(n->value);
  return "value";
}

// Whether an expression has the outward form an alternative of a OneOf
// wants; used to pick the alternative whose errors are worth reporting.
bool shape_fits(const ast::Expr &e, const Type &t) {
  const auto *lit = e.as<ast::Literal>();
  switch (t.kind) {
    case TypeKind::Any: return true;
    case TypeKind::None: return lit && lit->literal == ast::LiteralKind::None;
    case TypeKind::Int: {
      // A whole number; a fraction goes to a number alternative (`seed_labels = 10%`).
      auto n = const_number(e);
      return n && n->integral;
    }
    case TypeKind::Float: return const_number(e).has_value();
    case TypeKind::Bool: return lit && lit->literal == ast::LiteralKind::Bool;
    case TypeKind::String:
    case TypeKind::Path: return lit && lit->literal == ast::LiteralKind::String;
    case TypeKind::Size: return lit && lit->literal == ast::LiteralKind::Size;
    case TypeKind::Duration: return lit && lit->literal == ast::LiteralKind::Duration;
    case TypeKind::Enum: {
      // An enum alternative claims only its own values, so `space = hp`
      // reaches the reference alternative beside `all`.
      std::string value;
      if (t.quoted && lit && lit->literal == ast::LiteralKind::String) value = lit->text;
      else if (const auto *n = e.as<ast::Name>(); n && !t.quoted) value = n->name;
      else if (lit && lit->literal == ast::LiteralKind::None && !t.quoted) value = "none";  // `quantize = none`
      else return false;
      return std::find(t.values.begin(), t.values.end(), value) != t.values.end();
    }
    case TypeKind::List: return e.kind == ast::ExprKind::List;
    case TypeKind::Record: return e.kind == ast::ExprKind::Record;
    case TypeKind::Call: return e.kind == ast::ExprKind::Call || e.kind == ast::ExprKind::Name;
    case TypeKind::Ref:
    case TypeKind::OpName: return e.kind == ast::ExprKind::Name;
    case TypeKind::Metric: return e.kind == ast::ExprKind::Member;
    case TypeKind::Condition: return e.kind == ast::ExprKind::Binary || e.kind == ast::ExprKind::Unary;
    case TypeKind::Formula: return true;
    case TypeKind::OneOf:
      for (const auto &a : t.alternatives)
        if (shape_fits(e, *a)) return true;
      return false;
  }
  return false;
}

}  // namespace

std::string Checker::describe(const ast::Expr &e) const {
  if (const auto *l = e.as<ast::Literal>()) {
    switch (l->literal) {
      case ast::LiteralKind::Int: return "the integer " + l->spelling;
      case ast::LiteralKind::Float: return "the number " + l->spelling;
      case ast::LiteralKind::Percent: return "the percentage " + l->spelling;
      case ast::LiteralKind::Size: return "the size " + l->spelling;
      case ast::LiteralKind::Duration: return "the duration " + l->spelling;
      case ast::LiteralKind::String: return "the string " + l->spelling;
      case ast::LiteralKind::Bool: return l->spelling;
      case ast::LiteralKind::None: return "none";
    }
  }
  if (auto n = const_number(e)) return "the number " + number_text(n->value);
  if (const auto *n = e.as<ast::Name>()) return "the name '" + n->name + "'";
  if (const auto *c = e.as<ast::Call>()) {
    if (const Function *f = catalogue().find_any(c->callee))
      return std::string("the ") + stdlib::to_string(f->category) + " '" + c->callee + "'";
    return "a call to '" + c->callee + "'";
  }
  switch (e.kind) {
    case ast::ExprKind::List: return "a list";
    case ast::ExprKind::Record: return "a record";
    case ast::ExprKind::Member: return "a member access";
    default: return "an expression";
  }
}

void Checker::not_supported(SourceRange at, const std::string &what, const std::string &name,
                            const std::string &what_runs) {
  diags_.report(DiagId::NotSupportedYet, at, {what, name}).note(NoteId::SupportedInstead, {what_runs});
}

std::string Checker::metrics_that_run() const {
  std::string runs;
  for (const std::string &m : catalogue().metric_names())
    if (catalogue().metric_runs(m)) runs += (runs.empty() ? "" : ", ") + m;
  return runs;
}

void Checker::mismatch(const ast::Expr &e, const Type &t) {
  diags_.report(DiagId::TypeMismatch, e.range, {t.describe(), describe(e)});
}

void Checker::check_value(const ast::Expr &e, const Type &t, ValueContext &ctx) {
  // `space.var`: a searched value, checked against its whole domain.
  if (const auto *m = e.as<ast::Member>(); m && t.kind != TypeKind::Metric && t.kind != TypeKind::Condition) {
    if (const auto *obj = m->object->as<ast::Name>()) {
      if (const ast::Decl *space = lookup(DeclKind::Space, obj->name)) {
        check_space_reference(*m, *space, t, ctx);
        return;
      }
    }
  }
  // Arithmetic on searched values: searched too, its range checked.
  if (t.kind != TypeKind::Formula && t.kind != TypeKind::Condition && is_searched_expression(e)) {
    check_searched_expression(e, t, ctx);
    return;
  }
  // A distribution where a value is expected: sampled per image inside an
  // augment, an error anywhere else.
  if (const auto *c = e.as<ast::Call>(); c && !(t.kind == TypeKind::Call && t.category == Category::Distribution)) {
    if (const Function *dist = catalogue().find(Category::Distribution, c->callee)) {
      if (!ctx.per_image) {
        diags_.report(DiagId::DistributionOutsideSpace, c->callee_range, {c->callee})
            .help(NoteId::MoveToSpace, {c->callee});
        return;
      }
      check_args(*dist, c->args, c->callee_range, ctx);
      if (check_domain_bounds(*c)) check_domain_against(*c, t, c->range, ctx.what, ctx);
      return;
    }
  }
  const auto *lit = e.as<ast::Literal>();
  auto is_lit = [&](ast::LiteralKind k) { return lit && lit->literal == k; };
  switch (t.kind) {
    case TypeKind::Any:
    case TypeKind::Formula:
      if (t.kind == TypeKind::Formula) check_formula(e, {"lr", "epoch", "step", "progress"}, t.what);
      return;
    case TypeKind::OneOf: {
      for (const auto &alt : t.alternatives) {
        if (shape_fits(e, *alt)) {
          check_value(e, *alt, ctx);
          return;
        }
      }
      mismatch(e, t);
      return;
    }
    case TypeKind::None:
      if (!is_lit(ast::LiteralKind::None)) mismatch(e, t);
      return;
    case TypeKind::Int:
    case TypeKind::Float: {
      auto n = const_number(e);
      if (!n || (t.kind == TypeKind::Int && !n->integral)) {
        mismatch(e, t);
        return;
      }
      if (!t.in_range(n->value))
        diags_.report(DiagId::ValueOutOfRange, e.range, {spelling(e), ctx.what, "must be " + t.range_text()});
      return;
    }
    case TypeKind::Bool:
      if (!is_lit(ast::LiteralKind::Bool)) mismatch(e, t);
      return;
    case TypeKind::String:
      if (!is_lit(ast::LiteralKind::String)) mismatch(e, t);
      return;
    case TypeKind::Path: {
      if (!is_lit(ast::LiteralKind::String)) {
        mismatch(e, t);
        return;
      }
      std::filesystem::path p = std::filesystem::path(file_dir(e.range)) / lit->text;
      // Caught here rather than as "File name too long" deep in a run.
      std::string too_long;
      for (const auto &part : p)
        if (part.string().size() > 255) too_long = "the name '" + part.string().substr(0, 24) + "...' has " +
                                                   std::to_string(part.string().size()) + " bytes";
      if (too_long.empty() && p.string().size() > 4095)
        too_long = "it has " + std::to_string(p.string().size()) + " bytes";
      if (!too_long.empty()) {
        diags_.report(DiagId::PathTooLong, e.range, {ctx.what, too_long}).note(NoteId::PathLimits);
        return;
      }
      if (t.role != stdlib::PathRole::Input) return;
      std::error_code ec;
      if (!std::filesystem::exists(p, ec) && warned_paths_.insert(p.string()).second)
        diags_.report(DiagId::PathNotFound, e.range, {t.what, lit->text}).note(NoteId::PathWarningNote);
      return;
    }
    case TypeKind::Size:
      if (!is_lit(ast::LiteralKind::Size)) mismatch(e, t);
      else if (lit->int_value < 1 || lit->height < 1 || lit->int_value > 65536 || lit->height > 65536)
        diags_.report(DiagId::ValueOutOfRange, e.range, {lit->spelling, ctx.what, "sides must be 1 to 65536"});
      return;
    case TypeKind::Duration:
      if (!is_lit(ast::LiteralKind::Duration)) mismatch(e, t);
      else if (lit->number <= 0)
        diags_.report(DiagId::ValueOutOfRange, e.range, {lit->spelling, ctx.what, "must be longer than 0s"});
      return;
    case TypeKind::Enum: {
      if (const auto *c = e.as<ast::Call>(); c && !t.quoted &&
                                             std::find(t.values.begin(), t.values.end(), c->callee) != t.values.end()) {
        diags_.report(DiagId::NotCallable, e.range, {c->callee});
        return;
      }
      std::string value;
      if (t.quoted && is_lit(ast::LiteralKind::String)) value = lit->text;
      else if (const auto *n = e.as<ast::Name>(); n && !t.quoted) value = n->name;
      else if (is_lit(ast::LiteralKind::None) && !t.quoted) value = "none";  // the keyword, as an enum's value
      else {
        auto report = diags_.report(DiagId::TypeMismatch, e.range, {t.describe(), describe(e)});
        if (is_lit(ast::LiteralKind::String) && std::find(t.values.begin(), t.values.end(), lit->text) != t.values.end())
          report.help(NoteId::BareEnumValue, {lit->text});  // `arch = "arm64"`
        return;
      }
      for (const std::string &v : t.values) {
        if (v != value) continue;
        if (std::find(t.not_yet_values.begin(), t.not_yet_values.end(), v) != t.not_yet_values.end()) {
          std::string runs;
          for (const std::string &w : t.values)
            if (std::find(t.not_yet_values.begin(), t.not_yet_values.end(), w) == t.not_yet_values.end())
              runs += (runs.empty() ? "" : ", ") + w;
          not_supported(e.range, ctx.what, value, runs);
        }
        return;
      }
      std::string all;
      for (const std::string &v : t.values) all += (all.empty() ? "" : ", ") + v;
      diags_.report(DiagId::UnknownEnumValue, e.range, {value, ctx.what, all}).suggest(value, t.values);
      return;
    }
    case TypeKind::List: {
      const auto *l = e.as<ast::List>();
      if (!l) {
        mismatch(e, t);
        return;
      }
      if (t.exact_items && l->items.size() != t.exact_items)
        diags_.report(DiagId::ListLength, e.range, {std::to_string(t.exact_items), std::to_string(l->items.size())});
      else if (l->items.size() < t.min_items)
        diags_.report(DiagId::EmptyList, e.range, {ctx.what});
      for (const auto &item : l->items) check_value(*item, *t.element, ctx);
      return;
    }
    case TypeKind::Record: {
      const auto *r = e.as<ast::Record>();
      if (!r) {
        mismatch(e, t);
        return;
      }
      check_fields(r->fields, t.fields, "record", ctx.what, e.range, ctx);
      return;
    }
    case TypeKind::Call: check_call(e, t, ctx); return;
    case TypeKind::Ref: check_reference(e, t, ctx); return;
    case TypeKind::Metric: check_metric(e, ctx); return;
    case TypeKind::Condition: check_condition(e, ctx); return;
    case TypeKind::OpName: {
      if (const auto *c = e.as<ast::Call>(); c && catalogue().find(Category::AugmentOp, c->callee)) {
        diags_.report(DiagId::NotCallable, e.range, {c->callee});
        return;
      }
      const auto *n = e.as<ast::Name>();
      if (!n) {
        mismatch(e, t);
        return;
      }
      const Function *f = catalogue().find(Category::AugmentOp, n->name);
      if (!f || !(f->domains & stdlib::kImage))
        diags_.report(DiagId::UnknownAugmentOp, e.range, {n->name}).suggest(n->name, catalogue().names(Category::AugmentOp));
      return;
    }
  }
}

void Checker::check_call(const ast::Expr &e, const Type &t, ValueContext &ctx) {
  const auto &cat = catalogue();
  std::string callee;
  SourceRange callee_range;
  const std::vector<ast::Argument> *args = nullptr;
  if (const auto *c = e.as<ast::Call>()) {
    callee = c->callee;
    callee_range = c->callee_range;
    args = &c->args;
  } else if (const auto *n = e.as<ast::Name>()) {
    callee = n->name;
    callee_range = n->range;
  } else {
    mismatch(e, t);
    return;
  }
  const Function *f = cat.find(t.category, callee);
  if (!f) {
    const Function *other = cat.find_any(callee);
    if (other) mismatch(e, t);
    else
      diags_.report(DiagId::UnknownFunction, callee_range, {stdlib::to_string(t.category), callee})
          .suggest(callee, cat.names(t.category));
    return;
  }
  if (!f->not_yet.empty()) {
    not_supported(callee_range, stdlib::to_string(f->category), callee, f->not_yet);
    return;
  }
  ValueContext inner = ctx;
  inner.what = callee;
  // A bare name stands for a call without arguments (`schedule = cosine`).
  static const std::vector<ast::Argument> kNoArgs;
  check_args(*f, args ? *args : kNoArgs, callee_range, inner);
}

void Checker::check_args(const Function &f, const std::vector<ast::Argument> &args, SourceRange callee,
                         ValueContext &ctx) {
  std::map<std::string, const ast::Argument *> given;
  std::size_t positional = 0;
  std::vector<std::string> names;
  for (const Field &p : f.params) names.push_back(p.name);
  for (const ast::Argument &a : args) {
    ValueContext inner = ctx;
    if (f.variadic) {
      // choice(...): each option is any constant; checked where it is used.
      if (!a.name.empty()) diags_.report(DiagId::UnknownArgument, a.name_range, {f.name, a.name});
      ++positional;
      continue;
    }
    const Field *param = nullptr;
    if (a.name.empty()) {
      if (positional < f.params.size()) param = &f.params[positional];
      ++positional;
      if (!param) {
        diags_.report(DiagId::TooManyArguments, a.range,
                      {f.name, std::to_string(f.params.size()), std::to_string(positional)});
        continue;
      }
    } else {
      param = f.param(a.name);
      if (!param) {
        diags_.report(DiagId::UnknownArgument, a.name_range, {f.name, a.name}).suggest(a.name, names);
        continue;
      }
    }
    auto [it, fresh] = given.emplace(param->name, &a);
    if (!fresh) {
      diags_.report(DiagId::DuplicateArgument, a.name.empty() ? a.range : a.name_range, {param->name})
          .label(it->second->range, NoteId::PreviousArgument);
      continue;
    }
    inner.what = param->name;
    check_value(*a.value, *param->type, inner);
  }
  if (f.variadic && positional == 0) diags_.report(DiagId::EmptyDomain, callee, {f.name, "it has no options"});
  for (const Field &p : f.params)
    if (p.required && !given.count(p.name)) diags_.report(DiagId::MissingArgument, callee, {f.name, p.name});
}

void Checker::check_reference(const ast::Expr &e, const Type &t, ValueContext &ctx) {
  const auto *n = e.as<ast::Name>();
  if (!n) {
    mismatch(e, t);
    return;
  }
  for (DeclKind k : t.refs) {
    if (const ast::Decl *d = lookup(k, n->name)) {
      used_.insert(d);
      return;
    }
  }
  for (int k = 0; k < ast::kDeclKindCount; ++k) {
    const ast::Decl *d = lookup(static_cast<DeclKind>(k), n->name);
    if (!d || d->kind == DeclKind::Project) continue;
    used_.insert(d);
    std::string article = d->kind == DeclKind::Augment || d->kind == DeclKind::Op ? "an " : "a ";
    diags_.report(DiagId::WrongReferenceKind, e.range, {n->name, article + ast::to_string(d->kind), t.describe()})
        .label(d->name_range, NoteId::DeclaredHere, {n->name});
    return;
  }
  std::vector<std::string> candidates;
  for (DeclKind k : t.refs)
    for (const std::string &c : names_of(k)) candidates.push_back(c);
  diags_.report(DiagId::UnknownName, e.range, {n->name}).suggest(n->name, candidates);
}

void Checker::check_metric(const ast::Expr &e, ValueContext &ctx) {
  const auto *m = e.as<ast::Member>();
  const auto *split = m ? m->object->as<ast::Name>() : nullptr;
  const auto &cat = catalogue();
  if (!split) {
    mismatch(e, *stdlib::types::metric());
    return;
  }
  bool known_split = false;
  for (const std::string &s : cat.metric_splits()) known_split = known_split || s == split->name;
  if (!known_split) {
    diags_.report(DiagId::UnknownName, split->range, {split->name}).suggest(split->name, cat.metric_splits());
    return;
  }
  for (const std::string &name : cat.metric_names()) {
    if (name != m->member) continue;
    if (!cat.metric_runs(name)) not_supported(m->member_range, "metric", name, metrics_that_run());
    return;
  }
  diags_.report(DiagId::UnknownMember, m->member_range, {"split", split->name, "metric", m->member})
      .suggest_or_list(m->member, cat.metric_names());
}

void Checker::check_condition(const ast::Expr &e, ValueContext &ctx) {
  if (const auto *u = e.as<ast::Unary>(); u && u->op == ast::UnaryOp::Not) {
    check_condition(*u->operand, ctx);
    return;
  }
  const auto *b = e.as<ast::Binary>();
  if (!b) {
    mismatch(e, *stdlib::types::condition());
    return;
  }
  if (b->op == ast::BinaryOp::And || b->op == ast::BinaryOp::Or) {
    check_condition(*b->lhs, ctx);
    check_condition(*b->rhs, ctx);
    return;
  }
  if (ast::precedence(b->op) != ast::precedence(ast::BinaryOp::Lt)) {
    mismatch(e, *stdlib::types::condition());
    return;
  }
  for (const ast::Expr *side : {b->lhs.get(), b->rhs.get()}) {
    if (const_number(*side)) continue;
    // `labels`: how many labels the round trained on, for a label budget.
    if (const auto *n = side->as<ast::Name>()) {
      if (n->name != "labels")
        diags_.report(DiagId::TypeMismatch, n->range, {"a metric such as val.accuracy, or labels", describe(*side)});
      continue;
    }
    check_metric(*side, ctx);
  }
}

namespace {

// Why a distribution's domain is empty ("low 5 is not below high 1"), or
// nothing when it has values.
std::optional<std::string> empty_domain(const ast::Call &dist) {
  if (dist.callee == "choice") return dist.args.empty() ? std::optional<std::string>("it has no options") : std::nullopt;
  if (dist.callee == "normal" || dist.args.size() != 2) return std::nullopt;
  auto lo = const_number(*dist.args[0].value), hi = const_number(*dist.args[1].value);
  if (!lo || !hi) return std::nullopt;
  // Named arguments may come in either order.
  if (dist.args[0].name == "b" || dist.args[1].name == "a") std::swap(lo, hi);
  bool empty = dist.callee == "int" ? lo->value > hi->value : lo->value >= hi->value;
  if (!empty) return std::nullopt;
  return "low " + number_text(lo->value) + " is not below high " + number_text(hi->value);
}

}  // namespace

bool Checker::check_domain_bounds(const ast::Call &dist) {
  if (dist.callee == "choice") return !dist.args.empty();  // check_args reports an empty choice
  auto why = empty_domain(dist);
  if (why) diags_.report(DiagId::EmptyDomain, dist.range, {dist.callee, *why});
  return !why;
}

// Does every value a distribution can produce fit the type `t`?
void Checker::check_domain_against(const ast::Call &dist, const Type &t, SourceRange use, const std::string &name,
                                   ValueContext &ctx) {
  if (dist.callee == "choice") {
    for (const ast::Argument &a : dist.args) check_value(*a.value, t, ctx);
    return;
  }
  const Type *numeric = numeric_type(t);
  bool integral = dist.callee == "int";
  if (!numeric || (numeric->kind == TypeKind::Int && !integral)) {
    std::string found = std::string("values of '") + dist.callee + "'";
    diags_.report(DiagId::TypeMismatch, use, {t.describe(), found}).label(dist.range, NoteId::SearchedBecause, {name});
    return;
  }
  if (dist.args.size() != 2) return;
  auto lo = const_number(*dist.args[0].value), hi = const_number(*dist.args[1].value);
  if (!lo || !hi) return;
  if (dist.callee == "normal") {
    // Unbounded in theory; what matters is where nearly all samples fall.
    double mean = lo->value, std = hi->value;
    lo->value = mean - 4 * std;
    hi->value = mean + 4 * std;
  }
  for (double v : {lo->value, hi->value}) {
    if (!numeric->in_range(v)) {
      diags_.report(DiagId::DomainOutOfRange, use, {name, ctx.what, number_text(v) + " is outside"})
          .label(dist.range, NoteId::SearchedBecause, {name})
          .note(NoteId::AllowedRange, {numeric->range_text()});
      return;
    }
  }
}

bool Checker::empty_domain_of(const ast::Call &dist) { return empty_domain(dist).has_value(); }

const ast::Property *Checker::use_space_variable(const ast::Member &m, const ast::Decl &space, ValueContext &ctx) {
  used_.insert(&space);
  const ast::Property *var = property(space, m.member);
  if (!var) {
    std::vector<std::string> vars;
    for (const ast::Property &p : space.properties) vars.push_back(p.key);
    diags_.report(DiagId::UnknownMember, m.member_range, {"space", space.name, "variable", m.member})
        .suggest(m.member, vars);
    return nullptr;
  }
  used_vars_.insert({&space, m.member});
  if (ctx.uses) ctx.uses->push_back({&space, m.member, m.range});
  return var;
}

const Type *Checker::numeric_type(const Type &t) {
  if (t.kind == TypeKind::Int || t.kind == TypeKind::Float) return &t;
  if (t.kind == TypeKind::OneOf)
    for (const auto &alt : t.alternatives)
      if (alt->kind == TypeKind::Int || alt->kind == TypeKind::Float) return alt.get();
  return nullptr;
}

void Checker::check_space_reference(const ast::Member &m, const ast::Decl &space, const Type &t,
                                    ValueContext &ctx) {
  const ast::Property *var = use_space_variable(m, space, ctx);
  if (!var) return;
  const auto *dist = var->value->as<ast::Call>();
  // A malformed space variable is reported where it is declared.
  if (!dist || !catalogue().find(Category::Distribution, dist->callee)) return;
  for (const ast::Argument &a : dist->args)
    if (!a.value) return;
  if (dist->callee != "choice" && dist->args.size() != 2 && dist->callee != "normal") return;
  if (dist->callee == "choice") {
    // Options are checked as if written here; report them once, at the option.
    ValueContext inner = ctx;
    inner.uses = nullptr;
    for (const ast::Argument &a : dist->args) check_value(*a.value, t, inner);
    return;
  }
  if (empty_domain(*dist)) return;
  check_domain_against(*dist, t, m.range, space.name + "." + m.member, ctx);
}

}  // namespace sema
}  // namespace edl
