// Checker: declarations, blocks, augment steps, ops and unused warnings.
#include "compiler/sema/CheckerImpl.h"
#include "compiler/support/EditDistance.h"

#include <filesystem>

namespace edl {

CheckedProject check_project(const LoadedProject &project, const SourceManager &sm, DiagnosticEngine &diags) {
  return sema::Checker(project, sm, diags).run();
}

namespace sema {

using ast::DeclKind;
using stdlib::Category;
using stdlib::catalogue;

CheckedProject Checker::run() {
  collect_declarations();
  for (const SourceFile &f : project_.files)
    if (f.ast)
      for (const ast::Decl &d : f.ast->decls) check_decl(d);
  check_trains();
  check_task_users();
  report_unused();
  return std::move(result_);
}

std::vector<std::string> Checker::names_of(DeclKind k) const {
  std::vector<std::string> out;
  for (const auto &[name, decl] : result_.decls[static_cast<int>(k)]) out.push_back(name);
  return out;
}

const ast::Property *Checker::property(const ast::Decl &d, const std::string &key) const {
  return ast::find_property(d.properties, key);
}

std::string Checker::file_dir(SourceRange r) const {
  return std::filesystem::path(sm_.path(r.file)).parent_path().string();
}

void Checker::collect_declarations() {
  const ast::Decl *first_project = nullptr;
  for (const SourceFile &f : project_.files) {
    if (!f.ast) continue;
    for (const ast::Decl &d : f.ast->decls) {
      if (d.kind == DeclKind::Project) {
        if (first_project) {
          diags_.report(DiagId::DuplicateProject, d.name_range)
              .label(first_project->name_range, NoteId::PreviousDeclaration);
          continue;
        }
        first_project = &d;
        result_.project = &d;
      }
      auto &table = result_.decls[static_cast<int>(d.kind)];
      auto [it, inserted] = table.emplace(d.name, &d);
      if (!inserted && d.kind != DeclKind::Project)
        diags_.report(DiagId::DuplicateDeclaration, d.name_range, {ast::to_string(d.kind), d.name})
            .label(it->second->name_range, NoteId::PreviousDeclaration);
    }
  }
  if (!first_project && !project_.files.empty() && project_.complete) {
    FileId root = project_.files.front().id;
    diags_.report(DiagId::MissingProject, {root, 0, 0}).help(NoteId::ProjectHelp);
  }
}

void Checker::check_decl(const ast::Decl &d) {
  ValueContext ctx;
  ctx.decl = &d;
  ctx.uses = &uses_[&d];
  switch (d.kind) {
    case DeclKind::Augment:
      ctx.per_image = true;
      check_steps(d.steps, ctx);
      return;
    case DeclKind::Op: check_op_decl(d); return;
    case DeclKind::Space: check_space(d); return;
    default: break;
  }
  const stdlib::BlockSchema *schema = catalogue().block(d.kind);
  if (!schema->not_yet.empty()) {
    not_supported(d.name_range, "block kind", ast::to_string(d.kind), schema->not_yet);
    return;
  }
  check_fields(d.properties, schema->properties, ast::to_string(d.kind), d.name, d.name_range, ctx);
  if (d.kind == DeclKind::Dataset) check_dataset_rules(d);
  if (d.kind == DeclKind::Model) check_model_rules(d);
  if (d.kind == DeclKind::Label) check_label_rules(d);
}

void Checker::check_fields(const std::vector<ast::Property> &props, const std::vector<Field> &schema,
                           const std::string &kind, const std::string &name, SourceRange where_range,
                           ValueContext ctx) {
  const std::string where = kind + " '" + name + "'";
  std::map<std::string, const ast::Property *> seen;
  std::set<std::string> misspelt;  // properties an unknown key seems to mean
  std::vector<std::string> keys;
  for (const Field &f : schema) keys.push_back(f.name);
  for (const ast::Property &p : props) {
    auto [it, fresh] = seen.emplace(p.key, &p);
    if (!fresh) {
      diags_.report(DiagId::DuplicateProperty, p.key_range, {p.key})
          .label(it->second->key_range, NoteId::PreviousProperty);
      continue;
    }
    const Field *field = nullptr;
    for (const Field &f : schema)
      if (f.name == p.key) field = &f;
    if (!field) {
      diags_.report(DiagId::UnknownProperty, p.key_range, {p.key, where}).suggest_or_list(p.key, keys);
      if (auto meant = closest_match(p.key, keys)) misspelt.insert(*meant);
      continue;
    }
    if (!field->not_yet.empty()) {
      not_supported(p.key_range, "property", p.key, field->not_yet);
      continue;
    }
    ValueContext inner = ctx;
    inner.what = p.key;
    check_value(*p.value, *field->type, inner);
  }
  for (const Field &f : schema) {
    // A misspelt `sorce` already said what is wrong; "needs 'source'" would only follow from it.
    if (!f.required || seen.count(f.name) || misspelt.count(f.name)) continue;
    diags_.report(DiagId::MissingProperty, where_range, {kind, name, f.name});
  }
}

void Checker::check_space(const ast::Decl &d) {
  std::map<std::string, const ast::Property *> seen;
  ValueContext ctx;
  ctx.decl = &d;
  for (const ast::Property &p : d.properties) {
    auto [it, fresh] = seen.emplace(p.key, &p);
    if (!fresh) {
      diags_.report(DiagId::DuplicateProperty, p.key_range, {p.key})
          .label(it->second->key_range, NoteId::PreviousProperty);
      continue;
    }
    const auto *call = p.value->as<ast::Call>();
    const Function *dist = call ? catalogue().find(Category::Distribution, call->callee) : nullptr;
    if (!dist) {
      diags_.report(DiagId::NotADistribution, p.value->range, {p.key});
      continue;
    }
    ctx.what = p.key;
    check_args(*dist, call->args, call->callee_range, ctx);
    check_domain_bounds(*call);
  }
}

void Checker::check_op_decl(const ast::Decl &d) {
  std::vector<std::string> names = {"x", "c", "u", "v"};
  std::map<std::string, const ast::Param *> seen;
  for (const ast::Param &p : d.params) {
    auto [it, fresh] = seen.emplace(p.name, &p);
    if (!fresh)
      diags_.report(DiagId::DuplicateParameter, p.name_range, {p.name, d.name})
          .label(it->second->name_range, NoteId::PreviousDeclaration);
    if (p.type != "float" && p.type != "int" && p.type != "bool")
      diags_.report(DiagId::UnknownOpType, p.type_range, {p.type}).suggest(p.type, {"float", "int", "bool"});
    names.push_back(p.name);
  }
  if (d.body) check_formula(*d.body, names, "op '" + d.name + "'");
}

namespace {

// The signature a user-declared `op` presents to its call sites.
Function user_op_signature(const ast::Decl &d) {
  using namespace stdlib::types;
  Function f{Category::AugmentOp, d.name, {}, d.doc, stdlib::kImage, false, "", ""};
  for (const ast::Param &p : d.params) {
    stdlib::TypePtr t = p.type == "int" ? integer() : p.type == "bool" ? boolean() : number();
    f.params.push_back(req(p.name, t, ""));
  }
  f.params.push_back(opt("p", fraction(), "1", "probability that the op is applied"));
  return f;
}

}  // namespace

void Checker::check_steps(const std::vector<ast::Step> &steps, ValueContext &ctx) {
  const auto &cat = catalogue();
  for (const ast::Step &s : steps) {
    const Function *control = cat.find(Category::Control, s.name);
    const Function *f = control ? control : cat.find(Category::AugmentOp, s.name);
    if (!f) f = cat.find(Category::Policy, s.name);
    Function user;
    if (const ast::Decl *op = lookup(DeclKind::Op, s.name)) {
      used_.insert(op);
      user = user_op_signature(*op);
      f = &user;
    }
    if (!f) {
      std::vector<std::string> candidates = cat.names(Category::AugmentOp);
      for (Category c : {Category::Control, Category::Policy})
        for (const std::string &n : cat.names(c)) candidates.push_back(n);
      for (const std::string &n : names_of(DeclKind::Op)) candidates.push_back(n);
      diags_.report(DiagId::UnknownAugmentOp, s.name_range, {s.name}).suggest(s.name, candidates);
      if (s.has_block) check_steps(s.body, ctx);
      continue;
    }
    if (control && !s.has_block) diags_.report(DiagId::ControlWithoutBlock, s.name_range, {s.name});
    if (!control && s.has_block)
      diags_.report(DiagId::NotAControlBlock, s.name_range, {s.name}).note(NoteId::RemoveBlock);
    if (!f->not_yet.empty()) {
      not_supported(s.name_range, stdlib::to_string(f->category), s.name, f->not_yet);
      continue;
    }
    ValueContext inner = ctx;
    inner.what = s.name;
    check_args(*f, s.args, s.name_range, inner);
    if (s.has_block) check_steps(s.body, ctx);
  }
}

void Checker::report_unused() {
  for (DeclKind k : {DeclKind::Dataset, DeclKind::Augment, DeclKind::Op, DeclKind::Model, DeclKind::Space}) {
    for (const auto &[name, d] : result_.decls[static_cast<int>(k)]) {
      if (!used_.count(d)) {
        diags_.report(DiagId::UnusedDeclaration, d->name_range, {ast::to_string(k), name}).help(NoteId::RemoveUnused);
        continue;
      }
      if (k != DeclKind::Space) continue;
      for (const ast::Property &p : d->properties)
        if (!used_vars_.count({d, p.key})) diags_.report(DiagId::UnusedSpaceVariable, p.key_range, {name, p.key});
    }
  }
}

}  // namespace sema
}  // namespace edl
