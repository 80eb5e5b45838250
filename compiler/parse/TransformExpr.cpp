// Transformer, expression half: operators, calls, lists, records, literals.
#include "Transformer.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace edl::parse {
namespace {

std::string without_underscores(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  return s;
}

ast::BinaryOp binary_op(std::size_t token) {
  switch (token) {
    case EDLParser::CARET: return ast::BinaryOp::Pow;
    case EDLParser::STAR: return ast::BinaryOp::Mul;
    case EDLParser::SLASH: return ast::BinaryOp::Div;
    case EDLParser::PLUS: return ast::BinaryOp::Add;
    case EDLParser::MINUS: return ast::BinaryOp::Sub;
    case EDLParser::LT: return ast::BinaryOp::Lt;
    case EDLParser::LE: return ast::BinaryOp::Le;
    case EDLParser::GT: return ast::BinaryOp::Gt;
    case EDLParser::GE: return ast::BinaryOp::Ge;
    case EDLParser::EQ: return ast::BinaryOp::Eq;
    case EDLParser::NE: return ast::BinaryOp::Ne;
    case EDLParser::AND: return ast::BinaryOp::And;
    default: return ast::BinaryOp::Or;
  }
}

}  // namespace

ast::ExprPtr Transformer::expr(EDLParser::ExprContext *ctx, SourceRange missing_at) {
  if (!ctx) return missing(missing_at);
  SourceRange r = range(ctx);
  const SourceRange end = after(ctx);
  if (auto *p = dynamic_cast<EDLParser::PrimaryExprContext *>(ctx)) return primary(p->primary(), r);
  if (auto *m = dynamic_cast<EDLParser::MemberExprContext *>(ctx))
    return std::make_unique<ast::Member>(expr(m->expr(), end), name_text(m->name()), name_range(m->name(), end), r);
  if (auto *p = dynamic_cast<EDLParser::PowerExprContext *>(ctx))
    return std::make_unique<ast::Binary>(ast::BinaryOp::Pow, expr(p->expr(0), end), expr(p->expr(1), end), r);
  if (auto *u = dynamic_cast<EDLParser::UnaryExprContext *>(ctx)) {
    auto op = u->op->getType() == EDLParser::NOT ? ast::UnaryOp::Not : ast::UnaryOp::Neg;
    return std::make_unique<ast::Unary>(op, expr(u->expr(), end), r);
  }
  if (auto *b = dynamic_cast<EDLParser::BinaryExprContext *>(ctx))
    return std::make_unique<ast::Binary>(binary_op(b->op->getType()), expr(b->expr(0), end), expr(b->expr(1), end), r);
  return missing(r);  // recovery gave up before choosing an alternative
}

ast::ExprPtr Transformer::primary(EDLParser::PrimaryContext *ctx, SourceRange missing_at) {
  if (!ctx) return missing(missing_at);
  SourceRange r = range(ctx);
  if (auto *l = dynamic_cast<EDLParser::LiteralPrimaryContext *>(ctx))
    return l->literal() ? literal(l->literal()) : missing(r);
  if (auto *n = dynamic_cast<EDLParser::NamePrimaryContext *>(ctx))
    return std::make_unique<ast::Name>(name_text(n->name()), r);
  if (auto *c = dynamic_cast<EDLParser::CallPrimaryContext *>(ctx)) {
    auto call = std::make_unique<ast::Call>(name_text(c->name()), name_range(c->name(), r), r);
    call->args = arguments(c->arguments());
    return call;
  }
  if (auto *l = dynamic_cast<EDLParser::ListPrimaryContext *>(ctx)) {
    auto list = std::make_unique<ast::List>(r);
    for (auto *e : l->expr()) list->items.push_back(expr(e, after(l)));
    return list;
  }
  if (auto *rec = dynamic_cast<EDLParser::RecordPrimaryContext *>(ctx)) {
    auto record = std::make_unique<ast::Record>(r);
    record->fields = properties(rec->property());
    return record;
  }
  // Parentheses only group; the range keeps them so carets cover what was written.
  if (auto *p = dynamic_cast<EDLParser::ParenPrimaryContext *>(ctx)) {
    ast::ExprPtr inner = expr(p->expr(), r);
    inner->range = r;
    return inner;
  }
  return missing(r);  // recovery gave up before choosing an alternative
}

