#include "runtime/serve/Server.h"

#include "compiler/support/JsonText.h"
#include "runtime/serve/ConnectionThreads.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <thread>

namespace edl::serve {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Requests wait here; one worker takes them in batches (images, a text
// model's texts, or a sound model's clips).
class Batcher {
 public:
  Batcher(const deploy::Predictor &predictor, int max_batch, double max_wait_ms)
      : predictor_(predictor), max_batch_(std::max(1, max_batch)),
        max_wait_(std::chrono::microseconds(static_cast<long>(max_wait_ms * 1000))),
        worker_([this] { run(); }) {}
  ~Batcher() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      closing_ = true;
    }
    wake_.notify_all();
    worker_.join();
  }

  std::future<deploy::Predicted> submit(std::vector<std::uint8_t> image) {
    std::promise<deploy::Predicted> promise;
    auto future = promise.get_future();
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back({std::move(image), std::move(promise)});
    }
    wake_.notify_one();
    return future;
  }

  // Batches run and images in them, for /metrics.
  std::pair<long, long> batches() const { return {batches_.load(), images_.load()}; }

 private:
  struct Item {
    std::vector<std::uint8_t> image;
    std::promise<deploy::Predicted> promise;
  };

  void run() {
    for (;;) {
      std::vector<Item> batch;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return closing_ || !queue_.empty(); });
        if (closing_ && queue_.empty()) return;
        // Once one image waits, give others up to max_wait to join it.
        const auto deadline = Clock::now() + max_wait_;
        while (static_cast<int>(queue_.size()) < max_batch_ && !closing_ &&
               wake_.wait_until(lock, deadline) != std::cv_status::timeout) {
        }
        while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
          batch.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      std::vector<std::vector<std::uint8_t>> images;
      std::vector<std::string> texts;
      for (Item &i : batch) {
        if (predictor_.reads_text()) texts.emplace_back(i.image.begin(), i.image.end());
        else images.push_back(std::move(i.image));
      }
      try {
        std::vector<deploy::Predicted> results = predictor_.reads_text()    ? predictor_.predict_texts(texts, kTop)
                                                 : predictor_.reads_audio() ? predictor_.predict_audio(images, kTop)
                                                                            : predictor_.predict(images, kTop);
        for (std::size_t i = 0; i < batch.size(); ++i) batch[i].promise.set_value(std::move(results[i]));
      } catch (const std::exception &e) {
        deploy::Predicted failed;
        failed.error = std::string("the model failed: ") + e.what();
        for (Item &i : batch) i.promise.set_value(failed);
      }
      ++batches_;
      images_ += static_cast<long>(batch.size());
    }
  }

 public:
  static constexpr int kTop = 1000;  // every class; requests keep their top K

 private:
  const deploy::Predictor &predictor_;
  const int max_batch_;
  const std::chrono::microseconds max_wait_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Item> queue_;
  bool closing_ = false;
  std::atomic<long> batches_{0}, images_{0};
  std::thread worker_;
};

