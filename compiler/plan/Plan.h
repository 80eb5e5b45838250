// The Plan: a project's resolved specs as a DAG of tasks. Each task carries
// its spec; its hash covers that spec's canonical form (never names or
// formatting), the project's seed and device, and its dependencies'
// hashes, so the store can recognise work already done.
#pragma once

#include "compiler/resolve/Spec.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edl {

enum class TaskKind { Load, Search, Trial, Train, Evaluate, LabelRound, Package };
const char *to_string(TaskKind k);

// Which series of a label block a round belongs to: the chosen strategy's,
// the random baseline's at the same budget, or the one full-label reference.
enum class LabelArm { Strategy, Baseline, Reference };
const char *to_string(LabelArm a);

struct Task {
  std::string id;          // "load:digits", "trial:main", ...
  TaskKind kind = TaskKind::Load;
  std::string block;       // the declaration it comes from
  std::vector<std::string> deps;
  std::string hash;        // identity of the resolved inputs, 32 hex digits
  std::uint64_t count = 1; // instances: trials of a search, rounds of labeling
  std::uint64_t parallel = 1;
  int priority = 0;
  std::string summary;     // one line for people
  // The spec the task runs: a load's dataset, a train job's (search,
  // trial, train and evaluate), a package's deploy block.
  std::shared_ptr<const spec::Dataset> dataset;
  std::shared_ptr<const spec::Train> train;
  std::shared_ptr<const spec::Deploy> deploy;
  // A label round's block (its `train` is the recipe each round trains),
  // series and number (from 1; 0 for the reference).
  std::shared_ptr<const spec::Label> label;
  LabelArm arm = LabelArm::Strategy;
  int round = 0;
  // Filled by `edlc plan` from the project's store, when there is one:
  // the run whose finished work this task would reuse, or 0 (it will run).
  bool store_known = false;
  std::int64_t cached_from_run = 0;
};

struct Plan {
  std::string project;
  spec::Specs specs;        // every resolved block, by name
  std::vector<Task> tasks;  // in a topological order
  std::uint64_t total_trials = 0;
};

Plan build_plan(const spec::Specs &specs);

// The spec a task carries, as JSON (SpecJson.h).
nlohmann::json task_spec_json(const Task &t);

std::string render_plan_text(const Plan &plan);
std::string render_plan_json(const Plan &plan);
// Every task with its spec in the readable form (`edlc plan --specs`).
std::string render_plan_specs(const Plan &plan);

}  // namespace edl
