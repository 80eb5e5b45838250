// The EDL syntax tree: our own types, independent of ANTLR, with a source
// range on every node. Built by compiler/parse, read by everything after.
#pragma once

#include "compiler/support/Operators.h"
#include "compiler/support/SourceRange.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace edl::ast {

enum class ExprKind { Literal, Name, Member, Call, List, Record, Unary, Binary };
enum class LiteralKind { Int, Float, Percent, Size, Duration, String, Bool, None };
using edl::BinaryOp;  // compiler/support/Operators.h: shared with resolved formulas
using edl::UnaryOp;

const char *to_string(LiteralKind k);
using edl::precedence;
using edl::to_string;

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  SourceRange range;
  explicit Expr(ExprKind k, SourceRange r) : kind(k), range(r) {}
  virtual ~Expr() = default;

  template <typename T> T *as() { return kind == T::kKind ? static_cast<T *>(this) : nullptr; }
  template <typename T> const T *as() const {
    return kind == T::kKind ? static_cast<const T *>(this) : nullptr;
  }
};

struct Literal : Expr {
  static constexpr ExprKind kKind = ExprKind::Literal;
  LiteralKind literal;
  std::string spelling;      // as written, for messages and formatting
  std::int64_t int_value = 0;  // Int; width of a Size
  std::int64_t height = 0;     // height of a Size
  double number = 0;           // Float; the fraction of a Percent; seconds of a Duration
  std::string text;            // String, after escapes
  bool boolean = false;
  Literal(LiteralKind k, SourceRange r) : Expr(kKind, r), literal(k) {}
};

struct Name : Expr {
  static constexpr ExprKind kKind = ExprKind::Name;
  std::string name;
  Name(std::string n, SourceRange r) : Expr(kKind, r), name(std::move(n)) {}
};

struct Member : Expr {
  static constexpr ExprKind kKind = ExprKind::Member;
  ExprPtr object;
  std::string member;
  SourceRange member_range;
  Member(ExprPtr o, std::string m, SourceRange mr, SourceRange r)
      : Expr(kKind, r), object(std::move(o)), member(std::move(m)), member_range(mr) {}
};

// `name = value` inside a call (named argument) or `value` (positional).
struct Argument {
  std::string name;  // empty for a positional argument
  SourceRange name_range;
  ExprPtr value;
  SourceRange range;
};

struct Call : Expr {
  static constexpr ExprKind kKind = ExprKind::Call;
  std::string callee;
  SourceRange callee_range;
  std::vector<Argument> args;
  Call(std::string c, SourceRange cr, SourceRange r) : Expr(kKind, r), callee(std::move(c)), callee_range(cr) {}
};

struct List : Expr {
  static constexpr ExprKind kKind = ExprKind::List;
  std::vector<ExprPtr> items;
  explicit List(SourceRange r) : Expr(kKind, r) {}
};

// `key = value` in a declaration block or a record.
struct Property {
  std::string key;
  SourceRange key_range;
  ExprPtr value;
  SourceRange range;
};

struct Record : Expr {
  static constexpr ExprKind kKind = ExprKind::Record;
  std::vector<Property> fields;
  explicit Record(SourceRange r) : Expr(kKind, r) {}
};

struct Unary : Expr {
  static constexpr ExprKind kKind = ExprKind::Unary;
  UnaryOp op;
  ExprPtr operand;
  Unary(UnaryOp o, ExprPtr e, SourceRange r) : Expr(kKind, r), op(o), operand(std::move(e)) {}
};

struct Binary : Expr {
  static constexpr ExprKind kKind = ExprKind::Binary;
  BinaryOp op;
  ExprPtr lhs, rhs;
  Binary(BinaryOp o, ExprPtr l, ExprPtr r, SourceRange range)
      : Expr(kKind, range), op(o), lhs(std::move(l)), rhs(std::move(r)) {}
};

// One step of an augment pipeline: an op call, or a control block
// (`one_of`, `some_of`, `maybe`) holding nested steps.
struct Step {
  std::string name;
  SourceRange name_range;
  bool has_parens = false;
  std::vector<Argument> args;
  bool has_block = false;
  std::vector<Step> body;
  SourceRange range;
};

struct Param {
  std::string name;
  SourceRange name_range;
  std::string type;
  SourceRange type_range;
};

enum class DeclKind { Project, Dataset, Augment, Op, Model, Space, Train, Label, Deploy };
const char *to_string(DeclKind k);
inline constexpr int kDeclKindCount = 9;

struct Decl {
  DeclKind kind;
  std::string name;
  SourceRange name_range;
  bool name_is_string = false;  // `project "digits"`
  SourceRange range;
  std::string doc;              // text of the `///` lines above it
  std::vector<Property> properties;  // every kind but augment and op
  std::vector<Step> steps;           // augment
  std::vector<Param> params;         // op
  ExprPtr body;                      // op
};

// The property `key` of a block or record, or null.
const Property *find_property(const std::vector<Property> &props, const std::string &key);
// A call's argument by name, or the positional one at `position`; null if absent.
const Expr *find_argument(const Call &call, const std::string &name, std::size_t position = static_cast<std::size_t>(-1));

struct Import {
  std::string path;
  SourceRange path_range;
  SourceRange range;
};

struct File {
  FileId id = kNoFile;
  std::vector<Import> imports;
  std::vector<Decl> decls;
};

}  // namespace edl::ast
