// Semantic analysis of a loaded project: name resolution, types and ranges
// against the stdlib catalogue, searched-value propagation, unused
// declarations. Reports into the DiagnosticEngine and keeps going.
#pragma once

#include "compiler/sema/ProjectLoader.h"

#include <map>
#include <string>
#include <vector>

namespace edl {

// One reference to a searched variable, `space.var`.
struct SpaceUse {
  const ast::Decl *space = nullptr;
  std::string var;
  SourceRange range;
};

// What the planner needs to know about a train block.
struct TrainFacts {
  const ast::Decl *decl = nullptr;
  const ast::Decl *dataset = nullptr;
  const ast::Decl *augment = nullptr;
  const ast::Decl *model = nullptr;
  const ast::Call *search = nullptr;
  std::vector<SpaceUse> searched;  // everything the job depends on, its blocks included
};

struct CheckedProject {
  const ast::Decl *project = nullptr;
  std::map<std::string, const ast::Decl *> decls[ast::kDeclKindCount];
  std::vector<TrainFacts> trains;

  const ast::Decl *find(ast::DeclKind k, const std::string &name) const {
    auto it = decls[static_cast<int>(k)].find(name);
    return it == decls[static_cast<int>(k)].end() ? nullptr : it->second;
  }
  const TrainFacts *train(const std::string &name) const {
    for (const TrainFacts &t : trains)
      if (t.decl->name == name) return &t;
    return nullptr;
  }
};

// Needs a complete project (LoadedProject::complete); checks what it can otherwise.
CheckedProject check_project(const LoadedProject &project, const SourceManager &sm, DiagnosticEngine &diags);

// Evaluates a constant numeric expression (literals, unary minus, + - * / ^).
struct ConstNumber {
  double value = 0;
  bool integral = false;
};
std::optional<ConstNumber> const_number(const ast::Expr &e);

}  // namespace edl
