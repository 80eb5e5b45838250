#include "compiler/lsp/Server.h"

#include "compiler/lsp/Features.h"
#include "compiler/lsp/JsonRpc.h"
#include "compiler/lsp/Positions.h"
#include "compiler/support/JsonText.h"

#include <iostream>

namespace edl::lsp {
namespace {

using json = nlohmann::json;

// JSON-RPC error codes.
constexpr int kParseError = -32700, kInvalidRequest = -32600, kMethodNotFound = -32601, kInvalidParams = -32602,
              kRequestFailed = -32803;

struct RpcError {
  int code;
  std::string message;
};

json diagnostic_json(const Diagnostic &d, const SourceManager &sm) {
  std::string message = d.message;
  for (const std::string &n : d.notes) message += "\nnote: " + n;
  if (d.help) message += "\nhelp: " + *d.help;
  json j = {{"range", range_of(sm, d.range)},
            {"severity", d.severity == Severity::Error ? 1 : d.severity == Severity::Warning ? 2 : 3},
            {"code", d.code},
            {"source", "edlc"},
            {"message", message}};
  json related = json::array();
  for (const Label &l : d.labels)
    if (l.range.valid())
      related.push_back({{"location", {{"uri", path_to_uri(sm.path(l.range.file))}, {"range", range_of(sm, l.range)}}},
                         {"message", l.message}});
  if (!related.empty()) j["relatedInformation"] = related;
  return j;
}

json capabilities() {
  return {{"textDocumentSync", {{"openClose", true}, {"change", 1}}},
          {"hoverProvider", true},
          {"completionProvider", {{"triggerCharacters", {".", "(", "=", " "}}}},
          {"definitionProvider", true},
          {"documentFormattingProvider", true},
          {"documentSymbolProvider", true}};
}

}  // namespace

Server::Document *Server::document(const json &params) {
  std::string uri = params.at("textDocument").at("uri").get<std::string>();
  auto it = documents_.find(uri);
  return it == documents_.end() ? nullptr : &it->second;
}

void Server::update(Document &doc, std::vector<json> &out) {
  doc.analysis = analyze(doc.path, doc.text);
  const Analysis &a = *doc.analysis;
  std::map<std::string, json> by_uri;
  by_uri[doc.uri] = json::array();
  for (const Diagnostic &d : a.diags.diagnostics()) {
    // A diagnostic without a place (an unreadable root) belongs to the document.
    std::string uri = d.range.valid() && d.range.file != a.root ? path_to_uri(a.sm.path(d.range.file)) : doc.uri;
    Diagnostic placed = d;
    if (!placed.range.valid()) placed.range = {a.root, 0, 0};
    by_uri[uri].push_back(diagnostic_json(placed, a.sm));
  }
  for (const std::string &old : doc.published)
    if (!by_uri.count(old)) by_uri[old] = json::array();  // clear what is fixed
  doc.published.clear();
  for (auto &[uri, list] : by_uri) {
    if (!list.empty()) doc.published.insert(uri);
    out.push_back({{"jsonrpc", "2.0"},
                   {"method", "textDocument/publishDiagnostics"},
                   {"params", {{"uri", uri}, {"diagnostics", list}}}});
  }
}

json Server::request(const std::string &method, const json &params) {
  if (method == "initialize")
    return {{"capabilities", capabilities()}, {"serverInfo", {{"name", "edlc"}, {"version", "0.1.0"}}}};
  if (method == "shutdown") {
    shutdown_ = true;
    return nullptr;
  }
  static const std::set<std::string> kDocumentMethods = {"textDocument/hover", "textDocument/definition",
                                                         "textDocument/completion", "textDocument/documentSymbol",
                                                         "textDocument/formatting"};
  if (!kDocumentMethods.count(method)) throw RpcError{kMethodNotFound, "method not supported: " + method};
  Document *doc = document(params);
  if (!doc) throw RpcError{kInvalidParams, "document is not open"};
  const Analysis &a = *doc->analysis;
  auto offset = [&]() {
    const json &pos = params.at("position");
    return offset_of(doc->text, pos.at("line").get<int>(), pos.at("character").get<int>());
  };
  if (method == "textDocument/hover") {
    auto text = hover(a, offset());
    if (!text) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", *text}}}};
  }
  if (method == "textDocument/definition") {
    auto r = definition(a, offset());
    if (!r) return nullptr;
    return {{"uri", r->file == a.root ? doc->uri : path_to_uri(a.sm.path(r->file))}, {"range", range_of(a.sm, *r)}};
  }
  if (method == "textDocument/completion") {
    return {{"isIncomplete", false}, {"items", complete(a, doc->text, offset())}};
  }
  if (method == "textDocument/documentSymbol") return document_symbols(a);
  if (method == "textDocument/formatting") {
    auto formatted = format_document(doc->path, doc->text);
    if (!formatted) throw RpcError{kRequestFailed, "the document has syntax errors; fix them to format it"};
    if (*formatted == doc->text) return json::array();
    SourceManager sm;
    FileId id = sm.add(doc->path, doc->text);
    SourceRange all{id, 0, static_cast<std::uint32_t>(doc->text.size())};
    return json::array({{{"range", range_of(sm, all)}, {"newText", *formatted}}});
  }
  throw RpcError{kMethodNotFound, "method not supported: " + method};
}

void Server::notification(const std::string &method, const json &params, std::vector<json> &out) {
  if (method == "exit") {
    exit_requested_ = true;
    return;
  }
  if (method == "textDocument/didOpen") {
    const json &td = params.at("textDocument");
    std::string uri = td.at("uri").get<std::string>();
    Document &doc = documents_[uri];
    doc.uri = uri;
    doc.path = uri_to_path(uri);
    doc.text = td.at("text").get<std::string>();
    update(doc, out);
  } else if (method == "textDocument/didChange") {
    Document *doc = document(params);
    if (!doc) return;
    const json &changes = params.at("contentChanges");
    if (changes.empty()) return;
    doc->text = changes.back().at("text").get<std::string>();  // full sync
    update(*doc, out);
  } else if (method == "textDocument/didClose") {
    Document *doc = document(params);
    if (!doc) return;
    for (const std::string &uri : doc->published)
      out.push_back({{"jsonrpc", "2.0"},
                     {"method", "textDocument/publishDiagnostics"},
                     {"params", {{"uri", uri}, {"diagnostics", json::array()}}}});
    documents_.erase(doc->uri);
  }
}

std::vector<json> Server::handle(const json &message) {
  std::vector<json> out;
  if (!message.is_object() || !message.contains("method")) {
    if (message.is_object() && message.contains("id")) return out;  // a response to us; we send no requests
    out.push_back({{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", {{"code", kInvalidRequest}, {"message", "not a request"}}}});
    return out;
  }
  std::string method = message.at("method").is_string() ? message["method"].get<std::string>() : "";
  json params = message.contains("params") ? message["params"] : json::object();
  bool is_request = message.contains("id");
  try {
    if (is_request) {
      if (shutdown_ && method != "exit") throw RpcError{kInvalidRequest, "server is shutting down"};
      json result = request(method, params);
      out.push_back({{"jsonrpc", "2.0"}, {"id", message["id"]}, {"result", result}});
    } else {
      notification(method, params, out);
    }
  } catch (const RpcError &e) {
    if (is_request) out.push_back({{"jsonrpc", "2.0"}, {"id", message["id"]}, {"error", {{"code", e.code}, {"message", e.message}}}});
  } catch (const json::exception &e) {
    if (is_request)
      out.push_back({{"jsonrpc", "2.0"}, {"id", message["id"]},
                     {"error", {{"code", kInvalidParams}, {"message", std::string("invalid params: ") + e.what()}}}});
  }
  return out;
}

int run_server(std::istream &in, std::ostream &out) {
  Server server;
  while (auto body = read_message(in)) {
    json message;
    try {
      message = json::parse(*body);
    } catch (const json::exception &) {
      write_message(out, json_text(json({{"jsonrpc", "2.0"},
                                         {"id", nullptr},
                                         {"error", {{"code", kParseError}, {"message", "invalid JSON"}}}})));
      continue;
    }
    for (const json &reply : server.handle(message)) write_message(out, json_text(reply));
    if (server.exit_requested()) return server.exit_code();
  }
  return server.exit_code();
}

}  // namespace edl::lsp
