// The state of one `edlc run` while it executes the plan: the loaded data,
// trained jobs and searched values shared between tasks. Internal to
// runtime/workflow: Executor.cpp runs the plan's tasks, SearchTasks.cpp the
// searches. Uses torch: include only from files that already pay for it.
#pragma once

#include "compiler/lower/halide/LowerAugment.h"
#include "runtime/search/SearchSpec.h"
#include "runtime/store/Store.h"
#include "runtime/train/Trainer.h"
#include "runtime/workflow/Executor.h"
#include "runtime/workflow/Scheduler.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace edl::workflow {

using nlohmann::json;
using spec::SpaceValues;

// One train job's state between its train and evaluate tasks.
struct Trained {
  lower::Network net{nullptr};
  train::TrainSpec spec;
  const data::LoadedDataset *data = nullptr;
  train::Normalizer norm;
  std::string model_path;  // the best epoch's weights, once trained
  int best_epoch = 0;
};

// What one attempt of a task printed and the errors it met; kept in the
// store's attempts table. The thread running a task (and its trial threads)
// point `current_task_log` at it.
struct TaskLog {
  std::mutex mu;
  std::string text;
  std::vector<std::string> errors;
};
extern thread_local TaskLog *current_task_log;

// Forwards to an observer one call at a time (parallel tasks and trials
// report from several threads), copying lines into the task's log.
class SerializedObserver : public RunObserver {
 public:
  explicit SerializedObserver(RunObserver &inner) : inner_(inner) {}
  void message(const std::string &line) override {
    log(line);
    std::lock_guard<std::mutex> lock(mu_);
    inner_.message(line);
  }
  void batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss, double accuracy,
             double images_per_second) override {
    std::lock_guard<std::mutex> lock(mu_);
    inner_.batch(train, epoch, epochs, batch, batches, loss, accuracy, images_per_second);
  }
  void epoch(const std::string &train, int epochs, const train::EpochReport &report) override {
    char line[160];
    std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f accuracy %.4f, val loss %.4f accuracy %.4f",
                  report.epoch, epochs, report.train.loss, report.train.value("accuracy"), report.val.loss,
                  report.val.value("accuracy"));
    log(line);
    std::lock_guard<std::mutex> lock(mu_);
    inner_.epoch(train, epochs, report);
  }

 private:
  static void log(const std::string &line) {
    if (TaskLog *log = current_task_log) {
      std::lock_guard<std::mutex> lock(log->mu);
      log->text += line + "\n";
    }
  }
  RunObserver &inner_;
  std::mutex mu_;
};

// A JSON object of "space.var" -> number (trial params, a search's best
// values) as SpaceValues; entries that are not numbers are skipped.
SpaceValues space_values_of(const json &values);

// An epoch's objective as a score, higher better (minimised ones negated).
double objective_score(const search::SearchSpec &spec, const train::EpochReport &epoch);

// Whether a train job's augment block refers to a searched space variable.
bool augment_is_searched(const spec::Train &job);

class Execution {
 public:
  Execution(const RunRequest &req, RunObserver &obs, DiagnosticEngine &diags, store::Store &store, RunOutcome &out,
            int threads, std::map<std::string, std::string> identities)
      : req_(req), obs_(obs), diags_(diags), store_(store), out_(out), settings_(req.plan->specs.project),
        threads_(threads), identities_(std::move(identities)) {}

  // The tasks a resumed run recorded before, by name.
  void resume_from(const std::vector<store::TaskRow> &rows) {
    for (const store::TaskRow &r : rows) before_[r.name] = r;
  }

  // One attempt of a task (the scheduler's callback): work finished before
  // (in this run before a restart, or in any run with the same identity) is
  // reused, not repeated; otherwise the task runs, its log and error kept
  // as an attempt in the store. `running`: tasks under way, to share cores.
  Attempt run_task(const Task &t, int attempt, int running);
  bool was_interrupted();
  std::string last_error(const std::string &task);

 private:
  bool dispatch(const Task &t);
  bool finished_before(const Task &t);
  const std::string &identity(const Task &t) const { return identities_.at(t.id); }
  // The store row of `t` in this run, once run_task opened it.
  std::int64_t row_of(const Task &t);
  // Whether this attempt continues a row an earlier attempt (or a stopped run) left.
  bool reopened(const Task &t);
  // Errors, interruption and diagnostics, from any thread.
  void fail(const std::string &error);
  void mark_interrupted();
  DiagnosticBuilder diagnose(DiagId id, SourceRange at, std::vector<std::string> args = {});
  Trained &trained(const std::string &block);
  void set_best_values(const std::string &block, const SpaceValues &values);
  // A dataset in memory, loaded on first use (by its load task, or by a task
  // whose load was cached); null after reporting why it cannot be read.
  const data::LoadedDataset *dataset(const std::string &name, const data::DatasetSpec **spec = nullptr);

  const store::TaskRow *before(const Task &t) const {
    auto it = before_.find(t.id);
    return it == before_.end() ? nullptr : &it->second;
  }

  // This attempt's row for `t`: the one an earlier attempt or a stopped run
  // left (running again, one attempt more) or a new one.
  std::int64_t open_task(const Task &t);

  // Work finished before: its outputs stand for what depends on it.
  void reuse(const Task &t, const store::TaskRow &row);

