// A formula (an `op` body) as a Halide expression. Includes Halide.h: only
// for files that already pay for it (LowerAugment.cpp, the formula tests).
#pragma once

#include "compiler/ast/AST.h"

#include <Halide.h>

#include <map>
#include <string>

namespace edl::lower {

// `names` gives every name the formula may use (x, c, u, v and the op's
// parameters). Comparisons and logic are booleans; where a number is
// needed a boolean counts as 0 or 1. Functions mean what
// stdlib::formula_reference computes, in float. Throws std::logic_error on
// what the checker rejects (an unknown name or function).
Halide::Expr lower_formula(const ast::Expr &formula, const std::map<std::string, Halide::Expr> &names);

}  // namespace edl::lower
