#include "tools/edlc/TestHooks.h"

#include "runtime/workflow/RetryRule.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <sstream>
#include <thread>

namespace edl {
namespace {

// "task=N,task=N" as task -> N.
std::map<std::string, double> per_task(const char *variable) {
  std::map<std::string, double> values;
  const char *env = std::getenv(variable);
  std::istringstream items(env ? env : "");
  for (std::string item; std::getline(items, item, ',');)
    if (std::size_t eq = item.rfind('='); eq != std::string::npos)
      values[item.substr(0, eq)] = std::atof(item.c_str() + eq + 1);
  return values;
}

class EnvironmentHooks : public workflow::TaskHooks {
 public:
  EnvironmentHooks(std::map<std::string, double> failures, std::map<std::string, double> delays)
      : failures_(std::move(failures)), delays_(std::move(delays)) {}

  void before_attempt(const std::string &task, int attempt) const override {
    if (auto d = delays_.find(task); d != delays_.end() && d->second > 0)
      std::this_thread::sleep_for(std::chrono::duration<double>(d->second));
    if (auto f = failures_.find(task); f != failures_.end() && attempt <= static_cast<int>(f->second))
      throw workflow::TransientError("injected failure " + std::to_string(attempt) + " of " +
                                     std::to_string(static_cast<int>(f->second)) + " (EDL_FAIL_TASK)");
  }

 private:
  std::map<std::string, double> failures_, delays_;
};

}  // namespace

std::unique_ptr<workflow::TaskHooks> test_hooks_from_environment() {
#ifdef EDL_TEST_HOOKS
  auto failures = per_task("EDL_FAIL_TASK"), delays = per_task("EDL_DELAY_TASK");
  if (failures.empty() && delays.empty()) return nullptr;
  return std::make_unique<EnvironmentHooks>(std::move(failures), std::move(delays));
#else
  return nullptr;
#endif
}

}  // namespace edl
