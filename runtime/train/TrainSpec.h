// The train spec the loop reads: the resolved train block
// (compiler/resolve/Spec.h) bound to one run's searched values
// (spec::bind), so every number is the value this run uses. No torch here.
#pragma once

#include "compiler/resolve/Spec.h"

namespace edl::train {

using TrainSpec = spec::Train;
using OptimizerSpec = spec::Optimizer;
using ScheduleSpec = spec::Schedule;
using LossSpec = spec::Loss;
using EarlyStopSpec = spec::EarlyStop;

}  // namespace edl::train
