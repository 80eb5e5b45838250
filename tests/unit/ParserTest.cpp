// Lexer, parser and transformer: literals, precedence, contextual
// keywords, separators, doc comments, ranges and syntax errors.
#include "TestSupport.h"

#include "compiler/ast/Dump.h"

#include <catch2/catch.hpp>

using namespace edl;
using namespace edl::test;

namespace {

const ast::Expr &value_of(const ast::File &f, std::size_t decl, const std::string &key) {
  for (const ast::Property &p : f.decls.at(decl).properties)
    if (p.key == key) return *p.value;
  FAIL("no property " << key);
  throw 0;
}

const ast::Literal &literal(const ast::File &f, const std::string &key) {
  const auto *l = value_of(f, 0, key).as<ast::Literal>();
  REQUIRE(l);
  return *l;
}

std::string op_body(const std::string &formula) {
  auto p = parse_text("op f(a: float) = " + formula);
  REQUIRE(p->result.file);
  return ast::dump(*p->result.file->decls.at(0).body);
}

}  // namespace

TEST_CASE("every literal kind is read with its value", "[parser]") {
  auto p = parse_text(R"(project p {
    i = 1_000; f = 0.5; e = 1e-3; g = 2.5E+2; pc = 80%; fp = 12.5%
    sz = 224x160; s = 30s; m = 10m; h = 2h; str = "a\n\"b\"\t\\"; t = true; n = false; z = none
  })");
  REQUIRE(p->diags.error_count() == 0);
  const ast::File &f = *p->result.file;
  CHECK(literal(f, "i").int_value == 1000);
  CHECK(literal(f, "f").number == Approx(0.5));
  CHECK(literal(f, "e").number == Approx(1e-3));
  CHECK(literal(f, "g").number == Approx(250));
  CHECK(literal(f, "pc").literal == ast::LiteralKind::Percent);
  CHECK(literal(f, "pc").number == Approx(0.8));
  CHECK(literal(f, "fp").number == Approx(0.125));
  CHECK(literal(f, "sz").int_value == 224);
  CHECK(literal(f, "sz").height == 160);
  CHECK(literal(f, "s").number == 30);
  CHECK(literal(f, "m").number == 600);
  CHECK(literal(f, "h").number == 7200);
  CHECK(literal(f, "str").text == "a\n\"b\"\t\\");
  CHECK(literal(f, "t").boolean);
  CHECK_FALSE(literal(f, "n").boolean);
  CHECK(literal(f, "z").literal == ast::LiteralKind::None);
}

TEST_CASE("operators bind as LANGUAGE.md states", "[parser]") {
  CHECK(op_body("a + x * 2") == "(+ a (* x 2))");
  CHECK(op_body("2 ^ 3 ^ 2") == "(^ 2 (^ 3 2))");          // right associative
  CHECK(op_body("-x ^ 2") == "(- (^ x 2))");                // ^ binds tighter than unary minus
  CHECK(op_body("a - x - 1") == "(- (- a x) 1)");          // left associative
  CHECK(op_body("a < 1 and x > 2 or not u") == "(or (and (< a 1) (> x 2)) (not u))");
  CHECK(op_body("(a + x) * 2") == "(* (+ a x) 2)");
  CHECK(op_body("x * 2^-1") == "(* x (^ 2 (- 1)))");
  CHECK(op_body("select(x > 0.5, 1, 0)") == "call:select((> x float:0.5), 1, 0)");
}

TEST_CASE("declaration words are keywords only where a declaration starts", "[parser]") {
  auto p = parse_text(R"(
    train main { model = net; augment = light; data = d; split = { train = 80% } }
    label l { model = main }
    deploy d { from = main; label = "y"; x = csv("f.csv", text = "t", label = "y") }
    model m { project = 1, dataset = 2, op = 3, space = 4, deploy = 5 }
    op o(train: float) = train * 2
    dataset x { y = train.loss }
  )");
  REQUIRE(p->diags.error_count() == 0);
  const ast::File &f = *p->result.file;
  REQUIRE(f.decls.size() == 6);
  CHECK(f.decls[0].kind == ast::DeclKind::Train);
  CHECK(ast::dump(value_of(f, 0, "split")) == "{train=percent:0.80000000000000004}");
  CHECK(ast::dump(value_of(f, 5, "y")) == "(. train loss)");
  CHECK(f.decls[3].properties.size() == 5);
}

TEST_CASE("separators between statements are optional and ignored", "[parser]") {
  auto a = parse_text("project p { a = 1; b = 2, c = 3 };;\naugment x { flip_horizontal(); rotate(degrees = 1), }");
  auto b = parse_text("project p {\n a = 1\n b = 2\n c = 3\n}\naugment x {\n flip_horizontal()\n rotate(degrees = 1)\n}");
  REQUIRE(a->result.file);
  REQUIRE(b->result.file);
  CHECK(ast::dump(*a->result.file) == ast::dump(*b->result.file));
}

TEST_CASE("augment control blocks nest steps", "[parser]") {
  auto p = parse_text("augment a { one_of { flip_horizontal() rotate(degrees = 5) } maybe(p = 0.5) { some_of(n = 1) { invert() } } }");
  REQUIRE(p->result.file);
  const ast::Decl &d = p->result.file->decls[0];
  REQUIRE(d.steps.size() == 2);
  CHECK(d.steps[0].has_block);
  CHECK(d.steps[0].body.size() == 2);
  CHECK(d.steps[1].body[0].body[0].name == "invert");
}

