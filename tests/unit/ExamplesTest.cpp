// Every example project checks clean: no errors, and no warnings but the
// ones about data that a fresh checkout has not fetched yet.
#include "TestSupport.h"

#include "compiler/plan/Plan.h"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace edl;
using namespace edl::test;

namespace {

// A root declares the project; library files are only imported.
bool is_project_root(const std::string &file) {
  std::string text = "\n" + read_file(file);
  return text.find("\nproject ") != std::string::npos;
}

}  // namespace

TEST_CASE("every example checks clean and plans", "[examples]") {
  std::size_t roots = 0;
  for (const std::string &file : edl_files("examples")) {
    if (!is_project_root(file)) continue;  // an imported library file
    ++roots;
    INFO(file);
    auto c = check_file(file);
    for (const Diagnostic &d : c->diags.diagnostics()) {
      INFO(d.code << " " << d.message);
      CHECK(d.code == "W0102");
    }
    Plan plan = build_plan(c->checked);
    CHECK(!plan.tasks.empty());
  }
  CHECK(roots >= 10);  // digits plus one example per declaration kind
}

TEST_CASE("the example of LANGUAGE.md section 5 checks clean", "[examples]") {
  auto c = check_file(source_dir() + "/tests/spec/language-example.edl");
  for (const Diagnostic &d : c->diags.diagnostics()) {
    INFO(d.code << " " << d.message);
    CHECK(d.code == "W0102");
  }
}
