// Completion works on text that is being typed and rarely parses, so the
// context comes from a small scanner over the text before the cursor
// (brackets, keys, callees), and the candidates from the catalogue and the
// names the last analysis declared.
#include "compiler/lsp/Features.h"

#include "stdlib/Catalogue.h"

#include <cctype>
#include <set>

namespace edl::lsp {
namespace {

using stdlib::Category;
using stdlib::TypeKind;

// LSP CompletionItemKind numbers.
constexpr int kFunction = 3, kField = 5, kVariable = 6, kModule = 9, kProperty = 10, kValue = 12,
              kKeyword = 14, kReference = 18, kEnumMember = 20;

struct Frame {
  char open;          // '{', '(' or '['
  std::string head;   // decl keyword, record key, callee or list key
  bool decl = false;  // a declaration's block
  bool steps = false; // a block of augment steps
  std::string key;    // the key of the property being written at this level
};

struct Context {
  std::vector<Frame> frames;
  std::string word;           // the identifier being typed
  std::string member_of;      // `obj.` before the word
  enum { Key, Value, Argument, TopLevel } where = TopLevel;
  std::string value_key;      // Value: the key before `=`
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

Context scan(const std::string &text, std::size_t end) {
  Context ctx;
  std::string last_ident, statement_head;
  char last_sig = '{';  // the last significant punctuation or 'a' for a word or value
  std::string ident_before_eq;
  for (std::size_t i = 0; i < end; ++i) {
    char c = text[i];
    if (c == '/' && i + 1 < end && text[i + 1] == '/') {
      while (i < end && text[i] != '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < end && text[i + 1] == '*') {
      std::size_t close = text.find("*/", i + 2);
      i = close == std::string::npos || close + 1 >= end ? end : close + 1;
      continue;
    }
    if (c == '"') {
      ++i;
      while (i < end && text[i] != '"' && text[i] != '\n') i += text[i] == '\\' ? 2 : 1;
      last_sig = 'a';
      continue;
    }
    if (ident_char(c)) {
      std::size_t b = i;
      while (i < end && ident_char(text[i])) ++i;
      std::string word = text.substr(b, i - b);
      --i;
      if (ctx.frames.empty() && (last_sig == '{' || last_sig == '}' || last_sig == ';' || last_sig == 'a') &&
          statement_head.empty())
        statement_head = word;
      last_ident = word;
      last_sig = 'a';
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    switch (c) {
      case '=':
        if (i + 1 < end && text[i + 1] == '=') {
          ++i;
          last_sig = 'o';
          break;
        }
        if (!ctx.frames.empty()) ctx.frames.back().key = last_ident;
        ident_before_eq = last_ident;
        last_sig = '=';
        break;
      case '{': {
        Frame f{'{', "", false, false, ""};
        if (ctx.frames.empty()) {
          f.decl = true;
          f.head = statement_head;
          f.steps = statement_head == "augment";
        } else if (last_sig == '=') {
          f.head = ctx.frames.back().key;
        } else {
          f.steps = true;  // one_of { ... }, maybe(p = 0.5) { ... }
        }
        ctx.frames.push_back(f);
        last_sig = '{';
        break;
      }
      case '(':
        ctx.frames.push_back({'(', last_sig == 'a' ? last_ident : "", false, false, ""});
        last_sig = '(';
        break;
      case '[':
        ctx.frames.push_back({'[', ctx.frames.empty() ? "" : ctx.frames.back().key, false, false, ""});
        last_sig = '[';
        break;
      case '}':
      case ')':
      case ']':
        if (!ctx.frames.empty()) ctx.frames.pop_back();
        if (ctx.frames.empty() && c == '}') statement_head.clear();
        last_sig = c == '}' ? '}' : 'a';
        break;
      case ',':
      case ';': last_sig = c; break;
      default: last_sig = 'o'; break;
    }
  }
  // The word being typed and what stands before it.
  std::size_t b = end;
  while (b > 0 && ident_char(text[b - 1])) --b;
  ctx.word = text.substr(b, end - b);
  if (b > 0 && text[b - 1] == '.') {
    std::size_t o = b - 1;
    while (o > 0 && ident_char(text[o - 1])) --o;
    ctx.member_of = text.substr(o, b - 1 - o);
  }
  // The state before the word: re-scan ended on the word itself as 'a'.
  std::size_t p = b;
  while (p > 0 && (text[p - 1] == ' ' || text[p - 1] == '\t')) --p;
  char before = p > 0 ? text[p - 1] : '\n';
  if (ctx.frames.empty()) {
    ctx.where = Context::TopLevel;
  } else if (before == '=' && !(p > 1 && std::string("=<>!").find(text[p - 2]) != std::string::npos)) {
    ctx.where = Context::Value;
    ctx.value_key = ctx.frames.back().key;
  } else if (ctx.frames.back().open == '(') {
    ctx.where = before == '(' || before == ',' ? Context::Argument : Context::Value;
    ctx.value_key = ctx.frames.back().key;
  } else if (ctx.frames.back().open == '[') {
    ctx.where = Context::Value;
    ctx.value_key = ctx.frames.back().head;
  } else {
    ctx.where = Context::Key;
  }
  return ctx;
}

const stdlib::Type *narrow(const stdlib::Type *t, TypeKind kind) {
  if (!t || t->kind != TypeKind::OneOf) return t && t->kind == kind ? t : nullptr;
  for (const auto &alt : t->alternatives)
    if (alt->kind == kind) return alt.get();
  return nullptr;
}

const stdlib::Field *field_named(const std::vector<stdlib::Field> *fields, const std::string &name) {
  if (!fields) return nullptr;
  for (const stdlib::Field &f : *fields)
    if (f.name == name) return &f;
  return nullptr;
}

// The fields (block properties, record fields or call parameters) that the
// innermost frame accepts, found by walking the frames from the outside in.
struct Scope {
  const std::vector<stdlib::Field> *fields = nullptr;
  const stdlib::Function *function = nullptr;
};

Scope resolve(const std::vector<Frame> &frames) {
  const auto &cat = stdlib::catalogue();
  Scope s;
  const stdlib::Type *pending = nullptr;  // the type of the key that opened a nested frame
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const Frame &f = frames[i];
    s.function = nullptr;
    if (f.decl) {
      const stdlib::BlockSchema *b = nullptr;
      for (const stdlib::BlockSchema &schema : cat.blocks_)
        if (f.head == ast::to_string(schema.kind)) b = &schema;
      s.fields = b ? &b->properties : nullptr;
    } else if (f.open == '{' && !f.steps) {
      const stdlib::Field *fld = field_named(s.fields, f.head);
      const stdlib::Type *rec = narrow(fld ? fld->type.get() : pending, TypeKind::Record);
      s.fields = rec ? &rec->fields : nullptr;
    } else if (f.open == '(') {
      // The call's expected type: a list's element, or the type of the key
      // the enclosing frame was writing.
      const stdlib::Type *outer = nullptr;
      if (i > 0 && frames[i - 1].open == '[') outer = pending;
      else if (const stdlib::Field *fld = field_named(s.fields, i > 0 ? frames[i - 1].key : "")) outer = fld->type.get();
      const stdlib::Type *callt = narrow(outer, TypeKind::Call);
      const stdlib::Function *fn = callt ? cat.find(callt->category, f.head) : nullptr;
      if (!fn) fn = cat.find_any(f.head);
      s.function = fn;
      s.fields = fn ? &fn->params : nullptr;
    } else if (f.open == '[') {
      const stdlib::Field *fld = field_named(s.fields, f.head);
      const stdlib::Type *list = narrow(fld ? fld->type.get() : nullptr, TypeKind::List);
      pending = list ? list->element.get() : nullptr;
    }
  }
  return s;
}

void add(nlohmann::json &items, std::set<std::string> &seen, const std::string &label, int kind,
         const std::string &detail, const std::string &insert = "") {
  if (!seen.insert(label).second) return;
  nlohmann::json item = {{"label", label}, {"kind", kind}, {"detail", detail}};
  if (!insert.empty()) item["insertText"] = insert;
  items.push_back(item);
}

void add_type_values(nlohmann::json &items, std::set<std::string> &seen, const stdlib::Type &t, const Analysis *last) {
  const auto &cat = stdlib::catalogue();
  switch (t.kind) {
    case TypeKind::OneOf:
      for (const auto &alt : t.alternatives) add_type_values(items, seen, *alt, last);
      return;
    case TypeKind::Call:
      for (const stdlib::Function *f : cat.functions(t.category))
        add(items, seen, f->name, kFunction, f->doc, f->name + "(");
      return;
    case TypeKind::Enum:
      for (const std::string &v : t.values) add(items, seen, t.quoted ? "\"" + v + "\"" : v, kEnumMember, t.describe());
      return;
    case TypeKind::Ref:
      if (last)
        for (ast::DeclKind k : t.refs)
          for (const auto &[name, decl] : last->checked.decls[static_cast<int>(k)])
            add(items, seen, name, kReference, ast::to_string(k));
      return;
    case TypeKind::Metric:
    case TypeKind::Condition:
      for (const std::string &s : cat.metric_splits()) add(items, seen, s, kModule, "metrics of the " + s + " split", s + ".");
      return;
    case TypeKind::OpName:
      for (const stdlib::Function *f : cat.functions(Category::AugmentOp))
        if (f->domains & stdlib::kImage) add(items, seen, f->name, kFunction, f->doc);
      return;
    case TypeKind::Bool:
      add(items, seen, "true", kValue, "");
      add(items, seen, "false", kValue, "");
      return;
    case TypeKind::None: add(items, seen, "none", kValue, ""); return;
    case TypeKind::List:
      if (t.element) add_type_values(items, seen, *t.element, last);
      return;
    default: return;
  }
}

}  // namespace

nlohmann::json complete(const std::string &text, std::uint32_t offset, const Analysis *last) {
  const auto &cat = stdlib::catalogue();
  Context ctx = scan(text, std::min<std::size_t>(offset, text.size()));
  nlohmann::json items = nlohmann::json::array();
  std::set<std::string> seen;

  if (!ctx.member_of.empty()) {
    if (last)
      if (const ast::Decl *space = last->checked.find(ast::DeclKind::Space, ctx.member_of)) {
        for (const ast::Property &p : space->properties) add(items, seen, p.key, kVariable, "searched variable");
        return items;
      }
    for (const std::string &s : cat.metric_splits())
      if (s == ctx.member_of)
        for (const std::string &m : cat.metric_names()) add(items, seen, m, kField, "metric on the " + s + " split");
    return items;
  }

  switch (ctx.where) {
    case Context::TopLevel:
      for (const char *k : {"project", "dataset", "augment", "op", "model", "space", "train", "label", "deploy",
                            "import"})
        add(items, seen, k, kKeyword, "declaration");
      return items;
    case Context::Key: {
      const Frame &f = ctx.frames.back();
      if (f.steps) {
        for (Category c : {Category::AugmentOp, Category::Control, Category::Policy})
          for (const stdlib::Function *fn : cat.functions(c)) add(items, seen, fn->name, kFunction, fn->doc, fn->name + "(");
        if (last)
          for (const auto &[name, decl] : last->checked.decls[static_cast<int>(ast::DeclKind::Op)])
            add(items, seen, name, kFunction, "op of this project", name + "(");
        return items;
      }
      Scope s = resolve(ctx.frames);
      if (s.fields)
        for (const stdlib::Field &fld : *s.fields) add(items, seen, fld.name, kProperty, fld.doc, fld.name + " = ");
      return items;
    }
    case Context::Argument: {
      Scope s = resolve(ctx.frames);
      if (s.fields)
        for (const stdlib::Field &fld : *s.fields) add(items, seen, fld.name, kProperty, fld.doc, fld.name + " = ");
      return items;
    }
    case Context::Value: {
      std::vector<Frame> frames = ctx.frames;
      Scope s = resolve(frames);
      const stdlib::Field *fld = field_named(s.fields, ctx.value_key);
      if (fld) add_type_values(items, seen, *fld->type, last);
      // Any value may come from a space.
      if (last)
        for (const auto &[name, decl] : last->checked.decls[static_cast<int>(ast::DeclKind::Space)])
          add(items, seen, name, kModule, "space", name + ".");
      return items;
    }
  }
  return items;
}

}  // namespace edl::lsp
