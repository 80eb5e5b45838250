#include "compiler/support/AtomicWrite.h"

#include <filesystem>
#include <fstream>
#include <optional>

namespace edl {

namespace fs = std::filesystem;

bool write_atomically(const std::string &path, const std::string &text) {
  std::error_code ec;
  fs::path target = path;
  std::optional<fs::perms> mode;
  if (fs::exists(path, ec)) {
    target = fs::canonical(path, ec);
    if (ec) return false;
    mode = fs::status(target, ec).permissions();
    if (ec) return false;
  }
  fs::path tmp = target;
  tmp += ".edl.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  if (mode) fs::permissions(tmp, *mode, fs::perm_options::replace, ec);
  if (!ec) fs::rename(tmp, target, ec);
  if (ec) fs::remove(tmp, ec);
  return !ec;
}

}  // namespace edl
