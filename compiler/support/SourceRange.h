// Source positions: every AST node and diagnostic carries a SourceRange, a
// half-open byte range inside one file of the SourceManager.
#pragma once

#include <cstdint>

namespace edl {

using FileId = std::uint32_t;
inline constexpr FileId kNoFile = ~FileId{0};

struct SourceRange {
  FileId file = kNoFile;
  std::uint32_t begin = 0;  // byte offset of the first character
  std::uint32_t end = 0;    // byte offset one past the last character

  bool valid() const { return file != kNoFile; }
  std::uint32_t size() const { return end > begin ? end - begin : 0; }
  // The smallest range covering both; ranges of different files keep `a`.
  static SourceRange join(SourceRange a, SourceRange b) {
    if (!a.valid()) return b;
    if (!b.valid() || a.file != b.file) return a;
    return {a.file, a.begin < b.begin ? a.begin : b.begin, a.end > b.end ? a.end : b.end};
  }
};

// 1-based line and column (columns count bytes, as terminals of UTF-8 text
// mostly do for the ASCII that .edl files are written in).
struct LineColumn {
  std::uint32_t line = 0;
  std::uint32_t column = 0;
};

}  // namespace edl
