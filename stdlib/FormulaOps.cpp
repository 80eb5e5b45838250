#include "stdlib/FormulaOps.h"

#include <cmath>

namespace edl::stdlib {

double formula_reference(FormulaOp op, const double *a) {
  switch (op) {
    case FormulaOp::Abs: return std::fabs(a[0]);
    case FormulaOp::Sqrt: return std::sqrt(a[0]);
    case FormulaOp::Exp: return std::exp(a[0]);
    case FormulaOp::Log: return std::log(a[0]);
    case FormulaOp::Pow: return std::pow(a[0], a[1]);
    case FormulaOp::Sin: return std::sin(a[0]);
    case FormulaOp::Cos: return std::cos(a[0]);
    case FormulaOp::Tanh: return std::tanh(a[0]);
    case FormulaOp::Min: return std::fmin(a[0], a[1]);
    case FormulaOp::Max: return std::fmax(a[0], a[1]);
    case FormulaOp::Clamp: return std::fmin(std::fmax(a[0], a[1]), a[2]);
    case FormulaOp::Floor: return std::floor(a[0]);
    case FormulaOp::Select: return a[0] != 0 ? a[1] : a[2];
  }
  return std::nan("");
}

}  // namespace edl::stdlib
