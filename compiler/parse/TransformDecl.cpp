// Transformer, declaration half: the file, imports, declarations, property
// blocks and augment steps.
#include "Transformer.h"

namespace edl::parse {

std::uint32_t Transformer::byte_offset(std::size_t index) const {
  if (offsets_.empty()) return static_cast<std::uint32_t>(index);
  return offsets_[std::min(index, offsets_.size() - 1)];
}

SourceRange Transformer::range(antlr4::Token *token) const {
  return {file_, byte_offset(token->getStartIndex()), byte_offset(token->getStopIndex() + 1)};
}

SourceRange Transformer::range(antlr4::ParserRuleContext *ctx) const {
  antlr4::Token *stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
  return {file_, byte_offset(ctx->getStart()->getStartIndex()), byte_offset(stop->getStopIndex() + 1)};
}

ast::File Transformer::transform(EDLParser::FileContext *ctx) {
  ast::File file;
  file.id = file_;
  for (antlr4::tree::ParseTree *child : ctx->children) {
    if (auto *imp = dynamic_cast<EDLParser::ImportDeclContext *>(child)) {
      file.imports.push_back({string_value(imp->STRING()->getSymbol()), range(imp->STRING()), range(imp)});
    } else if (auto *decl = dynamic_cast<EDLParser::DeclarationContext *>(child)) {
      file.decls.push_back(declaration(decl));
    }
  }
  return file;
}

std::string Transformer::doc_comment(antlr4::ParserRuleContext *ctx) {
  std::string doc;
  for (antlr4::Token *t : tokens_.getHiddenTokensToLeft(ctx->getStart()->getTokenIndex())) {
    std::string text = t->getText();
    if (text.rfind("///", 0) != 0) {
      doc.clear();  // a plain comment between doc and declaration ends the doc
      continue;
    }
    text = text.substr(3);
    if (!text.empty() && text[0] == ' ') text.erase(0, 1);
    doc += (doc.empty() ? "" : "\n") + text;
  }
  return doc;
}

ast::Decl Transformer::declaration(EDLParser::DeclarationContext *ctx) {
  ast::Decl d;
  d.range = range(ctx);
  d.doc = doc_comment(ctx);
  if (auto *p = dynamic_cast<EDLParser::ProjectDeclContext *>(ctx)) {
    d.kind = ast::DeclKind::Project;
    if (p->STRING()) {
      d.name = string_value(p->STRING()->getSymbol());
      d.name_range = range(p->STRING());
      d.name_is_string = true;
    } else {
      d.name = name_text(p->name());
      d.name_range = range(p->name());
    }
    d.properties = properties(p->propertyBlock()->property());
  } else if (auto *b = dynamic_cast<EDLParser::BlockDeclContext *>(ctx)) {
    switch (b->kind->getType()) {
      case EDLParser::DATASET: d.kind = ast::DeclKind::Dataset; break;
      case EDLParser::MODEL: d.kind = ast::DeclKind::Model; break;
      case EDLParser::SPACE: d.kind = ast::DeclKind::Space; break;
      case EDLParser::TRAIN: d.kind = ast::DeclKind::Train; break;
      case EDLParser::LABEL: d.kind = ast::DeclKind::Label; break;
      default: d.kind = ast::DeclKind::Deploy; break;
    }
    d.name = name_text(b->name());
    d.name_range = range(b->name());
    d.properties = properties(b->propertyBlock()->property());
  } else if (auto *a = dynamic_cast<EDLParser::AugmentDeclContext *>(ctx)) {
    d.kind = ast::DeclKind::Augment;
    d.name = name_text(a->name());
    d.name_range = range(a->name());
    for (auto *s : a->stepBlock()->step()) d.steps.push_back(step(s));
  } else if (auto *o = dynamic_cast<EDLParser::OpDeclContext *>(ctx)) {
    d.kind = ast::DeclKind::Op;
    d.name = name_text(o->name());
    d.name_range = range(o->name());
    for (auto *p : o->param())
      d.params.push_back({name_text(p->name(0)), range(p->name(0)), name_text(p->name(1)), range(p->name(1))});
    d.body = expr(o->expr());
  }
  return d;
}

std::vector<ast::Property> Transformer::properties(const std::vector<EDLParser::PropertyContext *> &ctxs) {
  std::vector<ast::Property> props;
  for (auto *p : ctxs) props.push_back({name_text(p->name()), range(p->name()), expr(p->expr()), range(p)});
  return props;
}

ast::Step Transformer::step(EDLParser::StepContext *ctx) {
  ast::Step s;
  s.name = name_text(ctx->name());
  s.name_range = range(ctx->name());
  s.range = range(ctx);
  s.has_parens = ctx->LPAREN() != nullptr;
  if (ctx->arguments()) s.args = arguments(ctx->arguments());
  if (auto *block = ctx->stepBlock()) {
    s.has_block = true;
    for (auto *inner : block->step()) s.body.push_back(step(inner));
  }
  return s;
}

std::vector<ast::Argument> Transformer::arguments(EDLParser::ArgumentsContext *ctx) {
  std::vector<ast::Argument> args;
  if (!ctx) return args;
  bool seen_named = false;
  for (auto *a : ctx->argument()) {
    ast::Argument arg;
    arg.range = range(a);
    if (a->name()) {
      arg.name = name_text(a->name());
      arg.name_range = range(a->name());
      seen_named = true;
    } else if (seen_named) {
      diags_.report(DiagId::MisplacedArgument, arg.range).help(NoteId::NamedAfterPositional);
    }
    arg.value = expr(a->expr());
    args.push_back(std::move(arg));
  }
  return args;
}

}  // namespace edl::parse
