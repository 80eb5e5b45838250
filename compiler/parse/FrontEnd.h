// The parser front end: .edl text -> our AST, with syntax errors as
// diagnostics. The only public door to ANTLR; no ANTLR type passes it.
#pragma once

#include "compiler/ast/AST.h"
#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"

#include <optional>
#include <vector>

namespace edl {

struct Comment {
  SourceRange range;
  bool doc = false;  // `///`
};

struct ParseResult {
  // Absent when the file has syntax errors: later stages never see a
  // half-built tree, so they report no follow-on noise.
  std::optional<ast::File> file;
  // When the file has syntax errors: the tree ANTLR's error recovery built,
  // holes and all (Transformer.h), for editors (hover, completion, symbols).
  // Never checked for errors or run.
  std::optional<ast::File> partial;
  std::vector<Comment> comments;  // every comment, in source order
};

ParseResult parse_file(FileId id, const SourceManager &sm, DiagnosticEngine &diags);

}  // namespace edl
