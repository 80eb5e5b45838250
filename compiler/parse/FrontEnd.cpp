#include "compiler/parse/FrontEnd.h"

#include "EDLLexer.h"
#include "EDLParser.h"
#include "Transformer.h"
#include "antlr4-runtime.h"

#include <set>

namespace edl {
namespace {

// Length of the well-formed UTF-8 sequence at `p` (RFC 3629: no overlong
// forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t utf8_length(const unsigned char *p, std::size_t left) {
  auto in = [](unsigned char b, unsigned char lo, unsigned char hi) { return b >= lo && b <= hi; };
  unsigned char c = p[0];
  if (c >= 0x01 && c <= 0x7F) return 1;
  if (in(c, 0xC2, 0xDF)) return left >= 2 && in(p[1], 0x80, 0xBF) ? 2 : 0;
  if (in(c, 0xE0, 0xEF)) {
    if (left < 3 || !in(p[2], 0x80, 0xBF)) return 0;
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    return in(p[1], lo, hi) ? 3 : 0;
  }
  if (in(c, 0xF0, 0xF4)) {
    if (left < 4 || !in(p[2], 0x80, 0xBF) || !in(p[3], 0x80, 0xBF)) return 0;
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    return in(p[1], lo, hi) ? 4 : 0;
  }
  return 0;
}

// Replaces bytes that are not valid UTF-8 (and NUL) with spaces, keeping
// every byte offset, and reports each. ANTLR's decoder throws on them.
// A leading byte-order mark becomes spaces too: ANTLR's input stream would
// drop it silently and shift every position after it by one.
std::string sanitize_utf8(const std::string &text, FileId file, DiagnosticEngine &diags) {
  std::string out = text;
  if (out.rfind("\xEF\xBB\xBF", 0) == 0) out.replace(0, 3, "   ");
  const auto *bytes = reinterpret_cast<const unsigned char *>(out.data());
  std::size_t i = 0;
  while (i < out.size()) {
    std::size_t len = utf8_length(bytes + i, out.size() - i);
    if (len > 0) {
      i += len;
      continue;
    }
    unsigned char c = bytes[i];
    out[i] = ' ';
    diags.report(DiagId::UnexpectedCharacter, {file, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(i + 1)},
                 {c == 0 ? "\\0" : "\\x" + std::string(1, "0123456789abcdef"[c >> 4]) + "0123456789abcdef"[c & 15]});
    ++i;
  }
  return out;
}

// Byte offset of each code point, for text that is not pure ASCII.
std::vector<std::uint32_t> code_point_offsets(const std::string &text) {
  std::vector<std::uint32_t> offsets;
  bool ascii = true;
  for (char ch : text) ascii = ascii && static_cast<unsigned char>(ch) < 0x80;
  if (ascii) return offsets;
  for (std::uint32_t i = 0; i < text.size(); ++i)
    if ((static_cast<unsigned char>(text[i]) >> 6) != 0x2) offsets.push_back(i);
  offsets.push_back(static_cast<std::uint32_t>(text.size()));
  return offsets;
}

std::string token_display(const antlr4::dfa::Vocabulary &vocab, std::size_t type) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case EDLLexer::IDENT: return "a name";
    case EDLLexer::INT: return "an integer";
    case EDLLexer::FLOAT: return "a number";
    case EDLLexer::STRING: return "a string";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  return lit.empty() ? vocab.getSymbolicName(type) : lit;
}

std::string describe_expected(const antlr4::misc::IntervalSet &set, const antlr4::dfa::Vocabulary &vocab) {
  auto has = [&](std::size_t t) { return set.contains(t); };
  if (has(EDLLexer::INT) && has(EDLLexer::STRING) && has(EDLLexer::IDENT)) return "an expression";
  if (has(EDLLexer::DATASET) && has(EDLLexer::PROJECT) && has(EDLLexer::IMPORT)) return "a declaration";
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (ssize_t t : set.toList()) {
    // Declaration words also stand for names: list only "a name".
    if (t >= EDLLexer::PROJECT && t <= EDLLexer::DEPLOY && has(EDLLexer::IDENT)) continue;
    std::string n = token_display(vocab, static_cast<std::size_t>(t));
    if (seen.insert(n).second) names.push_back(n);
  }
  if (names.empty()) return "something else";
  if (names.size() > 6) names.resize(6);
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? " or " : ", ";
    out += names[i];
  }
  return out;
}

