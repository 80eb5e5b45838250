#include "runtime/deploy/PackageCache.h"

#include "compiler/support/Hash.h"
#include "runtime/deploy/Package.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace edl::deploy {
namespace {

namespace fs = std::filesystem;

const char *const kStamp = ".edl-content";  // beside the unpacked files: their hash

std::string read_all(const fs::path &p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A hash of every file under `dir` (relative path and bytes), the stamp aside.
std::string tree_hash(const fs::path &dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec) && it->path().filename() != kStamp) files.push_back(it->path());
  std::sort(files.begin(), files.end());
  std::string material;
  for (const fs::path &f : files) {
    std::string bytes = read_all(f);
    material += fs::relative(f, dir).string() + '\0' + std::to_string(bytes.size()) + '\0' + content_hash(bytes) + '\n';
  }
  return content_hash(material);
}

bool intact(const fs::path &dir) {
  std::error_code ec;
  return fs::exists(dir / "manifest.json", ec) && read_all(dir / kStamp) == tree_hash(dir);
}

// Creates `dir` (and its parents) for this user alone.
bool private_folder(const fs::path &dir, std::string &error) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  struct stat st;
  if (ec || ::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    error = "cannot create the package cache " + dir.string();
    return false;
  }
  if (st.st_uid != ::getuid()) {
    error = "the package cache " + dir.string() + " belongs to another user";
    return false;
  }
  ::chmod(dir.c_str(), 0700);
  return true;
}

}  // namespace

std::string package_cache_dir() {
  if (const char *d = std::getenv("EDL_CACHE_DIR"); d && *d) return (fs::path(d) / "packages").string();
  if (const char *x = std::getenv("XDG_CACHE_HOME"); x && *x) return (fs::path(x) / "edl" / "packages").string();
  if (const char *h = std::getenv("HOME"); h && *h) return (fs::path(h) / ".cache" / "edl" / "packages").string();
  return (fs::temp_directory_path() / ("edl-packages-" + std::to_string(::getuid()))).string();
}

std::string unpacked_package(const std::string &package, std::string &error) {
  std::error_code ec;
  if (fs::is_directory(package, ec)) return package;
  std::ifstream in(package, std::ios::binary);
  if (!in) {
    error = "cannot read the package " + package;
    return "";
  }
  const fs::path cache = package_cache_dir();
  if (!private_folder(cache, error)) return "";
  const fs::path dir = cache / content_hash(read_all(package));
  if (intact(dir)) return dir.string();

  // A private folder of this process, renamed into place once complete.
  std::string pattern = dir.string() + ".XXXXXX";
  if (!::mkdtemp(pattern.data())) {
    error = "cannot create a folder in the package cache " + cache.string();
    return "";
  }
  const fs::path mine = pattern;
  if (run_program({"tar", "-xzf", package, "-C", mine.string()}) != 0 || !fs::exists(mine / "manifest.json", ec)) {
    fs::remove_all(mine, ec);
    error = package + " is not a package (tar could not unpack it)";
    return "";
  }
  std::ofstream(mine / kStamp, std::ios::binary) << tree_hash(mine);
  if (fs::exists(dir, ec) && !intact(dir)) {
    // Damaged or edited: moved aside whole (renaming is atomic, so a
    // process still reading it keeps its files), then removed.
    std::string aside = dir.string() + ".stale.XXXXXX";
    if (::mkdtemp(aside.data())) {
      fs::rename(dir, fs::path(aside) / "old", ec);
      fs::remove_all(aside, ec);
    }
  }
  fs::rename(mine, dir, ec);
  if (!ec) return dir.string();  // ours, just hashed
  fs::remove_all(mine, ec);      // another process put the same content there first: check theirs
  if (!intact(dir)) {
    error = "cannot unpack " + package + " into the package cache " + cache.string();
    return "";
  }
  return dir.string();
}

}  // namespace edl::deploy
