#include "runtime/data/BytePairEncoding.h"

#include "runtime/data/TextEncoder.h"

#include <algorithm>
#include <map>
#include <queue>
#include <set>

namespace edl::data {

using Pair = std::pair<std::string, std::string>;

PairMerges learn_merges(const std::vector<std::pair<std::string, std::size_t>> &word_counts, std::size_t symbols) {
  PairMerges m;
  std::vector<std::vector<std::string>> words;
  std::vector<std::size_t> counts;
  std::set<std::string> alphabet;
  for (const auto &[word, count] : word_counts) {
    words.push_back(word_characters(word));
    counts.push_back(count);
    alphabet.insert(words.back().begin(), words.back().end());
  }
  m.symbols.assign(alphabet.begin(), alphabet.end());
  // How often each adjacent pair occurs, and in which words.
  std::map<Pair, std::size_t> pair_count;
  std::map<Pair, std::set<std::size_t>> where;
  auto count_word = [&](std::size_t w, int sign) {
    const std::vector<std::string> &s = words[w];
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      const Pair p{s[i], s[i + 1]};
      if (sign > 0) {
        pair_count[p] += counts[w];
        where[p].insert(w);
      } else {
        pair_count[p] -= counts[w];
      }
    }
  };
  for (std::size_t w = 0; w < words.size(); ++w) count_word(w, +1);
  // The most frequent pair: a heap of (count, pair) entries, stale ones
  // (whose count has changed since) skipped when they surface.
  auto lower = [](const std::pair<std::size_t, Pair> &a, const std::pair<std::size_t, Pair> &b) {
    return a.first != b.first ? a.first < b.first : a.second > b.second;
  };
  std::priority_queue<std::pair<std::size_t, Pair>, std::vector<std::pair<std::size_t, Pair>>, decltype(lower)> heap(lower);
  for (const auto &[p, c] : pair_count) heap.push({c, p});
  while (m.symbols.size() < symbols && !heap.empty()) {
    auto [c, best] = heap.top();
    heap.pop();
    if (c == 0 || pair_count[best] != c) continue;  // stale
    const std::string joined = best.first + best.second;
    m.merges.push_back(best);
    m.symbols.push_back(joined);
    const std::set<std::size_t> affected = where[best];
    for (std::size_t w : affected) {
      count_word(w, -1);
      std::vector<std::string> &s = words[w], merged;
      for (std::size_t i = 0; i < s.size(); ++i) {
        if (i + 1 < s.size() && s[i] == best.first && s[i + 1] == best.second) {
          merged.push_back(joined);
          ++i;
        } else {
          merged.push_back(s[i]);
        }
      }
      s = std::move(merged);
      count_word(w, +1);
      for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        const Pair p{s[i], s[i + 1]};
        heap.push({pair_count[p], p});
      }
    }
    pair_count[best] = 0;
  }
  return m;
}

}  // namespace edl::data
