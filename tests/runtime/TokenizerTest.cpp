// Text rows into token ids: the word and char tokenizers on hand-made text,
// a vocabulary learnt from the training rows only, and the real SpamAssassin
// emails of scripts/fetch-data.sh loaded through csv(...) with ids whose
// unknown share shows the held-out rows were never learnt from.
#include "TestSupport.h"

#include "runtime/data/Dataset.h"
#include "runtime/data/BytePairEncoding.h"
#include "runtime/data/Tokenizer.h"

#include <catch2/catch.hpp>

#include <set>
#include <sstream>

using namespace edl;
using namespace edl::data;

namespace {

spec::Dataset::Text words(int max_len = 8, int min_count = 1, int max_vocab = 100) {
  spec::Dataset::Text t;
  t.tokenizer = "word";
  t.max_len = max_len;
  t.min_count = min_count;
  t.max_vocab = max_vocab;
  return t;
}

using Tokens = std::vector<std::string>;

// SpamAssassin's emails (scripts/fetch-data.sh spam), 70% of them for training.
spec::Dataset emails() {
  spec::Dataset spec;
  spec.name = "emails";
  spec.source = SourceKind::Csv;
  spec.path = test::fetched_data("spam") + "/spam.csv";
  spec.text_column = "text";
  spec.label_column = "label";
  spec.train = 0.7;
  spec.val = 0.3;
  return spec;
}

}  // namespace

TEST_CASE("word tokenizer: words, numbers and each punctuation mark, lowercased, UTF-8 letters kept in words",
          "[text]") {
  CHECK(untrained_encoder(words()).split("FREE money!!! Call 0800-123 now.") ==
        Tokens{"free", "money", "!", "!", "!", "call", "0800", "-", "123", "now", "."});
  spec::Dataset::Text cased = words();
  cased.lowercase = false;
  CHECK(untrained_encoder(cased).split("Hello, World") == Tokens{"Hello", ",", "World"});
  // "Grüße" is one word: its multi-byte letter does not split it.
  CHECK(untrained_encoder(words()).split("Grüße\taus  Köln\n") == Tokens{"grüße", "aus", "köln"});
  CHECK(untrained_encoder(words()).split("").empty());
  CHECK(untrained_encoder(words()).split(" \t\n ").empty());
}

TEST_CASE("char tokenizer: one token per UTF-8 code point, spaces included", "[text]") {
  spec::Dataset::Text chars = words();
  chars.tokenizer = "char";
  chars.lowercase = false;
  CHECK(untrained_encoder(chars).split("Añ b") == Tokens{"A", "ñ", " ", "b"});
  chars.lowercase = true;
  CHECK(untrained_encoder(chars).split("AB") == Tokens{"a", "b"});
  // A truncated multi-byte sequence at the end is kept as the bytes there are, not read past.
  const std::string cut = std::string("x") + static_cast<char>(0xC3);
  CHECK(untrained_encoder(chars).split(cut).size() == 2);
}

TEST_CASE("vocabulary: learnt from the given rows only, by frequency, with min_count and max_vocab", "[text]") {
  const std::vector<std::string> texts = {"spam spam eggs", "spam ham eggs", "unseen words here", "ham ham ham"};
  // Rows 0, 1 and 3 are the training split; row 2 is held out.
  TextEncoder v = learn_vocabulary(texts, {0, 1, 3}, words());
  CHECK(v.tokens == Tokens{"<pad>", "<unk>", "ham", "spam", "eggs"});  // 4, 3, 2: ham then spam then eggs
  CHECK(v.size() == 5);
  // Held-out words are unknown; the row is padded to max_len.
  CHECK(v.encode(texts[2]) == std::vector<std::int32_t>{1, 1, 1, 0, 0, 0, 0, 0});
  CHECK(v.encode("Spam, HAM!") == std::vector<std::int32_t>{3, 1, 2, 1, 0, 0, 0, 0});
  // min_count 3 keeps ham and spam; max_vocab 1 keeps ham alone.
  CHECK(learn_vocabulary(texts, {0, 1, 3}, words(8, 3)).tokens == Tokens{"<pad>", "<unk>", "ham", "spam"});
  CHECK(learn_vocabulary(texts, {0, 1, 3}, words(8, 1, 1)).tokens == Tokens{"<pad>", "<unk>", "ham"});
  // Equal counts: the word seen first comes first, whatever the hash order.
  CHECK(learn_vocabulary({"b a c", "c a b"}, {0, 1}, words()).tokens == Tokens{"<pad>", "<unk>", "b", "a", "c"});
  // Truncation keeps the first max_len tokens.
  CHECK(learn_vocabulary(texts, {0}, words(2)).encode("eggs spam spam") == std::vector<std::int32_t>{3, 2});
  // encode_all: one row of max_len per text.
  CHECK(v.encode_all(texts).size() == texts.size() * 8);
}

