#include "compiler/sema/CallArguments.h"

#include "stdlib/Catalogue.h"

namespace edl {

const ast::Expr *call_argument(const ast::Call &call, const std::string &name) {
  std::size_t position = static_cast<std::size_t>(-1);
  if (const stdlib::Function *f = stdlib::catalogue().find_any(call.callee))
    for (std::size_t i = 0; i < f->params.size(); ++i)
      if (f->params[i].name == name) position = i;
  return ast::find_argument(call, name, position);
}

}  // namespace edl
