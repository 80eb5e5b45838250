// Scalar formulas (`schedule = custom(...)`) compiled to native code through
// LLVM ORC; spec::evaluate is the reference the tests hold the compiled
// code to. LLVM types stay in FormulaJit.cpp.
#pragma once

#include "compiler/resolve/Formula.h"

#include <memory>
#include <string>
#include <vector>

namespace edl::lower {

class CompiledFormula {
 public:
  ~CompiledFormula();
  // Lowers the formula to LLVM IR, optimises it and JIT-compiles it into
  // `double f(const double *values)`. Empty on failure, with `error` set.
  static std::unique_ptr<CompiledFormula> compile(const spec::Formula &formula, const std::vector<std::string> &variables,
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
