// A canonical text form of the AST without source positions or comments.
// Two trees mean the same exactly when their dumps are equal: the formatter's
// tests compare dumps, and the planner hashes them.
#pragma once

#include "compiler/ast/AST.h"

#include <string>

namespace edl::ast {

std::string dump(const Expr &e);
std::string dump(const Step &s);
std::string dump(const Decl &d);
std::string dump(const File &f);

}  // namespace edl::ast
