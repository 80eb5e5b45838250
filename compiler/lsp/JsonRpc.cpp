#include "compiler/lsp/JsonRpc.h"

#include <istream>
#include <ostream>

namespace edl::lsp {

std::optional<std::string> read_message(std::istream &in) {
  constexpr std::size_t kMaxMessage = 64u << 20;  // a bound against a corrupt header
  while (true) {
    std::size_t length = 0;
    bool have_length = false;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) break;
      const std::string key = "Content-Length:";
      if (line.compare(0, key.size(), key) == 0) {
        try {
          length = std::stoul(line.substr(key.size()));
          have_length = true;
        } catch (...) {
          have_length = false;
        }
      }
    }
    if (!in) return std::nullopt;
    if (!have_length || length > kMaxMessage) continue;
    std::string body(length, '\0');
    in.read(body.data(), static_cast<std::streamsize>(length));
    if (static_cast<std::size_t>(in.gcount()) != length) return std::nullopt;
    return body;
  }
}

void write_message(std::ostream &out, const std::string &body) {
  out << "Content-Length: " << body.size() << "\r\n\r\n" << body;
  out.flush();
}

}  // namespace edl::lsp
