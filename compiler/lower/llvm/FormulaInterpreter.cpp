// The reference semantics of formulas: a direct walk over the AST.
#include "compiler/lower/llvm/Formula.h"

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
      auto need = [&](std::size_t n) {
        if (a.size() != n) throw std::invalid_argument("'" + c.callee + "' takes " + std::to_string(n) + " arguments");
      };
      const std::string &f = c.callee;
      if (f == "abs") return need(1), std::fabs(a[0]);
      if (f == "sqrt") return need(1), std::sqrt(a[0]);
      if (f == "exp") return need(1), std::exp(a[0]);
      if (f == "log") return need(1), std::log(a[0]);
      if (f == "sin") return need(1), std::sin(a[0]);
      if (f == "cos") return need(1), std::cos(a[0]);
      if (f == "tanh") return need(1), std::tanh(a[0]);
      if (f == "floor") return need(1), std::floor(a[0]);
      if (f == "pow") return need(2), std::pow(a[0], a[1]);
      if (f == "min") return need(2), std::fmin(a[0], a[1]);
      if (f == "max") return need(2), std::fmax(a[0], a[1]);
      if (f == "clamp") return need(3), std::fmin(std::fmax(a[0], a[1]), a[2]);
      if (f == "select") return need(3), a[0] != 0 ? a[1] : a[2];
      throw std::invalid_argument("unknown formula function '" + f + "'");
    }
    default: break;
  }
  throw std::invalid_argument("not a number in a formula");
}

}  // namespace edl::lower
