#include "runtime/workflow/RetryRule.h"

#include "runtime/store/Store.h"

namespace edl::workflow {

TaskState state_of(Finish f) {
  switch (f) {
    case Finish::Done: return TaskState::Done;
    case Finish::UserError: return TaskState::UserError;
    case Finish::Interrupted: return TaskState::Interrupted;
  }
  return TaskState::UserError;
}

TaskState state_of(const std::exception &e) {
  if (dynamic_cast<const store::StoreError *>(&e)) return TaskState::UserError;
  return TaskState::Failed;
}

}  // namespace edl::workflow
