#include "compiler/lsp/Locate.h"

namespace edl::lsp {
namespace {

using stdlib::Category;
using stdlib::TypeKind;

bool inside(SourceRange r, std::uint32_t offset) { return r.valid() && offset >= r.begin && offset <= r.end; }

// The alternative of a OneOf that an expression of this kind would use.
const stdlib::Type *narrow(const stdlib::Type *t, ast::ExprKind kind) {
  if (!t || t->kind != TypeKind::OneOf) return t;
  for (const auto &alt : t->alternatives) {
    bool fits = (kind == ast::ExprKind::Call && alt->kind == TypeKind::Call) ||
                (kind == ast::ExprKind::List && alt->kind == TypeKind::List) ||
                (kind == ast::ExprKind::Record && alt->kind == TypeKind::Record) ||
                (kind == ast::ExprKind::Name && (alt->kind == TypeKind::Ref || alt->kind == TypeKind::Enum));
    if (fits) return alt.get();
  }
  return t;
}

const stdlib::Function *resolve_function(const stdlib::Type *expected, const std::string &name) {
  const auto &cat = stdlib::catalogue();
  if (expected && expected->kind == TypeKind::Call)
    if (const stdlib::Function *f = cat.find(expected->category, name)) return f;
  if (const stdlib::Function *f = cat.find(Category::Distribution, name)) return f;
  return cat.find_any(name);
}

const stdlib::Field *field_named(const std::vector<stdlib::Field> &fields, const std::string &name) {
  for (const stdlib::Field &f : fields)
    if (f.name == name) return &f;
  return nullptr;
}

class Locator {
 public:
  explicit Locator(std::uint32_t offset) : offset_(offset) {}

  Hit run(const ast::File &file) {
    for (const ast::Import &imp : file.imports)
      if (inside(imp.path_range, offset_)) {
        hit_.kind = Hit::ImportPath;
        hit_.import = &imp;
        hit_.range = imp.path_range;
        return hit_;
      }
    for (const ast::Decl &d : file.decls)
      if (inside(d.range, offset_)) decl(d);
    return hit_;
  }

 private:
  void decl(const ast::Decl &d) {
    hit_.decl = &d;
    if (inside(d.name_range, offset_)) {
      set(Hit::DeclName, d.name_range);
      return;
    }
    const stdlib::BlockSchema *schema = stdlib::catalogue().block(d.kind);
    static const std::vector<stdlib::Field> kNone;
    properties(d.properties, schema ? schema->properties : kNone);
    steps(d.steps);
    if (d.body && inside(d.body->range, offset_)) expr(*d.body, nullptr);
  }

  void properties(const std::vector<ast::Property> &props, const std::vector<stdlib::Field> &schema) {
    for (const ast::Property &p : props) {
      const stdlib::Field *f = field_named(schema, p.key);
      if (inside(p.key_range, offset_)) {
        set(Hit::PropertyKey, p.key_range);
        hit_.property = &p;
        hit_.field = f;
        return;
      }
      if (inside(p.value->range, offset_)) expr(*p.value, f ? f->type.get() : nullptr);
    }
  }

  void steps(const std::vector<ast::Step> &list) {
    const auto &cat = stdlib::catalogue();
    for (const ast::Step &s : list) {
      if (!inside(s.range, offset_)) continue;
      const stdlib::Function *f = cat.find(Category::Control, s.name);
      if (!f) f = cat.find(Category::AugmentOp, s.name);
      if (!f) f = cat.find(Category::Policy, s.name);
      if (inside(s.name_range, offset_)) {
        set(Hit::StepName, s.name_range);
        hit_.step = &s;
        hit_.function = f;
        return;
      }
      args(s.args, f);
      steps(s.body);
    }
  }

  void args(const std::vector<ast::Argument> &list, const stdlib::Function *f) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      const ast::Argument &a = list[i];
      const stdlib::Field *param = nullptr;
      if (f) param = a.name.empty() ? (i < f->params.size() ? &f->params[i] : nullptr) : f->param(a.name);
      if (!a.name.empty() && inside(a.name_range, offset_)) {
        set(Hit::ArgName, a.name_range);
        hit_.arg = &a;
        hit_.field = param;
        hit_.function = f;
        return;
      }
      if (inside(a.value->range, offset_)) expr(*a.value, param ? param->type.get() : nullptr);
    }
  }

  void expr(const ast::Expr &e, const stdlib::Type *expected) {
    expected = narrow(expected, e.kind);
    switch (e.kind) {
      case ast::ExprKind::Call: {
        const auto &c = *e.as<ast::Call>();
        const stdlib::Function *f = resolve_function(expected, c.callee);
        if (inside(c.callee_range, offset_)) {
          set(Hit::Callee, c.callee_range);
          hit_.expr = &e;
          hit_.function = f;
          hit_.expected = expected;
          return;
        }
        args(c.args, f);
        return;
      }
      case ast::ExprKind::Name:
        set(Hit::Name, e.range);
        hit_.expr = &e;
        hit_.expected = expected;
        if (expected && expected->kind == TypeKind::Call)
          hit_.function = stdlib::catalogue().find(expected->category, e.as<ast::Name>()->name);
        return;
      case ast::ExprKind::Member: {
        const auto &m = *e.as<ast::Member>();
        if (inside(m.member_range, offset_)) {
          set(Hit::Member, m.member_range);
          hit_.expr = &e;
          hit_.expected = expected;
          return;
        }
        expr(*m.object, nullptr);
        return;
      }
      case ast::ExprKind::List:
        for (const auto &item : e.as<ast::List>()->items)
          if (inside(item->range, offset_)) expr(*item, expected && expected->element ? expected->element.get() : nullptr);
        return;
      case ast::ExprKind::Record: {
        static const std::vector<stdlib::Field> kNone;
        properties(e.as<ast::Record>()->fields,
                   expected && expected->kind == TypeKind::Record ? expected->fields : kNone);
        return;
      }
      case ast::ExprKind::Unary: expr(*e.as<ast::Unary>()->operand, nullptr); return;
      case ast::ExprKind::Binary: {
        const auto &b = *e.as<ast::Binary>();
        if (inside(b.lhs->range, offset_)) expr(*b.lhs, nullptr);
        else if (inside(b.rhs->range, offset_)) expr(*b.rhs, nullptr);
        return;
      }
      case ast::ExprKind::Literal: return;
    }
  }

  void set(Hit::Kind k, SourceRange r) {
    hit_.kind = k;
    hit_.range = r;
  }

  std::uint32_t offset_;
  Hit hit_;
};

}  // namespace

Hit locate(const ast::File &file, std::uint32_t offset) { return Locator(offset).run(file); }

}  // namespace edl::lsp
