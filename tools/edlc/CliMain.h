// The part of main() both edlc executables share: parse the arguments,
// run the chosen command, and map failures to exit codes (2 for usage,
// 3 for an internal error).
#pragma once

#include "Commands.h"
#include "compiler/support/InternalError.h"
#include "tools/edlc/Errors.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <functional>

namespace edl::cli {

inline int parse_and_run(CLI::App &app, int argc, char **argv, const std::function<int()> &dispatch) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError &e) {
    int rc = app.exit(e);
    return rc == 0 ? kOk : kUsage;
  }
  try {
    return dispatch();
  } catch (const InternalError &e) {
    return report_internal_error(e);
  } catch (const std::exception &e) {
    return report_internal_error(e.what());
  } catch (...) {
    return report_internal_error("an exception of unknown type");
  }
}

}  // namespace edl::cli
