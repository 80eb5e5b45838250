#include "runtime/data/Tokenizer.h"

#include <algorithm>
#include <cctype>

namespace edl::data {
namespace {

char lowered(char c, bool lowercase) {
  return lowercase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

}  // namespace

std::vector<std::string> split_tokens(const std::string &text, const spec::Dataset::Text &settings) {
  std::vector<std::string> out;
  const bool chars = settings.tokenizer == "char";
  std::string word;
  auto flush = [&] {
    if (!word.empty()) out.push_back(std::move(word));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    const std::size_t n = std::min(utf8_sequence_length(c), text.size() - i);
    if (chars) {
      if (n == 1) out.emplace_back(1, lowered(text[i], settings.lowercase));
      else out.push_back(text.substr(i, n));
    } else if (n > 1 || std::isalnum(c)) {
      for (std::size_t k = 0; k < n; ++k) word += lowered(text[i + k], settings.lowercase);
    } else {
      flush();
      if (std::isgraph(c)) out.emplace_back(1, text[i]);  // punctuation is a token; space separates
    }
    i += n;
  }
  flush();
  return out;
}

Vocabulary learn_vocabulary(const std::vector<std::string> &texts, const std::vector<std::size_t> &indices,
                            const spec::Dataset::Text &settings) {
  struct Count {
    std::size_t count = 0, first = 0;
  };
  std::unordered_map<std::string, Count> counts;
  std::size_t seen = 0;
  for (std::size_t i : indices)
    for (std::string &t : split_tokens(texts[i], settings)) {
      Count &c = counts[t];
      if (c.count++ == 0) c.first = seen++;
    }
  if (settings.tokenizer == "bpe") {
    std::vector<std::pair<std::string, std::size_t>> words;
    for (const auto &[word, c] : counts) words.emplace_back(word, c.count);
    std::sort(words.begin(), words.end());
    Vocabulary v;
    v.settings = settings;
    v.merges = learn_merges(words, static_cast<std::size_t>(std::max(1, settings.max_vocab - 2)));
    v.tokens = {"<pad>", "<unk>"};
    v.tokens.insert(v.tokens.end(), v.merges.symbols.begin(), v.merges.symbols.end());
    for (std::size_t id = 0; id < v.tokens.size(); ++id) v.ids.emplace(v.tokens[id], static_cast<std::int32_t>(id));
    return v;
  }
  std::vector<std::pair<std::string, Count>> ranked(counts.begin(), counts.end());
  std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
    return a.second.count != b.second.count ? a.second.count > b.second.count : a.second.first < b.second.first;
  });
  Vocabulary v;
  v.settings = settings;
  v.tokens = {"<pad>", "<unk>"};
  // Characters are few: every one seen is kept.
  const bool chars = settings.tokenizer == "char";
  for (const auto &[token, c] : ranked) {
    if (!chars && (c.count < static_cast<std::size_t>(settings.min_count) ||
                   v.tokens.size() >= static_cast<std::size_t>(settings.max_vocab) + 2))
      break;
    v.tokens.push_back(token);
  }
  for (std::size_t id = 0; id < v.tokens.size(); ++id) v.ids.emplace(v.tokens[id], static_cast<std::int32_t>(id));
  return v;
}

namespace {

std::int32_t id_of(const Vocabulary &v, const std::string &token) {
  auto it = v.ids.find(token);
  return it == v.ids.end() || it->second == kPadToken ? kUnknownToken : it->second;
}

// One text's ids into `ids` (max_len, padded); `pieces` caches each word's
// subword ids under bpe, where most of the time would otherwise go.
void encode_into(const Vocabulary &v, const std::string &text, std::vector<std::int32_t> &ids,
                 std::unordered_map<std::string, std::vector<std::int32_t>> &pieces) {
  ids.assign(static_cast<std::size_t>(v.settings.max_len), kPadToken);
  std::size_t at = 0;
  const bool bpe = v.settings.tokenizer == "bpe";
  for (const std::string &t : split_tokens(text, v.settings)) {
    if (at == ids.size()) break;
    if (!bpe) {
      ids[at++] = id_of(v, t);
      continue;
    }
    auto it = pieces.find(t);
    if (it == pieces.end()) {
      std::vector<std::int32_t> word;
      for (const std::string &symbol : apply_merges(v.merges, t)) word.push_back(id_of(v, symbol));
      it = pieces.emplace(t, std::move(word)).first;
    }
    for (std::int32_t id : it->second)
      if (at < ids.size()) ids[at++] = id;
  }
}

}  // namespace

std::vector<std::int32_t> encode(const Vocabulary &v, const std::string &text) {
  std::vector<std::int32_t> ids;
  std::unordered_map<std::string, std::vector<std::int32_t>> pieces;
  encode_into(v, text, ids, pieces);
  return ids;
}

std::vector<std::int32_t> encode_all(const Vocabulary &v, const std::vector<std::string> &texts) {
  std::vector<std::int32_t> all, row;
  all.reserve(texts.size() * static_cast<std::size_t>(v.settings.max_len));
  std::unordered_map<std::string, std::vector<std::int32_t>> pieces;
  for (const std::string &t : texts) {
    encode_into(v, t, row, pieces);
    all.insert(all.end(), row.begin(), row.end());
  }
  return all;
}

}  // namespace edl::data
