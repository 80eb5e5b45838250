// What is under the cursor: the innermost name, key, call or reference at a
// byte offset of a parsed file, with the catalogue entry that explains it.
#pragma once

#include "compiler/ast/AST.h"
#include "stdlib/Catalogue.h"

namespace edl::lsp {

struct Hit {
  enum Kind { None, DeclName, PropertyKey, Callee, ArgName, StepName, Name, Member, ImportPath } kind = None;
  const ast::Decl *decl = nullptr;          // the declaration around the cursor
  const ast::Property *property = nullptr;  // PropertyKey
  const ast::Expr *expr = nullptr;          // Callee (a Call), Name, Member
  const ast::Argument *arg = nullptr;       // ArgName
  const ast::Step *step = nullptr;          // StepName
  const ast::Import *import = nullptr;      // ImportPath
  const stdlib::Field *field = nullptr;     // the schema of a key or argument
  const stdlib::Type *expected = nullptr;   // the type expected where an expression stands
  const stdlib::Function *function = nullptr;  // what a callee or step names
  SourceRange range;                         // the span under the cursor
};

Hit locate(const ast::File &file, std::uint32_t offset);

}  // namespace edl::lsp
