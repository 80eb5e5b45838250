#include "runtime/data/Tokenizer.h"

#include "runtime/data/BytePairEncoding.h"

#include <algorithm>
#include <unordered_map>

namespace edl::data {

TextEncoder untrained_encoder(const spec::Dataset::Text &settings) {
  TextEncoder e;
  e.tokenizer = settings.tokenizer;
  e.lowercase = settings.lowercase;
  e.max_len = settings.max_len;
  e.tokens = {"<pad>", "<unk>"};
  return e;
}

TextEncoder learn_vocabulary(const std::vector<std::string> &texts, const std::vector<std::size_t> &indices,
                             const spec::Dataset::Text &settings) {
  struct Count {
    std::size_t count = 0, first = 0;
  };
  TextEncoder v = untrained_encoder(settings);
  std::unordered_map<std::string, Count> counts;
  std::size_t seen = 0;
  for (std::size_t i : indices)
    for (std::string &t : v.split(texts[i])) {
      Count &c = counts[t];
      if (c.count++ == 0) c.first = seen++;
    }
  if (settings.tokenizer == "bpe") {
    std::vector<std::pair<std::string, std::size_t>> words;
    for (const auto &[word, c] : counts) words.emplace_back(word, c.count);
    std::sort(words.begin(), words.end());
    PairMerges m = learn_merges(words, static_cast<std::size_t>(std::max(1, settings.max_vocab - 2)));
    v.tokens.insert(v.tokens.end(), m.symbols.begin(), m.symbols.end());
    v.merges = std::move(m.merges);
  } else {
    std::vector<std::pair<std::string, Count>> ranked(counts.begin(), counts.end());
    std::sort(ranked.begin(), ranked.end(), [](const auto &a, const auto &b) {
      return a.second.count != b.second.count ? a.second.count > b.second.count : a.second.first < b.second.first;
    });
    // Characters are few: every one seen is kept.
    const bool chars = settings.tokenizer == "char";
    for (const auto &[token, c] : ranked) {
      if (!chars && (c.count < static_cast<std::size_t>(settings.min_count) ||
                     v.tokens.size() >= static_cast<std::size_t>(settings.max_vocab) + 2))
        break;
      v.tokens.push_back(token);
    }
  }
  v.index();
  return v;
}

}  // namespace edl::data
