// Checker: formulas (op bodies, custom schedules) are arithmetic over a
// fixed set of names and math functions, later compiled to native code.
#include "compiler/sema/CheckerImpl.h"

namespace edl::sema {

void Checker::check_formula(const ast::Expr &e, const std::vector<std::string> &names, const std::string &where) {
  const auto &functions = stdlib::catalogue().formula_functions();
  switch (e.kind) {
    case ast::ExprKind::Literal: {
      auto k = e.as<ast::Literal>()->literal;
      if (k != ast::LiteralKind::Int && k != ast::LiteralKind::Float && k != ast::LiteralKind::Percent &&
          k != ast::LiteralKind::Bool)
        diags_.report(DiagId::FormulaNotNumeric, e.range, {describe(e), where});
      return;
    }
    case ast::ExprKind::Name: {
      const std::string &n = e.as<ast::Name>()->name;
      for (const std::string &known : names)
        if (known == n) return;
      std::string all;
      for (const std::string &known : names) all += (all.empty() ? "" : ", ") + known;
      diags_.report(DiagId::UnknownFormulaName, e.range, {n, where, all}).suggest(n, names);
      return;
    }
    case ast::ExprKind::Call: {
      const auto &c = *e.as<ast::Call>();
      const stdlib::FormulaFunction *fn = nullptr;
      std::vector<std::string> all;
      for (const auto &f : functions) {
        all.push_back(f.name);
        if (f.name == c.callee) fn = &f;
      }
      if (!fn) diags_.report(DiagId::UnknownFormulaFunction, c.callee_range, {c.callee, where}).suggest(c.callee, all);
      else if (fn->arity != c.args.size())
        diags_.report(DiagId::FormulaArity, c.range,
                      {c.callee, std::to_string(fn->arity), std::to_string(c.args.size())});
      for (const ast::Argument &a : c.args) {
        if (!a.name.empty()) diags_.report(DiagId::UnknownArgument, a.name_range, {c.callee, a.name});
        check_formula(*a.value, names, where);
      }
      return;
    }
    case ast::ExprKind::Unary: check_formula(*e.as<ast::Unary>()->operand, names, where); return;
    case ast::ExprKind::Binary: {
      const auto &b = *e.as<ast::Binary>();
      check_formula(*b.lhs, names, where);
      check_formula(*b.rhs, names, where);
      return;
    }
    case ast::ExprKind::Member:
    case ast::ExprKind::List:
    case ast::ExprKind::Record: diags_.report(DiagId::FormulaNotNumeric, e.range, {describe(e), where}); return;
  }
}

}  // namespace edl::sema
