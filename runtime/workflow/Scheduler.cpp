#include "runtime/workflow/Scheduler.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

namespace edl::workflow {

const char *to_string(TaskState s) {
  switch (s) {
    case TaskState::Pending: return "pending";
    case TaskState::Done: return "done";
    case TaskState::Failed: return "failed";
    case TaskState::UserError: return "failed";
    case TaskState::Interrupted: return "interrupted";
    case TaskState::Blocked: return "blocked";
  }
  return "?";
}

std::vector<TaskState> run_dag(const std::vector<DagTask> &tasks, const SchedulerOptions &options,
                               const DagCallbacks &callbacks) {
  using Clock = std::chrono::steady_clock;
  const std::size_t n = tasks.size();
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < n; ++i) index[tasks[i].id] = i;

  std::vector<TaskState> state(n, TaskState::Pending);
  std::vector<bool> started(n, false);
  std::vector<int> attempts(n, 0);
  std::vector<Clock::time_point> not_before(n, Clock::now());
  std::mutex mu;
  std::condition_variable changed;
  int running = 0;
  bool stopping = false;
  std::vector<std::thread> workers;

  auto deps_done = [&](std::size_t i) {
    for (const std::string &d : tasks[i].deps)
      if (auto it = index.find(d); it != index.end() && state[it->second] != TaskState::Done) return false;
    return true;
  };
  // A pending task whose dependency ended for good without success.
  auto blocked_by = [&](std::size_t i) -> const std::string * {
    for (const std::string &d : tasks[i].deps)
      if (auto it = index.find(d); it != index.end()) {
        TaskState s = state[it->second];
        if (s != TaskState::Pending && s != TaskState::Done) return &d;
      }
    return nullptr;
  };

  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    if (!stopping && options.interrupted && options.interrupted()) stopping = true;
    // Whatever depends on a failure is settled now, in plan order, so
    // blocking propagates down the DAG in one pass.
    for (std::size_t i = 0; i < n; ++i)
      if (state[i] == TaskState::Pending && !started[i])
        if (const std::string *cause = blocked_by(i)) {
          state[i] = TaskState::Blocked;
          if (callbacks.on_blocked) callbacks.on_blocked(i, *cause);
        }
    // Start the ready tasks, best priority first.
    const auto now = Clock::now();
    std::optional<Clock::time_point> next_retry;
    while (!stopping && running < std::max(1, options.parallel)) {
      std::size_t pick = n;
      for (std::size_t i = 0; i < n; ++i) {
        if (started[i] || state[i] != TaskState::Pending || !deps_done(i)) continue;
        if (not_before[i] > now) {
          if (!next_retry || not_before[i] < *next_retry) next_retry = not_before[i];
          continue;
        }
        if (pick == n || tasks[i].priority > tasks[pick].priority) pick = i;
      }
      if (pick == n) break;
      started[pick] = true;
      ++running;
      const int attempt = ++attempts[pick];
      const int now_running = running;
      if (callbacks.on_start) callbacks.on_start(pick, attempt);
      workers.emplace_back([&, pick, attempt, now_running] {
        Attempt result = callbacks.run(pick, attempt, now_running);
        std::lock_guard<std::mutex> done(mu);
        --running;
        if (result.state == TaskState::Failed && attempt <= options.retries &&
            !(options.interrupted && options.interrupted())) {
          const double delay = options.backoff * std::pow(2.0, attempt - 1);
          not_before[pick] = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                std::chrono::duration<double>(delay));
          started[pick] = false;  // pending again, after the delay
          if (callbacks.on_retry) callbacks.on_retry(pick, attempt, result, delay);
        } else {
          state[pick] = result.state;
          if (result.state == TaskState::Interrupted) stopping = true;
        }
        changed.notify_all();
      });
    }
    bool waiting = false;
    for (std::size_t i = 0; i < n; ++i)
      if (state[i] == TaskState::Pending && (started[i] || (!stopping && deps_done(i)))) waiting = true;
    if (running == 0 && !waiting) break;
    // Until a task ends, a retry is due, or (to poll `interrupted`) 200 ms.
    const auto poll = Clock::now() + std::chrono::milliseconds(200);
    changed.wait_until(lock, next_retry && *next_retry < poll ? *next_retry : poll);
  }
  lock.unlock();
  for (std::thread &w : workers) w.join();
  return state;
}

}  // namespace edl::workflow
