// A formula as the resolve stage hands it on: an owned expression tree with
// functions already looked up in the catalogue, so the interpreter, the
// ORC JIT and the Halide lowering never see the syntax tree. Searched
// values are formulas too, over variables named "space.var".
#pragma once

#include "compiler/support/Operators.h"
#include "compiler/support/SourceRange.h"
#include "stdlib/FormulaOps.h"

#include <map>
#include <string>
#include <vector>

namespace edl::spec {

using edl::BinaryOp;
using edl::UnaryOp;

struct Formula {
  enum class Kind { Number, Bool, Variable, Unary, Binary, Call } kind = Kind::Number;
  double number = 0;                 // Number; Bool: 1 or 0
  std::string name;                  // Variable; Call: the function as written
  UnaryOp unary = UnaryOp::Neg;
  BinaryOp binary = BinaryOp::Add;
  stdlib::FormulaOp function = stdlib::FormulaOp::Abs;  // Call
  std::vector<Formula> args;         // Unary: 1, Binary: 2, Call: the function's arity
  SourceRange range;

  static Formula constant(double v) { return Formula{Kind::Number, v, {}, {}, {}, {}, {}, {}}; }
};

// Named values for evaluation ("epoch" -> 3, "space.lr" -> 0.01).
using Variables = std::map<std::string, double>;

// The reference meaning, in double: comparisons and `and`/`or`/`not` give
// 1 or 0, a value counts as true when it is not 0. Throws
// std::invalid_argument for a variable `values` does not hold.
double evaluate(const Formula &f, const Variables &values);

// The same, with variables by position (what compiled code receives).
double evaluate(const Formula &f, const std::vector<std::string> &variables, const double *values);

// Canonical text, fully parenthesised: equal formulas print equal.
std::string to_text(const Formula &f);

// Every variable the formula reads, sorted, once each.
std::vector<std::string> variables_of(const Formula &f);

}  // namespace edl::spec
