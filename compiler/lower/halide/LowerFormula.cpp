#include "compiler/lower/halide/LowerFormula.h"

#include "stdlib/Catalogue.h"

#include <stdexcept>

namespace edl::lower {
namespace {

using namespace Halide;

class FormulaLowering {
 public:
  explicit FormulaLowering(const std::map<std::string, Expr> &names) : names_(names) {}

  Expr number(const ast::Expr &e) { return as_number(lower(e)); }

 private:
  static Expr as_number(Expr e) { return e.type().is_bool() ? select(e, 1.0f, 0.0f) : cast<float>(e); }
  static Expr as_bool(Expr e) { return e.type().is_bool() ? e : e != 0.0f; }

  Expr lower(const ast::Expr &e) {
    switch (e.kind) {
      case ast::ExprKind::Literal: {
        const auto &l = *e.as<ast::Literal>();
        if (l.literal == ast::LiteralKind::Bool) return l.boolean ? Internal::const_true() : Internal::const_false();
        return Expr(static_cast<float>(l.literal == ast::LiteralKind::Int ? static_cast<double>(l.int_value) : l.number));
      }
      case ast::ExprKind::Name: {
        auto it = names_.find(e.as<ast::Name>()->name);
        if (it == names_.end()) throw std::logic_error("formula lowering: unknown name '" + e.as<ast::Name>()->name + "'");
        return it->second;
      }
      case ast::ExprKind::Unary: {
        const auto &u = *e.as<ast::Unary>();
        return u.op == ast::UnaryOp::Neg ? -number(*u.operand) : !as_bool(lower(*u.operand));
      }
      case ast::ExprKind::Binary: {
        const auto &b = *e.as<ast::Binary>();
        if (b.op == ast::BinaryOp::And) return as_bool(lower(*b.lhs)) && as_bool(lower(*b.rhs));
        if (b.op == ast::BinaryOp::Or) return as_bool(lower(*b.lhs)) || as_bool(lower(*b.rhs));
        Expr l = number(*b.lhs), r = number(*b.rhs);
        switch (b.op) {
          case ast::BinaryOp::Pow: return pow(l, r);
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
          case ast::BinaryOp::And:
          case ast::BinaryOp::Or: break;
        }
        break;
      }
      case ast::ExprKind::Call: return call(*e.as<ast::Call>());
      default: break;
    }
    throw std::logic_error("formula lowering: not a number");  // the checker admits no other kinds
  }

  Expr call(const ast::Call &c) {
    const stdlib::FormulaOp op = stdlib::catalogue().formula_call(c.callee, c.args.size()).op;
    std::vector<Expr> a;
    for (const ast::Argument &arg : c.args)
      a.push_back(op == stdlib::FormulaOp::Select && a.empty() ? lower(*arg.value) : number(*arg.value));
    using Op = stdlib::FormulaOp;
    switch (op) {  // every case: what formula_reference computes
      case Op::Abs: return abs(a[0]);
      case Op::Sqrt: return sqrt(a[0]);
      case Op::Exp: return exp(a[0]);
      case Op::Log: return log(a[0]);
      case Op::Pow: return pow(a[0], a[1]);
      case Op::Sin: return sin(a[0]);
      case Op::Cos: return cos(a[0]);
      case Op::Tanh: return tanh(a[0]);
      case Op::Min: return min(a[0], a[1]);
      case Op::Max: return max(a[0], a[1]);
      case Op::Clamp: return min(max(a[0], a[1]), a[2]);  // Halide's clamp takes lo over hi when they cross
      case Op::Floor: return floor(a[0]);
      case Op::Select: return select(as_bool(a[0]), a[1], a[2]);
    }
    throw std::logic_error("formula lowering: unknown function '" + c.callee + "'");
  }

  const std::map<std::string, Expr> &names_;
};

}  // namespace

Halide::Expr lower_formula(const ast::Expr &formula, const std::map<std::string, Halide::Expr> &names) {
  return FormulaLowering(names).number(formula);
}

}  // namespace edl::lower
