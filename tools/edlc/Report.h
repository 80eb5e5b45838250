// Printing diagnostics the same way in every command.
#pragma once

#include "Commands.h"

#include "compiler/resolve/Spec.h"
#include "compiler/sema/Checker.h"
#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"

#include <memory>

namespace edl::cli {

bool use_color(ColorMode mode);
// Text goes to stderr with a summary line, JSON to stdout.
void print_diagnostics(const std::vector<Diagnostic> &ds, const SourceManager &sm, OutputFormat format,
                       ColorMode color, std::size_t errors, std::size_t warnings);

// A project loaded and checked for a command that needs it valid.
struct CheckedInput {
  SourceManager sm;
  DiagnosticEngine diags;
  LoadedProject project;
  CheckedProject checked;
  spec::Specs specs;  // resolved: what plan, run, data and preview read
};

// Loads and checks `file`; when it has errors, prints them and returns null.
std::unique_ptr<CheckedInput> load_checked(const std::string &file, ColorMode color);

}  // namespace edl::cli
