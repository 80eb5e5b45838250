#include "compiler/format/Formatter.h"

#include <algorithm>
#include <optional>

namespace edl {
namespace {

constexpr int kIndent = 2;

std::string quote(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

int expr_precedence(const ast::Expr &e) {
  if (const auto *b = e.as<ast::Binary>()) return ast::precedence(b->op);
  if (const auto *u = e.as<ast::Unary>()) return ast::precedence(u->op);
  return 100;
}

std::string flat_args(const std::vector<ast::Argument> &args) {
  std::string out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (!args[i].name.empty()) out += args[i].name + " = ";
    out += format_expr_flat(*args[i].value);
  }
  return out;
}


class Formatter {
 public:
  Formatter(const std::vector<Comment> &comments, const std::string &src) : comments_(comments), src_(src) {}

  std::string run(const ast::File &file) {
    // Imports and declarations in source order.
    struct Item {
      std::uint32_t begin;
      const ast::Import *import;
      const ast::Decl *decl;
    };
    std::vector<Item> items;
    for (const ast::Import &i : file.imports) items.push_back({i.range.begin, &i, nullptr});
    for (const ast::Decl &d : file.decls) items.push_back({d.range.begin, nullptr, &d});
    std::sort(items.begin(), items.end(), [](const Item &a, const Item &b) { return a.begin < b.begin; });

    bool prev_import = false;
    for (const Item &item : items) {
      bool first = out_.empty();
      std::uint32_t begin = item.import ? item.import->range.begin : item.decl->range.begin;
      // Declarations are always separated by one blank line; imports stay
      // together unless a blank line separated them.
      bool blank = !first && (!(prev_import && item.import) || blank_between(last_end_, first_comment_or(begin)));
      leading_comments(begin, 0, blank, begin);
      if (item.import) {
        if (blank && !just_commented_) out_ += "\n";
        line(0, "import " + quote(item.import->path) + trailing_comment(item.import->range.end));
        last_end_ = std::max(last_end_, item.import->range.end);
      } else {
        if (blank && !just_commented_) out_ += "\n";
        decl(*item.decl);
      }
      prev_import = item.import != nullptr;
    }
    const auto end = static_cast<std::uint32_t>(src_.size()) + 1;
    leading_comments(end, 0, !out_.empty() && blank_between(last_end_, first_comment_or(end)));
    return out_;
  }

 private:
  // ---- comments and blank lines -------------------------------------------

  std::string comment_text(const Comment &c) const {
    std::string t = src_.substr(c.range.begin, c.range.size());
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t' || t.back() == '\r')) t.pop_back();
    return t;
  }

  bool blank_between(std::uint32_t a, std::uint32_t b) const {
    int newlines = 0;
    for (std::uint32_t i = a; i < b && i < src_.size(); ++i) {
      char c = src_[i];
      if (c == '\n') {
        if (++newlines >= 2) return true;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        newlines = 0;
      }
    }
    return false;
  }

  bool same_line(std::uint32_t a, std::uint32_t b) const {
    for (std::uint32_t i = a; i < b && i < src_.size(); ++i)
      if (src_[i] == '\n') return false;
    return true;
  }

  std::uint32_t first_comment_or(std::uint32_t offset) const {
    if (next_ < comments_.size() && comments_[next_].range.begin < offset) return comments_[next_].range.begin;
    return offset;
  }

  // Emits every comment that starts before `before` on its own line. The
  // first gets a blank line above when `blank_first` says so; later ones
  // keep the blank lines of the source, and so does the item that follows
  // at `item_begin`, if any.
  void leading_comments(std::uint32_t before, int indent, bool blank_first,
                        std::optional<std::uint32_t> item_begin = std::nullopt) {
    just_commented_ = false;
    bool first = true;
    while (next_ < comments_.size() && comments_[next_].range.begin < before) {
      const Comment &c = comments_[next_++];
      bool blank = first ? blank_first : blank_between(last_end_, c.range.begin);
      if (blank && !out_.empty()) out_ += "\n";
      line(indent, comment_text(c));
      last_end_ = std::max(last_end_, c.range.end);
      first = false;
      just_commented_ = true;
    }
    if (just_commented_ && item_begin && blank_between(last_end_, *item_begin)) out_ += "\n";
  }

  // Comments after `end` on the same source line, appended to that line.
  std::string trailing_comment(std::uint32_t end) {
    std::string t;
    while (next_ < comments_.size() && comments_[next_].range.begin >= end &&
           same_line(end, comments_[next_].range.begin)) {
      const Comment &c = comments_[next_++];
      t += " " + comment_text(c);
      end = c.range.end;
      last_end_ = std::max(last_end_, end);
    }
    return t;
  }

