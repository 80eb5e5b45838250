// LSP positions are 0-based lines and UTF-16 code units; ours are byte
// offsets. These convert between the two for one file's text.
#pragma once

#include "compiler/support/SourceManager.h"

#include <nlohmann/json.hpp>

#include <string>

namespace edl::lsp {

nlohmann::json position_at(const SourceManager &sm, FileId file, std::uint32_t offset);
nlohmann::json range_of(const SourceManager &sm, SourceRange r);
// The byte offset of an LSP position in `text` (clamped to the text).
std::uint32_t offset_of(const std::string &text, int line, int character);

std::string uri_to_path(const std::string &uri);
std::string path_to_uri(const std::string &path);

}  // namespace edl::lsp
