#include "compiler/ast/AST.h"

namespace edl::ast {

const char *to_string(LiteralKind k) {
  switch (k) {
    case LiteralKind::Int: return "int";
    case LiteralKind::Float: return "float";
    case LiteralKind::Percent: return "percent";
    case LiteralKind::Size: return "size";
    case LiteralKind::Duration: return "duration";
    case LiteralKind::String: return "string";
    case LiteralKind::Bool: return "bool";
    case LiteralKind::None: return "none";
  }
  return "?";
}

const char *to_string(UnaryOp op) { return op == UnaryOp::Neg ? "-" : "not"; }

int precedence(UnaryOp op) { return op == UnaryOp::Neg ? 6 : 2; }

const char *to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Pow: return "^";
    case BinaryOp::Mul: return "*";
    case BinaryOp::Div: return "/";
    case BinaryOp::Add: return "+";
    case BinaryOp::Sub: return "-";
    case BinaryOp::Lt: return "<";
    case BinaryOp::Le: return "<=";
    case BinaryOp::Gt: return ">";
    case BinaryOp::Ge: return ">=";
    case BinaryOp::Eq: return "==";
    case BinaryOp::Ne: return "!=";
    case BinaryOp::And: return "and";
    case BinaryOp::Or: return "or";
  }
  return "?";
}

int precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::Pow: return 7;
    case BinaryOp::Mul:
    case BinaryOp::Div: return 5;
    case BinaryOp::Add:
    case BinaryOp::Sub: return 4;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::Eq:
    case BinaryOp::Ne: return 3;
    case BinaryOp::And: return 1;
    case BinaryOp::Or: return 0;
  }
  return 0;
}

const Property *find_property(const std::vector<Property> &props, const std::string &key) {
  for (const Property &p : props)
    if (p.key == key) return &p;
  return nullptr;
}

const Expr *find_argument(const Call &call, const std::string &name, std::size_t position) {
  for (std::size_t i = 0; i < call.args.size(); ++i)
    if (call.args[i].name == name || (call.args[i].name.empty() && i == position)) return call.args[i].value.get();
  return nullptr;
}

const char *to_string(DeclKind k) {
  switch (k) {
    case DeclKind::Project: return "project";
    case DeclKind::Dataset: return "dataset";
    case DeclKind::Augment: return "augment";
    case DeclKind::Op: return "op";
    case DeclKind::Model: return "model";
    case DeclKind::Space: return "space";
    case DeclKind::Train: return "train";
    case DeclKind::Label: return "label";
    case DeclKind::Deploy: return "deploy";
  }
  return "?";
}

}  // namespace edl::ast
