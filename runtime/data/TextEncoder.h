// A learnt tokenizer as it is used: text → max_len token ids, and the file
// a package keeps it in (model/tokenizer.txt), so a deployed model
// tokenizes exactly as its training did. Id 0 pads a short row, id 1
// stands for an unknown token.
//   word  runs of letters and digits (bytes of multi-byte UTF-8 characters
//         count as letters), each other visible character a token of its
//         own; optionally lowercased (ASCII)
//   char  one token per UTF-8 code point (optionally lowercased)
//   bpe   words as `word` splits them, each cut into subword symbols by a
//         byte-pair encoding's merges, applied in the order they were learnt
// Only the standard library: the C++ SDK of a text package compiles this
// very file (runtime/deploy/Sdk.cpp embeds it). Learning one is
// Tokenizer.h's job.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <ostream>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace edl::data {

inline constexpr std::int32_t kPadToken = 0, kUnknownToken = 1;

// The length of the UTF-8 sequence a lead byte starts (1 for a stray byte).
std::size_t utf8_sequence_length(unsigned char lead);

// A word's characters (UTF-8 code points), the last marked as the word's
// end ("s</w>"): where byte-pair encoding starts from.
std::vector<std::string> word_characters(const std::string &word);

struct TextEncoder {
  std::string tokenizer = "word";  // word | char | bpe
  bool lowercase = true;
  int max_len = 256;
  std::vector<std::string> tokens;  // by id; tokens[0] and [1] are "<pad>" and "<unk>"
  std::unordered_map<std::string, std::int32_t> ids;
  // bpe: the merges in the order learnt, and each one's position.
  std::vector<std::pair<std::string, std::string>> merges;
  std::map<std::pair<std::string, std::string>, std::size_t> rank;

  std::size_t size() const { return tokens.size(); }
  // Fills `ids` and `rank` from `tokens` and `merges`.
  void index();

  // The tokens of one text, in order, before any vocabulary (bpe: its words).
  std::vector<std::string> split(const std::string &text) const;
  // bpe: a word's symbols after the merges.
  std::vector<std::string> subwords(const std::string &word) const;
  // `max_len` ids for one text: its first tokens, then padding.
  std::vector<std::int32_t> encode(const std::string &text) const;
  // Every text encoded: texts.size() x max_len ids, row-major.
  std::vector<std::int32_t> encode_all(const std::vector<std::string> &texts) const;

  // The tokenizer file: a header line, the settings, then the tokens and
  // merges one per line, with backslash, space, tab, CR and LF escaped.
  void write(std::ostream &out) const;
  // False with `error` when the stream is not such a file.
  static bool read(std::istream &in, TextEncoder &encoder, std::string &error);
};

}  // namespace edl::data
