#include "runtime/train/Schedule.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace edl::train {
namespace {
constexpr double kPi = 3.14159265358979323846;
}

LrSchedule::LrSchedule(const ScheduleSpec &spec, double base_lr, int epochs, std::int64_t steps_per_epoch)
    : spec_(spec), lr_(base_lr), epochs_(std::max(1, epochs)), steps_per_epoch_(std::max<std::int64_t>(1, steps_per_epoch)) {
  if (spec.kind == "custom") {
    if (!spec.formula) throw std::runtime_error("custom() needs a formula");
    std::string error;
    formula_ = lower::CompiledFormula::compile(*spec.formula, schedule_variables(), error);
    if (!formula_) throw std::runtime_error(error);
  }
}

double LrSchedule::at(std::int64_t step) const {
  const double total = static_cast<double>(epochs_ * steps_per_epoch_);
  const double epoch_f = static_cast<double>(step) / static_cast<double>(steps_per_epoch_);
  const int epoch = static_cast<int>(step / steps_per_epoch_);
  const double progress = std::min(1.0, static_cast<double>(step) / total);
  const std::string &k = spec_.kind;
  if (k == "step") return lr_ * std::pow(spec_.gamma, epoch / std::max(1, static_cast<int>(spec_.every)));
  if (k == "cosine") {
    // Linear warm-up over `warmup` epochs, then cosine decay to zero.
    const double w = spec_.warmup;
    if (epoch_f < w) return lr_ * (epoch_f + 1.0 / static_cast<double>(steps_per_epoch_)) / w;
    const double t = (epoch_f - w) / std::max(1e-9, epochs_ - w);
    return 0.5 * lr_ * (1 + std::cos(kPi * std::min(1.0, t)));
  }
  if (k == "onecycle") {
    // PyTorch's OneCycleLR: 30% cosine rise from max_lr/25, then cosine
    // fall to max_lr/25e4.
    const double start = spec_.max_lr / 25, end = start / 1e4, rise = 0.3;
    auto anneal = [](double a, double b, double t) { return b + (a - b) / 2 * (1 + std::cos(kPi * t)); };
    return progress < rise ? anneal(start, spec_.max_lr, progress / rise)
                           : anneal(spec_.max_lr, end, (progress - rise) / (1 - rise));
  }
  if (k == "custom") {
    const double values[] = {lr_, static_cast<double>(epoch), static_cast<double>(step), progress};
    return (*formula_)(values);
  }
  return lr_;
}

}  // namespace edl::train
