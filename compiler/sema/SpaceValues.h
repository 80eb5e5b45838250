// Values of searched variables: what one trial chose for each `space.var`.
// Lowerings and the runtime read searched properties through these
// helpers, so a value the search did not set means the same everywhere.
#pragma once

#include "compiler/sema/Checker.h"

#include <map>
#include <optional>
#include <string>

namespace edl {

// "space.var" -> value. A variable not listed takes the middle of its domain
// (the geometric middle for loguniform, a choice's first option), which is
// what `edlc check`, `edlc preview` and an unsearched run use.
using SpaceValues = std::map<std::string, double>;

// The value of `space.var`, or nothing when `m` names no space variable.
std::optional<double> space_value(const CheckedProject &project, const ast::Member &m, const SpaceValues &values);

// A number written as a constant expression, a searched variable, or
// arithmetic on searched variables, with the values of `values`.
std::optional<double> resolve_number(const CheckedProject &project, const ast::Expr &e, const SpaceValues &values);

// The default value of every variable of every space, by "space.var".
SpaceValues default_space_values(const CheckedProject &project);

}  // namespace edl