  // Whether a comment will be printed between two items (so alignment
  // groups break there): one after `prev_end` that is not trailing it, and
  // starts before `next_end`.
  bool comment_between(std::uint32_t prev_end, std::uint32_t next_end) const {
    for (std::size_t i = next_; i < comments_.size(); ++i) {
      const Comment &c = comments_[i];
      if (c.range.begin >= next_end) break;
      if (c.range.begin < prev_end) continue;
      if (same_line(prev_end, c.range.begin)) {
        prev_end = c.range.end;  // a trailing comment of the previous item
        continue;
      }
      return true;
    }
    return false;
  }

  void line(int indent, const std::string &text) {
    out_ += std::string(static_cast<std::size_t>(indent), ' ') + text + "\n";
  }

  std::uint32_t find_char(char ch, std::uint32_t from) const {
    std::size_t p = src_.find(ch, from);
    return p == std::string::npos ? from : static_cast<std::uint32_t>(p);
  }

  // ---- declarations -------------------------------------------------------

  void decl(const ast::Decl &d) {
    std::string head = std::string(ast::to_string(d.kind)) + " " + (d.name_is_string ? quote(d.name) : d.name);
    if (d.kind == ast::DeclKind::Op) {
      std::string params;
      for (std::size_t i = 0; i < d.params.size(); ++i)
        params += (i ? ", " : "") + d.params[i].name + ": " + d.params[i].type;
      std::string text = head + "(" + params + ") = " + format_expr_flat(*d.body);
      leading_comments(d.range.end, 0, false);
      line(0, text + trailing_comment(d.range.end));
      last_end_ = std::max(last_end_, d.range.end);
      return;
    }
    std::uint32_t open = find_char('{', d.name_range.end);
    line(0, head + " {" + trailing_comment(open + 1));
    last_end_ = std::max(last_end_, open + 1);
    if (d.kind == ast::DeclKind::Augment) steps(d.steps, kIndent);
    else properties(d.properties, kIndent);
    close_block(d.range.end, 0);
  }

  void close_block(std::uint32_t end, int indent) {
    leading_comments(end - 1, indent + kIndent, blank_between(last_end_, first_comment_or(end - 1)));
    line(indent, "}" + trailing_comment(end));
    last_end_ = std::max(last_end_, end);
  }

  // Properties in groups: a blank line or a comment between two properties
  // starts a new group; `=` signs line up within a group.
  void properties(const std::vector<ast::Property> &props, int indent) {
    std::size_t i = 0;
    bool first_in_block = true;
    while (i < props.size()) {
      std::size_t j = i + 1;
      while (j < props.size() && !blank_between(props[j - 1].range.end, props[j].range.begin) &&
             !comment_between(props[j - 1].range.end, props[j].range.end))
        ++j;
      std::size_t width = 0;
      for (std::size_t k = i; k < j; ++k) width = std::max(width, props[k].key.size());
      for (std::size_t k = i; k < j; ++k) {
        const ast::Property &p = props[k];
        bool blank = !first_in_block && blank_between(last_end_, first_comment_or(p.range.begin));
        leading_comments(p.range.end, indent, blank, p.range.begin);
        if (blank && !just_commented_) out_ += "\n";
        std::string key = p.key + std::string(width - p.key.size(), ' ') + " = ";
        std::string value = expr(*p.value, indent, indent + static_cast<int>(key.size()));
        line(indent, key + value + trailing_comment(p.range.end));
        last_end_ = std::max(last_end_, p.range.end);
        first_in_block = false;
      }
      i = j;
    }
  }

  void steps(const std::vector<ast::Step> &list, int indent) {
    bool first_in_block = true;
    for (const ast::Step &s : list) {
      bool blank = !first_in_block && blank_between(last_end_, first_comment_or(s.range.begin));
      std::uint32_t head_end = s.has_block ? find_char('{', s.name_range.end) : s.range.end;
      leading_comments(head_end, indent, blank, s.range.begin);
      if (blank && !just_commented_) out_ += "\n";
      std::string head = s.name;
      if (s.has_parens) head += call_args(s.args, indent, indent + static_cast<int>(s.name.size()));
      if (!s.has_block) {
        line(indent, head + trailing_comment(s.range.end));
        last_end_ = std::max(last_end_, s.range.end);
      } else {
        line(indent, head + " {" + trailing_comment(head_end + 1));
        last_end_ = std::max(last_end_, head_end + 1);
        steps(s.body, indent + kIndent);
        close_block(s.range.end, indent);
      }
      first_in_block = false;
    }
  }

  // ---- expressions --------------------------------------------------------

