// What every task runner of one `edlc run` works with: the plan and its
// settings, the store, the shared RunState, and the steps several kinds of
// task share (loading a dataset, preparing and fitting a training). One
// attempt of one task is a TaskContext: its store row, its log and its own
// progress state. Internal to runtime/workflow; uses torch.
#pragma once

#include "compiler/lower/halide/LowerAugment.h"
#include "runtime/search/SearchSpec.h"
#include "runtime/store/Store.h"
#include "runtime/workflow/RetryRule.h"
#include "runtime/workflow/RunState.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace edl::workflow {

// Forwards to an observer one call at a time: tasks and trials report from
// several threads.
class SerializedObserver : public RunObserver {
 public:
  explicit SerializedObserver(RunObserver &inner) : inner_(inner) {}
  void message(const std::string &line) override;
  void batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss, double accuracy,
             double images_per_second) override;
  void epoch(const std::string &train, int epochs, const train::EpochReport &report) override;

 private:
  RunObserver &inner_;
  std::mutex mu_;
};

// One attempt of one task. What it prints and the errors it meets are kept
// as the attempt's log in the store; its trial threads share it.
class TaskContext {
 public:
  TaskContext(const Task &task, std::int64_t row, bool reopened, RunObserver &observer)
      : task(task), row(row), reopened(reopened), observer_(observer) {}

  const Task &task;
  const std::int64_t row;  // the task's row in the store
  const bool reopened;     // continues a row an earlier attempt (or a stopped run) left

  // A line for the user and the log.
  void say(const std::string &line);
  void say_epoch(const std::string &train, int epochs, const train::EpochReport &report);
  // A batch's progress, shown while this task trains one model at a time.
  void batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss, double accuracy,
             double images_per_second);
  // An error for the attempt's record (the user sees it through the run's errors or diagnostics).
  void log_error(const std::string &error);

  std::string log_text() const;
  std::vector<std::string> errors() const;

  // Several trainings of this task side by side (parallel trials): one
  // progress bar cannot show them, so batch progress pauses meanwhile.
  void set_parallel(bool parallel) { parallel_ = parallel; }

 private:
  RunObserver &observer_;
  mutable std::mutex mu_;
  std::string text_;
  std::vector<std::string> errors_;
  std::atomic<bool> parallel_{false};
};

// A training to run for a task (and, in a search, one of its trials).
struct FitRequest {
  std::string block;                       // the train job, for progress lines
  std::optional<std::int64_t> trial;       // the trial's row, in a search
  std::string dir;                         // checkpoints, under the run's artifacts
  double subset = 1.0;                     // share of the training split (a search's proxy)
  bool epoch_lines = false;                // print a line per epoch
  train::ResumePoint resume;               // where a killed training continues
  std::function<bool(const train::EpochReport &)> prune;  // true stops the training (a pruned trial)
  int stop_epoch = 0;                      // end after this epoch (a pbt interval); 0: train to the end
};

class RunContext {
 public:
  RunContext(const RunRequest &req, RunObserver &observer, DiagnosticEngine &diags, store::Store &store,
             RunOutcome &out, int threads, std::map<std::string, std::string> identities);

  const Plan &plan;
  const spec::Project &settings;
  RunObserver &observer;  // serialized
  store::Store &store;
  RunState state;
  const int threads;  // torch threads of the whole run

  // A task's identity (TaskIdentity.h): what its cached results are found by.
  const std::string &identity(const Task &t) const { return identities_.at(t.id); }

  bool interrupt_requested() const;
  // Why a runner stopped once it reported its cause.
  Finish stopped() const { return interrupt_requested() || state.interrupted() ? Finish::Interrupted : Finish::UserError; }

