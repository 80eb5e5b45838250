// One runner per kind of task. The executor opens the task's store row,
// hands the attempt to the runner for its kind, and records the outcome; a
// runner does the work and says how it ended (RetryRule.h). A new kind of
// task (label rounds, distributed workers) plugs in as one more runner.
// Internal to runtime/workflow; uses torch.
#pragma once

#include "runtime/workflow/RunContext.h"

#include <memory>

namespace edl::workflow {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  // One attempt of ctx.task; records its outputs and finishes its row when done.
  virtual Finish run(TaskContext &ctx) = 0;
  // The task finished before (earlier in this run, or in a run with the same
  // identity): its recorded outputs stand for what depends on it.
  virtual void reuse(const Task &, const store::TaskRow &) {}
};

std::unique_ptr<TaskRunner> make_load_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_search_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_trials_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_train_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_evaluate_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_label_runner(RunContext &run);
std::unique_ptr<TaskRunner> make_package_runner(RunContext &run);

// The model of a label block's last round that trained (what `deploy from
// = LABEL` packages), with its recipe, its round's data and normalisation;
// `evaluation` gets the round's held-out metrics. Null after reporting why.
std::shared_ptr<const Trained> label_model(RunContext &run, TaskContext &ctx, const spec::Label &block,
                                           json &evaluation);

// The runner of each kind of task.
std::map<TaskKind, std::unique_ptr<TaskRunner>> make_runners(RunContext &run);

}  // namespace edl::workflow
