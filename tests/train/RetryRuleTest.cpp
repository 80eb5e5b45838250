// Which failures of a task are retried: the rule lives in RetryRule.h's
// types, so a runner cannot make a broken store look transient.
#include "runtime/store/Store.h"
#include "runtime/workflow/RetryRule.h"

#include <catch2/catch.hpp>

using namespace edl;
using workflow::Finish;
using workflow::TaskState;

TEST_CASE("only transient failures are retried, user errors and a broken store are final", "[workflow]") {
  CHECK(workflow::state_of(Finish::Done) == TaskState::Done);
  CHECK(workflow::state_of(Finish::UserError) == TaskState::UserError);
  CHECK(workflow::state_of(Finish::Interrupted) == TaskState::Interrupted);
  CHECK(workflow::state_of(workflow::TransientError("busy")) == TaskState::Failed);
  CHECK(workflow::state_of(std::runtime_error("out of memory")) == TaskState::Failed);
  CHECK(workflow::state_of(store::StoreError("database disk image is malformed")) == TaskState::UserError);
}
