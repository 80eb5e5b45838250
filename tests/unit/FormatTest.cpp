// The formatter: canonical layout, comments kept, idempotent, and the
// output always means what the input meant.
#include "TestSupport.h"

#include "compiler/ast/Dump.h"
#include "compiler/format/Formatter.h"
#include "compiler/format/UnifiedDiff.h"

#include <catch2/catch.hpp>

using namespace edl;
using namespace edl::test;

namespace {

std::string fmt(const std::string &text) {
  auto p = parse_text(text);
  REQUIRE(p->result.file);
  return format_file(*p->result.file, p->result.comments, text);
}

// fmt(x) means x, and fmt(fmt(x)) == fmt(x).
void check_stable(const std::string &text, const std::string &name) {
  INFO(name);
  auto before = parse_text(text);
  if (!before->result.file) return;  // files with syntax errors are not formatted
  std::string once = format_file(*before->result.file, before->result.comments, text);
  auto after = parse_text(once);
  REQUIRE(after->result.file);
  CHECK(ast::dump(*after->result.file) == ast::dump(*before->result.file));
  CHECK(format_file(*after->result.file, after->result.comments, once) == once);
  // No comment is lost.
  CHECK(after->result.comments.size() == before->result.comments.size());
}

}  // namespace

TEST_CASE("fmt lays out blocks canonically and aligns '=' in a group", "[format]") {
  CHECK(fmt("project \"p\" {seed=1;store=\"s.db\"}\nmodel   m{backbone=cnn(channels=[32,64],kernel=3)}") ==
        "project \"p\" {\n"
        "  seed  = 1\n"
        "  store = \"s.db\"\n"
        "}\n"
        "\n"
        "model m {\n"
        "  backbone = cnn(channels = [32, 64], kernel = 3)\n"
        "}\n");
}

TEST_CASE("fmt keeps single blank lines and comments, and groups by them", "[format]") {
  std::string in =
      "/// doc\n"
      "train t {  // trailing on header\n"
      "  data = d\n"
      "\n\n\n"
      "  // about the model\n"
      "  model = m   // trailing\n"
      "  epochs = 3\n"
      "  /* before the brace */\n"
      "}\n"
      "// at the end\n";
  CHECK(fmt(in) ==
        "/// doc\n"
        "train t { // trailing on header\n"
        "  data = d\n"
        "\n"
        "  // about the model\n"
        "  model  = m // trailing\n"
        "  epochs = 3\n"
        "  /* before the brace */\n"
        "}\n"
        "// at the end\n");
}

TEST_CASE("fmt breaks a call that does not fit in 100 columns, one argument a line", "[format]") {
  std::string in =
      "train t { search = tpe(trials = 12, parallel = 2, objective = maximize(val.accuracy), prune = asha(min_epochs = 2, reduction = 4)) }";
  CHECK(fmt(in) ==
        "train t {\n"
        "  search = tpe(\n"
        "    trials = 12,\n"
        "    parallel = 2,\n"
        "    objective = maximize(val.accuracy),\n"
        "    prune = asha(min_epochs = 2, reduction = 4),\n"
        "  )\n"
        "}\n");
}

TEST_CASE("fmt prints operators with only the parentheses they need", "[format]") {
  CHECK(fmt("op f(k: float) = ((x*(1-k)))+(-(u))^2 - (v - (c - 1))") ==
        "op f(k: float) = x * (1 - k) + (-u)^2 - (v - (c - 1))\n");
  CHECK(fmt("op g(k: float) = - -x + not (x < 1) * 2^(2^k)") == "op g(k: float) = - -x + (not (x < 1) * 2^2^k)\n");  // not binds looser than *
}

TEST_CASE("fmt nests augment control blocks", "[format]") {
  CHECK(fmt("augment a { one_of { flip_horizontal() invert() } maybe(p=0.5){blur(sigma=1)} }") ==
        "augment a {\n"
        "  one_of {\n"
        "    flip_horizontal()\n"
        "    invert()\n"
        "  }\n"
        "  maybe(p = 0.5) {\n"
        "    blur(sigma = 1)\n"
        "  }\n"
        "}\n");
}

TEST_CASE("a comment inside a multi-line value moves above it and survives", "[format]") {
  std::string in = "model m {\n  backbone = cnn(\n    channels = [32, 64], // widths\n    kernel = 3)\n}\n";
  std::string out = fmt(in);
  CHECK(out == "model m {\n  // widths\n  backbone = cnn(channels = [32, 64], kernel = 3)\n}\n");
  check_stable(in, "inline");
}

TEST_CASE("fmt is idempotent and meaning-preserving on every example and test input", "[format]") {
  for (const char *dir : {"examples", "tests/diagnostics", "tests/golden/input", "tests/fuzz/corpus"}) {
    for (const std::string &file : edl_files(dir)) check_stable(read_file(file), file);
  }
}

TEST_CASE("every example is already formatted", "[format]") {
  for (const std::string &file : edl_files("examples")) {
    INFO(file);
    std::string text = read_file(file);
    CHECK(fmt(text) == text);
  }
}

TEST_CASE("fmt --check's unified diff aligns unchanged lines and gives exact hunks", "[format]") {
  CHECK(unified_diff("a\nb\n", "a\nb\n", "f.edl").empty());
  std::string before, after;
  for (int i = 1; i <= 20; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i == 5 ? std::string("changed 5\n") : i == 15 ? std::string("") : "line " + std::to_string(i) + "\n");
  }
  after += "added\n";
  CHECK(unified_diff(before, after, "f.edl") ==
        "--- a/f.edl\n+++ b/f.edl\n"
        "@@ -2,7 +2,7 @@\n line 2\n line 3\n line 4\n-line 5\n+changed 5\n line 6\n line 7\n line 8\n"
        "@@ -12,9 +12,9 @@\n line 12\n line 13\n line 14\n-line 15\n line 16\n line 17\n line 18\n line 19\n"
        " line 20\n+added\n");
  // A missing final newline is a change of its own.
  CHECK(unified_diff("a\n", "a", "f.edl") == "--- a/f.edl\n+++ b/f.edl\n@@ -1,1 +1,2 @@\n a\n+\\ No newline at end of file\n");
}
