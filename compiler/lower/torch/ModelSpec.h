// The model spec the libtorch builder reads: the resolved model block
// (compiler/resolve/Spec.h), bound to one run's searched values.
#pragma once

#include "compiler/resolve/Spec.h"

#include <vector>

namespace edl::lower {

using ModelSpec = spec::Model;

// A bound list of integer scalars (layer widths, channels) as ints.
std::vector<int> ints(const std::vector<spec::Scalar> &list);

}  // namespace edl::lower
