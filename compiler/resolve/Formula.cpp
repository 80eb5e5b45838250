#include "compiler/resolve/Formula.h"

#include "compiler/support/InternalError.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace edl::spec {
namespace {

template <typename Lookup> double eval(const Formula &f, const Lookup &lookup) {
  auto sub = [&](std::size_t i) { return eval(f.args[i], lookup); };
  switch (f.kind) {
    case Formula::Kind::Number:
    case Formula::Kind::Bool: return f.number;
    case Formula::Kind::Variable: return lookup(f.name);
    case Formula::Kind::Unary: {
      double v = sub(0);
      return f.unary == UnaryOp::Neg ? -v : (v == 0 ? 1 : 0);
    }
    case Formula::Kind::Binary: {
      double l = sub(0), r = sub(1);
      switch (f.binary) {
        case BinaryOp::Pow: return std::pow(l, r);
        case BinaryOp::Mul: return l * r;
        case BinaryOp::Div: return l / r;
        case BinaryOp::Add: return l + r;
        case BinaryOp::Sub: return l - r;
        case BinaryOp::Lt: return l < r;
        case BinaryOp::Le: return l <= r;
        case BinaryOp::Gt: return l > r;
        case BinaryOp::Ge: return l >= r;
        case BinaryOp::Eq: return l == r;
        case BinaryOp::Ne: return l != r;
        case BinaryOp::And: return l != 0 && r != 0;
        case BinaryOp::Or: return l != 0 || r != 0;
      }
      break;
    }
    case Formula::Kind::Call: {
      std::vector<double> a;
      for (std::size_t i = 0; i < f.args.size(); ++i) a.push_back(sub(i));
      return stdlib::formula_reference(f.function, a.data());
    }
  }
  internal_error("formula: a node of no kind");
}

void collect(const Formula &f, std::vector<std::string> &out) {
  if (f.kind == Formula::Kind::Variable) out.push_back(f.name);
  for (const Formula &a : f.args) collect(a, out);
}

}  // namespace

double evaluate(const Formula &f, const Variables &values) {
  return eval(f, [&](const std::string &name) {
    auto it = values.find(name);
    if (it == values.end()) throw std::invalid_argument("unknown formula name '" + name + "'");
    return it->second;
  });
}

double evaluate(const Formula &f, const std::vector<std::string> &variables, const double *values) {
  return eval(f, [&](const std::string &name) {
    for (std::size_t i = 0; i < variables.size(); ++i)
      if (variables[i] == name) return values[i];
    throw std::invalid_argument("unknown formula name '" + name + "'");
  });
}

std::string to_text(const Formula &f) {
  switch (f.kind) {
    case Formula::Kind::Number: {
      std::ostringstream s;
      s.precision(17);
      s << f.number;
      return s.str();
    }
    case Formula::Kind::Bool: return f.number != 0 ? "true" : "false";
    case Formula::Kind::Variable: return f.name;
    case Formula::Kind::Unary:
      return std::string(f.unary == UnaryOp::Neg ? "(-" : "(not ") + to_text(f.args[0]) + ")";
    case Formula::Kind::Binary:
      return "(" + to_text(f.args[0]) + " " + to_string(f.binary) + " " + to_text(f.args[1]) + ")";
    case Formula::Kind::Call: {
      std::string out = f.name + "(";
      for (std::size_t i = 0; i < f.args.size(); ++i) out += (i ? ", " : "") + to_text(f.args[i]);
      return out + ")";
    }
  }
  return "?";
}

std::vector<std::string> variables_of(const Formula &f) {
  std::vector<std::string> out;
  collect(f, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace edl::spec
