// JSON text for output and the store. File and class names are bytes on
// Linux, not always UTF-8; nlohmann's dump() throws on invalid UTF-8, so
// everything edlc writes as JSON goes through here and has such bytes
// replaced by U+FFFD instead.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace edl {

inline std::string json_text(const nlohmann::json &j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace edl
