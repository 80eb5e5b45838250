// search:JOB: names the strategy and the dimensions its trials explore.
#include "runtime/workflow/TaskRunner.h"

namespace edl::workflow {
namespace {

class SearchRunner : public TaskRunner {
 public:
  explicit SearchRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override {
    const spec::Search &spec = *ctx.task.train->search;
    std::string names;
    for (const spec::Dimension &d : spec.dimensions) names += " " + d.name;
    ctx.say("search " + ctx.task.block + ": " + spec.strategy + " over" + names);
    run_.store.finish_task(ctx.row, "done");
    return Finish::Done;
  }

 private:
  RunContext &run_;
};

}  // namespace

std::unique_ptr<TaskRunner> make_search_runner(RunContext &run) { return std::make_unique<SearchRunner>(run); }

}  // namespace edl::workflow
