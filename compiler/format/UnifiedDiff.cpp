#include "compiler/format/UnifiedDiff.h"

#include <algorithm>
#include <vector>

namespace edl {
namespace {

constexpr std::size_t kContext = 3;
// Above this many cells the middle of a diff is shown as removed and added
// whole instead of aligned (formatting changes are local; this bounds memory).
constexpr std::size_t kMaxCells = 16u << 20;

std::vector<std::string> lines_of(const std::string &text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  // As diff -u marks it, so a change of the final newline alone shows.
  if (!text.empty() && text.back() != '\n') out.push_back("\\ No newline at end of file");
  return out;
}

struct Edit {
  char op;        // ' ', '-' or '+'
  std::size_t a;  // line index in the old text (for ' ' and '-')
  std::size_t b;  // line index in the new text (for ' ' and '+')
};

// The edit script of a and b: common prefix and suffix kept, the middle
// aligned by a longest common subsequence.
std::vector<Edit> edit_script(const std::vector<std::string> &a, const std::vector<std::string> &b) {
  std::size_t pre = 0;
  while (pre < a.size() && pre < b.size() && a[pre] == b[pre]) ++pre;
  std::size_t suf = 0;
  while (suf < a.size() - pre && suf < b.size() - pre && a[a.size() - 1 - suf] == b[b.size() - 1 - suf]) ++suf;
  const std::size_t n = a.size() - pre - suf, m = b.size() - pre - suf;
  std::vector<Edit> out;
  for (std::size_t i = 0; i < pre; ++i) out.push_back({' ', i, i});
  if (n * m <= kMaxCells) {
    // lcs[i][j]: the LCS length of a[pre+i..] and b[pre+j..].
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t & { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;)
      for (std::size_t j = m; j-- > 0;)
        at(i, j) = a[pre + i] == b[pre + j] ? at(i + 1, j + 1) + 1 : std::max(at(i + 1, j), at(i, j + 1));
    std::size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[pre + i] == b[pre + j]) out.push_back({' ', pre + i++, pre + j++});
      else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) out.push_back({'-', pre + i++, pre + j});
      else out.push_back({'+', pre + i, pre + j++});
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) out.push_back({'-', pre + i, pre});
    for (std::size_t j = 0; j < m; ++j) out.push_back({'+', pre + n, pre + j});
  }
  for (std::size_t k = 0; k < suf; ++k) out.push_back({' ', pre + n + k, pre + m + k});
  return out;
}

}  // namespace

std::string unified_diff(const std::string &before, const std::string &after, const std::string &name) {
  if (before == after) return "";
  const std::vector<std::string> a = lines_of(before), b = lines_of(after);
  const std::vector<Edit> edits = edit_script(a, b);
  std::string out = "--- a/" + name + "\n+++ b/" + name + "\n";
  std::size_t k = 0;
  while (k < edits.size()) {
    if (edits[k].op == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines
    // after the last change closer than 2 * kContext to the one before.
    std::size_t first = k >= kContext ? k - kContext : 0, last = k;
    for (std::size_t j = k; j < edits.size() && j <= last + 2 * kContext; ++j)
      if (edits[j].op != ' ') last = j;
    std::size_t end = std::min(edits.size(), last + 1 + kContext);
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t j = first; j < end; ++j) {
      if (edits[j].op != '+') ++old_count;
      if (edits[j].op != '-') ++new_count;
    }
    // Line numbers are 1-based; an empty side names the line before it.
    std::size_t old_start = edits[first].a + (old_count ? 1 : 0), new_start = edits[first].b + (new_count ? 1 : 0);
    out += "@@ -" + std::to_string(old_start) + "," + std::to_string(old_count) + " +" + std::to_string(new_start) +
           "," + std::to_string(new_count) + " @@\n";
    for (std::size_t j = first; j < end; ++j)
      out += std::string(1, edits[j].op) + (edits[j].op == '+' ? b[edits[j].b] : a[edits[j].a]) + "\n";
    k = end;
  }
  return out;
}

}  // namespace edl
