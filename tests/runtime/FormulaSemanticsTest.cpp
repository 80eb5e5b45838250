// One meaning for every formula function: the reference interpreter, the
// ORC JIT (schedules, double) and the Halide lowering (op bodies, float)
// agree on every function of the catalogue, outside its domain too.
#include "TestSupport.h"

#include "compiler/resolve/Resolve.h"

#include "compiler/lower/halide/LowerFormula.h"
#include "compiler/lower/llvm/Formula.h"
#include "stdlib/Catalogue.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace edl;

namespace {

// Inputs per arity, with the edges: negatives (sqrt, log, a non-integer power
// of a negative number give NaN), zero (log gives -inf), large values.
const std::vector<std::vector<double>> kInputs = {
    {2.25, 0.5, 3.0}, {-1.0, 0.5, 2.0}, {0.0, 2.0, 1.0}, {-8.0, 0.5, -3.0},
    {1.0, -2.0, 4.0}, {30.0, 3.0, 0.0}, {0.3, 0.7, 0.5}, {-0.5, -1.5, 0.25},
};

bool agree(double reference, double other, double tolerance) {
  if (std::isnan(reference)) return std::isnan(other);
  if (std::isinf(reference)) return std::isinf(other) && (reference > 0) == (other > 0);
  return std::fabs(other - reference) <= tolerance * std::max(1.0, std::fabs(reference));
}

}  // namespace

TEST_CASE("every formula function means the same in the interpreter, the JIT and the Halide lowering", "[formula]") {
  const std::vector<std::string> vars = {"a", "b", "d"};
  for (const stdlib::FormulaFunction &f : stdlib::catalogue().formula_functions()) {
    std::string args = f.arity == 1 ? "a" : f.arity == 2 ? "a, b" : "a, b, d";
    auto c = test::check_text("project \"t\" {}\nop t(a: float, b: float, d: float) = " + f.name + "(" + args + ")\n");
    INFO(f.name);
    REQUIRE(c->diags.error_count() == 0);
    const ast::Decl *op = c->checked.find(ast::DeclKind::Op, "t");
    REQUIRE(op);
    const spec::Formula body = resolve_formula(*op->body);
    std::string error;
    auto jit = lower::CompiledFormula::compile(body, vars, error);
    REQUIRE(jit);
    Halide::Param<float> pa("a"), pb("b"), pd("d");
    Halide::Func h;
    h() = lower::lower_formula(body, {{"a", pa}, {"b", pb}, {"d", pd}});
    for (const std::vector<double> &in : kInputs) {
      INFO(f.name << "(" << in[0] << ", " << in[1] << ", " << in[2] << ")");
      const double reference = stdlib::formula_reference(f.op, in.data());
      CHECK(agree(reference, spec::evaluate(body, vars, in.data()), 0));
      CHECK(agree(reference, (*jit)(in.data()), 1e-12));
      pa.set(static_cast<float>(in[0]));
      pb.set(static_cast<float>(in[1]));
      pd.set(static_cast<float>(in[2]));
      Halide::Buffer<float> out = h.realize();
      CHECK(agree(reference, out(), 1e-5));  // float against double
    }
  }
}

TEST_CASE("a formula the checker would reject is an internal error in every back end, never a value", "[formula]") {
  auto c = test::check_text("project \"t\" {}\nop t(a: float) = a\n");
  const ast::Decl *op = c->checked.find(ast::DeclKind::Op, "t");
  REQUIRE(op);
  // `a` is not among the names given: no silent default.
  const spec::Formula body = resolve_formula(*op->body);
  CHECK_THROWS_AS(lower::lower_formula(body, {}), std::logic_error);
  double v = 1;
  CHECK_THROWS(spec::evaluate(body, {"z"}, &v));
  std::string error;
  CHECK_FALSE(lower::CompiledFormula::compile(body, {"z"}, error));
}
