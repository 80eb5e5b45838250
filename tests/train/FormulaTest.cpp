// custom(...) schedules: the LLVM ORC-compiled formula against the
// interpreter of the same AST, at many points.
#include "TestSupport.h"

#include "compiler/resolve/Resolve.h"

#include "compiler/lower/llvm/Formula.h"
#include "runtime/train/Schedule.h"

#include <catch2/catch.hpp>

#include <cmath>

using namespace edl;

namespace {

// The formula of `schedule = custom(...)` in a parsed train block.
const ast::Expr &formula_of(const test::Parsed &p) {
  for (const ast::Decl &d : p.result.file->decls)
    if (d.kind == ast::DeclKind::Train)
      if (const ast::Property *s = ast::find_property(d.properties, "schedule"))
        return *s->value->as<ast::Call>()->args.at(0).value;
  throw std::runtime_error("no schedule");
}

}  // namespace

TEST_CASE("compiled formulas equal the interpreter", "[formula]") {
  const std::vector<std::string> formulas = {
      "lr",
      "lr * 0.5 ^ floor(epoch / 3)",
      "lr * (1 + cos(3.141592653589793 * progress)) / 2",
      "select(epoch < 2, lr * (step + 1) / 100, lr * exp(-0.1 * epoch))",
      "clamp(lr * tanh(step / 50), 1e-5, lr)",
      "max(min(lr, sqrt(progress)), abs(-lr / 10))",
      "pow(lr, 1 + progress) + log(1 + step) - sin(step) * 1e-3",
      "(epoch >= 3 and progress < 0.9) or not (step == 0)",
      "lr * (epoch != 2) + (progress <= 0.5) * 2 - (step > 7)",
      "-lr ^ 2 + 3 * 2 ^ 3 ^ 0.5",
  };
  const auto &vars = train::schedule_variables();
  for (const std::string &f : formulas) {
    INFO(f);
    auto parsed = test::parse_text("train t { schedule = custom(" + f + ") }\n");
    REQUIRE(parsed->diags.diagnostics().empty());
    const spec::Formula e = resolve_formula(formula_of(*parsed));
    std::string error;
    auto compiled = lower::CompiledFormula::compile(e, vars, error);
    INFO(error);
    REQUIRE(compiled);
    int points = 0;
    for (double lr : {1e-4, 0.01, 0.1, 1.0})
      for (int epoch = 0; epoch < 6; ++epoch)
        for (int step : {0, 1, 7, 50, 333})
          for (double progress : {0.0, 0.25, 0.5, 0.9, 1.0}) {
            const double values[] = {lr, static_cast<double>(epoch), static_cast<double>(step), progress};
            const double want = spec::evaluate(e, vars, values), got = (*compiled)(values);
            if (std::isnan(want)) CHECK(std::isnan(got));
            else CHECK(got == Approx(want).epsilon(1e-12).margin(1e-300));
            ++points;
          }
    CHECK(points == 600);
  }
}

TEST_CASE("a formula that names an unknown variable fails to compile with a reason", "[formula]") {
  auto parsed = test::parse_text("train t { schedule = custom(lr * momentum) }\n");
  std::string error;
  auto compiled = lower::CompiledFormula::compile(resolve_formula(formula_of(*parsed)), train::schedule_variables(), error);
  CHECK_FALSE(compiled);
  CHECK(error.find("momentum") != std::string::npos);
}

TEST_CASE("schedules give the documented rates", "[schedule]") {
  train::ScheduleSpec s;
  s.kind = "step";
  s.every = 2;
  s.gamma = 0.5;
  train::LrSchedule step(s, 0.1, 6, 10);
  CHECK(step.at(0) == Approx(0.1));
  CHECK(step.at(19) == Approx(0.1));
  CHECK(step.at(20) == Approx(0.05));
  CHECK(step.at(45) == Approx(0.025));

  s.kind = "cosine";
  s.warmup = 0;
  train::LrSchedule cosine(s, 0.2, 4, 10);
  CHECK(cosine.at(0) == Approx(0.2));
  CHECK(cosine.at(20) == Approx(0.1));
  CHECK(cosine.at(40) == Approx(0.0).margin(1e-12));
  s.warmup = 1;
  train::LrSchedule warm(s, 0.2, 4, 10);
  CHECK(warm.at(0) == Approx(0.02));  // linear warm-up over the first epoch
  CHECK(warm.at(9) == Approx(0.2));

  s.kind = "onecycle";
  s.max_lr = 1.0;
  train::LrSchedule one(s, 0.1, 10, 10);
  CHECK(one.at(0) == Approx(1.0 / 25));
  CHECK(one.at(30) == Approx(1.0));  // the peak at 30% of the steps
  CHECK(one.at(100) == Approx(1.0 / 25e4).margin(1e-9));

  auto parsed = test::parse_text("train t { schedule = custom(lr / (1 + epoch)) }\n");
  s.kind = "custom";
  s.formula = std::make_shared<spec::Formula>(resolve_formula(formula_of(*parsed)));
  train::LrSchedule custom(s, 0.3, 5, 4);
  CHECK(custom.at(0) == Approx(0.3));
  CHECK(custom.at(8) == Approx(0.1));  // epoch 2
}
