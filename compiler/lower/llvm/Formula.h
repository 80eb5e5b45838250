// Scalar formulas (`schedule = custom(...)`) compiled to native code through
// LLVM ORC, and a plain interpreter of the same expression that the tests
// hold the compiled code to. LLVM types stay in FormulaJit.cpp.
#pragma once

#include "compiler/ast/AST.h"

#include <memory>
#include <string>
#include <vector>

namespace edl::lower {

// Evaluates a checked formula: `variables` names what `values` holds, in
// order. Comparisons and `and`/`or`/`not` give 1 or 0; a value counts as
// true when it is not 0.
double interpret_formula(const ast::Expr &formula, const std::vector<std::string> &variables, const double *values);

class CompiledFormula {
 public:
  ~CompiledFormula();
  // Lowers the formula to LLVM IR, optimises it and JIT-compiles it into
  // `double f(const double *values)`. Empty on failure, with `error` set.
  static std::unique_ptr<CompiledFormula> compile(const ast::Expr &formula, const std::vector<std::string> &variables,
                                                  std::string &error);
  double operator()(const double *values) const { return fn_(values); }

 private:
  struct Impl;
  using Fn = double (*)(const double *);
  CompiledFormula(std::unique_ptr<Impl> impl, Fn fn);
  std::unique_ptr<Impl> impl_;
  Fn fn_;
};

}  // namespace edl::lower
