// Owns the text of every loaded file, so diagnostics can show source lines
// and positions long after parsing is done.
#pragma once

#include "compiler/support/SourceRange.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edl {

// Why a file could not be read as a source file.
enum class ReadFailure { None, Missing, NotRegular, TooLarge, Unreadable };

// Source files are small; a larger one is a mistake (an import of a data
// file, /dev/zero), refused before it fills memory.
inline constexpr std::size_t kMaxSourceBytes = 16u << 20;

class SourceManager {
 public:
  // Adds a file's text under a display path; the path is what diagnostics print.
  FileId add(std::string path, std::string text);
  // Reads a regular file of at most kMaxSourceBytes from disk (following
  // links); anything else — a folder, FIFO, device, socket — is refused
  // without opening it, so a load never blocks or grows without bound.
  // Nullopt when it cannot be read, with the reason in `why`.
  std::optional<FileId> load(const std::string &path, ReadFailure *why = nullptr);

  const std::string &path(FileId id) const { return files_[id].path; }
  const std::string &text(FileId id) const { return files_[id].text; }
  std::size_t file_count() const { return files_.size(); }

  LineColumn location(FileId id, std::uint32_t offset) const;
  LineColumn begin(SourceRange r) const { return location(r.file, r.begin); }
  LineColumn end(SourceRange r) const { return location(r.file, r.end); }
  // The text of a 1-based line, without its line break.
  std::string_view line(FileId id, std::uint32_t line) const;
  std::uint32_t line_count(FileId id) const;

 private:
  struct File {
    std::string path;
    std::string text;
    std::vector<std::uint32_t> line_starts;
  };
  std::vector<File> files_;
};

}  // namespace edl
