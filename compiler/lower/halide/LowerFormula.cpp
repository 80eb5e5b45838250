#include "compiler/lower/halide/LowerFormula.h"

#include "compiler/support/InternalError.h"

#include <stdexcept>

namespace edl::lower {
namespace {

using namespace Halide;

class FormulaLowering {
 public:
  explicit FormulaLowering(const std::map<std::string, Expr> &names) : names_(names) {}

  Expr number(const spec::Formula &f) { return as_number(lower(f)); }

 private:
  static Expr as_number(Expr e) { return e.type().is_bool() ? select(e, 1.0f, 0.0f) : cast<float>(e); }
  static Expr as_bool(Expr e) { return e.type().is_bool() ? e : e != 0.0f; }

  Expr lower(const spec::Formula &f) {
    using K = spec::Formula::Kind;
    switch (f.kind) {
      case K::Bool: return f.number != 0 ? Internal::const_true() : Internal::const_false();
      case K::Number: return Expr(static_cast<float>(f.number));
      case K::Variable: {
        auto it = names_.find(f.name);
        if (it == names_.end()) internal_error("formula lowering: unknown name '" + f.name + "'");
        return it->second;
      }
      case K::Unary: return f.unary == spec::UnaryOp::Neg ? -number(f.args[0]) : !as_bool(lower(f.args[0]));
      case K::Binary: {
        if (f.binary == spec::BinaryOp::And) return as_bool(lower(f.args[0])) && as_bool(lower(f.args[1]));
        if (f.binary == spec::BinaryOp::Or) return as_bool(lower(f.args[0])) || as_bool(lower(f.args[1]));
        Expr l = number(f.args[0]), r = number(f.args[1]);
        switch (f.binary) {
          case spec::BinaryOp::Pow: return pow(l, r);
          case spec::BinaryOp::Mul: return l * r;
          case spec::BinaryOp::Div: return l / r;
          case spec::BinaryOp::Add: return l + r;
          case spec::BinaryOp::Sub: return l - r;
          case spec::BinaryOp::Lt: return l < r;
          case spec::BinaryOp::Le: return l <= r;
          case spec::BinaryOp::Gt: return l > r;
          case spec::BinaryOp::Ge: return l >= r;
          case spec::BinaryOp::Eq: return l == r;
          case spec::BinaryOp::Ne: return l != r;
          case spec::BinaryOp::And:
          case spec::BinaryOp::Or: break;
        }
        break;
      }
      case K::Call: return call(f);
    }
    internal_error("formula lowering: a node of no kind");
  }

  Expr call(const spec::Formula &c) {
    const stdlib::FormulaOp op = c.function;
    std::vector<Expr> a;
    for (const spec::Formula &arg : c.args)
      a.push_back(op == stdlib::FormulaOp::Select && a.empty() ? lower(arg) : number(arg));
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
    internal_error("formula lowering: unknown function '" + c.name + "'");
  }

  const std::map<std::string, Expr> &names_;
};

}  // namespace

Halide::Expr lower_formula(const spec::Formula &formula, const std::map<std::string, Halide::Expr> &names) {
  return FormulaLowering(names).number(formula);
}

}  // namespace edl::lower
