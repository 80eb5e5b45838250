// trial:JOB: the trials of a train job's search. The strategy's trials
// (random, tpe, gp, grid) run `parallel` at a time and resume from the
// store (TrialsRunner.cpp); pbt trains its population side by side and
// exploits interval by interval (PopulationSearch.cpp); a search that tunes
// the augment block is compared with two baselines (AugmentBaselines.cpp).
// The best values go to the final training through the RunState.
#pragma once

#include "runtime/workflow/TaskRunner.h"

namespace edl::workflow {

class TrialsRunner : public TaskRunner {
 public:
  explicit TrialsRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override;
  void reuse(const Task &t, const store::TaskRow &row) override;

 private:
  struct TrialSearch;
  // One trial (a new one, one finished before a restart, or one to continue);
  // false stops the search.
  bool run_trial(TaskContext &ctx, TrialSearch &s, std::uint64_t k);
  // pbt: the population trained side by side, interval by interval.
  Finish population_based(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec);
  // The no-augmentation and trivialaugment baselines at the best values on
  // the trials' budget, reported and added to the task's `outputs`, and the
  // best of the three adopted for the final training.
  bool augment_baselines(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec,
                         const SpaceValues &best, double best_value, json &outputs);
  std::string trials_header(std::uint64_t count, const search::SearchSpec &spec) const;
  std::string near_chance(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec, double best);

  RunContext &run_;
};

}  // namespace edl::workflow
