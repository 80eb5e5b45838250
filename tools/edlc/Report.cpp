#include "Report.h"

#include "compiler/frontend/CompileProject.h"
#include "compiler/support/DiagnosticRenderer.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

namespace edl::cli {

bool use_color(ColorMode mode) {
  if (mode == ColorMode::Always) return true;
  if (mode == ColorMode::Never) return false;
  return isatty(STDERR_FILENO) && !std::getenv("NO_COLOR");
}

void print_diagnostics(const std::vector<Diagnostic> &ds, const SourceManager &sm, OutputFormat format,
                       ColorMode color, std::size_t errors, std::size_t warnings) {
  if (format == OutputFormat::Json) {
    std::cout << render_json(ds, sm);
    return;
  }
  std::cerr << render_text(ds, sm, TextRenderOptions{use_color(color)});
  std::string summary = summary_line(errors, warnings);
  if (!summary.empty()) std::cerr << (ds.empty() ? "" : "\n") << summary << "\n";
}

std::unique_ptr<CheckedInput> load_checked(const std::string &file, ColorMode color) {
  auto in = std::make_unique<CheckedInput>();
  CompiledProject compiled = compile_project(file, in->sm, in->diags);  // as `edlc check` does
  in->project = std::move(compiled.project);
  in->checked = std::move(compiled.checked);
  in->diags.sort();
  if (in->diags.has_errors() || !in->project.complete || !compiled.specs) {
    print_diagnostics(in->diags.diagnostics(), in->sm, OutputFormat::Text, color, in->diags.error_count(),
                      in->diags.warning_count());
    return nullptr;
  }
  in->specs = std::move(*compiled.specs);
  return in;
}

}  // namespace edl::cli