TEST_CASE("byte-pair encoding: the most frequent pair merged first, words encoded by the learnt merges", "[text]") {
  // Sennrich et al.'s example: low x5, lower x2, newest x6, widest x3.
  const std::vector<std::pair<std::string, std::size_t>> counts = {
      {"low", 5}, {"lower", 2}, {"newest", 6}, {"widest", 3}};
  const PairMerges m = learn_merges(counts, 11 + 4);  // 11 characters (w, r and t also as word ends) and 4 merges
  REQUIRE(m.merges.size() == 4);
  // e+s (9: newest and widest; it sorts before s+t</w>, also 9), es+t</w> (9),
  // l+o (7), then e+w (6, sorting before n+e and w+est</w>, also 6).
  CHECK(m.merges[0] == std::pair<std::string, std::string>{"e", "s"});
  CHECK(m.merges[1] == std::pair<std::string, std::string>{"es", "t</w>"});
  CHECK(m.merges[2] == std::pair<std::string, std::string>{"l", "o"});
  CHECK(m.merges[3] == std::pair<std::string, std::string>{"e", "w"});
  CHECK(m.symbols.size() == 15);
  TextEncoder e;
  e.merges = m.merges;
  e.index();
  CHECK(e.subwords("lowest") == Tokens{"lo", "w", "est</w>"});
  CHECK(e.subwords("newer") == Tokens{"n", "ew", "e", "r</w>"});
  // Characters never seen are their own symbols (the vocabulary maps them to unknown).
  CHECK(e.subwords("zoo") == Tokens{"z", "o", "o</w>"});
  // Asking for fewer symbols than the characters merges nothing.
  CHECK(learn_merges(counts, 3).merges.empty());
}

TEST_CASE("bpe tokenizer: subword ids in a vocabulary of the requested size, from the training rows", "[text]") {
  spec::Dataset::Text bpe = words(12);
  bpe.tokenizer = "bpe";
  bpe.max_vocab = 2 + 9 + 3;  // pad, unk, the 9 characters (with end marks) and 3 merges
  const std::vector<std::string> texts = {"low low low lower", "newest newest", "zzz unseen"};
  TextEncoder v = learn_vocabulary(texts, {0, 1}, bpe);
  CHECK(v.size() == 14);
  CHECK(v.merges.size() == 3);
  // "low" is one piece after l+o and lo+w; "z" was never seen: unknown.
  const std::vector<std::int32_t> ids = v.encode("Low zzz");
  CHECK(v.tokens[static_cast<std::size_t>(ids[0])] == "low</w>");
  CHECK(ids[1] == kUnknownToken);
  CHECK(ids[4] == kPadToken);
}

