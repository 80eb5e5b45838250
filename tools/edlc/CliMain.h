// The part of main() both edlc executables share: parse the arguments,
// run the chosen command, and map failures to exit codes (2 for usage,
// 3 for an internal error).
#pragma once

#include "Commands.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <functional>
#include <iostream>

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
  } catch (const std::exception &e) {
    std::cerr << "edlc: internal error: " << e.what() << "\nplease report this with the input that caused it\n";
  } catch (...) {
    std::cerr << "edlc: internal error\nplease report this with the input that caused it\n";
  }
  return kInternal;
}

}  // namespace edl::cli
