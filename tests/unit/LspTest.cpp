// The language server, driven in process message by message: diagnostics
// that appear and clear, hover, completion, definition, formatting and
// symbols. tests/lsp/ drives the real `edlc lsp` process the same way.
#include "TestSupport.h"

#include "compiler/lsp/Positions.h"
#include "compiler/lsp/Server.h"

#include <catch2/catch.hpp>

using namespace edl;
using json = nlohmann::json;

namespace {

const std::string kUri = lsp::path_to_uri(test::source_dir() + "/tests/lsp-test.edl");

const char *kBroken = R"(project "p" { seed = 1 }
dataset d { source = image_folder(".") }
model m { backbone = cnnn(channels = [8]) }
train t { data = d; model = m; optimizer = sgd(lr = 0.1); epochs = 1 }
)";

struct Session {
  lsp::Server server;
  int next_id = 1;

  std::vector<json> notify(const std::string &method, json params) {
    return server.handle({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }
  json request(const std::string &method, json params) {
    int id = next_id++;
    auto out = server.handle({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    REQUIRE(out.size() == 1);
    REQUIRE(out[0]["id"] == id);
    return out[0];
  }
  json at(int line, int character) {
    return {{"textDocument", {{"uri", kUri}}}, {"position", {{"line", line}, {"character", character}}}};
  }
  std::vector<json> open(const std::string &text) {
    return notify("textDocument/didOpen", {{"textDocument", {{"uri", kUri}, {"languageId", "edl"}, {"version", 1}, {"text", text}}}});
  }
  std::vector<json> change(const std::string &text) {
    return notify("textDocument/didChange",
                  {{"textDocument", {{"uri", kUri}, {"version", 2}}}, {"contentChanges", {{{"text", text}}}}});
  }
};

json diagnostics_for(const std::vector<json> &out, const std::string &uri) {
  for (const json &m : out)
    if (m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri) return m["params"]["diagnostics"];
  FAIL("no diagnostics published for " << uri);
  return {};
}

std::vector<std::string> labels(const json &completion) {
  std::vector<std::string> out;
  for (const json &item : completion["result"]["items"]) out.push_back(item["label"]);
  return out;
}

bool contains(const std::vector<std::string> &v, const std::string &s) { return std::find(v.begin(), v.end(), s) != v.end(); }

}  // namespace

TEST_CASE("lsp: initialize announces the features", "[lsp]") {
  Session s;
  json caps = s.request("initialize", json::object())["result"]["capabilities"];
  CHECK(caps["hoverProvider"] == true);
  CHECK(caps["definitionProvider"] == true);
  CHECK(caps["documentFormattingProvider"] == true);
  CHECK(caps["documentSymbolProvider"] == true);
  CHECK(caps["textDocumentSync"]["change"] == 1);
}

TEST_CASE("lsp: diagnostics appear with ranges and clear after a fix", "[lsp]") {
  Session s;
  json diags = diagnostics_for(s.open(kBroken), kUri);
  REQUIRE(diags.size() == 1);
  CHECK(diags[0]["code"] == "E0304");
  CHECK(diags[0]["severity"] == 1);
  CHECK(diags[0]["range"]["start"] == json({{"line", 2}, {"character", 21}}));
  CHECK(diags[0]["range"]["end"] == json({{"line", 2}, {"character", 25}}));
  CHECK(diags[0]["message"].get<std::string>().find("did you mean 'cnn'?") != std::string::npos);

  std::string fixed = kBroken;
  fixed.replace(fixed.find("cnnn"), 4, "cnn");
  CHECK(diagnostics_for(s.change(fixed), kUri).empty());

  // A syntax error is reported on change too, with its position.
  std::string broken = fixed;
  broken.replace(broken.find("epochs = 1"), 10, "epochs = ");
  json syntax = diagnostics_for(s.change(broken), kUri);
  REQUIRE(syntax.size() == 1);
  CHECK(syntax[0]["code"] == "E0104");
  CHECK(syntax[0]["range"]["start"]["line"] == 3);
}

TEST_CASE("lsp: hover shows catalogue docs with resolved defaults, and references", "[lsp]") {
  Session s;
  s.open(std::string(kBroken) + "/// The shared model.\nmodel n { backbone = mlp(hidden = 4) }\ntrain u { data = d; model = n; optimizer = sgd(lr = 0.1); epochs = 1 }\n");
  std::string sgd = s.request("textDocument/hover", s.at(3, 45))["result"]["contents"]["value"];
  CHECK(sgd.find("lr = 0.1") != std::string::npos);
  CHECK(sgd.find("momentum = 0  (default)") != std::string::npos);
  CHECK(sgd.find("stochastic gradient descent") != std::string::npos);
  std::string key = s.request("textDocument/hover", s.at(3, 61))["result"]["contents"]["value"];
  CHECK(key.find("`epochs` — passes over the training split") != std::string::npos);
  std::string ref = s.request("textDocument/hover", s.at(6, 28))["result"]["contents"]["value"];
  CHECK(ref == "**model** `n`\n\nThe shared model.");
  CHECK(s.request("textDocument/hover", s.at(0, 0))["result"].is_null());
}

TEST_CASE("lsp: completion knows the block, the value's type and declared names", "[lsp]") {
  Session s;
  s.open(kBroken);
  // A new line in the train block: its properties.
  std::string text = std::string(kBroken) + "train v {\n  sch\n}\n";
  s.change(text);
  auto keys = labels(s.request("textDocument/completion", s.at(5, 5)));
  CHECK(contains(keys, "schedule"));
  CHECK(contains(keys, "early_stop"));
  CHECK_FALSE(contains(keys, "backbone"));
  // After `optimizer = `: optimizers.
  s.change(std::string(kBroken) + "train v {\n  optimizer = \n}\n");
  auto opts = labels(s.request("textDocument/completion", s.at(5, 14)));
  CHECK(contains(opts, "sgd"));
  CHECK(contains(opts, "adamw"));
  CHECK_FALSE(contains(opts, "cosine"));
  // After `data = `: the datasets declared (from the last text that parsed).
  s.change(std::string(kBroken) + "train v {\n  data = \n}\n");
  auto data = labels(s.request("textDocument/completion", s.at(5, 9)));
  CHECK(contains(data, "d"));
  // In an augment block: ops and control blocks; inside a call: its parameters.
  s.change(std::string(kBroken) + "augment a {\n  rot\n  blur(\n}\n");
  auto ops = labels(s.request("textDocument/completion", s.at(5, 5)));
  CHECK(contains(ops, "rotate"));
  CHECK(contains(ops, "one_of"));
  auto params = labels(s.request("textDocument/completion", s.at(6, 7)));
  CHECK(contains(params, "sigma"));
  CHECK(contains(params, "p"));
  // After `val.`: metrics.
  s.change(std::string(kBroken) + "train v {\n  search = random(objective = maximize(val.))\n}\n");
  auto metrics = labels(s.request("textDocument/completion", s.at(5, 43)));
  CHECK(contains(metrics, "accuracy"));
  // A label block's stop condition: splits, and the label count.
  s.change(std::string(kBroken) + "label l {\n  stop = \n}\n");
  auto stop = labels(s.request("textDocument/completion", s.at(5, 9)));
  CHECK(contains(stop, "val"));
  CHECK(contains(stop, "labels"));
  // A metric (not a condition) offers the splits only: no round counts labels there.
  s.change(std::string(kBroken) + "train v {\n  search = random(objective = maximize(metric = ))\n}\n");
  auto objective = labels(s.request("textDocument/completion", s.at(5, 48)));
  CHECK(contains(objective, "val"));
  CHECK_FALSE(contains(objective, "labels"));
  // Outside any block: declaration keywords.
  s.change(std::string(kBroken) + "\n");
  auto top = labels(s.request("textDocument/completion", s.at(5, 0)));
  CHECK(contains(top, "dataset"));
}

TEST_CASE("lsp: a file with a syntax error keeps hover, symbols and completion from its partial tree", "[lsp]") {
  Session s;
  // sgd( is never closed; the declaration after it still counts.
  std::string text = std::string(kBroken) + "train v {\n  optimizer = sgd(lr = 0.1, \n}\nmodel n2 { backbone = mlp(hidden = 4) }\n";
  json diags = diagnostics_for(s.open(text), kUri);
  REQUIRE(diags.size() == 1);  // the syntax error alone: what follows from the holes is not shown
  CHECK(diags[0]["code"] == "E0104");
  json symbols = s.request("textDocument/documentSymbol", {{"textDocument", {{"uri", kUri}}}})["result"];
  REQUIRE(symbols.size() == 6);
  CHECK(symbols[4]["name"] == "v");
  CHECK(symbols[5]["name"] == "n2");
  std::string mlp = s.request("textDocument/hover", s.at(7, 23))["result"]["contents"]["value"];
  CHECK(mlp.find("hidden") != std::string::npos);
  // Inside the unclosed call: sgd's parameters.
  auto params = labels(s.request("textDocument/completion", s.at(5, 28)));
  CHECK(contains(params, "momentum"));
  CHECK_FALSE(contains(params, "schedule"));
  // In the next declaration: the model's properties, not sgd's.
  s.change(std::string(kBroken) + "train v {\n  optimizer = sgd(lr = 0.1, \n}\nmodel n2 {\n  \n}\n");
  auto keys = labels(s.request("textDocument/completion", s.at(8, 2)));
  CHECK(contains(keys, "backbone"));
  CHECK_FALSE(contains(keys, "momentum"));
  // A record left open: its fields.
  s.change(std::string(kBroken) + "train v {\n  early_stop = { pat");
  auto fields = labels(s.request("textDocument/completion", s.at(5, 20)));
  CHECK(contains(fields, "patience"));
  CHECK_FALSE(contains(fields, "epochs"));
}

TEST_CASE("lsp: definition jumps to declarations and space variables", "[lsp]") {
  Session s;
  s.open(std::string(kBroken) + "space hp { lr = uniform(0.01, 0.1) }\ntrain u { data = d; model = m; optimizer = sgd(lr = hp.lr); epochs = 1\n  search = random(trials = 2, objective = maximize(val.accuracy)) }\n");
  json def = s.request("textDocument/definition", s.at(3, 17))["result"];  // `d` in data = d
  CHECK(def["uri"] == kUri);
  CHECK(def["range"]["start"] == json({{"line", 1}, {"character", 8}}));
  json var = s.request("textDocument/definition", s.at(5, 56))["result"];  // `lr` of hp.lr
  CHECK(var["range"]["start"] == json({{"line", 4}, {"character", 11}}));
}

TEST_CASE("lsp: formatting returns one edit with the formatter's text", "[lsp]") {
  Session s;
  s.open("project \"p\" {seed=1}\n");
  json edits = s.request("textDocument/formatting", {{"textDocument", {{"uri", kUri}}}, {"options", json::object()}})["result"];
  REQUIRE(edits.size() == 1);
  CHECK(edits[0]["newText"] == "project \"p\" {\n  seed = 1\n}\n");
  s.change("project \"p\" {seed=\n");
  json failed = s.request("textDocument/formatting", {{"textDocument", {{"uri", kUri}}}, {"options", json::object()}});
  CHECK(failed.contains("error"));
}

TEST_CASE("lsp: document symbols list declarations with their properties", "[lsp]") {
  Session s;
  s.open(kBroken);
  json symbols = s.request("textDocument/documentSymbol", {{"textDocument", {{"uri", kUri}}}})["result"];
  REQUIRE(symbols.size() == 4);
  CHECK(symbols[1]["name"] == "d");
  CHECK(symbols[1]["detail"] == "dataset");
  CHECK(symbols[3]["children"].size() == 4);
}

TEST_CASE("lsp: unknown methods and bad params are errors, not crashes", "[lsp]") {
  Session s;
  CHECK(s.request("textDocument/rename", s.at(0, 0))["error"]["code"] == -32601);
  CHECK(s.request("textDocument/hover", {{"nothing", 1}})["error"]["code"] == -32602);
  CHECK(s.request("textDocument/hover", s.at(0, 0))["error"]["code"] == -32602);  // not open
  CHECK(s.request("shutdown", json::object())["result"].is_null());
  s.notify("exit", json::object());
  CHECK(s.server.exit_requested());
  CHECK(s.server.exit_code() == 0);
}

TEST_CASE("lsp: positions count UTF-16 units", "[lsp]") {
  std::string text = "a = \"é🎉\" x\n";
  // 'x' is byte 13, UTF-16 character 10 (é is 1 unit, 🎉 is 2).
  CHECK(lsp::offset_of(text, 0, 10) == 13);
  SourceManager sm;
  FileId id = sm.add("t.edl", text);
  CHECK(lsp::position_at(sm, id, 13)["character"] == 10);
}
