// A train job's `search = STRATEGY(...)` call, resolved: objective, proxy,
// pruner, parallelism, wall-clock budget and PBT's settings.
#pragma once

#include "compiler/ast/AST.h"
#include "runtime/search/Pruner.h"

#include <memory>
#include <string>
#include <utility>

namespace edl::search {

struct SearchSpec {
  std::string strategy;                 // random, tpe, gp, grid, pbt
  std::string split = "val", metric = "accuracy";
  bool maximize = true;
  int proxy_epochs = 0;                 // 0: the job's epochs
  double subset = 1.0;                  // fraction of the training split per trial
  std::string pruner;                   // "", asha or median
  int prune_first = 1, prune_reduction = 3;
  int parallel = 1;
  double budget_seconds = 0;            // 0: no wall-clock limit
  int population = 0, interval = 0;     // pbt
  std::pair<double, double> perturb{0.8, 1.2};

  std::string objective_name() const { return split + "." + metric; }
  std::unique_ptr<Pruner> make_pruner() const;
};

SearchSpec search_spec(const ast::Call &call);

}  // namespace edl::search
