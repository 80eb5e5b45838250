// A test-only seam into the run of each task attempt: tests use it to make
// a task fail (to exercise retries) or hold it (to kill the process inside
// it). The runtime never installs hooks itself; RunRequest::hooks is null
// in a production run.
#pragma once

#include <string>

namespace edl::workflow {

class TaskHooks {
 public:
  virtual ~TaskHooks() = default;
  // Called once the attempt's store row is open, before the task's work.
  // May sleep, or throw (a TransientError fails the attempt and is retried).
  virtual void before_attempt(const std::string &task, int attempt) const = 0;
};

}  // namespace edl::workflow
