// Decoded samples on disk, keyed by a hash of each file's bytes and of the
// decode settings, so a second load of unchanged files decodes nothing.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace edl::data {

class DecodeCache {
 public:
  // `settings` names everything besides the bytes that shapes a decoded
  // sample (size, channels, sample rate...); it selects the cache file.
  DecodeCache(std::string dir, const std::string &dataset, const std::string &settings);

  // The cached bytes, or null; valid until the next put.
  const std::vector<std::uint8_t> *find(const std::string &content_hash) const;
  void put(const std::string &content_hash, std::vector<std::uint8_t> bytes);
  // Writes new entries (atomically); a cache that cannot be written is
  // only a slower next run, so failure is reported, not fatal.
  bool save(std::string &error);
  const std::string &path() const { return path_; }

 private:
  std::string path_;
  std::unordered_map<std::string, std::vector<std::uint8_t>> entries_;
  bool dirty_ = false;
};

}  // namespace edl::data
