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
    Plan plan = build_plan(c->specs);
    CHECK(!plan.tasks.empty());
  }
  CHECK(roots >= 8);  // digits plus one example per declaration kind that runs
}

TEST_CASE("projects of what this version does not run are rejected at check, only for that", "[examples]") {
  // tests/unsupported/ holds whole projects of smart labeling of text and
  // sound, NAS and distributed detection: each must fail
  // `edlc check` with E0901 and nothing else, so none is accepted and then
  // dropped, and none fails for a reason unrelated to what is missing.
  std::size_t files = 0;
  for (const std::string &file : edl_files("tests/unsupported")) {
    ++files;
    INFO(file);
    auto c = check_file(file);
    std::size_t not_supported = 0;
    for (const Diagnostic &d : c->diags.diagnostics()) {
      INFO(d.code << " " << d.message);
      CHECK((d.code == "E0901" || d.severity == Severity::Warning));
      if (d.code == "E0901") ++not_supported;
    }
    CHECK(not_supported > 0);
  }
  CHECK(files >= 5);
}

TEST_CASE("the example of LANGUAGE.md section 5 checks clean", "[examples]") {
  auto c = check_file(source_dir() + "/tests/spec/language-example.edl");
  for (const Diagnostic &d : c->diags.diagnostics()) {
    INFO(d.code << " " << d.message);
    CHECK(d.code == "W0102");
  }
}