TEST_CASE("csv emails: every row tokenized, the vocabulary from the training rows only", "[text]") {
  spec::Dataset spec = emails();
  spec.text = words(200, 2, 20000);
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  CHECK(d.size() > 5800);
  CHECK(d.classes == std::vector<std::string>{"ham", "spam"});
  REQUIRE(d.tokens.size() == d.size() * 200);
  CHECK(d.vocabulary.size() == 20002);  // the cap: far more words than that occur twice
  // Every id is in the vocabulary; training rows hold no word it lacks but
  // rarer ones (min_count 2), held-out rows more unknowns than training rows.
  auto unknown_share = [&](const std::vector<std::size_t> &rows) {
    std::size_t unknown = 0, real = 0, outside = 0;
    for (std::size_t r : rows)
      for (std::size_t k = 0; k < 200; ++k) {
        const std::int32_t id = d.tokens[r * 200 + k];
        outside += id < 0 || static_cast<std::size_t>(id) >= d.vocabulary.size();
        real += id != kPadToken;
        unknown += id == kUnknownToken;
      }
    CHECK(outside == 0);
    return static_cast<double>(unknown) / static_cast<double>(real);
  };
  const double train = unknown_share(d.split.train), val = unknown_share(d.split.val);
  INFO("unknown share: train " << train << ", val " << val);
  CHECK(train < val);
  CHECK(val < 0.2);
  // Re-learning from the same rows gives the same ids: a run's vocabulary is reproducible.
  CHECK(learn_vocabulary(d.texts, d.split.train, spec.text).tokens == d.vocabulary.tokens);
}

TEST_CASE("tokenizer file: what a package keeps encodes every email as the learnt tokenizer does", "[text]") {
  spec::Dataset spec = emails();
  const LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  spec::Dataset::Text settings = words(120, 2, 3000);
  for (const std::string kind : {"word", "char", "bpe"}) {
    settings.tokenizer = kind;
    settings.lowercase = kind != "char";  // both cases through the file
    const TextEncoder learnt = learn_vocabulary(d.texts, d.split.train, settings);
    std::stringstream file;
    learnt.write(file);
    TextEncoder read;
    std::string error;
    REQUIRE(TextEncoder::read(file, read, error));
    CHECK(read.tokens == learnt.tokens);  // char tokens include spaces, tabs and line ends
    CHECK(read.merges == learnt.merges);
    CHECK(read.lowercase == learnt.lowercase);
    CHECK(read.encode_all(d.texts) == learnt.encode_all(d.texts));
  }
}

TEST_CASE("tokenizer file: a damaged one is refused with the reason", "[text]") {
  TextEncoder e = learn_vocabulary({"a b\tc", "b"}, {0, 1}, words());
  std::stringstream good;
  e.write(good);
  const std::string text = good.str();
  auto refused = [](const std::string &file) {
    std::istringstream in(file);
    TextEncoder read;
    std::string error;
    return TextEncoder::read(in, read, error) ? std::string() : error;
  };
  CHECK(refused(text).empty());
  CHECK(refused("edl-tokenizer 2\n") .find("not a tokenizer file") != std::string::npos);
  CHECK(refused(text.substr(0, text.find("<unk>") + 6)).find("token 2 is missing") != std::string::npos);
  std::string bad_kind = text;
  bad_kind.replace(bad_kind.find("tokenizer word"), 14, "tokenizer wort");
  CHECK(refused(bad_kind).find("names no word, char or bpe") != std::string::npos);
  std::string bad_escape = text;
  bad_escape.replace(bad_escape.find("<unk>"), 5, "<u\\q>");
  CHECK(refused(bad_escape).find("badly escaped") != std::string::npos);
}

TEST_CASE("max_len: token ids that could not fit in memory are refused before they are made", "[text]") {
  spec::Dataset spec = emails();
  spec.text.max_len = 1000000;  // 5,919 emails x 4 MB of ids each
  const LoadedDataset d = data::load_dataset(spec);
  REQUIRE(d.report.errors.size() == 1);
  CHECK(d.report.errors[0].id == DiagId::ModelShape);
  CHECK(d.report.errors[0].message() ==
        "the model cannot be built for this data: 5919 rows of text.max_len = 1000000 tokens need 22.0 GiB of token "
        "ids, more than 4 GiB; lower max_len");
  CHECK(d.tokens.empty());
}
