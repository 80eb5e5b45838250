#include "runtime/data/TextEncoder.h"

#include <algorithm>
#include <cctype>

namespace edl::data {
namespace {

constexpr const char *kEndOfWord = "</w>";
constexpr const char *kFileHeader = "edl-tokenizer 1";

char lowered(char c, bool lowercase) {
  return lowercase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

std::int32_t id_of(const TextEncoder &e, const std::string &token) {
  auto it = e.ids.find(token);
  return it == e.ids.end() || it->second == kPadToken ? kUnknownToken : it->second;
}

// One text's ids into `ids` (max_len, padded); `pieces` caches each word's
// subword ids under bpe, where most of the time would otherwise go.
void encode_into(const TextEncoder &e, const std::string &text, std::vector<std::int32_t> &ids,
                 std::unordered_map<std::string, std::vector<std::int32_t>> &pieces) {
  ids.assign(static_cast<std::size_t>(std::max(0, e.max_len)), kPadToken);
  std::size_t at = 0;
  const bool bpe = e.tokenizer == "bpe";
  for (const std::string &t : e.split(text)) {
    if (at == ids.size()) break;
    if (!bpe) {
      ids[at++] = id_of(e, t);
      continue;
    }
    auto it = pieces.find(t);
    if (it == pieces.end()) {
      std::vector<std::int32_t> word;
      for (const std::string &symbol : e.subwords(t)) word.push_back(id_of(e, symbol));
      it = pieces.emplace(t, std::move(word)).first;
    }
    for (std::int32_t id : it->second)
      if (at < ids.size()) ids[at++] = id;
  }
}

std::string escaped(const std::string &s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ' ': out += "\\s"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

bool unescaped(const std::string &s, std::string &out) {
  out.clear();
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return false;
    switch (s[i]) {
      case '\\': out += '\\'; break;
      case 's': out += ' '; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'n': out += '\n'; break;
      default: return false;
    }
  }
  return true;
}

// "key value" on one line; false when the line is not that key.
bool setting(std::istream &in, const std::string &key, std::string &value) {
  std::string line;
  if (!std::getline(in, line) || line.compare(0, key.size() + 1, key + " ") != 0) return false;
  value = line.substr(key.size() + 1);
  return true;
}

bool count_of(const std::string &text, std::size_t &n) {
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  n = std::stoul(text);
  return true;
}

}  // namespace

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead >= 0xF0 && lead <= 0xF7) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

std::vector<std::string> word_characters(const std::string &word) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < word.size();) {
    const std::size_t n = std::min(utf8_sequence_length(static_cast<unsigned char>(word[i])), word.size() - i);
    out.push_back(word.substr(i, n));
    i += n;
  }
  if (!out.empty()) out.back() += kEndOfWord;
  return out;
}

void TextEncoder::index() {
  ids.clear();
  for (std::size_t id = 0; id < tokens.size(); ++id) ids.emplace(tokens[id], static_cast<std::int32_t>(id));
  rank.clear();
  for (std::size_t r = 0; r < merges.size(); ++r) rank.emplace(merges[r], r);
}

std::vector<std::string> TextEncoder::split(const std::string &text) const {
  std::vector<std::string> out;
  const bool chars = tokenizer == "char";
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::size_t n = std::min(utf8_sequence_length(c), text.size() - i);
    if (chars) {
      if (n == 1) out.emplace_back(1, lowered(text[i], lowercase));
      else out.push_back(text.substr(i, n));
    } else if (n > 1 || std::isalnum(c)) {
      for (std::size_t k = 0; k < n; ++k) word += lowered(text[i + k], lowercase);
    } else {
      flush();
      if (std::isgraph(c)) out.emplace_back(1, text[i]);  // punctuation is a token; space separates
    }
    i += n;
  }
  flush();
  return out;
}

