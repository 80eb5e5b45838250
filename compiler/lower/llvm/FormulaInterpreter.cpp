// The reference semantics of formulas: a direct walk over the AST.
#include "compiler/lower/llvm/Formula.h"

#include "stdlib/Catalogue.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace edl::lower {

double interpret_formula(const ast::Expr &e, const std::vector<std::string> &vars, const double *values) {
  auto eval = [&](const ast::Expr &sub) { return interpret_formula(sub, vars, values); };
  switch (e.kind) {
    case ast::ExprKind::Literal: {
      const auto &l = *e.as<ast::Literal>();
      if (l.literal == ast::LiteralKind::Int) return static_cast<double>(l.int_value);
      if (l.literal == ast::LiteralKind::Bool) return l.boolean ? 1 : 0;
      return l.number;
    }
    case ast::ExprKind::Name: {
      const std::string &n = e.as<ast::Name>()->name;
      for (std::size_t i = 0; i < vars.size(); ++i)
        if (vars[i] == n) return values[i];
      throw std::invalid_argument("unknown formula name '" + n + "'");
    }
    case ast::ExprKind::Unary: {
      const auto &u = *e.as<ast::Unary>();
      double v = eval(*u.operand);
      return u.op == ast::UnaryOp::Neg ? -v : (v == 0 ? 1 : 0);
    }
    case ast::ExprKind::Binary: {
      const auto &b = *e.as<ast::Binary>();
      double l = eval(*b.lhs), r = eval(*b.rhs);
      switch (b.op) {
        case ast::BinaryOp::Pow: return std::pow(l, r);
        case ast::BinaryOp::Mul: return l * r;
        case ast::BinaryOp::Div: return l / r;
        case ast::BinaryOp::Add: return l + r;
        case ast::BinaryOp::Sub: return l - r;
        case ast::BinaryOp::Lt: return l < r;
        case ast::BinaryOp::Le: return l <= r;
        case ast::BinaryOp::Gt: return l > r;
        case ast::BinaryOp::Ge: return l >= r;
        case ast::BinaryOp::Eq: return l == r;
        case ast::BinaryOp::Ne: return l != r;
        case ast::BinaryOp::And: return l != 0 && r != 0;
        case ast::BinaryOp::Or: return l != 0 || r != 0;
      }
      break;
    }
    case ast::ExprKind::Call: {
      const auto &c = *e.as<ast::Call>();
      std::vector<double> a;
      for (const ast::Argument &arg : c.args) a.push_back(eval(*arg.value));
      return stdlib::formula_reference(stdlib::catalogue().formula_call(c.callee, a.size()).op, a.data());
    }
    default: break;
  }
  throw std::invalid_argument("not a number in a formula");
}

}  // namespace edl::lower
