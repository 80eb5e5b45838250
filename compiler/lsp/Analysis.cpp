#include "compiler/lsp/Analysis.h"

#include "compiler/frontend/CompileProject.h"

namespace edl::lsp {

std::unique_ptr<Analysis> analyze(const std::string &path, const std::string &text) {
  auto a = std::make_unique<Analysis>();
  // What edlc check reports; with a syntax error in an import the files that
  // parsed are still checked, so hover and completion keep working.
  CompiledProject compiled = compile_project(path, a->sm, a->diags, text);
  a->project = std::move(compiled.project);
  a->checked = std::move(compiled.checked);
  if (!a->project.files.empty()) a->root = a->project.files.front().id;
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
