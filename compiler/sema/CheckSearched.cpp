// Checker: arithmetic on searched values (`hidden = [hp.width * 4]`,
// `lr = hp.lr / 10`). Such a value is searched like the variables in it;
// each trial evaluates it (resolve_number), and here its whole range over
// the variables' domains is checked against the type, by interval
// arithmetic, as a plain `hp.lr` is.
#include "compiler/sema/CheckerImpl.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace edl::sema {

using ast::DeclKind;
using stdlib::Category;
using stdlib::catalogue;
using stdlib::TypeKind;

namespace {

struct Interval {
  double lo, hi;
  bool integral;  // every value in it is a whole number
};

// The range a space variable's distribution can produce.
std::optional<Interval> domain(const ast::Call &dist) {
  std::vector<double> values;
  bool integral = true;
  for (const ast::Argument &a : dist.args) {
    auto n = a.value ? const_number(*a.value) : std::nullopt;
    if (!n) return std::nullopt;
    values.push_back(n->value);
    integral = integral && n->integral;
  }
  if (values.empty()) return std::nullopt;
  if (dist.callee == "choice")
    return Interval{*std::min_element(values.begin(), values.end()), *std::max_element(values.begin(), values.end()),
                    integral};
  if (values.size() != 2) return std::nullopt;
  if (dist.callee == "normal") return Interval{values[0] - 4 * values[1], values[0] + 4 * values[1], false};
  return Interval{values[0], values[1], dist.callee == "int"};
}

bool is_arithmetic(const ast::Expr &e) {
  if (const auto *u = e.as<ast::Unary>()) return u->op == ast::UnaryOp::Neg;
  if (const auto *b = e.as<ast::Binary>())
    return b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub || b->op == ast::BinaryOp::Mul ||
           b->op == ast::BinaryOp::Div || b->op == ast::BinaryOp::Pow;
  return false;
}

}  // namespace

bool Checker::is_searched_expression(const ast::Expr &e) const {
  if (!is_arithmetic(e)) return false;
  bool found = false;
  std::function<void(const ast::Expr &)> walk = [&](const ast::Expr &x) {
    if (const auto *m = x.as<ast::Member>()) {
      if (const auto *obj = m->object->as<ast::Name>(); obj && lookup(DeclKind::Space, obj->name)) found = true;
    } else if (const auto *u = x.as<ast::Unary>()) {
      walk(*u->operand);
    } else if (const auto *b = x.as<ast::Binary>()) {
      walk(*b->lhs);
      walk(*b->rhs);
    }
  };
  walk(e);
  return found;
}

void Checker::check_searched_expression(const ast::Expr &e, const Type &t, ValueContext &ctx) {
  const Type *numeric = numeric_type(t);
  if (!numeric) {
    mismatch(e, t);
    return;
  }
  bool valid = true;
  // The value's interval over every variable's domain; nullopt when it
  // cannot be bounded (then only the variables are checked).
  std::function<std::optional<Interval>(const ast::Expr &)> eval = [&](const ast::Expr &x) -> std::optional<Interval> {
    if (auto n = const_number(x)) return Interval{n->value, n->value, n->integral};
    if (const auto *m = x.as<ast::Member>()) {
      const auto *obj = m->object->as<ast::Name>();
      const ast::Decl *space = obj ? lookup(DeclKind::Space, obj->name) : nullptr;
      if (!space) {
        mismatch(x, *numeric);
        return valid = false, std::nullopt;
      }
      const ast::Property *var = use_space_variable(*m, *space, ctx);
      if (!var) return valid = false, std::nullopt;
      const auto *dist = var->value->as<ast::Call>();
      return dist && !empty_domain_of(*dist) ? domain(*dist) : std::nullopt;
    }
    if (const auto *u = x.as<ast::Unary>()) {
      auto v = eval(*u->operand);
      if (!v) return std::nullopt;
      return Interval{-v->hi, -v->lo, v->integral};
    }
    const auto *b = x.as<ast::Binary>();
    if (!b || !is_arithmetic(x)) {
      mismatch(x, *numeric);
      return valid = false, std::nullopt;
    }
    auto l = eval(*b->lhs), r = eval(*b->rhs);
    if (!l || !r) return std::nullopt;
    std::vector<double> corners;
    for (double a : {l->lo, l->hi})
      for (double c : {r->lo, r->hi}) {
        switch (b->op) {
          case ast::BinaryOp::Add: corners.push_back(a + c); break;
          case ast::BinaryOp::Sub: corners.push_back(a - c); break;
          case ast::BinaryOp::Mul: corners.push_back(a * c); break;
          case ast::BinaryOp::Div:
            if (r->lo <= 0 && r->hi >= 0) return std::nullopt;  // the divisor's range holds 0
            corners.push_back(a / c);
            break;
          default:
            if (l->lo <= 0) return std::nullopt;  // a power of a non-positive base is not monotone
            corners.push_back(std::pow(a, c));
        }
      }
    for (double v : corners)
      if (!std::isfinite(v)) return std::nullopt;
    bool integral = l->integral && r->integral &&
                    (b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub || b->op == ast::BinaryOp::Mul ||
                     (b->op == ast::BinaryOp::Pow && r->lo >= 0));
    return Interval{*std::min_element(corners.begin(), corners.end()),
                    *std::max_element(corners.begin(), corners.end()), integral};
  };
  std::optional<Interval> range = eval(e);
  if (!valid || !range) return;
  const std::string text = source_text(e.range);
  if (numeric->kind == TypeKind::Int && !range->integral) {
    diags_.report(DiagId::TypeMismatch, e.range, {numeric->describe(), "'" + text + "', which need not be whole"});
    return;
  }
  for (double v : {range->lo, range->hi})
    if (!numeric->in_range(v)) {
      diags_.report(DiagId::DomainOutOfRange, e.range, {text, ctx.what, number_text(v) + " is outside"})
          .note(NoteId::AllowedRange, {numeric->range_text()});
      return;
    }
}

std::string Checker::source_text(SourceRange r) const {
  const std::string &text = sm_.text(r.file);
  return r.end <= text.size() && r.begin <= r.end ? text.substr(r.begin, r.end - r.begin) : std::string("value");
}

}  // namespace edl::sema
