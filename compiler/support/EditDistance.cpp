#include "compiler/support/EditDistance.h"

#include <algorithm>
#include <cctype>

namespace edl {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau-style: a swapped pair of letters counts as one edit, because
  // transpositions are the most common typo.
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (std::size_t j = 0; j <= m; ++j) prev[j] = j;
  for (std::size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= m; ++j) {
      bool same = std::tolower(a[i - 1]) == std::tolower(b[j - 1]);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
    }
    prev2 = prev;
    prev = cur;
  }
  return prev[m];
}

std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string> &candidates) {
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const std::string &c : candidates) {
    if (c == word) continue;
    std::size_t d = edit_distance(word, c);
    // Replacing every letter of a word is no typo ('w' is not a misspelt 'x').
    if (d < best_distance && d < word.size()) {
      best_distance = d;
      best = c;
    }
  }
  if (best || word.size() < 3) return best;
  // No typo close enough: an abbreviation ('acc' for 'accuracy') or a
  // longer form ('training' for 'train') of exactly one candidate.
  auto starts_with = [](std::string_view s, std::string_view prefix) {
    return s.size() > prefix.size() &&
           std::equal(prefix.begin(), prefix.end(), s.begin(),
                      [](char x, char y) { return std::tolower(x) == std::tolower(y); });
  };
  for (const std::string &c : candidates) {
    if (c.size() < 3 || !(starts_with(c, word) || starts_with(word, c))) continue;
    if (best) return std::nullopt;  // two fit: no guess
    best = c;
  }
  return best;
}

}  // namespace edl
