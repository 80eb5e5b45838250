// Transformer, declaration half: the file, imports, declarations, property
// blocks and augment steps.
#include "Transformer.h"

namespace edl::parse {

std::uint32_t Transformer::byte_offset(std::size_t index) const {
  if (offsets_.empty()) return static_cast<std::uint32_t>(index);
  return offsets_[std::min(index, offsets_.size() - 1)];
}

namespace {

// A token error recovery made up (a missing `)`) has no place in the text.
bool conjured(antlr4::Token *t) { return t->getStartIndex() == INVALID_INDEX; }

}  // namespace

SourceRange Transformer::range(antlr4::Token *token) const {
  if (conjured(token)) return {file_, end_, end_};
  return {file_, byte_offset(token->getStartIndex()), byte_offset(token->getStopIndex() + 1)};
}

bool Transformer::unfinished(antlr4::ParserRuleContext *ctx) {
  if (ctx->exception) return true;
  for (antlr4::tree::ParseTree *child : ctx->children)
    if (auto *error = dynamic_cast<antlr4::tree::ErrorNode *>(child); error && conjured(error->getSymbol()))
      return true;
  return false;
}

SourceRange Transformer::range(antlr4::ParserRuleContext *ctx) const {
  antlr4::Token *start = ctx->getStart(), *stop = ctx->getStop();
  if (!stop || stop->getTokenIndex() < start->getTokenIndex() || conjured(start)) {
    // A rule that matched nothing: the gap between the token before it and the one it stopped at.
    std::uint32_t at = range(start).begin;
    if (stop && !conjured(stop) && range(stop).end <= at) return {file_, range(stop).end, at};
    return {file_, at, at};
  }
  SourceRange r{file_, range(start).begin, range(stop).end};
  if (unfinished(ctx)) r.end = end_;
  return r;
}

SourceRange Transformer::after(antlr4::ParserRuleContext *ctx) const {
  std::uint32_t at = range(ctx).end;
  return {file_, at, at};
}

ast::File Transformer::transform(EDLParser::FileContext *ctx) {
  ast::File file;
  file.id = file_;
  for (antlr4::tree::ParseTree *child : ctx->children) {
    if (auto *imp = dynamic_cast<EDLParser::ImportDeclContext *>(child)) {
      if (imp->STRING()) file.imports.push_back({string_value(imp->STRING()->getSymbol()), range(imp->STRING()), range(imp)});
    } else if (auto *decl = dynamic_cast<EDLParser::DeclarationContext *>(child)) {
      // Recovery may leave a declaration whose kind it never decided: it has nothing to keep.
      if (dynamic_cast<EDLParser::ProjectDeclContext *>(decl) || dynamic_cast<EDLParser::BlockDeclContext *>(decl) ||
          dynamic_cast<EDLParser::AugmentDeclContext *>(decl) || dynamic_cast<EDLParser::OpDeclContext *>(decl))
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
      d.name_range = name_range(p->name(), range(p->PROJECT()));
    }
    if (p->propertyBlock()) d.properties = properties(p->propertyBlock()->property());
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
    d.name_range = name_range(b->name(), range(b->kind));
    if (b->propertyBlock()) d.properties = properties(b->propertyBlock()->property());
  } else if (auto *a = dynamic_cast<EDLParser::AugmentDeclContext *>(ctx)) {
    d.kind = ast::DeclKind::Augment;
    d.name = name_text(a->name());
    d.name_range = name_range(a->name(), range(a->AUGMENT()));
    if (a->stepBlock())
      for (auto *s : a->stepBlock()->step()) d.steps.push_back(step(s));
  } else if (auto *o = dynamic_cast<EDLParser::OpDeclContext *>(ctx)) {
    d.kind = ast::DeclKind::Op;
    d.name = name_text(o->name());
    d.name_range = name_range(o->name(), range(o->OP()));
    for (auto *p : o->param())
      d.params.push_back({name_text(p->name(0)), name_range(p->name(0), after(p)), name_text(p->name(1)),
                          name_range(p->name(1), after(p))});
    d.body = expr(o->expr(), after(o));
  }
  return d;
}

std::vector<ast::Property> Transformer::properties(const std::vector<EDLParser::PropertyContext *> &ctxs) {
  std::vector<ast::Property> props;
  for (auto *p : ctxs)
    props.push_back({name_text(p->name()), name_range(p->name(), after(p)), expr(p->expr(), after(p)), range(p)});
  return props;
}

ast::Step Transformer::step(EDLParser::StepContext *ctx) {
  ast::Step s;
  s.name = name_text(ctx->name());
  s.name_range = name_range(ctx->name(), after(ctx));
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
      arg.name_range = name_range(a->name(), after(a));
      seen_named = true;
    } else if (seen_named) {
      diags_.report(DiagId::MisplacedArgument, arg.range).help(NoteId::NamedAfterPositional);
    }
    arg.value = expr(a->expr(), after(a));
    args.push_back(std::move(arg));
  }
  return args;
}

}  // namespace edl::parse