std::vector<std::string> TextEncoder::subwords(const std::string &word) const {
  std::vector<std::string> s = word_characters(word);
  for (;;) {
    // The adjacent pair learnt earliest is merged first, as in learning.
    std::size_t best = s.size(), best_rank = merges.size();
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      auto it = rank.find({s[i], s[i + 1]});
      if (it != rank.end() && it->second < best_rank) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best == s.size()) return s;
    const std::pair<std::string, std::string> &p = merges[best_rank];
    std::vector<std::string> merged;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (i + 1 < s.size() && s[i] == p.first && s[i + 1] == p.second) {
        merged.push_back(s[i] + s[i + 1]);
        ++i;
      } else {
        merged.push_back(s[i]);
      }
    }
    s = std::move(merged);
  }
}

std::vector<std::int32_t> TextEncoder::encode(const std::string &text) const {
  std::vector<std::int32_t> ids;
  std::unordered_map<std::string, std::vector<std::int32_t>> pieces;
  encode_into(*this, text, ids, pieces);
  return ids;
}

std::vector<std::int32_t> TextEncoder::encode_all(const std::vector<std::string> &texts) const {
  std::vector<std::int32_t> all, row;
  all.reserve(texts.size() * static_cast<std::size_t>(std::max(0, max_len)));
  std::unordered_map<std::string, std::vector<std::int32_t>> pieces;
  for (const std::string &t : texts) {
    encode_into(*this, t, row, pieces);
    all.insert(all.end(), row.begin(), row.end());
  }
  return all;
}

void TextEncoder::write(std::ostream &out) const {
  out << kFileHeader << "\ntokenizer " << tokenizer << "\nlowercase " << (lowercase ? 1 : 0) << "\nmax_len " << max_len
      << "\ntokens " << tokens.size() << "\n";
  for (const std::string &t : tokens) out << escaped(t) << "\n";
  out << "merges " << merges.size() << "\n";
  for (const auto &[a, b] : merges) out << escaped(a) << " " << escaped(b) << "\n";
}

bool TextEncoder::read(std::istream &in, TextEncoder &e, std::string &error) {
  e = TextEncoder();
  std::string line, value;
  std::size_t n = 0, len = 0;
  if (!std::getline(in, line) || line != kFileHeader) {
    error = "not a tokenizer file (its first line is not '" + std::string(kFileHeader) + "')";
    return false;
  }
  if (!setting(in, "tokenizer", e.tokenizer) || (e.tokenizer != "word" && e.tokenizer != "char" && e.tokenizer != "bpe")) {
    error = "the tokenizer line names no word, char or bpe tokenizer";
    return false;
  }
  if (!setting(in, "lowercase", value) || (value != "0" && value != "1")) {
    error = "the lowercase line is not 0 or 1";
    return false;
  }
  e.lowercase = value == "1";
  if (!setting(in, "max_len", value) || !count_of(value, len) || len == 0) {
    error = "the max_len line is not a positive count";
    return false;
  }
  e.max_len = static_cast<int>(len);
  if (!setting(in, "tokens", value) || !count_of(value, n) || n < 2) {
    error = "the tokens line is not a count of at least 2";
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string token;
    if (!std::getline(in, line) || !unescaped(line, token)) {
      error = "token " + std::to_string(i) + " is missing or badly escaped";
      return false;
    }
    e.tokens.push_back(std::move(token));
  }
  if (!setting(in, "merges", value) || !count_of(value, n)) {
    error = "the merges line is not a count";
    return false;
  }
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t space = std::getline(in, line) ? line.find(' ') : std::string::npos;
    std::string a, b;
    if (space == std::string::npos || !unescaped(line.substr(0, space), a) || !unescaped(line.substr(space + 1), b)) {
      error = "merge " + std::to_string(i) + " is missing or badly escaped";
      return false;
    }
    e.merges.emplace_back(std::move(a), std::move(b));
  }
  e.index();
  return true;
}

}  // namespace edl::data
