#include "Commands.h"
#include "Report.h"

#include "compiler/frontend/CompileProject.h"
#include "compiler/support/Verify.h"

#include <iostream>

namespace edl::cli {

int run_check(const CheckOptions &opts) {
  bool verify_failed = false;
  std::vector<Diagnostic> all;
  SourceManager sm;
  std::size_t errors = 0, warnings = 0;
  for (const std::string &file : opts.files) {
    DiagnosticEngine diags;
    compile_project(file, sm, diags);
    diags.sort();
    errors += diags.error_count();
    warnings += diags.warning_count();
    all.insert(all.end(), diags.diagnostics().begin(), diags.diagnostics().end());
  }
  if (opts.verify) {
    VerifyResult v = verify_diagnostics(all, sm);
    std::cerr << v.report;
    if (v.ok) std::cerr << "verified " << v.expected << " expected diagnostic(s)\n";
    verify_failed = !v.ok;
    return verify_failed ? kUserError : kOk;
  }
  print_diagnostics(all, sm, opts.format, opts.color, errors, warnings);
  if (errors > 0 || (opts.warnings_as_errors && warnings > 0)) return kUserError;
  return kOk;
}

}  // namespace edl::cli
