// Byte-pair encoding (Sennrich et al. 2016) over words: each word starts as
// its characters (UTF-8 code points), the last one marked as ending the
// word ("s</w>"), and the most frequent adjacent pair of symbols in the
// training words is merged into one, again and again, until the symbols
// number `symbols`. A word is encoded by applying the learnt merges in the
// order they were learnt (TextEncoder::subwords), so frequent words become
// one symbol and rare ones split into pieces the model has seen. No torch.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace edl::data {

struct PairMerges {
  std::vector<std::string> symbols;                        // every symbol: the characters, then each merge's result
  std::vector<std::pair<std::string, std::string>> merges;  // in the order learnt
};

// Merges learnt from words and their counts; ties in frequency go to the
// pair that sorts first, so the result never depends on hash order.
PairMerges learn_merges(const std::vector<std::pair<std::string, std::size_t>> &word_counts, std::size_t symbols);

}  // namespace edl::data
