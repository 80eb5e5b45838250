// Printing diagnostics the same way in every command.
#pragma once

#include "Commands.h"

#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"

namespace edl::cli {

bool use_color(ColorMode mode);
// Text goes to stderr with a summary line, JSON to stdout.
void print_diagnostics(const std::vector<Diagnostic> &ds, const SourceManager &sm, OutputFormat format,
                       ColorMode color, std::size_t errors, std::size_t warnings);

}  // namespace edl::cli
