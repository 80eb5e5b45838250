// execute_plan: opens the store, resumes or begins the run, and hands the
// plan's DAG to the scheduler. Each attempt of a task goes through
// PlanRun::attempt: work finished before is reused, otherwise the task's row
// is opened and the runner for its kind does the work (TaskRunner.h).
#include "runtime/workflow/RunLock.h"
#include "runtime/workflow/Scheduler.h"
#include "runtime/workflow/TaskHooks.h"
#include "runtime/workflow/TaskIdentity.h"
#include "runtime/workflow/TaskRunner.h"

#include "compiler/support/Hash.h"
#include "compiler/support/InternalError.h"

#include <filesystem>
#include <thread>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

const char *kind_name(TaskKind k) { return k == TaskKind::Trial ? "trials" : to_string(k); }

// The files a finished task's outputs name (a training's model, a
// package) must still exist for its work to be reused.
bool files_still_there(const std::string &outputs) {
  json o = json::parse(outputs, nullptr, false);
  if (!o.is_object()) return true;
  for (const char *key : {"model", "package"})
    if (o.contains(key) && o[key].is_string() && !fs::exists(o[key].get<std::string>())) return false;
  return true;
}

// The tasks of one run as the scheduler sees them: attempts, each recorded
// in the store with its log and outcome.
class PlanRun {
 public:
  PlanRun(RunContext &run, const RunRequest &req) : run_(run), req_(req), runners_(make_runners(run)) {}

  // The tasks a resumed run recorded before, by name.
  void resume_from(const std::vector<store::TaskRow> &rows) {
    for (const store::TaskRow &r : rows) before_[r.name] = r;
  }

  // One attempt of a task (the scheduler's callback). `running`: tasks
  // under way, to share the cores.
  Attempt attempt(const Task &t, int attempt, int running);

 private:
  // Work finished before (in this run before a restart, or in any run with
  // the same identity) stands for what depends on it; true when reused.
  bool finished_before(const Task &t);
  // This attempt's row for `t`: the one an earlier attempt or a stopped run
  // left (running again, one attempt more; `reopened`) or a new one.
  std::int64_t open_task(const Task &t, bool &reopened);
  Attempt run(TaskContext &ctx);

  const store::TaskRow *before(const Task &t) const {
    auto it = before_.find(t.id);
    return it == before_.end() ? nullptr : &it->second;
  }

  RunContext &run_;
  const RunRequest &req_;
  const std::map<TaskKind, std::unique_ptr<TaskRunner>> runners_;
  std::map<std::string, store::TaskRow> before_;  // a resumed run's tasks, by name; read-only once running
  std::mutex rows_mu_;
  std::map<std::string, std::int64_t> rows_;  // task id -> this run's row
};

Attempt PlanRun::attempt(const Task &t, int attempt, int running) {
  // The cores are shared by the tasks running at this moment.
  torch::set_num_threads(std::max(1, run_.threads / std::max(1, running)));
  if (finished_before(t)) return {TaskState::Done, ""};
  const double started = store::now_seconds();
  bool reopened = false;
  const std::int64_t row = open_task(t, reopened);
  TaskContext ctx(t, row, reopened, run_.observer);
  Attempt result;
  try {
    if (req_.hooks) req_.hooks->before_attempt(t.id, attempt);
    result = run(ctx);
  } catch (const InternalError &e) {
    // A bug in edlc: the run stops, and edlc exits 3 saying where.
    run_.state.add_internal_error(std::string(e.what()) + "\n  at " + e.where());
    ctx.log_error(std::string("internal error: ") + e.what());
    result = {TaskState::UserError, std::string("internal error: ") + e.what()};
  } catch (const std::exception &e) {
    result = {state_of(e), e.what()};
    if (result.state == TaskState::Failed) ctx.say(t.id + ": " + result.error);
    else run_.fail(ctx, e.what());
  }
  if (result.state != TaskState::Done && result.error.empty()) {
    for (const std::string &e : ctx.errors()) result.error += (result.error.empty() ? "" : "; ") + e;
    if (result.error.empty()) result.error = result.state == TaskState::Interrupted ? "interrupted" : "failed";
  }
  run_.store.add_attempt(row, attempt, to_string(result.state), result.error, ctx.log_text(), started);
  if (result.state != TaskState::Done) {
    run_.state.set_last_error(t.id, result.error);
    run_.store.finish_task(row, to_string(result.state), result.error);
  }
  return result;
}

Attempt PlanRun::run(TaskContext &ctx) {
  auto runner = runners_.find(ctx.task.kind);
  // Every kind of task a plan holds has its runner (make_runners).
  if (runner == runners_.end()) internal_error("this version of edlc has no runner for " + ctx.task.id);
  return {state_of(runner->second->run(ctx)), ""};
}

bool PlanRun::finished_before(const Task &t) {
  std::optional<store::TaskRow> row;
  std::string how;
  const std::string &identity = run_.identity(t);
  if (const store::TaskRow *prev = before(t); prev && (prev->status == "done" || prev->status == "cached")) {
    row = *prev;
    how = "done before this run was stopped; kept";
  } else if (!prev && !req_.fresh && (row = run_.store.completed_task(identity))) {
    if (!files_still_there(row->outputs)) {
      run_.observer.message(t.id + ": its inputs are unchanged since run " + std::to_string(row->run_id) +
                            " but what it wrote is gone; runs again");
      return false;
    }
    run_.store.add_cached_task(run_.state.run_id(), t.id, kind_name(t.kind), identity, row->outputs);
    how = "cached, its inputs are unchanged since run " + std::to_string(row->run_id);
  }
  if (!row) return false;
  if (auto runner = runners_.find(t.kind); runner != runners_.end()) runner->second->reuse(t, *row);
  run_.observer.message(t.id + ": " + how);
  return true;
}