  // `e` starting at `column`, inside a block indented by `indent`: on one
  // line when it fits, else calls, lists and records break one item a line.
  std::string expr(const ast::Expr &e, int indent, int column) {
    std::string flat = format_expr_flat(e);
    if (column + static_cast<int>(flat.size()) <= kFormatWidth) return flat;
    if (const auto *c = e.as<ast::Call>()) {
      if (c->args.empty()) return flat;
      return c->callee + call_args(c->args, indent, column + static_cast<int>(c->callee.size()));
    }
    if (const auto *l = e.as<ast::List>()) {
      if (l->items.empty()) return flat;
      std::string out = "[\n";
      int inner = indent + kIndent;
      for (const auto &item : l->items)
        out += std::string(static_cast<std::size_t>(inner), ' ') + expr(*item, inner, inner) + ",\n";
      return out + std::string(static_cast<std::size_t>(indent), ' ') + "]";
    }
    if (const auto *r = e.as<ast::Record>()) {
      if (r->fields.empty()) return flat;
      std::size_t width = 0;
      for (const ast::Property &f : r->fields) width = std::max(width, f.key.size());
      std::string out = "{\n";
      int inner = indent + kIndent;
      for (const ast::Property &f : r->fields) {
        std::string key = f.key + std::string(width - f.key.size(), ' ') + " = ";
        out += std::string(static_cast<std::size_t>(inner), ' ') + key +
               expr(*f.value, inner, inner + static_cast<int>(key.size())) + "\n";
      }
      return out + std::string(static_cast<std::size_t>(indent), ' ') + "}";
    }
    return flat;
  }

  std::string call_args(const std::vector<ast::Argument> &args, int indent, int column) {
    std::string flat = "(" + flat_args(args) + ")";
    if (args.empty() || column + static_cast<int>(flat.size()) <= kFormatWidth) return flat;
    std::string out = "(\n";
    int inner = indent + kIndent;
    for (const ast::Argument &a : args) {
      std::string prefix = a.name.empty() ? "" : a.name + " = ";
      out += std::string(static_cast<std::size_t>(inner), ' ') + prefix +
             expr(*a.value, inner, inner + static_cast<int>(prefix.size())) + ",\n";
    }
    return out + std::string(static_cast<std::size_t>(indent), ' ') + ")";
  }

  const std::vector<Comment> &comments_;
  const std::string &src_;
  std::size_t next_ = 0;
  std::uint32_t last_end_ = 0;
  bool just_commented_ = false;
  std::string out_;
};

}  // namespace

std::string format_expr_flat(const ast::Expr &e) {
  switch (e.kind) {
    case ast::ExprKind::Literal: {
      const auto &l = *e.as<ast::Literal>();
      return l.literal == ast::LiteralKind::None ? "none" : l.spelling;
    }
    case ast::ExprKind::Name: return e.as<ast::Name>()->name;
    case ast::ExprKind::Member: {
      const auto &m = *e.as<ast::Member>();
      std::string obj = format_expr_flat(*m.object);
      if (expr_precedence(*m.object) < 100) obj = "(" + obj + ")";
      return obj + "." + m.member;
    }
    case ast::ExprKind::Call: {
      const auto &c = *e.as<ast::Call>();
      return c.callee + "(" + flat_args(c.args) + ")";
    }
    case ast::ExprKind::List: {
      std::string out = "[";
      const auto &l = *e.as<ast::List>();
      for (std::size_t i = 0; i < l.items.size(); ++i) out += (i ? ", " : "") + format_expr_flat(*l.items[i]);
      return out + "]";
    }
    case ast::ExprKind::Record: {
      const auto &r = *e.as<ast::Record>();
      if (r.fields.empty()) return "{}";
      std::string out = "{ ";
      for (std::size_t i = 0; i < r.fields.size(); ++i)
        out += (i ? ", " : "") + r.fields[i].key + " = " + format_expr_flat(*r.fields[i].value);
      return out + " }";
    }
    case ast::ExprKind::Unary: {
      const auto &u = *e.as<ast::Unary>();
      std::string inner = format_expr_flat(*u.operand);
      if (expr_precedence(*u.operand) < ast::precedence(u.op)) inner = "(" + inner + ")";
      // `- -x` must not become the `--x` the lexer reads differently.
      if (u.op == ast::UnaryOp::Neg) return "-" + (inner[0] == '-' ? " " + inner : inner);
      return "not " + inner;
    }
    case ast::ExprKind::Binary: {
      const auto &b = *e.as<ast::Binary>();
      int p = ast::precedence(b.op);
      bool right_assoc = b.op == ast::BinaryOp::Pow;
      std::string lhs = format_expr_flat(*b.lhs), rhs = format_expr_flat(*b.rhs);
      int lp = expr_precedence(*b.lhs), rp = expr_precedence(*b.rhs);
      if (lp < p || (right_assoc && lp == p)) lhs = "(" + lhs + ")";
      if (rp < p || (!right_assoc && rp == p)) rhs = "(" + rhs + ")";
      if (b.op == ast::BinaryOp::Pow) return lhs + "^" + rhs;
      return lhs + " " + ast::to_string(b.op) + " " + rhs;
    }
  }
  return "";
}

std::string format_file(const ast::File &file, const std::vector<Comment> &comments, const std::string &source) {
  return Formatter(comments, source).run(file);
}

}  // namespace edl
