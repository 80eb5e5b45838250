#include "compiler/sema/SpaceValues.h"

#include <cmath>

namespace edl {
namespace {

std::optional<double> domain_middle(const ast::Call &dist) {
  if (dist.args.empty()) return std::nullopt;
  auto a = const_number(*dist.args[0].value);
  if (dist.callee == "choice" || dist.args.size() < 2) return a ? std::optional<double>(a->value) : std::nullopt;
  auto b = const_number(*dist.args[1].value);
  if (!a || !b) return std::nullopt;
  if (dist.callee == "normal") return a->value;
  double mid = dist.callee == "loguniform" ? std::sqrt(a->value * b->value) : (a->value + b->value) / 2;
  return dist.callee == "int" ? std::round(mid) : mid;
}

}  // namespace

std::optional<double> space_value(const CheckedProject &project, const ast::Member &m, const SpaceValues &values) {
  const auto *obj = m.object->as<ast::Name>();
  const ast::Decl *space = obj ? project.find(ast::DeclKind::Space, obj->name) : nullptr;
  if (!space) return std::nullopt;
  auto given = values.find(obj->name + "." + m.member);
  if (given != values.end()) return given->second;
  const ast::Property *p = ast::find_property(space->properties, m.member);
  const auto *dist = p ? p->value->as<ast::Call>() : nullptr;
  return dist ? domain_middle(*dist) : std::nullopt;
}

std::optional<double> resolve_number(const CheckedProject &project, const ast::Expr &e, const SpaceValues &values) {
  if (auto n = const_number(e)) return n->value;
  if (const auto *m = e.as<ast::Member>()) return space_value(project, *m, values);
  if (const auto *u = e.as<ast::Unary>(); u && u->op == ast::UnaryOp::Neg) {
    auto v = resolve_number(project, *u->operand, values);
    return v ? std::optional<double>(-*v) : std::nullopt;
  }
  // Arithmetic on searched values (`hp.width * 4`), evaluated with this trial's values.
  if (const auto *b = e.as<ast::Binary>()) {
    auto l = resolve_number(project, *b->lhs, values), r = resolve_number(project, *b->rhs, values);
    if (!l || !r) return std::nullopt;
    double v;
    switch (b->op) {
      case ast::BinaryOp::Add: v = *l + *r; break;
      case ast::BinaryOp::Sub: v = *l - *r; break;
      case ast::BinaryOp::Mul: v = *l * *r; break;
      case ast::BinaryOp::Div: v = *l / *r; break;
      case ast::BinaryOp::Pow: v = std::pow(*l, *r); break;
      default: return std::nullopt;
    }
    return std::isfinite(v) ? std::optional<double>(v) : std::nullopt;
  }
  return std::nullopt;
}

SpaceValues default_space_values(const CheckedProject &project) {
  SpaceValues out;
  for (const auto &[name, space] : project.decls[static_cast<int>(ast::DeclKind::Space)])
    for (const ast::Property &p : space->properties)
      if (const auto *dist = p.value->as<ast::Call>())
        if (auto v = domain_middle(*dist)) out[name + "." + p.key] = *v;
  return out;
}

}  // namespace edl