// Bounds on how deep a tree the parser, and every recursive pass after it,
// can be asked to build: far beyond any real project, well within the stack.
constexpr std::size_t kMaxBrackets = 256;
constexpr std::size_t kMaxOperatorDepth = 2000;

// Finds the first token at which nesting passes the bounds, counting open
// brackets and the operators chained along the path to each token (a
// separator starts a new chain at its bracket level).
antlr4::Token *too_deep(const std::vector<std::unique_ptr<antlr4::Token>> &tokens) {
  std::vector<std::size_t> base{0};  // operator count where each open bracket started
  std::size_t ops = 0;
  for (const auto &t : tokens) {
    if (t->getChannel() != antlr4::Token::DEFAULT_CHANNEL) continue;
    switch (t->getType()) {
      case EDLLexer::LPAREN:
      case EDLLexer::LBRACK:
      case EDLLexer::LBRACE:
        base.push_back(ops);
        if (base.size() > kMaxBrackets) return t.get();
        break;
      case EDLLexer::RPAREN:
      case EDLLexer::RBRACK:
      case EDLLexer::RBRACE:
        if (base.size() > 1) {
          ops = base.back();
          base.pop_back();
        }
        break;
      case EDLLexer::COMMA:
      case EDLLexer::SEMI:
      case EDLLexer::ASSIGN: ops = base.back(); break;
      case EDLLexer::CARET: case EDLLexer::STAR: case EDLLexer::SLASH: case EDLLexer::PLUS:
      case EDLLexer::MINUS: case EDLLexer::LT: case EDLLexer::LE: case EDLLexer::GT: case EDLLexer::GE:
      case EDLLexer::EQ: case EDLLexer::NE: case EDLLexer::AND: case EDLLexer::OR: case EDLLexer::NOT:
      case EDLLexer::DOT:
        if (++ops > kMaxOperatorDepth) return t.get();
        break;
      default: break;
    }
  }
  return nullptr;
}

class SyntaxErrorListener : public antlr4::BaseErrorListener {
 public:
  SyntaxErrorListener(FileId file, const std::vector<std::uint32_t> &offsets, DiagnosticEngine &diags)
      : file_(file), offsets_(offsets), diags_(diags) {}

  void syntaxError(antlr4::Recognizer *recognizer, antlr4::Token *offending, size_t, size_t, const std::string &,
                   std::exception_ptr) override {
    auto *parser = dynamic_cast<antlr4::Parser *>(recognizer);
    if (!parser || !offending) return;
    // One error per position: recovery may complain repeatedly at a token.
    if (offending->getTokenIndex() == last_index_) return;
    last_index_ = offending->getTokenIndex();
    ++count_;
    std::string expected = "something else";
    try {
      expected = describe_expected(parser->getExpectedTokens(), parser->getVocabulary());
    } catch (...) {
      // The ATN could not say; the generic word is still correct.
    }
    std::string found = offending->getType() == antlr4::Token::EOF ? "end of file" : "'" + offending->getText() + "'";
    diags_.report(DiagId::SyntaxError, token_range(offending), {expected, found});
  }

  std::size_t count() const { return count_; }

 private:
  SourceRange token_range(antlr4::Token *t) const {
    auto at = [&](std::size_t i) {
      if (offsets_.empty()) return static_cast<std::uint32_t>(i);
      return offsets_[std::min(i, offsets_.size() - 1)];
    };
    if (t->getType() == antlr4::Token::EOF) {
      std::uint32_t b = at(t->getStartIndex());
      return {file_, b, b};
    }
    return {file_, at(t->getStartIndex()), at(t->getStopIndex() + 1)};
  }

  FileId file_;
  const std::vector<std::uint32_t> &offsets_;
  DiagnosticEngine &diags_;
  std::size_t last_index_ = static_cast<std::size_t>(-1);
  std::size_t count_ = 0;
};

}  // namespace

