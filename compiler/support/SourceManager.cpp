#include "compiler/support/SourceManager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace edl {

FileId SourceManager::add(std::string path, std::string text) {
  File f{std::move(path), std::move(text), {0}};
  for (std::uint32_t i = 0; i < f.text.size(); ++i)
    if (f.text[i] == '\n') f.line_starts.push_back(i + 1);
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size() - 1);
}

std::optional<FileId> SourceManager::load(const std::string &path, ReadFailure *why) {
  auto failed = [&](ReadFailure f) -> std::optional<FileId> {
    if (why) *why = f;
    return std::nullopt;
  };
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return failed(errno == ENOENT || errno == ENOTDIR ? ReadFailure::Missing
                                                                                     : ReadFailure::Unreadable);
  if (!S_ISREG(st.st_mode)) return failed(ReadFailure::NotRegular);
  if (static_cast<std::uintmax_t>(st.st_size) > kMaxSourceBytes) return failed(ReadFailure::TooLarge);
  // O_NONBLOCK: should the path be swapped for a FIFO after the stat, the
  // open still returns at once. The read is capped whatever stat said
  // (files under /proc report size 0).
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return failed(errno == ENOENT ? ReadFailure::Missing : ReadFailure::Unreadable);
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return failed(ReadFailure::Unreadable);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > kMaxSourceBytes) {
      ::close(fd);
      return failed(ReadFailure::TooLarge);
    }
  }
  ::close(fd);
  if (why) *why = ReadFailure::None;
  return add(path, std::move(text));
}

LineColumn SourceManager::location(FileId id, std::uint32_t offset) const {
  const File &f = files_[id];
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(f.text.size()));
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  auto line = static_cast<std::uint32_t>(it - f.line_starts.begin());
  return {line, offset - f.line_starts[line - 1] + 1};
}

std::string_view SourceManager::line(FileId id, std::uint32_t line) const {
  const File &f = files_[id];
  if (line == 0 || line > f.line_starts.size()) return {};
  std::uint32_t b = f.line_starts[line - 1];
  std::uint32_t e = line < f.line_starts.size() ? f.line_starts[line] : f.text.size();
  std::string_view s(f.text.data() + b, e - b);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::uint32_t SourceManager::line_count(FileId id) const {
  return static_cast<std::uint32_t>(files_[id].line_starts.size());
}

}  // namespace edl
