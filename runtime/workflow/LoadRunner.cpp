// load:DATASET: reads and decodes a dataset once for every task of the run.
#include "compiler/support/JsonText.h"
#include "runtime/workflow/TaskRunner.h"

namespace edl::workflow {
namespace {

class LoadRunner : public TaskRunner {
 public:
  explicit LoadRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override {
    const data::LoadedDataset *loaded = run_.dataset(ctx, ctx.task.block);
    if (!loaded) return run_.stopped();
    run_.store.finish_task(ctx.row, "done", "",
                           json_text(json{{"samples", loaded->size()}, {"classes", loaded->classes},
                                          {"skipped", loaded->report.skipped.size()}}));
    return Finish::Done;
  }

 private:
  RunContext &run_;
};

}  // namespace

std::unique_ptr<TaskRunner> make_load_runner(RunContext &run) { return std::make_unique<LoadRunner>(run); }

}  // namespace edl::workflow
