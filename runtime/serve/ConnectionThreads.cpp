#include "runtime/serve/ConnectionThreads.h"

#include <thread>

namespace edl::serve {

void ConnectionThreads::enqueue(std::function<void()> fn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_ >= cap_) {
    waiting_.push_back(std::move(fn));
    return;
  }
  ++running_;
  std::thread(&ConnectionThreads::run, this, std::move(fn)).detach();
}

void ConnectionThreads::run(std::function<void()> fn) {
  for (;;) {
    fn();
    std::lock_guard<std::mutex> lock(mu_);
    if (waiting_.empty()) {
      --running_;
      idle_.notify_all();
      return;
    }
    fn = std::move(waiting_.front());  // this thread serves the next waiting connection
    waiting_.pop_front();
  }
}

void ConnectionThreads::shutdown() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [&] { return running_ == 0; });
}

}  // namespace edl::serve
