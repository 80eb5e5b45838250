// The resolve stage: a checked project (no errors) into typed specs
// (compiler/resolve/Spec.h). Every default and argument position comes from
// the stdlib catalogue; searched numbers become formulas over their space
// variables; the augment blocks are prepared for the kernel compiler, which
// reports here what it would reject (E0701-E0703).
#pragma once

#include "compiler/resolve/Spec.h"
#include "compiler/sema/Checker.h"

namespace edl {

spec::Specs resolve_project(const CheckedProject &project, const SourceManager &sm, DiagnosticEngine &diags);

// A checked formula (a schedule's, an op's body) as a spec formula.
spec::Formula resolve_formula(const ast::Expr &e);

}  // namespace edl
