// The one front end: every entry point that reads a project — `edlc check`,
// plan, run, build, data, preview, runs, the language server and the tests —
// calls compile_project, so each sees the same diagnostics (plan rejects
// exactly what check rejects).
#pragma once

#include "compiler/resolve/Spec.h"
#include "compiler/sema/Checker.h"

#include <optional>
#include <string>

namespace edl {

struct CompiledProject {
  LoadedProject project;
  CheckedProject checked;
  // The resolved specs, when the project has no error (what plan and the
  // runtime read).
  std::optional<spec::Specs> specs;
};

// Loads `path` (or `text` in its place, for unsaved editor buffers) and its
// imports, checks them against the catalogue and, when that found no error,
// resolves them into specs (which reports what the kernel compiler would
// reject). A project with syntax
// errors is checked too, so editors can still resolve names, but only the
// syntax errors are reported.
CompiledProject compile_project(const std::string &path, SourceManager &sm, DiagnosticEngine &diags,
                                const std::optional<std::string> &text = std::nullopt);

}  // namespace edl
