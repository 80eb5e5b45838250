// The language features of `edlc lsp`, each a function of one analysed
// document: hover, definition, symbols, formatting, completion.
#pragma once

#include "compiler/lsp/Analysis.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace edl::lsp {

// Markdown for what is at `offset`, or nothing.
std::optional<std::string> hover(const Analysis &a, std::uint32_t offset);
// Where what is at `offset` is declared: a range in some file of the project
// (an import resolves to the start of the imported file).
std::optional<SourceRange> definition(const Analysis &a, std::uint32_t offset);
nlohmann::json document_symbols(const Analysis &a);
// The whole document reformatted, or nothing when it does not parse.
std::optional<std::string> format_document(const std::string &path, const std::string &text);
// Completion items for the cursor at `offset` of `text` (the analysed
// text, broken or not: its tree and declared names come from `a`).
nlohmann::json complete(const Analysis &a, const std::string &text, std::uint32_t offset);

}  // namespace edl::lsp