// Request counts by status and a latency histogram, in Prometheus text.
class Metrics {
 public:
  void record(int status, double seconds) {
    std::lock_guard<std::mutex> lock(mu_);
    ++by_status_[status];
    for (std::size_t b = 0; b < kBounds.size(); ++b)
      if (seconds <= kBounds[b]) ++buckets_[b];
    ++count_;
    sum_ += seconds;
  }
  std::string text(std::pair<long, long> batches) const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out = "# HELP edl_requests_total Requests to /v1/predict by HTTP status.\n"
                      "# TYPE edl_requests_total counter\n";
    for (const auto &[status, n] : by_status_)
      out += "edl_requests_total{status=\"" + std::to_string(status) + "\"} " + std::to_string(n) + "\n";
    out += "# HELP edl_request_seconds Time to answer /v1/predict.\n# TYPE edl_request_seconds histogram\n";
    for (std::size_t b = 0; b < kBounds.size(); ++b) {
      char le[32];
      std::snprintf(le, sizeof le, "%g", kBounds[b]);
      out += "edl_request_seconds_bucket{le=\"" + std::string(le) + "\"} " + std::to_string(buckets_[b]) + "\n";
    }
    out += "edl_request_seconds_bucket{le=\"+Inf\"} " + std::to_string(count_) + "\n";
    out += "edl_request_seconds_sum " + std::to_string(sum_) + "\nedl_request_seconds_count " + std::to_string(count_) +
           "\n# HELP edl_batches_total Forward passes run.\n# TYPE edl_batches_total counter\nedl_batches_total " +
           std::to_string(batches.first) +
           "\n# HELP edl_batched_images_total Images in those passes.\n# TYPE edl_batched_images_total counter\n"
           "edl_batched_images_total " +
           std::to_string(batches.second) + "\n";
    return out;
  }

 private:
  static constexpr std::array<double, 11> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                     0.1,   0.25,   0.5,   1,    2.5};
  mutable std::mutex mu_;
  std::map<int, long> by_status_;
  std::array<long, 11> buckets_{};
  long count_ = 0;
  double sum_ = 0;
};

void json_error(httplib::Response &res, int status, const std::string &message) {
  res.status = status;
  res.set_content(json_text(json{{"error", message}, {"status", status}}), "application/json");
}

bool image_type(const std::string &type) {
  return type.rfind("image/", 0) == 0 || type.rfind("application/octet-stream", 0) == 0;
}

// audio/wav, audio/x-wav, audio/flac, ...: whatever libsndfile decodes.
bool audio_type(const std::string &type) {
  return type.rfind("audio/", 0) == 0 || type.rfind("application/octet-stream", 0) == 0;
}

bool json_type(const std::string &type) { return type.rfind("application/json", 0) == 0; }

bool text_type(const std::string &type) { return type.rfind("text/plain", 0) == 0 || json_type(type); }

// A text model's request body: the text itself (text/plain, or a multipart
// "text" field), or JSON {"text": "..."} or {"texts": ["...", ...]}.
// False with `error` when JSON holds neither.
bool texts_of(const std::string &body, bool json_body, std::vector<std::string> &texts, bool &many, std::string &error) {
  many = false;
  if (!json_body) {
    texts = {body};
    return true;
  }
  const json j = json::parse(body, nullptr, false);
  if (j.is_object() && j.contains("text") && j["text"].is_string()) {
    texts = {j["text"].get<std::string>()};
    return true;
  }
  if (j.is_object() && j.contains("texts") && j["texts"].is_array() && !j["texts"].empty()) {
    many = true;
    for (const json &t : j["texts"]) {
      if (!t.is_string()) {
        error = "\"texts\" must hold strings only";
        return false;
      }
      texts.push_back(t.get<std::string>());
    }
    return true;
  }
  error = "send JSON {\"text\": \"...\"} or {\"texts\": [\"...\", ...]}";
  return false;
}

json top_json(const deploy::Predicted &r, int top) {
  json classes = json::array();
  for (std::size_t i = 0; i < r.top.size() && static_cast<int>(i) < top; ++i)
    classes.push_back({{"label", r.top[i].label}, {"index", r.top[i].index}, {"score", r.top[i].score}});
  return classes;
}

}  // namespace

