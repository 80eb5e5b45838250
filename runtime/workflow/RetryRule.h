// Which failures of a task are worth another attempt. A runner's own verdict
// is a Finish; anything it throws is classified by its type. Only a
// transient failure is retried (workflow.retries): a user error (the
// project, its data or the store must change first) is final at once.
#pragma once

#include "runtime/workflow/Scheduler.h"

#include <exception>
#include <stdexcept>
#include <string>

namespace edl::workflow {

// How a runner ended: its work is done, or it stopped with the cause
// already reported (diagnostics, errors in the task's log), or the run was
// interrupted.
enum class Finish { Done, UserError, Interrupted };

// Thrown for a failure that another attempt may not meet: a resource that
// was busy, a file system that hiccuped, an injected test failure.
class TransientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The scheduler's state for a runner's verdict.
TaskState state_of(Finish f);

// The scheduler's state for an exception that escaped a runner: the
// store's errors are final (retrying cannot mend the store), everything
// else (TransientError, and what libtorch or the OS threw) is retried.
TaskState state_of(const std::exception &e);

}  // namespace edl::workflow
