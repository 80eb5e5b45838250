// A train block resolved into plain values for one run (a trial's searched
// values filled in), so the loop never reads the AST. No torch here.
#pragma once

#include "compiler/lower/torch/ModelSpec.h"
#include "compiler/sema/SpaceValues.h"

#include <cstdint>
#include <string>
#include <vector>

namespace edl::train {

struct OptimizerSpec {
  std::string kind = "sgd";  // sgd adam adamw
  double lr = 0.01, momentum = 0, weight_decay = 0, beta1 = 0.9, beta2 = 0.999;
  bool nesterov = false;
};

struct ScheduleSpec {
  std::string kind = "constant";  // constant step cosine onecycle custom
  int every = 1;                  // step
  double gamma = 0.1;             // step
  int warmup = 0;                 // cosine, in epochs
  double max_lr = 0;              // onecycle
  const ast::Expr *formula = nullptr;  // custom
  SourceRange range;
};

struct LossSpec {
  std::string kind = "cross_entropy";  // cross_entropy focal
  double label_smoothing = 0, gamma = 2;
};

struct EarlyStopSpec {
  bool enabled = false;
  std::string split = "val", metric = "loss";
  int patience = 1;
  bool maximize = false;  // mode, with auto: maximise everything but loss
};

struct TrainSpec {
  std::string name;
  const ast::Decl *dataset = nullptr;
  const ast::Decl *augment = nullptr;
  lower::ModelSpec model;
  OptimizerSpec optimizer;
  ScheduleSpec schedule;
  LossSpec loss;
  int epochs = 1, batch = 32;
  std::vector<std::string> metrics;  // always holds "accuracy" and "loss"
  EarlyStopSpec early_stop;
  int checkpoint_every = 1;
  int checkpoint_keep = 1;  // newest epoch-N files kept; 0 keeps every one
  SpaceValues space;                 // the searched values this run uses
};

TrainSpec train_spec(const CheckedProject &project, const TrainFacts &train, const SourceManager &sm,
                     const SpaceValues &space = {});

}  // namespace edl::train
