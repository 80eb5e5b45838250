// Renders collected diagnostics for people (terminal text, colour optional)
// and for programs (JSON).
#pragma once

#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"

#include <string>
#include <vector>

namespace edl {

struct TextRenderOptions {
  bool color = false;
};

std::string render_text(const Diagnostic &d, const SourceManager &sm, const TextRenderOptions &opts = {});
std::string render_text(const std::vector<Diagnostic> &ds, const SourceManager &sm,
                        const TextRenderOptions &opts = {});
// A JSON array; each element has file, line, column, end_line, end_column,
// severity, code, message, labels, notes, help.
std::string render_json(const std::vector<Diagnostic> &ds, const SourceManager &sm);
// "2 errors, 1 warning" (empty when there is nothing).
std::string summary_line(std::size_t errors, std::size_t warnings);

}  // namespace edl
