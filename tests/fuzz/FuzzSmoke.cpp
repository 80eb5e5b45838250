// A seeded, time-boxed mutation fuzzer over the corpus, for every test run
// and every compiler: replays each corpus file, then mutates them (byte
// flips, insertions of EDL tokens, deletions, splices, truncations) with a
// fixed seed. Usage: edl_fuzz_smoke SECONDS FILE_OR_DIR...
#include "FuzzTarget.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

const char *kTokens[] = {"{", "}", "(", ")", "[", "]", "=", ",", ";", ".", "^", "-", "not ", " and ", "\"", "\\",
                         "/*", "*/", "//", "///", "\n", "80%", "224x224", "30s", "1e-3", "1_000", "none", "true",
                         "project ", "dataset ", "augment ", "op ", "model ", "space ", "train ", "label ",
                         "deploy ", "import \"x.edl\"", "hp.lr", "val.accuracy", "uniform(0, 1)", "choice(1, 2)",
                         "one_of { }", "maybe(p = 2) { }", "x", "\xff", "\xc3\xa9"};

std::string mutate(std::string s, const std::vector<std::string> &corpus, std::mt19937_64 &rng) {
  auto pick = [&](std::size_t n) { return n == 0 ? std::size_t{0} : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  int edits = 1 + static_cast<int>(pick(4));
  for (int i = 0; i < edits; ++i) {
    std::size_t at = pick(s.size() + 1);
    switch (pick(6)) {
      case 0: if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256)); break;
      case 1: s.insert(at, kTokens[pick(sizeof kTokens / sizeof *kTokens)]); break;
      case 2: if (at < s.size()) s.erase(at, 1 + pick(std::min<std::size_t>(16, s.size() - at))); break;
      case 3: {
        const std::string &other = corpus[pick(corpus.size())];
        std::size_t from = pick(other.size() + 1);
        s.insert(at, other.substr(from, pick(64)));
        break;
      }
      case 4: s.resize(at); break;
      default: if (at < s.size()) s.insert(at, s.substr(at, pick(32))); break;
    }
  }
  return s;
}

}  // namespace

int main(int argc, char **argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s SECONDS FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  double seconds = std::atof(argv[1]);
  std::vector<std::string> corpus;
  for (int i = 2; i < argc; ++i) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(argv[i])) {
      for (const auto &e : std::filesystem::recursive_directory_iterator(argv[i]))
        if (e.is_regular_file() && e.path().extension() == ".edl") files.push_back(e.path());
    } else {
      files.push_back(argv[i]);
    }
    std::sort(files.begin(), files.end());
    for (const auto &f : files) {
      std::ifstream in(f, std::ios::binary);
      std::ostringstream s;
      s << in.rdbuf();
      corpus.push_back(s.str());
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "fuzz smoke: empty corpus\n");
    return 2;
  }
  for (const std::string &c : corpus)
    edl::fuzz::run_one(reinterpret_cast<const std::uint8_t *>(c.data()), c.size());

  std::mt19937_64 rng(20261128);
  auto start = std::chrono::steady_clock::now();
  std::size_t runs = 0;
  while (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < seconds) {
    std::string input = mutate(corpus[runs % corpus.size()], corpus, rng);
    edl::fuzz::run_one(reinterpret_cast<const std::uint8_t *>(input.data()), input.size());
    ++runs;
  }
  std::printf("fuzz smoke: %zu corpus files replayed, %zu mutated inputs in %.0f s, no failure\n", corpus.size(), runs,
              seconds);
  return 0;
}
