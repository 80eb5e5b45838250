#include "stdlib/Types.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace edl::stdlib {

namespace {

std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

const char *to_string(Category c) {
  switch (c) {
    case Category::AugmentOp: return "augmentation op";
    case Category::Control: return "control block";
    case Category::Policy: return "augmentation policy";
    case Category::Source: return "data source";
    case Category::Features: return "feature extractor";
    case Category::Tokenizer: return "tokenizer";
    case Category::Backbone: return "backbone";
    case Category::Neck: return "neck";
    case Category::Head: return "head";
    case Category::Controller: return "NAS controller";
    case Category::Loss: return "loss";
    case Category::Optimizer: return "optimizer";
    case Category::Schedule: return "schedule";
    case Category::Strategy: return "search strategy";
    case Category::Pruner: return "pruner";
    case Category::Objective: return "objective";
    case Category::Distribution: return "distribution";
    case Category::Compress: return "gradient compression";
    case Category::Oracle: return "labeling oracle";
    case Category::Target: return "deploy target";
    case Category::kCount: break;
  }
  return "function";
}

const char *plural(Category c) {
  switch (c) {
    case Category::AugmentOp: return "augmentation ops";
    case Category::Control: return "control blocks";
    case Category::Policy: return "augmentation policies";
    case Category::Source: return "data sources";
    case Category::Features: return "feature extractors";
    case Category::Tokenizer: return "tokenizers";
    case Category::Backbone: return "backbones";
    case Category::Neck: return "necks";
    case Category::Head: return "heads";
    case Category::Controller: return "NAS controllers";
    case Category::Loss: return "losses";
    case Category::Optimizer: return "optimizers";
    case Category::Schedule: return "schedules";
    case Category::Strategy: return "search strategies";
    case Category::Pruner: return "pruners";
    case Category::Objective: return "objectives";
    case Category::Distribution: return "distributions";
    case Category::Compress: return "gradient compressions";
    case Category::Oracle: return "labeling oracles";
    case Category::Target: return "deploy targets";
    case Category::kCount: break;
  }
  return "functions";
}

bool Type::in_range(double v) const {
  if (min_open ? !(v > min) : !(v >= min)) return false;
  if (max_open ? !(v < max) : !(v <= max)) return false;
  return true;
}

std::string Type::range_text() const {
  bool lo = std::isfinite(min), hi = std::isfinite(max);
  if (lo && hi && !min_open && !max_open) return "between " + num(min) + " and " + num(max);
  std::string out;
  if (lo) out += std::string(min_open ? "greater than " : "at least ") + num(min);
  if (lo && hi) out += " and ";
  if (hi) out += std::string(max_open ? "less than " : "at most ") + num(max);
  return out.empty() ? "any value" : out;
}

std::string Type::describe() const {
  auto ranged = [&](const char *base) {
    bool bounded = std::isfinite(min) || std::isfinite(max);
    return bounded ? std::string(base) + " " + range_text() : std::string(base);
  };
  switch (kind) {
    case TypeKind::Any: return "a value";
    case TypeKind::None: return "none";
    case TypeKind::Int: return ranged("an integer");
    case TypeKind::Float: return ranged("a number");
    case TypeKind::Bool: return "true or false";
    case TypeKind::String: return "a string";
    case TypeKind::Path: return "a path to a " + what + " (a string)";
    case TypeKind::Size: return "a size such as 224x224";
    case TypeKind::Duration: return "a duration such as 30s, 10m or 2h";
    case TypeKind::Enum: {
      std::string out = "one of ";
      for (std::size_t i = 0; i < values.size(); ++i)
        out += (i ? ", " : "") + (quoted ? "\"" + values[i] + "\"" : values[i]);
      return out;
    }
    case TypeKind::List: return "a list of " + (element ? element->describe() : std::string("values"));
    case TypeKind::Record: {
      std::string out = "a record { ";
      for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? ", " : "") + fields[i].name;
      return out + " }";
    }
    case TypeKind::Call: {
      std::string c = to_string(category);
      const char *article = (c[0] == 'a' || c[0] == 'e' || c[0] == 'o') ? "an " : "a ";
      auto fs = catalogue().functions(category);
      if (fs.empty()) return article + c;
      return article + c + " such as " + fs.front()->name + "(...)";
    }
    case TypeKind::Ref: {
      std::string out = "the name of ";
      for (std::size_t i = 0; i < refs.size(); ++i) {
        std::string kind = ast::to_string(refs[i]);
        out += (i ? " or " : "") + std::string(kind[0] == 'a' || kind[0] == 'o' ? "an " : "a ") + kind;
      }
      return out;
    }
    case TypeKind::Metric: return "a metric such as val.accuracy";
    case TypeKind::Condition: return "a condition such as val.accuracy >= 0.95";
    case TypeKind::Formula: return "a formula";
    case TypeKind::OpName: return "the name of an augmentation op";
    case TypeKind::OneOf: {
      std::string out;
      for (std::size_t i = 0; i < alternatives.size(); ++i)
        out += (i ? (i + 1 == alternatives.size() ? " or " : ", ") : "") + alternatives[i]->describe();
      return out;
    }
  }
  return "a value";
}

