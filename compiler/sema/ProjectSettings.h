// The project block resolved into plain values, and how a path written in
// a file is resolved (against that file's folder, LANGUAGE.md §2).
#pragma once

#include "compiler/sema/Checker.h"

#include <cstdint>
#include <string>

namespace edl {

struct ProjectSettings {
  std::string name;
  std::uint64_t seed = 0;
  std::string store;       // absolute path of the SQLite store
  int threads = 0;         // 0: every core
  int workflow_parallel = 0;  // 0: what the cores allow
  int retries = 0;
  double backoff = 1;      // seconds before the first retry
};

ProjectSettings project_settings(const CheckedProject &project, const SourceManager &sm);

// `path` as written at `where`: absolute, relative paths taken from the
// folder of the file that contains it.
std::string resolve_path(const SourceManager &sm, SourceRange where, const std::string &path);

}  // namespace edl
