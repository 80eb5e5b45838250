// Maps ANTLR parse-tree contexts to the AST. Split by grammar area:
// TransformDecl.cpp (file, declarations, blocks, steps) and
// TransformExpr.cpp (expressions, literals). Internal to compiler/parse.
#pragma once

#include "EDLParser.h"
#include "compiler/ast/AST.h"
#include "compiler/support/Diagnostics.h"

#include <vector>

namespace edl::parse {

class Transformer {
 public:
  // `offsets[i]` is the byte offset of code point i (empty for ASCII text).
  Transformer(FileId file, const std::vector<std::uint32_t> &offsets, antlr4::CommonTokenStream &tokens,
              DiagnosticEngine &diags)
      : file_(file), offsets_(offsets), tokens_(tokens), diags_(diags) {}

  ast::File transform(EDLParser::FileContext *ctx);

  // TransformDecl.cpp
  ast::Decl declaration(EDLParser::DeclarationContext *ctx);
  std::vector<ast::Property> properties(const std::vector<EDLParser::PropertyContext *> &ctxs);
  ast::Step step(EDLParser::StepContext *ctx);
  std::vector<ast::Argument> arguments(EDLParser::ArgumentsContext *ctx);
  std::string doc_comment(antlr4::ParserRuleContext *ctx);

  // TransformExpr.cpp
  ast::ExprPtr expr(EDLParser::ExprContext *ctx);
  ast::ExprPtr primary(EDLParser::PrimaryContext *ctx);
  ast::ExprPtr literal(EDLParser::LiteralContext *ctx);
  std::string string_value(antlr4::Token *token);

  // A name is one token; its text is cheaper to read from the token than
  // from the context, which concatenates its children.
  static std::string name_text(EDLParser::NameContext *ctx) { return ctx->getStart()->getText(); }

  SourceRange range(antlr4::ParserRuleContext *ctx) const;
  SourceRange range(antlr4::Token *token) const;
  SourceRange range(antlr4::tree::TerminalNode *node) const { return range(node->getSymbol()); }

 private:
  std::uint32_t byte_offset(std::size_t index) const;

  FileId file_;
  const std::vector<std::uint32_t> &offsets_;
  antlr4::CommonTokenStream &tokens_;
  DiagnosticEngine &diags_;
};

}  // namespace edl::parse
