// Runs a DAG of tasks: a task starts once every task it depends on is done;
// at most `parallel` run at once, the highest priority first among the
// ready ones (plan order breaks ties). A failed attempt is retried after
// `backoff`, doubled each time, up to `retries` times; a user error is
// final at once. What depends on a task that failed for good never runs.
// Knows nothing of training: the caller's `run` does the work.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace edl::workflow {

struct DagTask {
  std::string id;
  std::vector<std::string> deps;  // ids of earlier tasks
  int priority = 0;
};

enum class TaskState { Pending, Done, Failed, UserError, Interrupted, Blocked };
const char *to_string(TaskState s);

struct Attempt {
  TaskState state = TaskState::Done;  // Done, Failed (retried), UserError or Interrupted
  std::string error;
};

struct SchedulerOptions {
  int parallel = 1;
  int retries = 0;
  double backoff = 1;                       // seconds before the first retry
  std::function<bool()> interrupted;        // stop starting tasks
};

struct DagCallbacks {
  // Runs attempt `attempt` (1-based) of task `index`; `running` tasks are
  // under way at that moment, this one included (to share the cores).
  std::function<Attempt(std::size_t index, int attempt, int running)> run;
  // Called as the scheduler starts an attempt, in the order it starts them
  // (before `run`, which runs on the attempt's own thread).
  std::function<void(std::size_t index, int attempt)> on_start;
  // A failed attempt that will be retried after `delay` seconds.
  std::function<void(std::size_t index, int attempt, const Attempt &, double delay)> on_retry;
  // A task that will not run because `cause` (an id) did not succeed.
  std::function<void(std::size_t index, const std::string &cause)> on_blocked;
};

// The final state of every task, in the order given.
std::vector<TaskState> run_dag(const std::vector<DagTask> &tasks, const SchedulerOptions &options,
                               const DagCallbacks &callbacks);

}  // namespace edl::workflow
