// Hover, definition, document symbols and formatting.
#include "compiler/lsp/Features.h"

#include "compiler/format/Formatter.h"
#include "compiler/lsp/Locate.h"
#include "compiler/lsp/Positions.h"
#include "stdlib/Reference.h"

#include <filesystem>

namespace edl::lsp {
namespace {

using stdlib::Category;

std::string field_text(const stdlib::Field &f) {
  std::string out = "`" + f.name + "` — " + f.doc + "\n\n" + f.type->describe();
  out += f.required ? " (required)" : ", default `" + f.default_text + "`";
  return out;
}

std::string decl_text(const ast::Decl &d) {
  std::string out = std::string("**") + ast::to_string(d.kind) + "** `" + d.name + "`";
  if (d.kind == ast::DeclKind::Op) {
    out += " — `" + d.name + "(";
    for (std::size_t i = 0; i < d.params.size(); ++i)
      out += (i ? ", " : "") + d.params[i].name + ": " + d.params[i].type;
    out += ") = " + (d.body ? format_expr_flat(*d.body) : std::string()) + "`";
  }
  if (!d.doc.empty()) out += "\n\n" + d.doc;
  return out;
}

// The call as it will run: each parameter with the value given or its default.
std::string resolved_call(const stdlib::Function &f, const std::vector<ast::Argument> *args) {
  std::string out = f.name + "(";
  for (std::size_t i = 0; i < f.params.size(); ++i) {
    const stdlib::Field &p = f.params[i];
    std::string value;
    if (args)
      for (std::size_t k = 0; k < args->size(); ++k) {
        const ast::Argument &a = (*args)[k];
        if (a.name == p.name || (a.name.empty() && k == i)) value = format_expr_flat(*a.value);
      }
    if (value.empty()) value = p.required ? "?" : p.default_text + "  (default)";
    out += std::string(i ? "," : "") + "\n  " + p.name + " = " + value;
  }
  return out + (f.params.empty() ? ")" : "\n)");
}

std::string function_text(const stdlib::Function &f, const std::vector<ast::Argument> *args) {
  std::string out = "```edl\n" + resolved_call(f, args) + "\n```\n\n" + stdlib::to_string(f.category) + ": " + f.doc;
  if (!f.task.empty()) out += " (task " + f.task + ")";
  for (const stdlib::Field &p : f.params) out += "\n- `" + p.name + "`: " + p.doc + "; " + p.type->describe();
  return out;
}

}  // namespace

std::optional<std::string> hover(const Analysis &a, std::uint32_t offset) {
  const ast::File *file = a.root_ast();
  if (!file) return std::nullopt;
  Hit h = locate(*file, offset);
  const auto &cat = stdlib::catalogue();
  switch (h.kind) {
    case Hit::DeclName: return decl_text(*h.decl);
    case Hit::PropertyKey:
      if (h.field) return field_text(*h.field);
      if (h.decl && h.decl->kind == ast::DeclKind::Space)
        return "space variable `" + h.decl->name + "." + h.property->key + "` = `" +
               format_expr_flat(*h.property->value) + "`";
      return std::nullopt;
    case Hit::ArgName:
      if (h.field) return field_text(*h.field);
      return std::nullopt;
    case Hit::Callee: {
      const auto &call = *h.expr->as<ast::Call>();
      if (h.function) return function_text(*h.function, &call.args);
      if (const ast::Decl *d = a.find_decl(call.callee, {ast::DeclKind::Op})) return decl_text(*d);
      return std::nullopt;
    }
    case Hit::StepName: {
      if (const ast::Decl *op = a.checked.find(ast::DeclKind::Op, h.step->name)) return decl_text(*op);
      if (h.function) return function_text(*h.function, &h.step->args);
      return std::nullopt;
    }
    case Hit::Name: {
      const std::string &name = h.expr->as<ast::Name>()->name;
      std::vector<ast::DeclKind> prefer;
      if (h.expected && h.expected->kind == stdlib::TypeKind::Ref) prefer = h.expected->refs;
      if (h.function) return function_text(*h.function, nullptr);
      if (const ast::Decl *d = a.find_decl(name, prefer)) return decl_text(*d);
      if (const stdlib::Function *f = cat.find(Category::AugmentOp, name)) return function_text(*f, nullptr);
      if (h.expected && h.expected->kind == stdlib::TypeKind::Enum) return "`" + name + "`: " + h.expected->describe();
      return std::nullopt;
    }
    case Hit::Member: {
      const auto &m = *h.expr->as<ast::Member>();
      const auto *obj = m.object->as<ast::Name>();
      if (!obj) return std::nullopt;
      if (const ast::Decl *space = a.checked.find(ast::DeclKind::Space, obj->name))
        if (const ast::Property *var = ast::find_property(space->properties, m.member))
          return "searched variable `" + obj->name + "." + m.member + "` = `" + format_expr_flat(*var->value) + "`";
      for (const std::string &s : cat.metric_splits())
        if (s == obj->name) return "metric `" + m.member + "` on the " + s + " split";
      return std::nullopt;
    }
    case Hit::ImportPath: {
      auto dir = std::filesystem::path(a.sm.path(a.root)).parent_path();
      return "imports `" + (dir / h.import->path).lexically_normal().string() + "`";
    }
    case Hit::None: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<SourceRange> definition(const Analysis &a, std::uint32_t offset) {
  const ast::File *file = a.root_ast();
  if (!file) return std::nullopt;
  Hit h = locate(*file, offset);
  switch (h.kind) {
    case Hit::Name: {
      std::vector<ast::DeclKind> prefer;
      if (h.expected && h.expected->kind == stdlib::TypeKind::Ref) prefer = h.expected->refs;
      if (const ast::Decl *d = a.find_decl(h.expr->as<ast::Name>()->name, prefer)) return d->name_range;
      return std::nullopt;
    }
    case Hit::Member: {
      const auto &m = *h.expr->as<ast::Member>();
      const auto *obj = m.object->as<ast::Name>();
      if (!obj) return std::nullopt;
      if (const ast::Decl *space = a.checked.find(ast::DeclKind::Space, obj->name)) {
        if (const ast::Property *var = ast::find_property(space->properties, m.member)) return var->key_range;
        return space->name_range;
      }
      return std::nullopt;
    }
    case Hit::StepName:
    case Hit::Callee: {
      std::string name = h.kind == Hit::StepName ? h.step->name : h.expr->as<ast::Call>()->callee;
      if (const ast::Decl *op = a.checked.find(ast::DeclKind::Op, name)) return op->name_range;
      return std::nullopt;
    }
    case Hit::ImportPath: {
      auto dir = std::filesystem::path(a.sm.path(a.root)).parent_path();
      std::string target = std::filesystem::weakly_canonical(dir / h.import->path).string();
      for (const SourceFile &f : a.project.files)
        if (std::filesystem::weakly_canonical(a.sm.path(f.id)).string() == target) return SourceRange{f.id, 0, 0};
      return std::nullopt;
    }
    default: return std::nullopt;
  }
}

nlohmann::json document_symbols(const Analysis &a) {
  nlohmann::json out = nlohmann::json::array();
  const ast::File *file = a.root_ast();
  if (!file) return out;
  // LSP SymbolKind numbers.
  auto kind_of = [](ast::DeclKind k) {
    switch (k) {
      case ast::DeclKind::Project: return 2;   // Module
      case ast::DeclKind::Dataset: return 18;  // Array
      case ast::DeclKind::Augment: return 12;  // Function
      case ast::DeclKind::Op: return 12;       // Function
      case ast::DeclKind::Model: return 5;     // Class
      case ast::DeclKind::Space: return 19;    // Object
      case ast::DeclKind::Train: return 6;     // Method
      case ast::DeclKind::Label: return 24;    // Event
      case ast::DeclKind::Deploy: return 4;    // Package
    }
    return 13;
  };
  for (const ast::Decl &d : file->decls) {
    nlohmann::json children = nlohmann::json::array();
    for (const ast::Property &p : d.properties)
      children.push_back({{"name", p.key},
                          {"detail", format_expr_flat(*p.value)},
                          {"kind", 8},  // Field
                          {"range", range_of(a.sm, p.range)},
                          {"selectionRange", range_of(a.sm, p.key_range)}});
    for (const ast::Step &s : d.steps)
      children.push_back({{"name", s.name},
                          {"kind", 12},
                          {"range", range_of(a.sm, s.range)},
                          {"selectionRange", range_of(a.sm, s.name_range)}});
    out.push_back({{"name", d.name},
                   {"detail", ast::to_string(d.kind)},
                   {"kind", kind_of(d.kind)},
                   {"range", range_of(a.sm, d.range)},
                   {"selectionRange", range_of(a.sm, d.name_range)},
                   {"children", children}});
  }
  return out;
}

std::optional<std::string> format_document(const std::string &path, const std::string &text) {
  SourceManager sm;
  DiagnosticEngine diags;
  FileId id = sm.add(path, text);
  ParseResult parsed = parse_file(id, sm, diags);
  if (!parsed.file) return std::nullopt;
  return format_file(*parsed.file, parsed.comments, text);
}

}  // namespace edl::lsp