ParseResult parse_file(FileId id, const SourceManager &sm, DiagnosticEngine &diags) {
  ParseResult result;
  const std::size_t errors_before = diags.error_count();
  std::string text = sanitize_utf8(sm.text(id), id, diags);
  std::vector<std::uint32_t> offsets = code_point_offsets(text);
  auto byte_range = [&](antlr4::Token *t) {
    auto at = [&](std::size_t i) { return offsets.empty() ? static_cast<std::uint32_t>(i) : offsets[i]; };
    return SourceRange{id, at(t->getStartIndex()), at(t->getStopIndex() + 1)};
  };

  antlr4::ANTLRInputStream input(text);
  EDLLexer lexer(&input);
  lexer.removeErrorListeners();

  // Lexical errors are reported here, and the bad tokens repaired or dropped,
  // so the parser only ever complains about structure.
  std::vector<std::unique_ptr<antlr4::Token>> tokens;
  for (auto &t : lexer.getAllTokens()) {
    switch (t->getType()) {
      case EDLLexer::ERROR_CHAR:
        diags.report(DiagId::UnexpectedCharacter, byte_range(t.get()), {t->getText()});
        continue;
      case EDLLexer::UNTERMINATED_STRING:
        diags.report(DiagId::UnterminatedString, byte_range(t.get()));
        static_cast<antlr4::CommonToken *>(t.get())->setType(EDLLexer::STRING);
        static_cast<antlr4::CommonToken *>(t.get())->setText(t->getText() + "\"");
        break;
      case EDLLexer::UNTERMINATED_COMMENT:
        diags.report(DiagId::UnterminatedComment, byte_range(t.get()));
        static_cast<antlr4::CommonToken *>(t.get())->setChannel(antlr4::Token::HIDDEN_CHANNEL);
        break;
      case EDLLexer::DOC_COMMENT:
      case EDLLexer::LINE_COMMENT:
      case EDLLexer::BLOCK_COMMENT:
        result.comments.push_back({byte_range(t.get()), t->getType() == EDLLexer::DOC_COMMENT});
        break;
      default: break;
    }
    tokens.push_back(std::move(t));
  }

  if (antlr4::Token *deep = too_deep(tokens)) {
    diags.report(DiagId::NestingTooDeep, byte_range(deep), {std::to_string(kMaxOperatorDepth)});
    return result;
  }

  // An explicit end-of-file token: the list source rejects an empty list.
  auto eof = std::make_unique<antlr4::CommonToken>(antlr4::Token::EOF, "<EOF>");
  eof->setStartIndex(input.size());
  eof->setStopIndex(input.size() - 1);
  eof->setTokenIndex(tokens.size());
  tokens.push_back(std::move(eof));
  antlr4::ListTokenSource source(std::move(tokens));
  antlr4::CommonTokenStream stream(&source);
  EDLParser parser(&stream);
  parser.removeErrorListeners();

  // Two-stage parse: SLL prediction is much faster and enough for almost
  // every file; only when it fails do we pay for full LL with recovery.
  EDLParser::FileContext *tree = nullptr;
  parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
  parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
  try {
    tree = parser.file();
  } catch (const antlr4::ParseCancellationException &) {
    stream.seek(0);
    parser.reset();
    SyntaxErrorListener listener(id, offsets, diags);
    parser.addErrorListener(&listener);
    parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
    parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
    tree = parser.file();
    parser.removeErrorListeners();
    if (listener.count() > 0) {
      DiagnosticEngine follow_on;  // what the holes would say is noise
      parse::Transformer partial(id, static_cast<std::uint32_t>(text.size()), offsets, stream, follow_on);
      result.partial = partial.transform(tree);
      return result;
    }
  }
  // Even after repaired lexical errors the tree is complete, so the
  // transformer still reports bad escapes and numbers; but later stages only
  // see a file that had no error at all.
  parse::Transformer transformer(id, static_cast<std::uint32_t>(text.size()), offsets, stream, diags);
  ast::File file = transformer.transform(tree);
  if (diags.error_count() == errors_before) result.file = std::move(file);
  else result.partial = std::move(file);
  return result;
}

}  // namespace edl
