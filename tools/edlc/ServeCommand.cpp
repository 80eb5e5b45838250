// `edlc serve PACKAGE`: the package's model behind a local HTTP server
// (runtime/serve/Server.h). Host, port and token default to the package's
// server() target, then to 127.0.0.1:8080 without a token.
#include "Commands.h"
#include "tools/edlc/Errors.h"

#include "runtime/deploy/Predictor.h"
#include "runtime/serve/Server.h"

#include <atomic>
#include <csignal>
#include <iostream>

namespace edl::cli {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_stop_signal(int) { g_stop = true; }

}  // namespace

int run_serve(const ServeCliOptions &opts) {
  // First of all: a Ctrl-C or SIGTERM while the package loads (seconds on a
  // busy machine) stops the server too, instead of being missed.
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  std::string error;
  auto predictor = deploy::Predictor::open(opts.package, error, opts.edge);
  if (!predictor) {
    report_error() << error;
    return kUserError;
  }
  serve::ServeOptions o;
  for (const auto &target : predictor->manifest().value("targets", nlohmann::json::array()))
    if (target.value("target", "") == "server") {
      const auto &args = target.value("options", nlohmann::json::object());
      o.host = args.value("host", o.host);
      o.port = static_cast<int>(args.value("port", static_cast<double>(o.port)));
      if (args.contains("token") && args["token"].is_string()) o.token = args["token"];
    }
  if (!opts.host.empty()) o.host = opts.host;
  if (opts.port > 0) o.port = opts.port;
  if (!opts.token.empty()) o.token = opts.token;
  o.max_batch = opts.max_batch;
  o.max_wait_ms = opts.max_wait_ms;
  o.max_body = static_cast<std::size_t>(opts.max_body_mb * 1024 * 1024);
  if (g_stop) return kOk;
  const bool ok = serve::serve(
      *predictor, o, g_stop,
      [&](const std::string &url) {
        std::cout << "serving " << predictor->manifest().value("project", std::string()) << " ("
                  << predictor->manifest().value("version", std::string()) << ") at " << url
                  << (o.token.empty() ? "" : ", bearer token required") << "; Ctrl-C stops" << std::endl;
      },
      error);
  if (!ok) {
    report_error() << error;
    return kUserError;
  }
  return kOk;
}

}  // namespace edl::cli
