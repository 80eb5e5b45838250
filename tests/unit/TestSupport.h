// Helpers shared by the unit tests: parse or check text held in memory.
#pragma once

#include "compiler/parse/FrontEnd.h"
#include "compiler/resolve/Spec.h"
#include "compiler/sema/Checker.h"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace edl::test {

struct Parsed {
  SourceManager sm;
  DiagnosticEngine diags;
  ParseResult result;
  FileId id = kNoFile;
};

struct Checked {
  SourceManager sm;
  DiagnosticEngine diags;
  LoadedProject project;
  CheckedProject checked;
  spec::Specs specs;  // resolved, when the project has no error
  std::vector<std::string> codes() const;
  bool has(const std::string &code) const;
};

std::unique_ptr<Parsed> parse_text(const std::string &text, const std::string &path = "test.edl");
// `path` may name a real file whose folder holds the imports.
std::unique_ptr<Checked> check_text(const std::string &text, const std::string &path = "test.edl");
std::unique_ptr<Checked> check_file(const std::string &path);

std::string read_file(const std::string &path);
std::string source_dir();
// Every .edl file below a folder of the source tree, sorted.
std::vector<std::string> edl_files(const std::string &relative_dir);

// data/NAME, a data set scripts/fetch-data.sh makes; the test fails,
// saying so, when it is missing.
std::string fetched_data(const std::string &name);

// A new empty folder under the system's temporary directory, removed with
// this object.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string &prefix = "edl-test");
  ~TempDir();
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
};

// A minimal valid project around `body`.
std::string with_project(const std::string &body);

}  // namespace edl::test