bool serve(const deploy::Predictor &predictor, const ServeOptions &options, const std::atomic<bool> &stop,
           const std::function<void(const std::string &)> &ready, std::string &error) {
  Batcher batcher(predictor, options.max_batch, options.max_wait_ms);
  Metrics metrics;
  httplib::Server server;
  server.new_task_queue = [n = options.max_connections] { return new ConnectionThreads(static_cast<std::size_t>(n)); };
  // The predict handler enforces max_body itself; up to `drain` bytes of a
  // refused body are read and dropped (see there).
  const std::uint64_t drain = std::max<std::uint64_t>(16u << 20, 2 * options.max_body);
  server.set_payload_max_length(static_cast<std::size_t>(drain));
  server.set_read_timeout(5, 0);
  server.set_tcp_nodelay(true);  // small JSON answers must not wait for delayed ACKs (Nagle)
  int listening = -1;
  server.set_socket_options([&](int sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    listening = sock;
  });

  auto token_ok = [&](const httplib::Request &req) {
    return options.token.empty() || req.get_header_value("Authorization") == "Bearer " + options.token;
  };
  auto authorised = [&](const httplib::Request &req, httplib::Response &res) {
    if (token_ok(req)) return true;
    json_error(res, 401, "missing or wrong bearer token");
    return false;
  };
  server.Get("/v1/health", [&](const httplib::Request &, httplib::Response &res) {
    res.set_content(R"({"status":"ok"})", "application/json");
  });
  server.Get("/v1/info", [&](const httplib::Request &req, httplib::Response &res) {
    if (authorised(req, res)) res.set_content(json_text(predictor.manifest(), 2), "application/json");
  });
  server.Get("/metrics", [&](const httplib::Request &, httplib::Response &res) {
    res.set_content(metrics.text(batcher.batches()), "text/plain; version=0.0.4");
  });
  // The body is read here, not by httplib before the handler: so the token
  // is checked before a byte of it is read, and --max-body-mb holds while
  // reading whatever the framing (httplib 0.11 limits Content-Length bodies
  // only; a chunked one grew without bound).
  server.Post("/v1/predict", [&](const httplib::Request &req, httplib::Response &res,
                                 const httplib::ContentReader &read_body) {
    const auto started = Clock::now();
    [&] {
      // A refused request's body is read and dropped, up to `drain` bytes,
      // so the client reads the answer rather than a reset; a longer one is
      // cut off and its connection closed. Nothing of it is kept.
      std::uint64_t declared = 0;
      auto refuse = [&](int status, const std::string &message) {  // only before the body is read
        if (declared <= drain) {
          std::uint64_t dropped = 0;
          read_body([&](const char *, std::size_t n) { return (dropped += n) <= drain; });
        }
        json_error(res, status, message);
      };
      if (req.has_header("Content-Length")) {
        try {
          declared = std::stoull(req.get_header_value("Content-Length"));
        } catch (const std::exception &) {
          declared = drain + 1;  // unknown: not read
          return refuse(400, "bad Content-Length");
        }
      }
      if (!token_ok(req)) return refuse(401, "missing or wrong bearer token");
      if (declared > options.max_body) return refuse(413, "request body too large");
      // A segmenter answers its label map as a PNG with ?format=png, else
      // each class's area in JSON.
      const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
      if (format != "json" && format != "png") return refuse(400, "format must be json or png");
      if (format == "png" && !predictor.segments()) return refuse(400, "format=png answers segmenters' label maps only");
      int top = 1;
      if (req.has_param("top")) {
        try {
          top = std::stoi(req.get_param_value("top"));
        } catch (const std::exception &) {
          top = 0;
        }
        if (top < 1) return refuse(400, "top must be a positive integer");
      }
      // What the model reads: image bytes, a text model's texts, or a sound model's audio file.
      const bool text_model = predictor.reads_text(), sound_model = predictor.reads_audio();
      const std::string field = text_model ? "text" : sound_model ? "audio" : "image";
      std::string body;
      std::uint64_t received = 0;
      bool too_large = false, in_image = false, has_image = false;
      auto receive = [&](const char *data, std::size_t n, bool keep) {
        received += n;
        too_large = too_large || received > options.max_body;
        if (keep && !too_large) body.append(data, n);
        return received <= drain;  // past the limit only counted, then cut off
      };
      const std::string type = req.get_header_value("Content-Type");
      bool read = false;
      if (req.is_multipart_form_data()) {
        read = read_body(
            [&](const httplib::MultipartFormData &part) {
              in_image = part.name == field;
              has_image = has_image || in_image;
              return true;
            },
            [&](const char *data, std::size_t n) { return receive(data, n, in_image); });
      } else if (text_model ? text_type(type) : sound_model ? audio_type(type) : image_type(type)) {
        read = read_body([&](const char *data, std::size_t n) { return receive(data, n, true); });
      } else if (sound_model) {
        return refuse(415, "this model reads sound: send an audio file (audio/wav, audio/flac, ... or "
                           "application/octet-stream) or multipart/form-data with an \"audio\" field, not '" + type + "'");
      } else if (text_model) {
        return refuse(415, "this model reads text: send text/plain, application/json ({\"text\": ...} or "
                           "{\"texts\": [...]}) or multipart/form-data with a \"text\" field, not '" + type + "'");
      } else {
        return refuse(415, "send image bytes (image/* or application/octet-stream) or multipart/form-data, not '" +
                               type + "'");
      }
      if (too_large) return json_error(res, 413, "request body too large");
      if (!read) return json_error(res, 400, "the request body could not be read");
      if (req.is_multipart_form_data() && !has_image)
        return json_error(res, 400, "multipart request without a \"" + field + "\" field");
      if (body.empty()) return json_error(res, 400, "empty " + field);
      if (text_model) {
        std::vector<std::string> texts;
        bool many = false;
        std::string why;
        if (!texts_of(body, !req.is_multipart_form_data() && json_type(type), texts, many, why))
          return json_error(res, 400, why);
        std::vector<std::future<deploy::Predicted>> answers;
        for (const std::string &t : texts) answers.push_back(batcher.submit(std::vector<std::uint8_t>(t.begin(), t.end())));
        json results = json::array();
        for (auto &answer : answers) {
          const deploy::Predicted r = answer.get();
          if (!r.error.empty()) return json_error(res, 400, r.error);
          results.push_back({{"top", top_json(r, top)}});
        }
        return res.set_content(json_text(many ? json{{"results", results}} : results[0]), "application/json");
      }
      deploy::Predicted r = batcher.submit(std::vector<std::uint8_t>(body.begin(), body.end())).get();
      if (!r.error.empty()) return json_error(res, 400, r.error);
      if (predictor.segments()) {
        if (format == "json")
          return res.set_content(json_text(deploy::areas_json(r, predictor.manifest()["classes"].get<std::vector<std::string>>())), "application/json");
        std::vector<std::uint8_t> png;
        if (!data::encode_label_map(r.mask, png)) return json_error(res, 500, "the label map could not be encoded");
        return res.set_content(std::string(png.begin(), png.end()), "image/png");
      }
      if (predictor.detects()) {
        json objects = json::array();
        for (const deploy::Detection &d : r.objects)
          objects.push_back(deploy::to_json(d));
        return res.set_content(json_text(json{{"objects", objects}}), "application/json");
      }
      res.set_content(json_text(json{{"top", top_json(r, top)}}), "application/json");
    }();
    metrics.record(res.status == -1 ? 200 : res.status, std::chrono::duration<double>(Clock::now() - started).count());
  });
  // What httplib answers itself (413, 404, ...) is JSON too.
  server.set_error_handler([](const httplib::Request &, httplib::Response &res) {
    if (!res.body.empty()) return;
    json_error(res, res.status, res.status == 413 ? "request body too large" : res.status == 404 ? "no such endpoint"
                                                                                                 : "bad request");
  });

  if (!server.bind_to_port(options.host, options.port)) {
    error = "cannot listen on " + options.host + ":" + std::to_string(options.port);
    return false;
  }
  // cpp-httplib 0.11 listens with a backlog of 5, so a burst of clients
  // connecting at once overflowed it and saw resets; listening again on the
  // same socket raises it.
  if (listening >= 0) ::listen(listening, SOMAXCONN);
  std::thread watcher([&] {
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    server.stop();
  });
  ready("http://" + options.host + ":" + std::to_string(options.port));
  server.listen_after_bind();
  watcher.join();
  return true;
}

}  // namespace edl::serve
