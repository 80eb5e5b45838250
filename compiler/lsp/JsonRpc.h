// JSON-RPC 2.0 framing of the Language Server Protocol over byte streams:
// "Content-Length: N\r\n\r\n" followed by N bytes of JSON.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

namespace edl::lsp {

// The next message body, or nothing at end of stream. A malformed header is
// skipped up to the next blank line.
std::optional<std::string> read_message(std::istream &in);
void write_message(std::ostream &out, const std::string &body);

}  // namespace edl::lsp
