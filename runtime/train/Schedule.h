// Learning-rate schedules: the rate for a step, from the schedule spec and
// the base rate. `custom(EXPR)` runs the formula compiled by LLVM ORC.
#pragma once

#include "compiler/lower/llvm/Formula.h"
#include "runtime/train/TrainSpec.h"

#include <memory>
#include <string>

namespace edl::train {

class LrSchedule {
 public:
  // Throws std::runtime_error when a custom formula does not compile.
  LrSchedule(const ScheduleSpec &spec, double base_lr, int epochs, std::int64_t steps_per_epoch);
  // The rate for global step `step` (0-based); its epoch is step / steps_per_epoch.
  double at(std::int64_t step) const;

 private:
  ScheduleSpec spec_;
  double lr_;
  int epochs_;
  std::int64_t steps_per_epoch_;
  std::unique_ptr<lower::CompiledFormula> formula_;
};

// The names a custom formula sees, in the order LrSchedule passes them.
inline const std::vector<std::string> &schedule_variables() {
  static const std::vector<std::string> names = {"lr", "epoch", "step", "progress"};
  return names;
}

}  // namespace edl::train
