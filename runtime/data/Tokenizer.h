// Text rows → fixed-length token ids, the way a text model reads them.
// The vocabulary is learnt from the training split only, so validation
// and test words the training never saw count as unknown, as they will in
// use. Id 0 pads a short row, id 1 stands for an unknown token.
//   word  runs of letters and digits (bytes of multi-byte UTF-8 characters
//         count as letters), each other visible character a token of its
//         own; optionally lowercased (ASCII); the max_vocab most frequent
//         words seen at least min_count times
//   char  one token per UTF-8 code point (optionally lowercased)
//   bpe   words as `word` splits them, each cut into the subword symbols
//         of a byte-pair encoding learnt from the training words, whose
//         symbols number max_vocab (bpe's `vocab`)
// No torch: plain ids, the trainer wraps them.
#pragma once

#include "runtime/data/BytePairEncoding.h"
#include "runtime/data/DatasetSpec.h"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace edl::data {

inline constexpr std::int32_t kPadToken = 0, kUnknownToken = 1;

struct Vocabulary {
  spec::Dataset::Text settings;
  std::vector<std::string> tokens;  // by id; tokens[0] and [1] are "<pad>" and "<unk>"
  std::unordered_map<std::string, std::int32_t> ids;
  PairMerges merges;  // bpe only
  std::size_t size() const { return tokens.size(); }
};

// The tokens of one text, in order, before any vocabulary (bpe: its words).
std::vector<std::string> split_tokens(const std::string &text, const spec::Dataset::Text &settings);

// The vocabulary of `texts[i]` for i in `indices` (the training split).
// Ties in frequency go to the token seen first, so it is deterministic.
Vocabulary learn_vocabulary(const std::vector<std::string> &texts, const std::vector<std::size_t> &indices,
                            const spec::Dataset::Text &settings);

// `max_len` ids for one text: its first tokens, then padding.
std::vector<std::int32_t> encode(const Vocabulary &v, const std::string &text);

// Every row of `texts` encoded: texts.size() x max_len ids, row-major.
std::vector<std::int32_t> encode_all(const Vocabulary &v, const std::vector<std::string> &texts);

}  // namespace edl::data
