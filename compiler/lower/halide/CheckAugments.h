// Part of `edlc check`: prepares every augment block that a train job
// applies to images for lowering, and reports what the kernel compiler
// would reject, before any data is read. A size-changing step inside a
// condition is an error; an op the compiler does not support yet, a warning.
#pragma once

#include "compiler/sema/Checker.h"

namespace edl::lower {

void check_augments(const CheckedProject &project, DiagnosticEngine &diags);

}  // namespace edl::lower
