// The operators of EDL expressions, their spelling and binding strength:
// one definition for the syntax tree and the resolved formulas.
#pragma once

namespace edl {

enum class UnaryOp { Neg, Not };
enum class BinaryOp { Pow, Mul, Div, Add, Sub, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

const char *to_string(UnaryOp op);
const char *to_string(BinaryOp op);
// Binding strength, higher binds tighter (used by the formatter for parentheses).
int precedence(BinaryOp op);
int precedence(UnaryOp op);

}  // namespace edl
