// The Plan: a checked project as a DAG of tasks. A task's hash covers its
// resolved inputs (the blocks it reads, with references replaced by what
// they name, and its dependencies' hashes), never names or formatting, so
// the store can recognise work already done.
#pragma once

#include "compiler/sema/Checker.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edl {

enum class TaskKind { Load, Search, Trial, Train, Evaluate, LabelRound, Package };
const char *to_string(TaskKind k);

struct Task {
  std::string id;          // "load:digits", "trial:main", ...
  TaskKind kind;
  std::string block;       // the declaration it comes from
  std::vector<std::string> deps;
  std::string hash;        // identity of the resolved inputs, 32 hex digits
  std::uint64_t count = 1; // instances: trials of a search, rounds of labeling
  std::uint64_t parallel = 1;
  int priority = 0;
  std::string summary;     // one line for people
  // Filled by `edlc plan` from the project's store, when there is one:
  // the run whose finished work this task would reuse, or 0 (it will run).
  bool store_known = false;
  std::int64_t cached_from_run = 0;
};

struct Plan {
  std::string project;
  std::vector<Task> tasks;  // in a topological order
  std::uint64_t total_trials = 0;
};

Plan build_plan(const CheckedProject &project);

// Trials a search strategy will run: `trials =`, or for grid the product of
// the searched dimensions (choice and int exactly, continuous at 5 points).
std::uint64_t trial_count(const TrainFacts &train);

std::string render_plan_text(const Plan &plan);
std::string render_plan_json(const Plan &plan);

}  // namespace edl
