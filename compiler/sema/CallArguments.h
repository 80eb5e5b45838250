// A call's argument found the way the checker matched it: by name, or by
// its position in the catalogue's signature of the callee. Lowerings and
// the runtime read arguments through this, never with positions of their own.
#pragma once

#include "compiler/ast/AST.h"

#include <string>

namespace edl {

const ast::Expr *call_argument(const ast::Call &call, const std::string &name);

}  // namespace edl
