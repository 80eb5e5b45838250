// One `edlc run` per project and store at a time: an advisory file lock
// (flock) next to the store. The kernel drops it when the process dies, even
// by SIGKILL, so a crashed run never leaves a stale lock behind.
#pragma once

#include <string>

namespace edl::workflow {

class RunLock {
 public:
  // `key` names what is locked (the project); the lock file lives in a
  // locks/ folder beside the store.
  RunLock(const std::string &store, const std::string &key);
  ~RunLock();
  RunLock(const RunLock &) = delete;
  RunLock &operator=(const RunLock &) = delete;

  bool held() const { return held_; }

 private:
  int fd_ = -1;
  bool held_ = false;
};

}  // namespace edl::workflow