TEST_CASE("doc comments attach to the declaration below them", "[parser]") {
  auto p = parse_text("/// first line\n/// second line\nmodel m { backbone = mlp(hidden = 4) }\n// plain\nmodel n { }");
  REQUIRE(p->result.file);
  CHECK(p->result.file->decls[0].doc == "first line\nsecond line");
  CHECK(p->result.file->decls[1].doc.empty());
  CHECK(p->result.comments.size() == 3);
  CHECK(p->result.comments[0].doc);
}

TEST_CASE("every node carries its source range", "[parser]") {
  auto p = parse_text("project p {\n  seed = 42\n}\nmodel m {\n  backbone = cnn(channels = [32, 64])\n}\n");
  REQUIRE(p->result.file);
  const ast::Property &prop = p->result.file->decls[1].properties[0];
  LineColumn lc = p->sm.begin(prop.key_range);
  CHECK(lc.line == 5);
  CHECK(lc.column == 3);
  const auto *call = prop.value->as<ast::Call>();
  REQUIRE(call);
  CHECK(p->sm.begin(call->args[0].value->range).column == 29);
  CHECK(p->sm.end(call->range).column == 38);  // one past the ')'
}

TEST_CASE("ranges stay byte offsets after non-ASCII text", "[parser]") {
  auto p = parse_text("project \"é漢\" { note = \"naïve\" }\nmodel m { x = $ }");
  REQUIRE(p->diags.error_count() >= 1);
  const Diagnostic &d = p->diags.diagnostics()[0];
  CHECK(d.code == "E0101");
  CHECK(p->sm.begin(d.range).line == 2);
  CHECK(p->sm.begin(d.range).column == 15);
}

TEST_CASE("syntax errors are all reported, with positions, and no tree", "[parser]") {
  auto p = parse_text("project p { a = }\nmodel m { b = [1, 2 }\ndataset d { c = 1 }\n");
  CHECK_FALSE(p->result.file);
  REQUIRE(p->diags.error_count() >= 2);
  CHECK(p->diags.diagnostics()[0].code == "E0104");
  CHECK(p->diags.diagnostics()[0].message == "expected an expression, found '}'");
  CHECK(p->sm.begin(p->diags.diagnostics()[1].range).line == 2);
}

TEST_CASE("lexical errors name what is wrong", "[parser]") {
  auto escape = parse_text("project p { a = \"x\\qy\" }");
  REQUIRE(escape->diags.error_count() == 1);
  CHECK(escape->diags.diagnostics()[0].code == "E0103");
  CHECK(escape->diags.diagnostics()[0].message == "invalid escape sequence '\\q' in string");
  CHECK(escape->sm.begin(escape->diags.diagnostics()[0].range).column == 19);

  auto unterminated = parse_text("project p { a = \"abc }\n");
  CHECK(unterminated->diags.diagnostics()[0].code == "E0102");
  auto comment = parse_text("project p { }\n/* never closed");
  CHECK(comment->diags.diagnostics()[0].code == "E0105");
  auto big = parse_text("project p { a = 99999999999999999999999 }");
  CHECK(big->diags.diagnostics()[0].code == "E0106");
  auto bytes = parse_text(std::string("project p { }\n\xff\x00", 16));
  CHECK(bytes->diags.error_count() == 2);
  CHECK(bytes->diags.diagnostics()[0].code == "E0101");
}

TEST_CASE("an empty file parses to an empty tree", "[parser]") {
  auto p = parse_text("");
  REQUIRE(p->result.file);
  CHECK(p->result.file->decls.empty());
  auto only_comments = parse_text("// nothing\n/* here */\n");
  REQUIRE(only_comments->result.file);
  CHECK(only_comments->result.comments.size() == 2);
}

TEST_CASE("a syntax error leaves a partial tree: holes are empty names, what is left open reaches the end",
          "[parser]") {
  const std::string text = "model m { backbone = mlp(hidden = [4]\n}\ntrain t { epochs = \n}\n";
  auto p = parse_text(text);
  CHECK(p->diags.error_count() == 2);
  CHECK_FALSE(p->result.file);  // nothing after parse sees it
  REQUIRE(p->result.partial);
  const ast::File &f = *p->result.partial;
  REQUIRE(f.decls.size() == 2);
  const auto *call = value_of(f, 0, "backbone").as<ast::Call>();
  REQUIRE(call);
  CHECK(call->callee == "mlp");
  REQUIRE(call->args.size() == 1);
  CHECK(call->args[0].name == "hidden");
  CHECK(call->range.end == text.size());  // its `)` is missing
  CHECK(f.decls[1].name == "t");
  const auto *hole = value_of(f, 1, "epochs").as<ast::Name>();
  REQUIRE(hole);
  CHECK(hole->name.empty());
  // Where the value was expected: after `=`, before the `}` that cut it short.
  CHECK(hole->range.begin == text.find("epochs = ") + 8);
  CHECK(hole->range.end == text.rfind('}'));
}

TEST_CASE("a byte-order mark keeps every position after it", "[parser]") {
  const std::string text = "\xEF\xBB\xBFproject \"p\" { seed = 1 }\n// note\n";
  auto p = parse_text(text);
  REQUIRE(p->result.file);
  CHECK(p->result.file->decls.at(0).range.begin == 3);  // after the mark's three bytes
  CHECK(value_of(*p->result.file, 0, "seed").range.begin == text.find('1'));
  REQUIRE(p->result.comments.size() == 1);
  CHECK(p->result.comments[0].range.begin == text.find("//"));
}
