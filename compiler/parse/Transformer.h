// Maps ANTLR parse-tree contexts to the AST. Split by grammar area:
// TransformDecl.cpp (file, declarations, blocks, steps) and
// TransformExpr.cpp (expressions, literals). Internal to compiler/parse.
//
// It also maps the tree ANTLR's error recovery leaves in a file with
// syntax errors (the partial tree editors work on): a child that did not
// parse is null or empty and becomes an empty name at the gap where it was
// expected; a rule left unfinished (a missing `}` or `)`) reaches to the end
// of the file, so a cursor typing inside it is inside it.
#pragma once

#include "EDLParser.h"
#include "compiler/ast/AST.h"
#include "compiler/support/Diagnostics.h"

#include <vector>

namespace edl::parse {

class Transformer {
 public:
  // `offsets[i]` is the byte offset of code point i (empty for ASCII text).
  // `end`: the byte size of the file.
  Transformer(FileId file, std::uint32_t end, const std::vector<std::uint32_t> &offsets,
              antlr4::CommonTokenStream &tokens, DiagnosticEngine &diags)
      : file_(file), end_(end), offsets_(offsets), tokens_(tokens), diags_(diags) {}

  ast::File transform(EDLParser::FileContext *ctx);

  // TransformDecl.cpp
  ast::Decl declaration(EDLParser::DeclarationContext *ctx);
  std::vector<ast::Property> properties(const std::vector<EDLParser::PropertyContext *> &ctxs);
  ast::Step step(EDLParser::StepContext *ctx);
  std::vector<ast::Argument> arguments(EDLParser::ArgumentsContext *ctx);
  std::string doc_comment(antlr4::ParserRuleContext *ctx);

  // TransformExpr.cpp. `missing_at`: where an expression that did not parse was expected.
  ast::ExprPtr expr(EDLParser::ExprContext *ctx, SourceRange missing_at);
  ast::ExprPtr primary(EDLParser::PrimaryContext *ctx, SourceRange missing_at);
  ast::ExprPtr literal(EDLParser::LiteralContext *ctx);
  std::string string_value(antlr4::Token *token);

  // A name is one token; its text is cheaper to read from the token than
  // from the context, which concatenates its children.
  // A name that did not parse is empty.
  static std::string name_text(EDLParser::NameContext *ctx) {
    return ctx && !ctx->children.empty() ? ctx->getStart()->getText() : std::string();
  }

  SourceRange range(antlr4::ParserRuleContext *ctx) const;
  SourceRange range(antlr4::Token *token) const;
  SourceRange range(antlr4::tree::TerminalNode *node) const { return range(node->getSymbol()); }
  // The range of a name, or where it was expected.
  SourceRange name_range(EDLParser::NameContext *ctx, SourceRange missing_at) const {
    return ctx && !ctx->children.empty() ? range(ctx) : missing_at;
  }
  // The empty stretch just after `ctx`, where what should follow it was expected.
  SourceRange after(antlr4::ParserRuleContext *ctx) const;
  // An expression that did not parse.
  static ast::ExprPtr missing(SourceRange at) { return std::make_unique<ast::Name>("", at); }

 private:
  std::uint32_t byte_offset(std::size_t index) const;

  // Whether recovery left `ctx` unfinished (its closing token conjured, or the rule abandoned).
  static bool unfinished(antlr4::ParserRuleContext *ctx);

  FileId file_;
  std::uint32_t end_;
  const std::vector<std::uint32_t> &offsets_;
  antlr4::CommonTokenStream &tokens_;
  DiagnosticEngine &diags_;
};

}  // namespace edl::parse
