// The stdlib catalogue: every callable and every block property of the
// language, with parameter names, types, defaults, allowed ranges and a
// one-line doc. The checker, the planner, `edlc explain` and the editor
// support all read this one table.
#pragma once

#include "compiler/ast/AST.h"
#include "stdlib/DefaultValue.h"
#include "stdlib/FormulaOps.h"

#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace edl::stdlib {

enum class Category {
  AugmentOp, Control, Policy, Source, Features, Tokenizer, Backbone, Neck, Head, Controller, Loss,
  Optimizer, Schedule, Strategy, Pruner, Objective, Distribution, Compress, Oracle, Target, kCount
};
const char *to_string(Category c);          // "augmentation op", "optimizer", ...
const char *plural(Category c);             // "augmentation ops", "losses", ...

// Which data an augmentation op works on.
enum Domain : unsigned { kImage = 1, kAudio = 2, kText = 4, kBatch = 8 };

enum class TypeKind {
  Any, None, Int, Float, Bool, String, Path, Size, Duration, Enum, List, Record, Call, Ref, Metric,
  Condition, Formula, OpName, OneOf
};

struct Type;
using TypePtr = std::shared_ptr<const Type>;

struct Field {
  std::string name;
  TypePtr type;
  bool required = false;
  std::string default_text;  // as EDL source, e.g. "0.9"; empty when required or absent
  DefaultValue default_value;  // default_text as a typed value (stdlib/DefaultValue.h)
  std::string doc;
  // Non-empty when the language defines the property but this version of
  // edlc does not run it: the checker rejects it (E0901) with this text,
  // which says what runs instead.
  std::string not_yet;
};

enum class PathRole { Input, Output };

struct Type {
  TypeKind kind = TypeKind::Any;
  // Int, Float: the allowed range; an open end excludes its bound.
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false, max_open = false;
  std::vector<std::string> values;  // Enum
  std::vector<std::string> not_yet_values;  // Enum: values this version of edlc does not run
  bool quoted = false;              // Enum written as a string ("cpp")
  TypePtr element;                  // List
  std::size_t min_items = 0, exact_items = 0;
  std::vector<Field> fields;        // Record
  Category category = Category::kCount;  // Call
  std::vector<ast::DeclKind> refs;  // Ref
  std::vector<TypePtr> alternatives;     // OneOf
  PathRole role = PathRole::Input;  // Path
  std::string what;                 // Path: "data folder", "weights file"; Formula: its context

  bool in_range(double v) const;
  std::string range_text() const;   // "between 0 and 1", "greater than 0", ...
  std::string describe() const;     // "a number between 0 and 1", "an optimizer such as sgd(...)"
};

struct Function {
  Category category;
  std::string name;
  std::vector<Field> params;
  std::string doc;
  unsigned domains = 0;            // AugmentOp: Domain bits
  bool variadic = false;           // choice(v1, v2, ...)
  std::string task;                // Head: the task it serves
  // Non-empty when the language defines the callable but this version of
  // edlc does not run it (E0901); the text names what runs instead.
  std::string not_yet;

  const Field *param(const std::string &n) const;
  std::size_t required_count() const;
};

struct BlockSchema {
  ast::DeclKind kind;
  std::vector<Field> properties;
  std::string doc;
  std::string not_yet;  // as Function::not_yet, for a whole kind of block
  const Field *property(const std::string &n) const;
};

// The functions usable in formulas: FormulaOp and their meaning live in
// stdlib/FormulaOps.h (no syntax tree there, so the back ends can use it).
struct FormulaFunction {
  std::string name;
  std::size_t arity;
  std::string doc;
  FormulaOp op;
};

class Catalogue {
 public:
  const Function *find(Category c, const std::string &name) const;
  // The first function of any category with that name.
  const Function *find_any(const std::string &name) const;
  std::vector<std::string> names(Category c) const;
  std::vector<const Function *> functions(Category c) const;
  const std::vector<Function> &all() const { return functions_; }
  const BlockSchema *block(ast::DeclKind k) const;
  const std::vector<FormulaFunction> &formula_functions() const { return formula_functions_; }
  const FormulaFunction *formula_function(const std::string &name) const;
  // For the back ends: the function called with `args` arguments; throws
  // std::invalid_argument for what the checker rejects (E0602, E0603).
  const FormulaFunction &formula_call(const std::string &name, std::size_t args) const;
  const std::vector<std::string> &metric_names() const { return metrics_; }
  const std::vector<std::string> &metric_splits() const { return splits_; }

  std::vector<Function> functions_;
  std::vector<BlockSchema> blocks_;
  std::vector<FormulaFunction> formula_functions_;
  std::vector<std::string> metrics_, splits_;
  std::vector<std::string> metrics_not_yet_;  // metric names this version of edlc does not compute

  bool metric_runs(const std::string &m) const;
};

const Catalogue &catalogue();

}  // namespace edl::stdlib