std::int64_t PlanRun::open_task(const Task &t, bool &reopened) {
  std::lock_guard<std::mutex> lock(rows_mu_);
  reopened = true;
  if (auto it = rows_.find(t.id); it != rows_.end()) {  // a retry
    run_.store.reopen_task(it->second);
    return it->second;
  }
  if (const store::TaskRow *prev = before(t)) {  // a run stopped in this task
    run_.store.reopen_task(prev->id);
    return rows_[t.id] = prev->id;
  }
  reopened = false;
  return rows_[t.id] = run_.store.begin_task(run_.state.run_id(), t.id, kind_name(t.kind), run_.identity(t));
}

}  // namespace

std::map<TaskKind, std::unique_ptr<TaskRunner>> make_runners(RunContext &run) {
  std::map<TaskKind, std::unique_ptr<TaskRunner>> runners;
  runners[TaskKind::Load] = make_load_runner(run);
  runners[TaskKind::Search] = make_search_runner(run);
  runners[TaskKind::Trial] = make_trials_runner(run);
  runners[TaskKind::Train] = make_train_runner(run);
  runners[TaskKind::Evaluate] = make_evaluate_runner(run);
  runners[TaskKind::LabelRound] = make_label_runner(run);
  runners[TaskKind::Package] = make_package_runner(run);
  return runners;
}

RunOutcome execute_plan(const RunRequest &req, RunObserver &obs, DiagnosticEngine &diags) {
  RunOutcome out;
  const spec::Project &settings = req.plan->specs.project;
  out.store = settings.store;
  // libtorch's default here is one thread; use what the project allows.
  int threads = settings.threads > 0 ? settings.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(1, threads));
  try {
    store::Store store(settings.store);
    const std::map<std::string, std::string> identities = task_identities(*req.plan);
    std::string identity;
    for (const Task &t : req.plan->tasks) identity += identities.at(t.id);
    const std::string file = fs::absolute(req.file).lexically_normal().string();
    RunLock lock(settings.store, settings.name + "|" + file);
    if (!lock.held()) {
      out.status = "failed";
      out.errors.push_back("another 'edlc run' of this project is using the store " + settings.store +
                           "; wait for it or stop it first");
      return out;
    }
    std::int64_t project = store.project(settings.name, file);
    SerializedObserver serialized(obs);
    RunContext run(req, serialized, diags, store, out, std::max(1, threads), identities);
    PlanRun exec(run, req);
    std::optional<std::int64_t> unfinished;
    if (!req.fresh) unfinished = store.unfinished_run(project, content_hash(identity));
    if (unfinished) {
      out.run_id = *unfinished;
      store.reopen_run(out.run_id);
      exec.resume_from(store.tasks(out.run_id));
      obs.message("resume run " + std::to_string(out.run_id) + " of '" + settings.name + "' where it stopped (store " +
                  settings.store + ")");
    } else {
      out.run_id = store.begin_run(project, content_hash(identity), req.command);
      store.set_run_plan(out.run_id, render_plan_json(*req.plan));  // for `edlc runs compare` and reports
      obs.message("run " + std::to_string(out.run_id) + " of '" + settings.name + "' (store " + settings.store + ")");
    }

    // The plan as a DAG: `workflow.parallel` tasks at once (default: one per
    // core), retried `workflow.retries` times after `backoff`, doubling.
    const std::vector<Task> &tasks = req.plan->tasks;
    std::vector<DagTask> dag;
    for (const Task &t : tasks) dag.push_back({t.id, t.deps, t.priority});
    SchedulerOptions options;
    options.parallel = settings.workflow_parallel > 0 ? settings.workflow_parallel : std::max(1, threads);
    options.retries = settings.retries;
    options.backoff = settings.backoff;
    options.interrupted = [&] { return req.interrupt && req.interrupt->load(); };
    DagCallbacks callbacks;
    callbacks.run = [&](std::size_t i, int attempt, int running) { return exec.attempt(tasks[i], attempt, running); };
    callbacks.on_retry = [&](std::size_t i, int attempt, const Attempt &a, double delay) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3g s", delay);
      serialized.message(tasks[i].id + ": attempt " + std::to_string(attempt) + " failed (" + a.error +
                         "); retrying in " + buf);
    };
    callbacks.on_blocked = [&](std::size_t i, const std::string &cause) {
      serialized.message("skip " + tasks[i].id + ": " + cause + " did not succeed");
    };
    std::vector<TaskState> states = run_dag(dag, options, callbacks);
    out.status = "done";
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (states[i] == TaskState::Interrupted || (states[i] == TaskState::Pending && (run.state.interrupted() || run.interrupt_requested()))) {
        out.status = "interrupted";
      } else if (states[i] == TaskState::Failed) {
        if (out.status == "done") out.status = "failed";
        const int attempts = settings.retries + 1;
        out.errors.push_back(tasks[i].id + " failed after " + std::to_string(attempts) + " attempt" +
                             (attempts == 1 ? "" : "s") + " (" + run.state.last_error(tasks[i].id) + "); 'edlc runs show " +
                             std::to_string(out.run_id) + " --task " + tasks[i].id +
                             "' shows each attempt's error and log");
      } else if (states[i] != TaskState::Done && out.status == "done") {
        out.status = "failed";
      }
    }
    // Rounds waiting for a person: the rest ran; the next `edlc run` resumes.
    if (out.status == "interrupted" && run.state.waiting() && !run.interrupt_requested()) out.status = "waiting";
    store.finish_run(out.run_id, out.status);
  } catch (const store::StoreError &e) {
    out.status = "failed";
    out.errors.push_back(e.what());
  }
  return out;
}

}  // namespace edl::workflow
