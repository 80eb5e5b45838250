#include "Commands.h"
#include "tools/edlc/Errors.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace edl::cli {

int run_runtime_command(int argc, char **argv) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::string helper = (self.parent_path() / "edlc-runtime").string();
  std::vector<char *> args(argv, argv + argc);
  args[0] = helper.data();
  args.push_back(nullptr);
  execv(helper.c_str(), args.data());
  return report_internal_error("cannot start " + helper + ": " + std::strerror(errno));
}

}  // namespace edl::cli
