#include "Commands.h"
#include "Report.h"

#include "compiler/plan/Plan.h"

#include <iostream>

namespace edl::cli {

int run_plan(const PlanOptions &opts) {
  SourceManager sm;
  DiagnosticEngine diags;
  LoadedProject project = load_project(opts.file, sm, diags);
  CheckedProject checked;
  if (project.complete) checked = check_project(project, sm, diags);
  diags.sort();
  if (diags.has_errors() || !project.complete) {
    print_diagnostics(diags.diagnostics(), sm, OutputFormat::Text, opts.color, diags.error_count(),
                      diags.warning_count());
    return kUserError;
  }
  // Warnings still matter when planning; they go to stderr, the plan to stdout.
  if (!diags.diagnostics().empty())
    print_diagnostics(diags.diagnostics(), sm, OutputFormat::Text, opts.color, 0, diags.warning_count());
  Plan plan = build_plan(checked);
  std::cout << (opts.format == OutputFormat::Json ? render_plan_json(plan) : render_plan_text(plan));
  return kOk;
}

}  // namespace edl::cli
