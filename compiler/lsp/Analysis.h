// One analysed version of an open document: its project loaded (the
// document's unsaved text as the root, imports from disk) and checked.
#pragma once

#include "compiler/sema/Checker.h"

#include <memory>
#include <string>

namespace edl::lsp {

struct Analysis {
  SourceManager sm;
  DiagnosticEngine diags;
  LoadedProject project;
  CheckedProject checked;
  FileId root = kNoFile;

  const ast::File *root_ast() const {
    return !project.files.empty() && project.files.front().ast ? &*project.files.front().ast : nullptr;
  }
  // The declaration a name refers to, in any file of the project; kinds in
  // `prefer` win over the others.
  const ast::Decl *find_decl(const std::string &name, const std::vector<ast::DeclKind> &prefer = {}) const;
};

std::unique_ptr<Analysis> analyze(const std::string &path, const std::string &text);

}  // namespace edl::lsp
