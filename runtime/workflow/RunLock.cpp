#include "runtime/workflow/RunLock.h"

#include "compiler/support/Hash.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>

namespace edl::workflow {

RunLock::RunLock(const std::string &store, const std::string &key) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(store).parent_path() / "locks";
  std::error_code ec;
  fs::create_directories(dir, ec);
  const std::string path = (dir / (content_hash(store + "|" + key).substr(0, 16) + ".lock")).string();
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  // Where no lock file can be made, the store cannot be written either and
  // says so itself.
  held_ = fd_ < 0 || ::flock(fd_, LOCK_EX | LOCK_NB) == 0;
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the lock
}

}  // namespace edl::workflow
