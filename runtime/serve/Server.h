// `edlc serve`: a deploy package behind a local HTTP server (cpp-httplib).
//   POST /v1/predict   image bytes (any image content type or
//                      application/octet-stream) or multipart with a file
//                      field "image"; a text model's text (text/plain,
//                      JSON, or field "text"); a sound model's audio file
//                      (audio/*, application/octet-stream, or field
//                      "audio"); ?top=K. JSON: top classes and scores.
//   GET  /v1/health    {"status": "ok"}
//   GET  /v1/info      the package's manifest
//   GET  /metrics      Prometheus text: requests by status, latency
//                      histogram, batch sizes
// Requests are answered by a batching worker: it takes up to `max_batch`
// waiting images, waiting at most `max_wait_ms` for more once it has one,
// and runs them as one forward pass. Bad input is a 4xx JSON error; the
// server keeps answering.
#pragma once

#include "runtime/deploy/Predictor.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <string>

namespace edl::serve {

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string token;                    // non-empty: requests need "Authorization: Bearer TOKEN"
  std::size_t max_body = 8 << 20;       // bytes
  int max_batch = 32;
  double max_wait_ms = 2;
  // Connections served at once, a thread each; more wait for a thread.
  int max_connections = 256;
};

// Serves until `stop` becomes true; `ready` is called once the port is
// bound. False with `error` when the port cannot be bound.
bool serve(const deploy::Predictor &predictor, const ServeOptions &options, const std::atomic<bool> &stop,
           const std::function<void(const std::string &)> &ready, std::string &error);

}  // namespace edl::serve
