// Syntax-tree formulas to spec formulas: searched values ("space.var") and
// the bodies of schedules and ops. The checker has admitted only what
// formulas may hold, so any other node is a broken invariant.
#include "compiler/resolve/Resolve.h"

#include "compiler/support/InternalError.h"
#include "stdlib/Catalogue.h"

#include <stdexcept>

namespace edl {

spec::Formula resolve_formula(const ast::Expr &e) {
  using K = spec::Formula::Kind;
  spec::Formula f;
  f.range = e.range;
  switch (e.kind) {
    case ast::ExprKind::Literal: {
      const auto &l = *e.as<ast::Literal>();
      f.kind = l.literal == ast::LiteralKind::Bool ? K::Bool : K::Number;
      f.number = l.literal == ast::LiteralKind::Int    ? static_cast<double>(l.int_value)
                 : l.literal == ast::LiteralKind::Bool ? (l.boolean ? 1.0 : 0.0)
                                                       : l.number;
      return f;
    }
    case ast::ExprKind::Name:
      f.kind = K::Variable;
      f.name = e.as<ast::Name>()->name;
      return f;
    case ast::ExprKind::Member: {
      const auto &m = *e.as<ast::Member>();
      const auto *space = m.object->as<ast::Name>();
      if (!space) break;
      f.kind = K::Variable;
      f.name = space->name + "." + m.member;
      return f;
    }
    case ast::ExprKind::Unary: {
      const auto &u = *e.as<ast::Unary>();
      f.kind = K::Unary;
      f.unary = u.op;
      f.args.push_back(resolve_formula(*u.operand));
      return f;
    }
    case ast::ExprKind::Binary: {
      const auto &b = *e.as<ast::Binary>();
      f.kind = K::Binary;
      f.binary = b.op;
      f.args.push_back(resolve_formula(*b.lhs));
      f.args.push_back(resolve_formula(*b.rhs));
      return f;
    }
    case ast::ExprKind::Call: {
      const auto &c = *e.as<ast::Call>();
      f.kind = K::Call;
      f.name = c.callee;
      f.function = stdlib::catalogue().formula_call(c.callee, c.args.size()).op;
      for (const ast::Argument &a : c.args) f.args.push_back(resolve_formula(*a.value));
      return f;
    }
    default: break;
  }
  internal_error("resolve: a formula holds what the checker rejects");
}

}  // namespace edl
