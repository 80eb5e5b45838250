// Executes a project's plan in order: loads datasets, trains each train job
// and evaluates it, recording everything in the store. Progress goes to an
// observer so the CLI decides how it looks (bar, log lines, JSON).
#pragma once

#include "compiler/plan/Plan.h"
#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"
#include "runtime/train/Metrics.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace edl::train {
struct EpochReport;
}

namespace edl::workflow {

class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void message(const std::string &line) = 0;
  virtual void batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss,
                     double accuracy, double images_per_second) = 0;
  virtual void epoch(const std::string &train, int epochs, const train::EpochReport &report) = 0;
};

struct TrainOutcome {
  std::string name;
  std::int64_t task_id = 0;
  int epochs_run = 0, best_epoch = 0;
  double seconds = 0, images_per_second = 0;  // mean over epochs
  std::map<std::string, double> val;          // the train block's metrics at the best epoch
  std::string model_path;
  bool stopped_early = false;
  std::int64_t reused_from_run = 0;           // finished by an earlier run and reused, or 0
};

struct RunOutcome {
  std::int64_t run_id = 0;
  std::string store;
  std::string status;  // done, failed, interrupted, waiting (a label round waits for a person's answers)
  std::vector<TrainOutcome> trains;
  std::vector<std::string> packages;  // written or reused by this run
  std::vector<std::string> waiting;   // what a person is asked to answer before the run can go on
  std::vector<std::string> errors;  // failures that are not diagnostics (data, store)
  std::vector<std::string> internal_errors;  // broken invariants (bugs in edlc), with where: exit 3
};

struct RunRequest {
  const Plan *plan = nullptr;        // with the specs it runs
  std::string file;                  // the root .edl file
  std::string command;               // as typed, for the store
  const std::atomic<bool> *interrupt = nullptr;
  bool fresh = false;  // start a new run even where an unfinished one of the same plan could be resumed
  const class TaskHooks *hooks = nullptr;  // tests only (TaskHooks.h)
};

// A run continues the newest unfinished run (killed, or stopped by Ctrl-C)
// of the same plan: finished tasks and trials stand, a running one continues
// from its last checkpoint. Diagnostics the run finds (shapes, weights,
// formulas) go to `diags`.
RunOutcome execute_plan(const RunRequest &request, RunObserver &observer, DiagnosticEngine &diags);

}  // namespace edl::workflow
