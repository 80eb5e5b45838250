// Completion reads its context from the same tree as hover and symbols:
// in a file with syntax errors that is the partial tree the parser's error
// recovery built (an unfinished block reaches to the end of the file, a
// missing value is an empty name where it was expected). The innermost
// block, call, list or record around the cursor gives the frames; the
// candidates come from the catalogue and the names the analysis declared.
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
  std::string member_of;      // `obj.` before the cursor
  enum { Key, Value, Argument, TopLevel } where = TopLevel;
  std::string value_key;      // Value: the key before `=`
};

bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Walks the tree from the declaration around the cursor inwards.
class Locator {
 public:
  Locator(const std::string &text, std::uint32_t at) : text_(text), at_(at) {}

  Context locate(const ast::File *file) {
    ctx_.member_of = member_before();
    if (!file) return ctx_;
    const ast::Decl *around = nullptr;
    for (const ast::Decl &d : file->decls)
      if (d.range.begin <= at_) around = &d;
    // On the declaration's keyword or name, or past its closing brace: top level.
    if (!around || at_ <= around->name_range.end || !inside(around->range) || around->kind == ast::DeclKind::Op)
      return ctx_;
    ctx_.frames.push_back({'{', ast::to_string(around->kind), true, around->kind == ast::DeclKind::Augment, ""});
    if (around->kind == ast::DeclKind::Augment) steps(around->steps);
    else properties(around->properties);
    return ctx_;
  }

 private:
  // `obj` when the cursor follows `obj.` (and perhaps part of a member's
  // name): read from the text, since `obj.` alone may not parse as a member.
  std::string member_before() const {
    std::size_t b = at_;
    while (b > 0 && ident_char(text_[b - 1])) --b;
    if (b == 0 || text_[b - 1] != '.') return "";
    std::size_t o = b - 1;
    while (o > 0 && ident_char(text_[o - 1])) --o;
    return text_.substr(o, b - 1 - o);
  }

  // Whether the cursor is inside `r`: a block that was closed ends before its `}`.
  bool inside(SourceRange r) const {
    if (at_ < r.begin) return false;
    if (at_ < r.end) return true;
    return at_ == r.end && r.end > 0 && r.end <= text_.size() && text_[r.end - 1] != '}' && text_[r.end - 1] != ')' &&
           text_[r.end - 1] != ']';
  }
  // Whether the cursor is at or inside `r`, its last character included (a word being typed).
  bool touches(SourceRange r) const { return r.begin <= at_ && at_ <= r.end; }

  // In a block of properties (a declaration's or a record's): a key, or a value.
  void properties(const std::vector<ast::Property> &props) {
    const ast::Property *around = nullptr;
    for (const ast::Property &p : props)
      if (p.range.begin <= at_) around = &p;
    ctx_.where = Context::Key;
    if (!around || touches(around->key_range)) return;
    SourceRange whole = around->range;
    if (around->value) whole.end = std::max(whole.end, around->value->range.end);
    if (!touches(whole)) return;
    ctx_.frames.back().key = around->key;
    value(around->value.get());
  }

  // In an augment block: an op or control block, its arguments, or its nested steps.
  void steps(const std::vector<ast::Step> &body) {
    const ast::Step *around = nullptr;
    for (const ast::Step &s : body)
      if (s.range.begin <= at_) around = &s;
    ctx_.where = Context::Key;
    if (!around || touches(around->name_range) || !inside(around->range)) return;
    if (around->has_block && !around->body.empty() && at_ >= around->body.front().range.begin) {
      ctx_.frames.push_back({'{', "", false, true, ""});
      steps(around->body);
      return;
    }
    if (around->has_parens) {
      ctx_.frames.push_back({'(', around->name, false, false, ""});
      arguments(around->args);
    }
  }

  void arguments(const std::vector<ast::Argument> &args) {
    const ast::Argument *around = nullptr;
    for (const ast::Argument &a : args)
      if (a.range.begin <= at_) around = &a;
    ctx_.where = Context::Argument;
    if (!around) return;
    SourceRange whole = around->range;
    if (around->value) whole.end = std::max(whole.end, around->value->range.end);
    if (!touches(whole)) return;  // after a comma: the next argument
    if (around->name.empty()) {
      // A positional value: a word being typed here may be a parameter's name.
      const ast::Expr *v = around->value.get();
      if (v && v->kind == ast::ExprKind::Name) return;
      value(v);
      return;
    }
    if (touches(around->name_range)) return;
    ctx_.frames.back().key = around->name;
    value(around->value.get());
  }

