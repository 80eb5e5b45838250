#include "compiler/lsp/Positions.h"

#include <filesystem>

namespace edl::lsp {
namespace {

// UTF-16 code units of a UTF-8 sequence starting with byte `c`.
int utf16_units(unsigned char c) { return c >= 0xF0 ? 2 : 1; }
bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

nlohmann::json position_at(const SourceManager &sm, FileId file, std::uint32_t offset) {
  LineColumn lc = sm.location(file, offset);
  std::string_view line = sm.line(file, lc.line);
  int character = 0;
  for (std::size_t i = 0; i + 1 < lc.column && i < line.size(); ++i) {
    auto c = static_cast<unsigned char>(line[i]);
    if (!is_continuation(c)) character += utf16_units(c);
  }
  return {{"line", lc.line - 1}, {"character", character}};
}

nlohmann::json range_of(const SourceManager &sm, SourceRange r) {
  return {{"start", position_at(sm, r.file, r.begin)}, {"end", position_at(sm, r.file, r.end)}};
}

std::uint32_t offset_of(const std::string &text, int line, int character) {
  std::size_t i = 0;
  for (int l = 0; l < line && i < text.size(); ++i)
    if (text[i] == '\n') ++l;
  int units = 0;
  while (i < text.size() && text[i] != '\n' && units < character) {
    auto c = static_cast<unsigned char>(text[i]);
    units += utf16_units(c);
    ++i;
    while (i < text.size() && is_continuation(static_cast<unsigned char>(text[i]))) ++i;
  }
  return static_cast<std::uint32_t>(i);
}

std::string uri_to_path(const std::string &uri) {
  std::string rest = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
  std::string out;
  for (std::size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && std::isxdigit(static_cast<unsigned char>(rest[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(rest[i + 2]))) {
      out += static_cast<char>(std::stoi(rest.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += rest[i];
    }
  }
  return out;
}

std::string path_to_uri(const std::string &path) {
  std::string abs = std::filesystem::absolute(path).lexically_normal().string();
  std::string out = "file://";
  const char *hex = "0123456789ABCDEF";
  for (unsigned char c : abs) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

}  // namespace edl::lsp
