#include "compiler/support/Operators.h"

namespace edl {

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

}  // namespace edl
