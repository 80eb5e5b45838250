#include "Commands.h"
#include "Report.h"

#include "compiler/plan/Plan.h"

#include <iostream>

namespace edl::cli {

int run_plan(const PlanOptions &opts) {
  auto in = load_checked(opts.file, opts.color);
  if (!in) return kUserError;
  // Warnings still matter when planning; they go to stderr, the plan to stdout.
  if (!in->diags.diagnostics().empty())
    print_diagnostics(in->diags.diagnostics(), in->sm, OutputFormat::Text, opts.color, 0, in->diags.warning_count());
  Plan plan = build_plan(in->checked);
  std::cout << (opts.format == OutputFormat::Json ? render_plan_json(plan) : render_plan_text(plan));
  return kOk;
}

}  // namespace edl::cli
