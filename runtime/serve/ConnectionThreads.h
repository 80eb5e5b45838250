// The server's task queue: one thread per open connection, up to a cap,
// instead of httplib's fixed pool. With a pool of 16, sixteen clients that
// send their headers slowly held every worker and /v1/health timed out; here
// a slow or stalled connection holds only its own thread, so health,
// metrics and other clients are answered while it lingers. Past the cap,
// connections wait in order for a thread.
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>

namespace edl::serve {

class ConnectionThreads : public httplib::TaskQueue {
 public:
  explicit ConnectionThreads(std::size_t cap) : cap_(cap) {}
  ~ConnectionThreads() override { shutdown(); }

  void enqueue(std::function<void()> fn) override;
  // Waits for every connection's thread to finish.
  void shutdown() override;

 private:
  void run(std::function<void()> fn);

  const std::size_t cap_;
  std::mutex mu_;
  std::condition_variable idle_;
  std::deque<std::function<void()>> waiting_;
  std::size_t running_ = 0;
};

}  // namespace edl::serve
