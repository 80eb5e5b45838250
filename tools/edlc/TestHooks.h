// The run's test hooks (runtime/workflow/TaskHooks.h), read from the
// environment, for the CLI tests that make tasks fail or hold them:
//   EDL_FAIL_TASK="train:main=2,load:digits=1"  the named tasks fail their first N attempts
//   EDL_DELAY_TASK="load:digits=30"             the named tasks wait N seconds once their row is open
// Built only with -DEDL_TEST_HOOKS=ON (the default, so the suite can use
// them); a release build turns it off and ignores the variables.
#pragma once

#include "runtime/workflow/TaskHooks.h"

#include <memory>

namespace edl {

// Null when the build has no test hooks or neither variable is set.
std::unique_ptr<workflow::TaskHooks> test_hooks_from_environment();

}  // namespace edl
