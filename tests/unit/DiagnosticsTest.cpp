// The diagnostics engine and its renderers: golden files, JSON, verify
// mode, "did you mean", and the catalogue's coverage by tests and docs.
#include "TestSupport.h"

#include "compiler/support/DiagnosticRenderer.h"
#include "compiler/support/EditDistance.h"
#include "compiler/support/Explanations.h"
#include "compiler/support/InternalError.h"
#include "compiler/support/Verify.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

using namespace edl;
using namespace edl::test;

TEST_CASE("golden files pin the full terminal rendering", "[diagnostics]") {
  // tests/golden/input/X.edl is checked; its rendering must equal
  // tests/golden/output/X.err. Paths are shown relative to the input folder.
  std::string root = source_dir() + "/tests/golden";
  auto inputs = edl_files("tests/golden/input");
  REQUIRE(inputs.size() >= 5);
  for (const std::string &input : inputs) {
    std::string name = std::filesystem::path(input).stem().string();
    INFO(name);
    auto c = check_text(read_file(input), name + ".edl");
    std::string rendered = render_text(c->diags.diagnostics(), c->sm);
    std::string summary = summary_line(c->diags.error_count(), c->diags.warning_count());
    if (!summary.empty()) rendered += "\n" + summary + "\n";
    std::string golden_path = root + "/output/" + name + ".err";
    if (std::getenv("EDL_UPDATE_GOLDEN")) std::ofstream(golden_path) << rendered;
    CHECK(rendered == read_file(golden_path));
  }
}

TEST_CASE("colour is only added when asked for", "[diagnostics]") {
  auto c = check_text(with_project("model m { backbone = cnnn() }"));
  REQUIRE(c->diags.error_count() == 1);
  std::string plain = render_text(c->diags.diagnostics(), c->sm, {false});
  std::string color = render_text(c->diags.diagnostics(), c->sm, {true});
  CHECK(plain.find("\x1b[") == std::string::npos);
  CHECK(color.find("\x1b[1;31merror[E0304]") != std::string::npos);
}

TEST_CASE("JSON diagnostics carry positions, code, labels and help", "[diagnostics]") {
  auto c = check_text(with_project("model m { backbone = mlp(hidden = 4) }\nmodel m { backbone = cnnn() }"));
  auto j = nlohmann::json::parse(render_json(c->diags.diagnostics(), c->sm));
  REQUIRE(j.is_array());
  auto find = [&](const std::string &code) {
    for (const auto &d : j)
      if (d["code"] == code) return d;
    FAIL("no " << code);
    return nlohmann::json();
  };
  auto duplicate = find("E0203");
  CHECK(duplicate["severity"] == "error");
  CHECK(duplicate["line"] == 3);
  CHECK(duplicate["column"] == 7);
  CHECK(duplicate["labels"][0]["line"] == 2);
  CHECK(duplicate["labels"][0]["message"] == "first declared here");
  auto unknown = find("E0304");
  CHECK(unknown["help"] == "did you mean 'cnn'?");
  CHECK(unknown["end_column"] == 26);
}

TEST_CASE("verify matches expectations by line, severity, code and text", "[diagnostics]") {
  // Two expectations in one comment.
  auto c = check_text(with_project(
      "// expected-error[E0304]@+1 {{unknown backbone 'cnnn'}} expected-warning[W0101]@+1 {{never used}}\n"
      "model m { backbone = cnnn() }\n"));
  CHECK(verify_diagnostics(c->diags.diagnostics(), c->sm).ok);
  auto wrong_code = check_text(with_project("// expected-error[E0301]@+1 {{unknown backbone}}\nmodel m { backbone = cnnn() }\n"));
  VerifyResult v = verify_diagnostics(wrong_code->diags.diagnostics(), wrong_code->sm);
  CHECK_FALSE(v.ok);
  CHECK(v.report.find("was not reported") != std::string::npos);
  CHECK(v.report.find("unexpected error[E0304]") != std::string::npos);
  auto missing = check_text(with_project("model m { backbone = cnn(channels = [1]) } // expected-warning {{never used}}\n"));
  CHECK(verify_diagnostics(missing->diags.diagnostics(), missing->sm).ok);
}

TEST_CASE("suggestions come from edit distance with a small threshold", "[diagnostics]") {
  CHECK(edit_distance("rotat", "rotate") == 1);
  CHECK(edit_distance("rotaet", "rotate") == 1);  // a transposition is one edit
  CHECK(closest_match("rotat", {"resize", "rotate", "rotate90"}) == std::optional<std::string>("rotate"));
  CHECK_FALSE(closest_match("zzz", {"rotate", "resize"}));
  CHECK_FALSE(closest_match("lr", {"momentum"}));
}

TEST_CASE("every diagnostic code has an explanation and a test file", "[diagnostics]") {
  // Codes a source file cannot show (no file to point into) are pinned by the CLI contract.
  // Codes only `edlc run` finds (it sees the data) are pinned by the run contract.
  // Codes the data loaders find are pinned by the data tests.
  std::string tests = read_file(source_dir() + "/tests/cli/cli_contract.sh") +
                      read_file(source_dir() + "/tests/cli/run_contract.sh") +
                      read_file(source_dir() + "/tests/runtime/DataTest.cpp") +
                      read_file(source_dir() + "/tests/runtime/CocoTest.cpp");
  for (const std::string &f : edl_files("tests/diagnostics")) tests += read_file(f);
  std::set<std::string> codes;
  for (DiagId id : all_diagnostics()) {
    const DiagnosticInfo &info = diagnostic_info(id);
    INFO(info.code);
    CHECK(codes.insert(info.code).second);  // codes are unique
    CHECK(explanation(info.code).has_value());
    CHECK(tests.find(std::string("[") + info.code + "]") != std::string::npos);
    std::string message = info.message;
    CHECK(!message.empty());
    auto letter = std::find_if(message.begin(), message.end(), [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
    CHECK(std::isupper(static_cast<unsigned char>(*letter)) == 0);  // catalogue style: lowercase
    CHECK(message.back() != '.');
  }
  // No explanation without a diagnostic.
  for (const Explanation &e : explanation_table()) CHECK(diagnostic_by_code(e.code).has_value());
}

TEST_CASE("the error limit stops a flood but keeps counting warnings", "[diagnostics]") {
  DiagnosticEngine engine(3);
  for (int i = 0; i < 10; ++i) engine.report(DiagId::UnknownName, {}, {"x"});
  engine.report(DiagId::UnusedDeclaration, {}, {"model", "m"});
  CHECK(engine.error_count() == 3);
  CHECK(engine.warning_count() == 1);
}

TEST_CASE("a broken invariant is an internal error that says where it was found", "[diagnostics]") {
  try {
    internal_error("resolve: the catalogue has no property 'x'");
    FAIL("internal_error returned");
  } catch (const InternalError &e) {
    CHECK(std::string(e.what()) == "resolve: the catalogue has no property 'x'");
    CHECK(e.where().find("DiagnosticsTest.cpp:") != std::string::npos);
  }
}
