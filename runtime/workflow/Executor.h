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
  // Distributed training across machines: rank 0 serves the rendezvous at
  // HOST:PORT and waits for the other workers (`edlc worker`) instead of
  // starting them here. Empty: each distributed job starts its own.
  std::string master;
};

// `edlc worker`: one rank (not 0) of a distributed training, joined at
// `host:port`; it trains the train job rank 0 names and writes nothing.
struct WorkerRequest {
  const Plan *plan = nullptr;
  std::string host;
  int port = 0;
  int rank = 1, world = 2;
  int threads = 0;         // torch threads; 0: the project's over the workers on this machine
  int join_timeout = 120;  // seconds to wait for the master
};
// 0 when the training ended (or was stopped by rank 0); otherwise 1 with
// `error` saying why.
int run_worker(const WorkerRequest &request, RunObserver &observer, DiagnosticEngine &diags, std::string &error);

// A run continues the newest unfinished run (killed, or stopped by Ctrl-C)
// of the same plan: finished tasks and trials stand, a running one continues
// from its last checkpoint. Diagnostics the run finds (shapes, weights,
// formulas) go to `diags`.
RunOutcome execute_plan(const RunRequest &request, RunObserver &observer, DiagnosticEngine &diags);

}  // namespace edl::workflow
