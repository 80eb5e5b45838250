// The resolve stage's entry and its shared readers: catalogue lookups with
// typed defaults, searched numbers as formulas, the project and its blocks
// in the order the plan needs them.
#include "compiler/resolve/Resolver.h"

#include "compiler/sema/ProjectSettings.h"
#include "compiler/sema/SpaceValues.h"
#include "compiler/support/Hash.h"
#include "compiler/support/InternalError.h"

#include <cmath>
#include <filesystem>
#include <stdexcept>

namespace edl {
namespace resolve {
namespace {

[[noreturn]] void broken(const std::string &what, const char *file = __builtin_FILE(), unsigned line = __builtin_LINE(),
                         const char *function = __builtin_FUNCTION()) {
  internal_error("resolve: " + what, file, line, function);
}

const stdlib::DefaultValue &typed_default(const stdlib::Field &f, stdlib::DefaultValue::Kind k) {
  if (f.default_value.kind != k) broken("the catalogue's default of '" + f.name + "' is not of the kind resolve reads");
  return f.default_value;
}

}  // namespace

const stdlib::Field &param(stdlib::Category c, const std::string &callee, const std::string &name) {
  const stdlib::Function *f = stdlib::catalogue().find(c, callee);
  const stdlib::Field *p = f ? f->param(name) : nullptr;
  if (!p) broken("the catalogue has no parameter '" + name + "' of '" + callee + "'");
  return *p;
}

const stdlib::Field &property(ast::DeclKind k, const std::string &key) {
  const stdlib::BlockSchema *b = stdlib::catalogue().block(k);
  const stdlib::Field *p = b ? b->property(key) : nullptr;
  if (!p) broken("the catalogue has no property '" + key + "'");
  return *p;
}

const stdlib::Field &field(const stdlib::Field &record, const std::string &name) {
  auto find = [&](const stdlib::Type &t) -> const stdlib::Field * {
    for (const stdlib::Field &f : t.fields)
      if (f.name == name) return &f;
    return nullptr;
  };
  if (const stdlib::Field *f = find(*record.type)) return *f;
  for (const stdlib::TypePtr &alt : record.type->alternatives)
    if (const stdlib::Field *f = find(*alt)) return *f;
  broken("the catalogue has no field '" + name + "' in '" + record.name + "'");
}

double default_number(const stdlib::Field &f) { return typed_default(f, stdlib::DefaultValue::Number).number; }
bool default_bool(const stdlib::Field &f) { return typed_default(f, stdlib::DefaultValue::Bool).boolean; }
std::string default_name(const stdlib::Field &f) {
  if (f.default_value.kind == stdlib::DefaultValue::Call) return f.default_value.text;
  return typed_default(f, stdlib::DefaultValue::Name).text;
}
std::vector<double> default_numbers(const stdlib::Field &f) {
  return typed_default(f, stdlib::DefaultValue::List).numbers;
}
const stdlib::DefaultValue &default_record(const stdlib::Field &f) {
  return typed_default(f, stdlib::DefaultValue::Record);
}

const ast::Expr *argument(const ast::Call &call, stdlib::Category c, const std::string &name) {
  std::size_t position = static_cast<std::size_t>(-1);
  if (const stdlib::Function *f = stdlib::catalogue().find(c, call.callee))
    for (std::size_t i = 0; i < f->params.size(); ++i)
      if (f->params[i].name == name) position = i;
  return ast::find_argument(call, name, position);
}

const ast::Expr *property_value(const std::vector<ast::Property> &props, const std::string &key) {
  const ast::Property *p = ast::find_property(props, key);
  return p ? p->value.get() : nullptr;
}

spec::Scalar Resolver::scalar(const ast::Expr &e, bool integral) const {
  spec::Scalar s;
  s.integral = integral;
  if (auto n = const_number(e)) {
    s.value = integral ? std::round(n->value) : n->value;
    return s;
  }
  if (const auto *l = e.as<ast::Literal>(); l && l->literal == ast::LiteralKind::Duration) {
    s.value = l->number;
    return s;
  }
  auto f = std::make_shared<spec::Formula>(resolve_formula(e));
  for (const std::string &v : spec::variables_of(*f))
    if (!defaults_.count(v)) broken("'" + v + "' is not a searched variable with a default");
  s.searched = f;
  s.value = s.at(defaults_);
  return s;
}

spec::Scalar Resolver::number_arg(const ast::Call &call, stdlib::Category c, const std::string &name,
                                  bool integral) const {
  if (const ast::Expr *e = argument(call, c, name)) return scalar(*e, integral);
  spec::Scalar s(default_number(param(c, call.callee, name)));
  s.integral = integral;
  return s;
}

std::vector<spec::Scalar> Resolver::integers(const ast::Expr *e) const {
  std::vector<spec::Scalar> out;
  if (!e) return out;
  if (const auto *l = e->as<ast::List>()) {
    for (const auto &item : l->items) out.push_back(scalar(*item, true));
  } else {
    out.push_back(scalar(*e, true));
  }
  return out;
}

spec::Project Resolver::project_spec() const {
  spec::Project p;
  ProjectSettings s = project_settings(project_, sm_);
  p.name = s.name;
  p.seed = s.seed;
  p.store = s.store;
  p.threads = s.threads;
  p.workflow_parallel = s.workflow_parallel;
  p.retries = s.retries;
  p.backoff = s.backoff;
  p.device = default_name(property(ast::DeclKind::Project, "device"));
  if (project_.project)
    if (const auto *d = property_value(project_.project->properties, "device"))
      if (const auto *n = d->as<ast::Name>()) p.device = n->name;
  if (p.device == "auto") p.device = "cpu";  // the only device this edlc runs (E0901 rejects cuda)
  if (sm_.file_count() > 0) p.main_file = std::filesystem::absolute(sm_.path(0)).lexically_normal().string();
  std::string sources;
  for (std::size_t f = 0; f < sm_.file_count(); ++f) sources += sm_.text(static_cast<FileId>(f));
  p.source_hash = content_hash(sources);
  p.space_defaults = default_space_values(project_);
  return p;
}

spec::Specs Resolver::run() {
  spec::Specs specs;
  specs.project = project_spec();
  defaults_ = specs.project.space_defaults;
  for (const auto &[name, d] : project_.decls[static_cast<int>(ast::DeclKind::Dataset)])
    specs.datasets.push_back(dataset(*d, specs.project));
  for (const TrainFacts &t : project_.trains) {
    spec::Train job = train(t);
    if (t.augment) {
      const spec::Dataset *data = specs.dataset(job.dataset);
      bool square = !data || data->width == data->height;
      job.augment = std::make_shared<spec::Augment>(augment(*t.augment, square));
    }
    if (t.search) job.search = search(t, job);
    specs.trains.push_back(std::move(job));
  }
  for (const auto &[name, d] : project_.decls[static_cast<int>(ast::DeclKind::Augment)]) {
    const spec::Train *user = nullptr;
    for (const spec::Train &t : specs.trains)
      if (t.augment && t.augment->name == name) user = &t;
    if (user) {
      specs.augments.push_back(*user->augment);
    } else {  // used by no job: what the kernel compiler would reject shows when it is previewed
      DiagnosticEngine unused;
      Resolver quiet(project_, sm_, unused);
      quiet.defaults_ = defaults_;
      specs.augments.push_back(quiet.augment(*d, true));
    }
  }
  for (const auto &[name, d] : project_.decls[static_cast<int>(ast::DeclKind::Label)])
    specs.labels.push_back(label(*d, specs));
  for (const auto &[name, d] : project_.decls[static_cast<int>(ast::DeclKind::Deploy)])
    specs.deploys.push_back(deploy(*d, specs.project));
  return specs;
}

}  // namespace resolve

spec::Specs resolve_project(const CheckedProject &project, const SourceManager &sm, DiagnosticEngine &diags) {
  return resolve::Resolver(project, sm, diags).run();
}

}  // namespace edl
