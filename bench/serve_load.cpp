// Load test of `edlc serve` from a second process on loopback, next to the
// bare rate of the same package measured in this process first: batch-1
// classify (decode, preprocess, forward) in a loop.
//   edl_serve_load PACKAGE IMAGE PORT [SECONDS = 5] [CLIENTS = 16]
#include "runtime/deploy/Predictor.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <mutex>
#include <thread>
#include <vector>

using Clock = std::chrono::steady_clock;

int main(int argc, char **argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: edl_serve_load PACKAGE IMAGE PORT [SECONDS] [CLIENTS]\n");
    return 2;
  }
  const double seconds = argc > 4 ? std::atof(argv[4]) : 5;
  const int clients = argc > 5 ? std::atoi(argv[5]) : 16;
  std::ifstream in(argv[2], std::ios::binary);
  std::vector<std::uint8_t> image((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  std::string error;
  auto predictor = edl::deploy::Predictor::open(argv[1], error);
  if (!predictor) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  for (int i = 0; i < 50; ++i) predictor->predict({image}, 1);  // warm up
  long bare = 0;
  const auto bare_start = Clock::now();
  while (std::chrono::duration<double>(Clock::now() - bare_start).count() < seconds) {
    predictor->predict({image}, 1);
    ++bare;
  }
  const double bare_rate = bare / std::chrono::duration<double>(Clock::now() - bare_start).count();
  predictor.reset();  // the server gets the cores to itself now

  const std::string body(image.begin(), image.end());
  std::atomic<long> errors{0};
  std::mutex mu;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", std::atoi(argv[3]));
      client.set_keep_alive(true);
      client.set_tcp_nodelay(true);
      std::vector<double> mine;
      while (std::chrono::duration<double>(Clock::now() - start).count() < seconds) {
        const auto t0 = Clock::now();
        auto res = client.Post("/v1/predict", body, "image/png");
        if (!res || res->status != 200) ++errors;
        else mine.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  for (std::thread &t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(latencies.begin(), latencies.end());
  auto pct = [&](double p) { return latencies.empty() ? 0 : latencies[static_cast<std::size_t>(p * (latencies.size() - 1))]; };
  const double rate = latencies.size() / elapsed;
  std::printf("bare batch-1 classify in-process: %.0f images/s (%.3f ms each)\n", bare_rate, 1000 / bare_rate);
  std::printf("server, %d clients, batch-1 requests: %.0f requests/s, p50 %.2f ms, p99 %.2f ms, %ld errors\n", clients,
              rate, 1000 * pct(0.5), 1000 * pct(0.99), errors.load());
  std::printf("server / bare: %.2f\n", rate / bare_rate);
  return errors.load() ? 1 : 0;
}