  // In the value being written for the innermost frame's key.
  void value(const ast::Expr *e) {
    ctx_.where = Context::Value;
    ctx_.value_key = ctx_.frames.back().open == '[' ? ctx_.frames.back().head : ctx_.frames.back().key;
    if (!e || !touches(e->range)) return;
    switch (e->kind) {
      case ast::ExprKind::Call: {
        const auto &call = static_cast<const ast::Call &>(*e);
        if (touches(call.callee_range) || !inside(call.range)) return;
        ctx_.frames.push_back({'(', call.callee, false, false, ""});
        arguments(call.args);
        return;
      }
      case ast::ExprKind::List: {
        const auto &list = static_cast<const ast::List &>(*e);
        if (!inside(list.range)) return;
        ctx_.frames.push_back({'[', ctx_.value_key, false, false, ""});
        ctx_.value_key = ctx_.frames.back().head;
        const ast::Expr *item = nullptr;
        for (const ast::ExprPtr &i : list.items)
          if (i->range.begin <= at_) item = i.get();
        value(item);
        return;
      }
      case ast::ExprKind::Record: {
        const auto &record = static_cast<const ast::Record &>(*e);
        if (!inside(record.range)) return;
        ctx_.frames.push_back({'{', ctx_.value_key, false, false, ""});
        properties(record.fields);
        return;
      }
      case ast::ExprKind::Member: value(static_cast<const ast::Member &>(*e).object.get()); return;
      case ast::ExprKind::Unary: value(static_cast<const ast::Unary &>(*e).operand.get()); return;
      case ast::ExprKind::Binary: {
        const auto &b = static_cast<const ast::Binary &>(*e);
        value(at_ >= b.rhs->range.begin ? b.rhs.get() : b.lhs.get());
        return;
      }
      default: return;
    }
  }

  const std::string &text_;
  std::uint32_t at_;
  Context ctx_;
};

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

void add_type_values(nlohmann::json &items, std::set<std::string> &seen, const stdlib::Type &t, const Analysis &a) {
  const auto &cat = stdlib::catalogue();
  switch (t.kind) {
    case TypeKind::OneOf:
      for (const auto &alt : t.alternatives) add_type_values(items, seen, *alt, a);
      return;
    case TypeKind::Call:
      for (const stdlib::Function *f : cat.functions(t.category))
        add(items, seen, f->name, kFunction, f->doc, f->name + "(");
      return;
    case TypeKind::Enum:
      for (const std::string &v : t.values) add(items, seen, t.quoted ? "\"" + v + "\"" : v, kEnumMember, t.describe());
      return;
    case TypeKind::Ref:
      for (ast::DeclKind k : t.refs)
        for (const auto &[name, decl] : a.checked.decls[static_cast<int>(k)])
          add(items, seen, name, kReference, ast::to_string(k));
      return;
    case TypeKind::Metric:
    case TypeKind::Condition:
      for (const std::string &s : cat.metric_splits()) add(items, seen, s, kModule, "metrics of the " + s + " split", s + ".");
      // A label block's stop condition (the only condition) may count labels too.
      if (t.kind == TypeKind::Condition) add(items, seen, "labels", kVariable, "the labels the round trained on");
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
      if (t.element) add_type_values(items, seen, *t.element, a);
      return;
    default: return;
  }
}

}  // namespace

nlohmann::json complete(const Analysis &a, const std::string &text, std::uint32_t offset) {
  const auto &cat = stdlib::catalogue();
  Context ctx = Locator(text, std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text.size()))).locate(a.root_ast());
  nlohmann::json items = nlohmann::json::array();
  std::set<std::string> seen;

  if (!ctx.member_of.empty()) {
    if (const ast::Decl *space = a.checked.find(ast::DeclKind::Space, ctx.member_of)) {
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
        for (const auto &[name, decl] : a.checked.decls[static_cast<int>(ast::DeclKind::Op)])
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
      Scope s = resolve(ctx.frames);
      const stdlib::Field *fld = field_named(s.fields, ctx.value_key);
      if (fld) add_type_values(items, seen, *fld->type, a);
      // Any value may come from a space.
      for (const auto &[name, decl] : a.checked.decls[static_cast<int>(ast::DeclKind::Space)])
        add(items, seen, name, kModule, "space", name + ".");
      return items;
    }
  }
  return items;
}

}  // namespace edl::lsp