const Field *Function::param(const std::string &n) const {
  for (const Field &f : params)
    if (f.name == n) return &f;
  return nullptr;
}

std::size_t Function::required_count() const {
  std::size_t n = 0;
  for (const Field &f : params) n += f.required;
  return n;
}

const Field *BlockSchema::property(const std::string &n) const {
  for (const Field &f : properties)
    if (f.name == n) return &f;
  return nullptr;
}

const Function *Catalogue::find(Category c, const std::string &name) const {
  for (const Function &f : functions_)
    if (f.category == c && f.name == name) return &f;
  return nullptr;
}

const Function *Catalogue::find_any(const std::string &name) const {
  for (const Function &f : functions_)
    if (f.name == name) return &f;
  return nullptr;
}

std::vector<std::string> Catalogue::names(Category c) const {
  std::vector<std::string> out;
  for (const Function &f : functions_)
    if (f.category == c) out.push_back(f.name);
  return out;
}

std::vector<const Function *> Catalogue::functions(Category c) const {
  std::vector<const Function *> out;
  for (const Function &f : functions_)
    if (f.category == c) out.push_back(&f);
  return out;
}

const FormulaFunction *Catalogue::formula_function(const std::string &name) const {
  for (const FormulaFunction &f : formula_functions_)
    if (f.name == name) return &f;
  return nullptr;
}

const FormulaFunction &Catalogue::formula_call(const std::string &name, std::size_t args) const {
  const FormulaFunction *f = formula_function(name);
  if (!f) throw std::invalid_argument("unknown formula function '" + name + "'");
  if (args != f->arity) throw std::invalid_argument("'" + name + "' takes " + std::to_string(f->arity) + " arguments");
  return *f;
}

bool Catalogue::metric_runs(const std::string &m) const {
  return std::find(metrics_not_yet_.begin(), metrics_not_yet_.end(), m) == metrics_not_yet_.end();
}

const BlockSchema *Catalogue::block(ast::DeclKind k) const {
  for (const BlockSchema &b : blocks_)
    if (b.kind == k) return &b;
  return nullptr;
}

namespace types {

namespace {
std::shared_ptr<Type> make(TypeKind k) {
  auto t = std::make_shared<Type>();
  t->kind = k;
  return t;
}
}  // namespace

TypePtr any() { return make(TypeKind::Any); }
TypePtr none() { return make(TypeKind::None); }
TypePtr integer(double min, double max) {
  auto t = make(TypeKind::Int);
  t->min = min;
  t->max = max;
  return t;
}
TypePtr number(double min, double max, bool min_open, bool max_open) {
  auto t = make(TypeKind::Float);
  t->min = min;
  t->max = max;
  t->min_open = min_open;
  t->max_open = max_open;
  return t;
}
TypePtr positive() { return number(0, kInf, true); }
TypePtr fraction() { return number(0, 1); }
TypePtr boolean() { return make(TypeKind::Bool); }
TypePtr string() { return make(TypeKind::String); }
TypePtr path(PathRole role, std::string what) {
  auto t = make(TypeKind::Path);
  t->role = role;
  t->what = std::move(what);
  return t;
}
TypePtr size() { return make(TypeKind::Size); }
TypePtr duration() { return make(TypeKind::Duration); }
TypePtr enumeration(std::vector<std::string> values, bool quoted, std::vector<std::string> not_yet) {
  auto t = make(TypeKind::Enum);
  t->values = std::move(values);
  t->quoted = quoted;
  t->not_yet_values = std::move(not_yet);
  return t;
}
TypePtr list(TypePtr element, std::size_t min_items, std::size_t exact_items) {
  auto t = make(TypeKind::List);
  t->element = std::move(element);
  t->min_items = min_items;
  t->exact_items = exact_items;
  return t;
}
TypePtr record(std::vector<Field> fields) {
  auto t = make(TypeKind::Record);
  t->fields = std::move(fields);
  return t;
}
TypePtr call(Category c) {
  auto t = make(TypeKind::Call);
  t->category = c;
  return t;
}
TypePtr ref(std::vector<ast::DeclKind> kinds) {
  auto t = make(TypeKind::Ref);
  t->refs = std::move(kinds);
  return t;
}
TypePtr metric() { return make(TypeKind::Metric); }
TypePtr condition() { return make(TypeKind::Condition); }
TypePtr formula(std::string context) {
  auto t = make(TypeKind::Formula);
  t->what = std::move(context);
  return t;
}
TypePtr op_name() { return make(TypeKind::OpName); }
TypePtr one_of(std::vector<TypePtr> alternatives) {
  auto t = make(TypeKind::OneOf);
  t->alternatives = std::move(alternatives);
  return t;
}

Field req(std::string name, TypePtr type, std::string doc) {
  return {std::move(name), std::move(type), true, "", {}, std::move(doc), ""};
}
Field opt(std::string name, TypePtr type, std::string default_text, std::string doc) {
  DefaultValue value = parse_default(default_text);
  return {std::move(name), std::move(type), false, std::move(default_text), std::move(value), std::move(doc), ""};
}
Field not_yet(Field f, std::string what_runs) {
  f.not_yet = std::move(what_runs);
  return f;
}

}  // namespace types
}  // namespace edl::stdlib