  // Where a killed task (or trial) continues: its newest checkpoint, with
  // the watched metric's best before it. Epochs after the checkpoint are
  // dropped from the store; they are trained again.
  train::ResumePoint resume_point(std::int64_t task, std::optional<std::int64_t> trial, const train::TrainSpec &spec);

  bool load(const Task &t);

  // Everything a training needs before its first step, for the searched
  // values `space`: the resolved spec, the augment kernel, the model. False
  // with diagnostics when the job cannot run on this data.
  bool prepare(const spec::Train &unbound, const SpaceValues &space, Trained &job,
               std::unique_ptr<lower::CompiledAugment> &augment, bool verbose);

  // Trains a prepared job, recording epochs (and checkpoints) under `task`
  // and, for a search, `trial`.
  // `stop_epoch` ends it early (a PBT interval); batch progress is shown
  // only with `epoch_lines`.
  train::TrainResult fit(const std::string &block, Trained &job, const lower::CompiledAugment *augment,
                         std::int64_t task, std::optional<std::int64_t> trial, const std::string &dir,
                         double subset, bool epoch_lines, const train::ResumePoint &resume = {},
                         std::function<bool(const train::EpochReport &)> prune = nullptr, int stop_epoch = 0);

  // search:JOB: names the strategy and the dimensions (SearchTasks.cpp).
  bool search(const Task &t);

  // trial:JOB: the trials of a search, `parallel` at a time; the best
  // values go to the final training.
  bool trials(const Task &t);
  std::string trials_header(std::uint64_t count, const search::SearchSpec &spec) const;
  // Where a training of this run writes its checkpoints: artifacts/run-ID/DIR beside the store.
  std::filesystem::path checkpoint_dir(const std::string &dir) const;
  static std::string trial_dir(const std::string &block, int number);
  // The final model of `t` from its best trial's weights (`from_trial`:
  // {trial, model, best_epoch}); false when they cannot be used.
  bool weights_of_trial(const Task &t, Trained &job, const json &from_trial, train::TrainResult &result);
  std::string near_chance(const spec::Train &recipe, const search::SearchSpec &spec, double best);
  struct TrialSearch;
  // One trial (a new one, one finished before a restart, or one to continue);
  // false stops the search.
  bool run_trial(TrialSearch &s, std::uint64_t k);
  // pbt: the population trained side by side, interval by interval.
  bool population_based(const Task &t, const spec::Train &recipe, const search::SearchSpec &spec, std::int64_t task);
  // When the search tunes the augment block: the no-augmentation and
  // trivialaugment baselines at the best values on the trials' budget
  // (AugmentBaselines.cpp), reported and added to the task's `outputs`,
  // and the best of the three adopted for the final training.
  bool augment_baselines(const Task &t, const spec::Train &recipe, const search::SearchSpec &spec, std::int64_t task,
                         const SpaceValues &best, double best_value, json &outputs);
  // The trivialaugment baseline's kernel for `job`'s data; null with a failure reported.
  std::unique_ptr<lower::CompiledAugment> trivialaugment_kernel(const Trained &job, const spec::Train &recipe);
  // Per train job: the augmentation its search adopted ("searched", "none"
  // or "trivialaugment"); absent when the search did not tune augmentation.
  std::map<std::string, std::string> adopted_augment_;
  // Per train job: the best trial whose weights are the final model
  // ({trial, model, best_epoch}), when it ran the final recipe itself.
  std::map<std::string, json> final_from_trial_;
  // Calls `body(i)` for i in [0, n) on up to `workers` threads, each with its
  // share of the cores for torch; stops handing out work once a call
  // returns false. False when any call did.
  bool in_parallel(std::size_t n, int workers, const std::function<bool(std::size_t)> &body);

  bool train(const Task &t);

  bool evaluate(const Task &t);

  // package:DEPLOY (PackageTask.cpp).
  bool package(const Task &t);

  // A train job finished before the run was stopped: its model, rebuilt from
  // the values it used and its saved weights.
  bool rebuild_trained(const std::string &block);

  const RunRequest &req_;
  RunObserver &obs_;
  DiagnosticEngine &diags_;
  store::Store &store_;
  RunOutcome &out_;
  spec::Project settings_;
  int threads_ = 1;  // torch threads of the whole run
  std::map<std::string, std::unique_ptr<data::LoadedDataset>> data_;
  std::map<std::string, Trained> trained_;
  std::map<std::string, SpaceValues> best_values_;  // per train job, from its search
  std::map<std::string, store::TaskRow> before_;    // a resumed run's tasks, by name
  std::map<std::string, json> finished_trains_;     // outputs of train tasks done before a restart
  std::map<std::string, std::string> identities_;  // task id -> identity (TaskIdentity.h)
  std::map<std::string, std::int64_t> rows_;       // task id -> this run's row
  std::set<std::string> reopened_;
  std::map<std::string, std::string> last_errors_;
  std::atomic<bool> running_in_parallel_{false};
  std::recursive_mutex state_mu_;  // the maps above and below, and out_
  std::mutex load_mu_;             // one dataset load at a time
  std::mutex prepare_mu_;  // prepare() seeds torch's global generator and compiles kernels: one at a time
};

}  // namespace edl::workflow
