// A number a spec holds: its value, and when the value comes from searched
// variables, the formula over them ("space.var"). Resolve fills `value`
// with every searched variable at its default; bind() sets it for one
// trial's values. Reads as a double wherever a number is expected.
#pragma once

#include "compiler/resolve/Formula.h"

#include <cmath>
#include <map>
#include <memory>
#include <string>

namespace edl::spec {

// "space.var" -> the value one trial chose.
using SpaceValues = std::map<std::string, double>;

struct Scalar {
  double value = 0;
  std::shared_ptr<const Formula> searched;  // null: a constant
  bool integral = false;                    // bound values are rounded

  Scalar() = default;
  Scalar(double v) : value(v) {}  // NOLINT: a constant reads as a number
  operator double() const { return value; }  // NOLINT

  // The value with every searched variable as `values` gives it.
  double at(const SpaceValues &values) const;
};

}  // namespace edl::spec
