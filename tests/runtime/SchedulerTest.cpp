// The DAG scheduler on synthetic plans with instrumented tasks: order,
// concurrency limit, priority, retries with backoff, failures that block
// what depends on them, user errors that are not retried.
#include "runtime/workflow/Scheduler.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

using namespace edl::workflow;
using Clock = std::chrono::steady_clock;

namespace {

// Records when each attempt started and ended, and how many ran at once.
struct Recorder {
  std::mutex mu;
  std::vector<std::string> started, finished;
  std::vector<std::string> launched;  // in the order the scheduler started them
  std::map<std::string, std::vector<Clock::time_point>> starts;
  std::atomic<int> running{0};
  int most = 0;
  std::map<std::string, int> fail_first;  // id -> attempts that fail
  std::map<std::string, bool> user_error;

  Attempt run(const std::vector<DagTask> &tasks, std::size_t i, int attempt) {
    const std::string &id = tasks[i].id;
    {
      std::lock_guard<std::mutex> lock(mu);
      started.push_back(id);
      starts[id].push_back(Clock::now());
      most = std::max(most, ++running);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    std::lock_guard<std::mutex> lock(mu);
    --running;
    finished.push_back(id);
    if (user_error[id]) return {TaskState::UserError, "bad data"};
    if (attempt <= fail_first[id]) return {TaskState::Failed, "injected failure " + std::to_string(attempt)};
    return {TaskState::Done, ""};
  }
};

std::size_t position(const std::vector<std::string> &v, const std::string &id) {
  return static_cast<std::size_t>(std::find(v.begin(), v.end(), id) - v.begin());
}

std::vector<TaskState> run(const std::vector<DagTask> &tasks, Recorder &r, SchedulerOptions o,
                           std::vector<double> *delays = nullptr, std::vector<std::string> *blocked = nullptr) {
  DagCallbacks cb;
  cb.run = [&](std::size_t i, int attempt, int) { return r.run(tasks, i, attempt); };
  cb.on_start = [&](std::size_t i, int) { r.launched.push_back(tasks[i].id); };
  cb.on_retry = [&](std::size_t, int, const Attempt &, double delay) {
    if (delays) delays->push_back(delay);
  };
  cb.on_blocked = [&](std::size_t i, const std::string &) {
    if (blocked) blocked->push_back(tasks[i].id);
  };
  return run_dag(tasks, o, cb);
}

// load -> {a, b, c} -> join; a, b, c independent with priorities.
std::vector<DagTask> diamond() {
  return {{"load", {}, 0}, {"a", {"load"}, 1}, {"b", {"load"}, 5}, {"c", {"load"}, 3}, {"join", {"a", "b", "c"}, 0}};
}

}  // namespace

TEST_CASE("a task starts only after everything it depends on finished", "[workflow]") {
  Recorder r;
  auto states = run(diamond(), r, {3, 0, 0, nullptr});
  CHECK(std::all_of(states.begin(), states.end(), [](TaskState s) { return s == TaskState::Done; }));
  for (const char *mid : {"a", "b", "c"}) {
    CHECK(position(r.finished, "load") < position(r.started, mid));
    CHECK(position(r.finished, mid) < position(r.started, "join"));
  }
  CHECK(r.most == 3);  // a, b and c together
}

TEST_CASE("at most `parallel` tasks run at once, the highest priority first", "[workflow]") {
  std::vector<DagTask> tasks;
  for (int i = 0; i < 8; ++i) tasks.push_back({"t" + std::to_string(i), {}, i % 3 == 0 ? 10 : 0});
  Recorder r;
  run(tasks, r, {2, 0, 0, nullptr});
  CHECK(r.most == 2);
  // Priority 10: t0, t3, t6 start before any other. (Threads may note their
  // own start in another order; the scheduler's order is what counts.)
  for (const char *high : {"t0", "t3", "t6"}) CHECK(position(r.launched, high) < 3);

  Recorder serial;
  run(diamond(), serial, {1, 0, 0, nullptr});
  CHECK(serial.most == 1);
  CHECK(serial.launched == std::vector<std::string>{"load", "b", "c", "a", "join"});
}

TEST_CASE("a failed task is retried with doubling backoff and the run succeeds", "[workflow]") {
  Recorder r;
  r.fail_first["b"] = 2;
  std::vector<double> delays;
  auto states = run(diamond(), r, {2, 3, 0.05, nullptr}, &delays);
  CHECK(states[2] == TaskState::Done);
  CHECK(states[4] == TaskState::Done);
  REQUIRE(r.starts["b"].size() == 3);
  CHECK(delays == std::vector<double>{0.05, 0.1});
  // The waits really happened: 30 ms of work plus the backoff between tries.
  CHECK(r.starts["b"][1] - r.starts["b"][0] >= std::chrono::milliseconds(75));
  CHECK(r.starts["b"][2] - r.starts["b"][1] >= std::chrono::milliseconds(125));
}

TEST_CASE("over the retry limit the task fails and what depends on it does not run", "[workflow]") {
  Recorder r;
  r.fail_first["b"] = 5;
  std::vector<std::string> blocked;
  auto states = run(diamond(), r, {1, 2, 0.01, nullptr}, nullptr, &blocked);
  CHECK(states[2] == TaskState::Failed);
  CHECK(r.starts["b"].size() == 3);  // the first try and two retries
  CHECK(states[4] == TaskState::Blocked);
  CHECK(blocked == std::vector<std::string>{"join"});
  CHECK(position(r.started, "join") == r.started.size());
  CHECK(states[1] == TaskState::Done);  // independent branches still finish
  CHECK(states[3] == TaskState::Done);
}

TEST_CASE("a user error is not retried", "[workflow]") {
  Recorder r;
  r.user_error["load"] = true;
  auto states = run(diamond(), r, {2, 3, 0.01, nullptr});
  CHECK(states[0] == TaskState::UserError);
  CHECK(r.starts["load"].size() == 1);
  for (std::size_t i = 1; i < states.size(); ++i) CHECK(states[i] == TaskState::Blocked);
}

TEST_CASE("an interruption stops starting tasks and leaves them pending", "[workflow]") {
  Recorder r;
  std::atomic<bool> stop{false};
  std::vector<DagTask> tasks = {{"a", {}, 0}, {"b", {"a"}, 0}, {"c", {"b"}, 0}};
  DagCallbacks cb;
  cb.run = [&](std::size_t i, int attempt, int) {
    Attempt a = r.run(tasks, i, attempt);
    stop = true;  // Ctrl-C during the first task
    return a;
  };
  auto states = run_dag(tasks, {1, 0, 0, [&] { return stop.load(); }}, cb);
  CHECK(states[0] == TaskState::Done);
  CHECK(states[1] == TaskState::Pending);
  CHECK(states[2] == TaskState::Pending);
}
