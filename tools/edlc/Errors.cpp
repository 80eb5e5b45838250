#include "tools/edlc/Errors.h"

#include "Commands.h"
#include "compiler/support/InternalError.h"

#include <iostream>

namespace edl::cli {

ErrorLine::~ErrorLine() { std::cerr << "edlc: error: " << text_.str() << "\n"; }

namespace {

constexpr const char *kPleaseReport = "this is a bug in edlc; please report it with the input that caused it\n";

}  // namespace

int report_internal_error(const InternalError &e) {
  std::cerr << "edlc: internal error: " << e.what() << "\n  at " << e.where() << "\n" << kPleaseReport;
  return kInternal;
}

int report_internal_error(const std::string &what) {
  std::cerr << "edlc: internal error: " << what << "\n" << kPleaseReport;
  return kInternal;
}

}  // namespace edl::cli