  // An error that is not a diagnostic (data, files): kept for the run's
  // closing lines and the attempt's log.
  void fail(TaskContext &ctx, const std::string &error);
  // A diagnostic from the catalogue, with note or help lines.
  struct Note {
    NoteId id;
    std::vector<std::string> args;
    bool help = true;  // "help:" (what to do) rather than "note:" (what was found)
  };
  void diagnose(TaskContext &ctx, DiagId id, SourceRange at, std::vector<std::string> args = {},
                const std::vector<Note> &notes = {});

  // A dataset in memory, loaded on first use (by its load task, or by a
  // task whose load was cached); null after reporting why it cannot be read.
  const data::LoadedDataset *dataset(TaskContext &ctx, const std::string &name);

  // Everything a training needs before its first step, for the searched
  // values `space`: the bound spec, the augment kernel, the model. False
  // with diagnostics when the job cannot run on this data.
  bool prepare(TaskContext &ctx, const spec::Train &unbound, const SpaceValues &space, Trained &job,
               std::unique_ptr<lower::CompiledAugment> &augment, bool verbose);
  // An augment block compiled for `job`'s data (a baseline's); null with a failure reported.
  std::unique_ptr<lower::CompiledAugment> compile_augment(TaskContext &ctx, const spec::Augment &block,
                                                          const Trained &job);

  // Trains a prepared job, recording epochs (and checkpoints) under the task's row.
  train::TrainResult fit(TaskContext &ctx, Trained &job, const lower::CompiledAugment *augment,
                         const FitRequest &request);

  // fit() for a job with distributed.workers > 1: rank 0 here, the other
  // ranks `edlc worker` processes it starts (or that join from other
  // machines, with RunRequest::master). A worker that died or did not come
  // is reported as an error, and the training returns interrupted.
  train::TrainResult fit_distributed(TaskContext &ctx, Trained &job, train::TrainJob &tj,
                                     const train::TrainCallbacks &cb);

  // Where a killed task (or trial) continues: its newest checkpoint, with
  // the watched metric's best before it. Epochs after the checkpoint are
  // dropped from the store; they are trained again.
  train::ResumePoint resume_point(std::int64_t task, std::optional<std::int64_t> trial, const train::TrainSpec &spec);

  // Where a training of this run writes its checkpoints: artifacts/run-ID/DIR beside the store.
  std::filesystem::path checkpoint_dir(const std::string &dir) const;

  // Calls `body(i)` for i in [0, n) on up to `workers` threads, each with its
  // share of the task's cores for torch; stops handing out work once a call
  // returns false. False when any call did.
  bool in_parallel(TaskContext &ctx, std::size_t n, int workers, const std::function<bool(std::size_t)> &body);

  // A train job's trained model: the one its train task published in this
  // run, or, when that task finished before a restart, rebuilt from the
  // values it used and its saved weights. Null when neither exists.
  std::shared_ptr<const Trained> trained_job(TaskContext &ctx, const std::string &job);

 private:
  const RunRequest &req_;
  DiagnosticEngine &diags_;
  const std::map<std::string, std::string> identities_;  // task id -> identity
  std::mutex diags_mu_;    // the engine is not thread-safe
  std::mutex load_mu_;     // one dataset load at a time
  std::mutex prepare_mu_;  // prepare() seeds torch's global generator and compiles kernels: one at a time
  std::mutex rebuild_mu_;  // one rebuild of a finished job at a time
};

// A JSON object of "space.var" -> number (trial params, a search's best
// values) as SpaceValues; entries that are not numbers are skipped.
SpaceValues space_values_of(const json &values);
json values_json(const SpaceValues &values);

// An epoch's objective as a score, higher better (minimised ones negated).
double objective_score(const search::SearchSpec &spec, const train::EpochReport &epoch);

// Whether a train job's search also tunes its augment block.
bool augment_is_searched(const spec::Train &job);

// Searched values as " name=value" pairs, and a metric with four decimals, for progress lines.
std::string shown(const SpaceValues &values);
std::string fixed4(double v);

// A trial's checkpoint folder, under its job: two searched jobs never share one.
std::string trial_dir(const std::string &block, int number);

}  // namespace edl::workflow
