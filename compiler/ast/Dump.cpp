#include "compiler/ast/Dump.h"

#include <cstdio>

namespace edl::ast {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string quoted(const std::string &s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    if (c == '\t') { out += "\\t"; continue; }
    out += c;
  }
  return out + "\"";
}

void dump_args(std::string &out, const std::vector<Argument> &args) {
  out += "(";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (i) out += ", ";
    if (!args[i].name.empty()) out += args[i].name + "=";
    out += dump(*args[i].value);
  }
  out += ")";
}

}  // namespace

std::string dump(const Expr &e) {
  switch (e.kind) {
    case ExprKind::Literal: {
      const auto &l = *e.as<Literal>();
      switch (l.literal) {
        case LiteralKind::Int: return std::to_string(l.int_value);
        case LiteralKind::Float: return "float:" + number(l.number);
        case LiteralKind::Percent: return "percent:" + number(l.number);
        case LiteralKind::Size: return "size:" + std::to_string(l.int_value) + "x" + std::to_string(l.height);
        case LiteralKind::Duration: return "duration:" + number(l.number);
        case LiteralKind::String: return quoted(l.text);
        case LiteralKind::Bool: return l.boolean ? "true" : "false";
        case LiteralKind::None: return "none";
      }
      return "?";
    }
    case ExprKind::Name: return e.as<Name>()->name;
    case ExprKind::Member: {
      const auto &m = *e.as<Member>();
      return "(. " + dump(*m.object) + " " + m.member + ")";
    }
    case ExprKind::Call: {
      const auto &c = *e.as<Call>();
      std::string out = "call:" + c.callee;
      dump_args(out, c.args);
      return out;
    }
    case ExprKind::List: {
      std::string out = "[";
      const auto &l = *e.as<List>();
      for (std::size_t i = 0; i < l.items.size(); ++i) out += (i ? ", " : "") + dump(*l.items[i]);
      return out + "]";
    }
    case ExprKind::Record: {
      std::string out = "{";
      const auto &r = *e.as<Record>();
      for (std::size_t i = 0; i < r.fields.size(); ++i)
        out += (i ? ", " : "") + r.fields[i].key + "=" + dump(*r.fields[i].value);
      return out + "}";
    }
    case ExprKind::Unary: {
      const auto &u = *e.as<Unary>();
      return std::string("(") + to_string(u.op) + " " + dump(*u.operand) + ")";
    }
    case ExprKind::Binary: {
      const auto &b = *e.as<Binary>();
      return std::string("(") + to_string(b.op) + " " + dump(*b.lhs) + " " + dump(*b.rhs) + ")";
    }
  }
  return "?";
}

std::string dump(const Step &s) {
  std::string out = "step:" + s.name;
  if (s.has_parens) dump_args(out, s.args);
  if (s.has_block) {
    out += " {";
    for (const Step &b : s.body) out += " " + dump(b);
    out += " }";
  }
  return out;
}

std::string dump(const Decl &d) {
  std::string out = std::string(to_string(d.kind)) + " " + (d.name_is_string ? quoted(d.name) : d.name);
  if (d.kind == DeclKind::Op) {
    out += "(";
    for (std::size_t i = 0; i < d.params.size(); ++i)
      out += (i ? ", " : "") + d.params[i].name + ": " + d.params[i].type;
    out += ") = " + (d.body ? dump(*d.body) : std::string("?"));
    return out;
  }
  out += " {";
  for (const Step &s : d.steps) out += "\n  " + dump(s);
  for (const Property &p : d.properties) out += "\n  " + p.key + " = " + dump(*p.value);
  return out + "\n}";
}

std::string dump(const File &f) {
  std::string out;
  for (const Import &i : f.imports) out += "import " + quoted(i.path) + "\n";
  for (const Decl &d : f.decls) out += dump(d) + "\n";
  return out;
}

}  // namespace edl::ast
