#include "compiler/lsp/Analysis.h"

#include "compiler/lower/halide/CheckAugments.h"

namespace edl::lsp {

std::unique_ptr<Analysis> analyze(const std::string &path, const std::string &text) {
  auto a = std::make_unique<Analysis>();
  a->project = load_project(path, a->sm, a->diags, text);
  if (!a->project.files.empty()) a->root = a->project.files.front().id;
  // Even with a syntax error in an import, the files that parsed are
  // checked, so hover and completion keep working while one file is broken.
  bool any_ast = false;
  for (const SourceFile &f : a->project.files) any_ast = any_ast || f.ast.has_value();
  if (a->project.complete) {
    a->checked = check_project(a->project, a->sm, a->diags);
    if (!a->diags.has_errors()) lower::check_augments(a->checked, a->diags);  // what edlc check reports
  } else if (any_ast) {
    DiagnosticEngine scratch;  // follow-on errors of a partial project are not shown
    a->checked = check_project(a->project, a->sm, scratch);
  }
  a->diags.sort();
  return a;
}

const ast::Decl *Analysis::find_decl(const std::string &name, const std::vector<ast::DeclKind> &prefer) const {
  for (ast::DeclKind k : prefer)
    if (const ast::Decl *d = checked.find(k, name)) return d;
  for (int k = 0; k < ast::kDeclKindCount; ++k)
    if (const ast::Decl *d = checked.find(static_cast<ast::DeclKind>(k), name)) return d;
  return nullptr;
}

}  // namespace edl::lsp
