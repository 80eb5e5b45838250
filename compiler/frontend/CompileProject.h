// The one front end: every entry point that reads a project — `edlc check`,
// plan, run, build, data, preview, runs, the language server and the tests —
// calls compile_project, so each sees the same diagnostics (plan rejects
// exactly what check rejects).
#pragma once

#include "compiler/sema/Checker.h"

#include <optional>
#include <string>

namespace edl {

struct CompiledProject {
  LoadedProject project;
  CheckedProject checked;
};

// Loads `path` (or `text` in its place, for unsaved editor buffers) and its
// imports, checks them against the catalogue and, when that found no error,
// checks the augment blocks for the kernel compiler. A project with syntax
// errors is checked too, so editors can still resolve names, but only the
// syntax errors are reported.
CompiledProject compile_project(const std::string &path, SourceManager &sm, DiagnosticEngine &diags,
                                const std::optional<std::string> &text = std::nullopt);

}  // namespace edl
