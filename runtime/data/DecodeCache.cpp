#include "runtime/data/DecodeCache.h"

#include "compiler/support/Hash.h"

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace edl::data {
namespace {

constexpr char kMagic[8] = {'E', 'D', 'L', 'C', 'A', 'C', 'H', '1'};

}  // namespace

DecodeCache::DecodeCache(std::string dir, const std::string &dataset, const std::string &settings) {
  path_ = (std::filesystem::path(dir) / (dataset + "-" + content_hash(settings).substr(0, 16) + ".cache")).string();
  std::ifstream in(path_, std::ios::binary);
  if (!in) return;
  char magic[8];
  std::uint64_t count = 0;
  if (!in.read(magic, 8) || std::memcmp(magic, kMagic, 8) != 0 || !in.read(reinterpret_cast<char *>(&count), 8)) return;
  for (std::uint64_t i = 0; i < count; ++i) {
    char key[32];
    std::uint64_t size = 0;
    if (!in.read(key, 32) || !in.read(reinterpret_cast<char *>(&size), 8) || size > (1u << 30)) break;
    std::vector<std::uint8_t> bytes(size);
    if (!in.read(reinterpret_cast<char *>(bytes.data()), static_cast<std::streamsize>(size))) break;
    entries_.emplace(std::string(key, 32), std::move(bytes));
  }
}

const std::vector<std::uint8_t> *DecodeCache::find(const std::string &content_hash) const {
  auto it = entries_.find(content_hash);
  return it == entries_.end() ? nullptr : &it->second;
}

void DecodeCache::put(const std::string &content_hash, std::vector<std::uint8_t> bytes) {
  entries_[content_hash] = std::move(bytes);
  dirty_ = true;
}

bool DecodeCache::save(std::string &error) {
  if (!dirty_) return true;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path_).parent_path(), ec);
  // A temporary name of this writer's own: processes loading one dataset at
  // once each write theirs whole, and the last rename wins.
  static std::atomic<unsigned> writes{0};
  std::string tmp = path_ + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(writes++);
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    std::uint64_t count = entries_.size();
    out.write(kMagic, 8);
    out.write(reinterpret_cast<const char *>(&count), 8);
    for (const auto &[key, bytes] : entries_) {
      std::uint64_t size = bytes.size();
      out.write(key.data(), 32);
      out.write(reinterpret_cast<const char *>(&size), 8);
      out.write(reinterpret_cast<const char *>(bytes.data()), static_cast<std::streamsize>(size));
    }
    if (!out.flush()) {
      error = "cannot write the decode cache " + tmp;
      std::filesystem::remove(tmp, ec);
      return false;
    }
  }
  std::filesystem::rename(tmp, path_, ec);
  if (ec) {
    error = "cannot write the decode cache " + path_ + ": " + ec.message();
    return false;
  }
  dirty_ = false;
  return true;
}

}  // namespace edl::data
