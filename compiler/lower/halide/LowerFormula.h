// A formula (an `op` body) as a Halide expression. Includes Halide.h: only
// for files that already pay for it (LowerAugment.cpp, the formula tests).
#pragma once

#include "compiler/resolve/Formula.h"

#include <Halide.h>

#include <map>
#include <string>

namespace edl::lower {

// `names` gives every name the formula may use (x, c, u, v and the op's
// parameters). Comparisons and logic are booleans; where a number is
// needed a boolean counts as 0 or 1. Functions mean what
// stdlib::formula_reference computes, in float. An InternalError on
// a name `names` does not hold (the checker rejects it).
Halide::Expr lower_formula(const spec::Formula &formula, const std::map<std::string, Halide::Expr> &names);

}  // namespace edl::lower
