// `edlc lsp`: a Language Server Protocol server. Documents are synced in
// full; every change re-checks the project and publishes the same
// diagnostics `edlc check` prints, with ranges.
#pragma once

#include "compiler/lsp/Analysis.h"

#include <nlohmann/json.hpp>

#include <iosfwd>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace edl::lsp {

class Server {
 public:
  // Handles one message; returns what to send back, responses and
  // notifications, in order.
  std::vector<nlohmann::json> handle(const nlohmann::json &message);
  bool exit_requested() const { return exit_requested_; }
  int exit_code() const { return shutdown_ ? 0 : 1; }

 private:
  struct Document {
    std::string uri, path, text;
    std::shared_ptr<Analysis> analysis;       // the latest text
    std::set<std::string> published;          // URIs this document published diagnostics to
  };

  nlohmann::json request(const std::string &method, const nlohmann::json &params);
  void notification(const std::string &method, const nlohmann::json &params, std::vector<nlohmann::json> &out);
  void update(Document &doc, std::vector<nlohmann::json> &out);
  Document *document(const nlohmann::json &params);

  std::map<std::string, Document> documents_;
  bool shutdown_ = false;
  bool exit_requested_ = false;
};

// Serves LSP over the streams until `exit` or end of input; returns the exit code.
int run_server(std::istream &in, std::ostream &out);

}  // namespace edl::lsp
