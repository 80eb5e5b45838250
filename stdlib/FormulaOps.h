// The functions a formula may call, and what each computes. The
// interpreter calls formula_reference(); the ORC JIT and the Halide
// lowering switch over FormulaOp, so a function without a lowering does
// not compile (-Wswitch). Outside its domain a function gives what IEEE
// arithmetic gives there: sqrt(-1) and log(-1) are NaN, log(0) is -inf.
// No syntax tree here: specs and back ends include this alone.
#pragma once

namespace edl::stdlib {

enum class FormulaOp { Abs, Sqrt, Exp, Log, Pow, Sin, Cos, Tanh, Min, Max, Clamp, Floor, Select };

// The reference value of `op` on its arity's arguments.
double formula_reference(FormulaOp op, const double *args);

}  // namespace edl::stdlib
