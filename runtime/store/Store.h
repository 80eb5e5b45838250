// The experiment store: one SQLite file (WAL, busy timeout) holding
// projects, runs, tasks with the plan's input hashes, trials, metric time
// series and artifacts. Every write is one short IMMEDIATE transaction, so
// several edlc processes can share a store; within a process, the threads of
// parallel trials share one Store, whose calls take turns. Schema: docs/store.md.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

struct sqlite3;

namespace edl::store {

struct RunRow {
  std::int64_t id = 0;
  std::string project, file, status, command;
  double started = 0, finished = 0;  // seconds since the epoch; 0 while running
};

struct TaskRow {
  std::int64_t id = 0, run_id = 0;
  std::string name, kind, input_hash, status, error, outputs;  // outputs: JSON
  int attempt = 1;
  double started = 0, finished = 0;
};

struct MetricRow {
  std::int64_t task_id = 0;
  std::optional<std::int64_t> trial_id;
  int epoch = 0;
  std::int64_t step = 0;
  std::string name;
  double value = 0, time = 0;
};

struct ArtifactRow {
  std::int64_t id = 0, task_id = 0;
  std::optional<std::int64_t> trial_id;
  std::string kind, path, meta;
  int epoch = 0;
};

struct TrialRow {
  std::int64_t id = 0, task_id = 0;
  int number = 0;
  std::string params, status;  // params: JSON of "space.var" -> value
  std::optional<double> value;
  double started = 0, finished = 0;
};

struct AttemptRow {
  std::int64_t task_id = 0;
  int attempt = 1;
  std::string status, error, log;  // log: what the task printed during this attempt
  double started = 0, finished = 0;
};

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  // Opens (creating the file, its folder and the schema if needed). Throws StoreError.
  explicit Store(const std::string &path);
  ~Store();
  Store(const Store &) = delete;
  Store &operator=(const Store &) = delete;

  const std::string &path() const { return path_; }

  std::int64_t project(const std::string &name, const std::string &file);
  std::int64_t begin_run(std::int64_t project, const std::string &source_hash, const std::string &command);
  void finish_run(std::int64_t run, const std::string &status);
  // The plan a run carried out (JSON as `edlc plan --format json` prints it;
  // "{}" for runs recorded before stores kept it).
  void set_run_plan(std::int64_t run, const std::string &plan);
  std::string run_plan(std::int64_t run);
  std::int64_t begin_task(std::int64_t run, const std::string &name, const std::string &kind,
                          const std::string &input_hash);
  void finish_task(std::int64_t task, const std::string &status, const std::string &error = "",
                   const std::string &outputs = "{}");
  void add_metrics(std::int64_t task, std::optional<std::int64_t> trial, int epoch, std::int64_t step,
                   const std::vector<std::pair<std::string, double>> &values);
  // Forgets the artifact rows of a file that was deleted (an old checkpoint).
  void remove_artifact(std::int64_t task, const std::string &path);
  std::int64_t add_artifact(std::int64_t task, std::optional<std::int64_t> trial, const std::string &kind,
                            const std::string &path, int epoch, const std::string &meta = "{}");

  // Resuming after a crash or Ctrl-C: the newest run of `project` with this
  // plan identity that did not finish, and the calls that mark rows running
  // again (a task's attempt counts up).
  std::optional<std::int64_t> unfinished_run(std::int64_t project, const std::string &source_hash);
  void reopen_run(std::int64_t run);
  void reopen_task(std::int64_t task);
  void reopen_trial(std::int64_t trial);
  // Drops a task's (or one trial's) metrics and artifacts of epochs after
  // `epoch`: work whose weights were lost when the process died.
  void forget_after(std::int64_t task, std::optional<std::int64_t> trial, int epoch);

  // One attempt of a task, with its error and log, when it ends.
  void add_attempt(std::int64_t task, int attempt, const std::string &status, const std::string &error,
                   const std::string &log, double started);
  std::vector<AttemptRow> attempts(std::int64_t task);
  // A task of this run whose identical work finished earlier: recorded as
  // `cached` (attempt 0) with that work's outputs, and not executed.
  std::int64_t add_cached_task(std::int64_t run, const std::string &name, const std::string &kind,
                               const std::string &input_hash, const std::string &outputs);

  // Deletes a task's trials with their metrics and artifacts (a search that starts over).
  void clear_trials(std::int64_t task);

  std::int64_t begin_trial(std::int64_t task, int number, const std::string &params);
  void finish_trial(std::int64_t trial, const std::string &status, std::optional<double> value);

  std::vector<RunRow> runs();
  std::optional<RunRow> run(std::int64_t id);
  std::vector<TaskRow> tasks(std::int64_t run);
  std::vector<MetricRow> metrics(std::int64_t task);
  std::vector<ArtifactRow> artifacts(std::int64_t task);
  std::vector<TrialRow> trials(std::int64_t task);
  // The newest finished task with this input hash, from any run: work already done.
  std::optional<TaskRow> completed_task(const std::string &input_hash);

  // Runs `sql` (no results) inside the caller's logic; for tests and migrations.
  void exec(const std::string &sql);
  // BEGIN IMMEDIATE … COMMIT around `body`, ROLLBACK if it throws.
  template <typename F> void transaction(F &&body);

 private:
  std::vector<RunRow> run_rows(std::optional<std::int64_t> id);  // every run, or the one with `id`
  void begin();
  void commit();
  void rollback();
  std::string path_;
  sqlite3 *db_ = nullptr;
  std::recursive_mutex mu_;  // one call (and transaction) at a time on this connection
};

template <typename F> void Store::transaction(F &&body) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  begin();
  try {
    body();
  } catch (...) {
    rollback();
    throw;
  }
  commit();
}

double now_seconds();

}  // namespace edl::store
