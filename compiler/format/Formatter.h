// `edlc fmt`: prints a parsed file in the one canonical layout. Comments are
// kept (a comment inside a multi-line value moves above it); the result
// parses to the same AST and formatting it again changes nothing.
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/parse/FrontEnd.h"

#include <string>
#include <vector>

namespace edl {

inline constexpr int kFormatWidth = 100;

std::string format_file(const ast::File &file, const std::vector<Comment> &comments, const std::string &source);

// One expression on one line (no width limit), as the formatter spells it.
std::string format_expr_flat(const ast::Expr &e);

}  // namespace edl
