// The invariants resolve promises the runtime, checked on its output: names
// that refer to blocks resolve, shares add up, counts are positive, paths
// are absolute, control trees point at real ops. A violation is a bug in
// resolve (never the user's doing); compile_project checks every project it
// resolves and stops with an internal error naming each violation.
#pragma once

#include "compiler/resolve/Spec.h"

#include <string>
#include <vector>

namespace edl::spec {

// Every broken invariant, as "block 'name': what"; empty when all hold.
std::vector<std::string> verify(const Specs &specs);

}  // namespace edl::spec