ast::ExprPtr Transformer::literal(EDLParser::LiteralContext *ctx) {
  if (ctx->children.empty()) return missing(range(ctx));
  antlr4::Token *tok = ctx->getStart();
  SourceRange r = range(tok);
  std::string text = tok->getText();
  auto make = [&](ast::LiteralKind k) {
    auto lit = std::make_unique<ast::Literal>(k, r);
    lit->spelling = text;
    return lit;
  };
  auto parse_double = [&](const std::string &s) {
    errno = 0;
    double v = std::strtod(without_underscores(s).c_str(), nullptr);
    if (errno == ERANGE || !std::isfinite(v)) diags_.report(DiagId::NumberOutOfRange, r, {text});
    return std::isfinite(v) ? v : 0.0;
  };
  auto parse_int = [&](const std::string &s) -> std::int64_t {
    errno = 0;
    long long v = std::strtoll(without_underscores(s).c_str(), nullptr, 10);
    if (errno == ERANGE) {
      diags_.report(DiagId::NumberOutOfRange, r, {text});
      return 0;
    }
    return v;
  };
  switch (tok->getType()) {
    case EDLParser::INT: {
      auto lit = make(ast::LiteralKind::Int);
      lit->int_value = parse_int(text);
      lit->number = static_cast<double>(lit->int_value);
      return lit;
    }
    case EDLParser::FLOAT: {
      auto lit = make(ast::LiteralKind::Float);
      lit->number = parse_double(text);
      return lit;
    }
    case EDLParser::PERCENT: {
      auto lit = make(ast::LiteralKind::Percent);
      lit->number = parse_double(text.substr(0, text.size() - 1)) / 100.0;
      return lit;
    }
    case EDLParser::DURATION: {
      auto lit = make(ast::LiteralKind::Duration);
      char unit = text.back();
      double scale = unit == 'h' ? 3600 : unit == 'm' ? 60 : 1;
      lit->number = parse_double(text.substr(0, text.size() - 1)) * scale;
      return lit;
    }
    case EDLParser::SIZE: {
      auto lit = make(ast::LiteralKind::Size);
      std::size_t x = text.find('x');
      lit->int_value = parse_int(text.substr(0, x));
      lit->height = parse_int(text.substr(x + 1));
      return lit;
    }
    case EDLParser::STRING: {
      auto lit = make(ast::LiteralKind::String);
      lit->text = string_value(tok);
      return lit;
    }
    case EDLParser::TRUE:
    case EDLParser::FALSE: {
      auto lit = make(ast::LiteralKind::Bool);
      lit->boolean = tok->getType() == EDLParser::TRUE;
      return lit;
    }
    default: return make(ast::LiteralKind::None);
  }
}

std::string Transformer::string_value(antlr4::Token *token) {
  SourceRange r = range(token);
  std::string raw = token->getText();
  std::string out;
  // Quotes are one byte each; the body keeps its byte offsets from r.begin + 1.
  for (std::size_t i = 1; i + 1 < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    char e = raw[i + 1];
    switch (e) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      default: {
        std::uint32_t at = r.begin + static_cast<std::uint32_t>(i);
        std::size_t len = 2;
        while (i + len < raw.size() - 1 && (static_cast<unsigned char>(raw[i + len]) >> 6) == 0x2) ++len;
        diags_.report(DiagId::InvalidEscape, {file_, at, at + static_cast<std::uint32_t>(len)}, {raw.substr(i, len)});
      }
    }
    ++i;
  }
  return out;
}

}  // namespace edl::parse
