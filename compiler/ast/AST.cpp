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
