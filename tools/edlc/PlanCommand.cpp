#include "Commands.h"
#include "Report.h"

#include "compiler/plan/Plan.h"
#include "runtime/store/Store.h"
#include "runtime/workflow/TaskIdentity.h"

#include <filesystem>
#include <iostream>

namespace edl::cli {

namespace {

// Which tasks `edlc run` would reuse from the project's store: finished work
// with the same identity (inputs and data files). Without a store, nothing
// is marked; the store is never created here.
void mark_cached(Plan &plan) {
  const std::string path = plan.specs.project.store;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return;
  try {
    store::Store store(path);
    const auto ids = workflow::task_identities(plan);
    for (Task &t : plan.tasks) {
      t.store_known = true;
      if (auto row = store.completed_task(ids.at(t.id))) t.cached_from_run = row->run_id;
    }
  } catch (const store::StoreError &e) {
    std::cerr << "edlc: warning: " << e.what() << "; cached tasks are not marked\n";
  }
}

}  // namespace

int run_plan(const PlanOptions &opts) {
  auto in = load_checked(opts.file, opts.color);
  if (!in) return kUserError;
  // Warnings still matter when planning; they go to stderr, the plan to stdout.
  if (!in->diags.diagnostics().empty())
    print_diagnostics(in->diags.diagnostics(), in->sm, OutputFormat::Text, opts.color, 0, in->diags.warning_count());
  Plan plan = build_plan(in->specs);
  mark_cached(plan);
  std::cout << (opts.specs                             ? render_plan_specs(plan)
                : opts.format == OutputFormat::Json ? render_plan_json(plan)
                                                    : render_plan_text(plan));
  return kOk;
}

}  // namespace edl::cli
