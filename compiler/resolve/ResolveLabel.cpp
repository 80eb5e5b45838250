// Label blocks resolved: the pool as a dataset (an inline source becomes a
// dataset of its own, read like the model's data), the oracle's folder
// absolute, seed labels as a count or a share, the stop condition as a
// formula over held-out metrics.
#include "compiler/resolve/Resolver.h"

#include "compiler/sema/ProjectSettings.h"

namespace edl::resolve {
namespace {

using stdlib::Category;

const ast::Expr *written(const ast::Decl &d, const char *key) { return property_value(d.properties, key); }

bool flag(const ast::Decl &d, const char *key) {
  const auto *l = written(d, key) ? written(d, key)->as<ast::Literal>() : nullptr;
  return l ? l->boolean : default_bool(property(ast::DeclKind::Label, key));
}

double number(const ast::Decl &d, const char *key) {
  auto n = written(d, key) ? const_number(*written(d, key)) : std::nullopt;
  return n ? n->value : default_number(property(ast::DeclKind::Label, key));
}

}  // namespace

spec::Label Resolver::label(const ast::Decl &d, spec::Specs &specs) const {
  spec::Label s;
  s.name = d.name;
  if (const auto *m = written(d, "model") ? written(d, "model")->as<ast::Name>() : nullptr) s.model = m->name;
  const ast::Expr *pool = written(d, "pool");
  s.pool_range = pool ? pool->range : d.name_range;
  if (const auto *n = pool ? pool->as<ast::Name>() : nullptr) {
    s.pool = n->name;
  } else if (const auto *call = pool ? pool->as<ast::Call>() : nullptr) {
    // An inline source: decoded like the model's data, all of it the pool,
    // its images unlabeled.
    const spec::Train *job = specs.train(s.model);
    const spec::Dataset *model_data = job ? specs.dataset(job->dataset) : nullptr;
    spec::Dataset inline_pool = model_data ? *model_data : spec::Dataset{};
    inline_pool.name = d.name + ".pool";
    const auto *path = argument(*call, Category::Source, "path");
    const auto *literal = path ? path->as<ast::Literal>() : nullptr;
    inline_pool.path_as_written = literal ? literal->text : "";
    inline_pool.path = resolve_path(sm_, call->range, inline_pool.path_as_written);
    inline_pool.path_range = path ? path->range : call->range;
    inline_pool.train = 1, inline_pool.val = 0, inline_pool.test = 0;
    inline_pool.unlabeled = true;  // a folder of images, in class folders or not: labels come from the oracle
    inline_pool.stratify = false;
    inline_pool.classes.clear();
    s.pool = inline_pool.name;
    specs.datasets.push_back(std::move(inline_pool));
  }
  if (const auto *n = written(d, "strategy") ? written(d, "strategy")->as<ast::Name>() : nullptr)
    s.strategy = n->name;
  else
    s.strategy = default_name(property(ast::DeclKind::Label, "strategy"));
  s.batch = static_cast<std::uint64_t>(number(d, "batch"));
  s.rounds = static_cast<int>(number(d, "rounds"));
  const ast::Expr *seed = written(d, "seed_labels");
  const auto *seed_literal = seed ? seed->as<ast::Literal>() : nullptr;
  if (seed_literal && seed_literal->literal != ast::LiteralKind::Int) s.seed_share = number(d, "seed_labels");
  else s.seed_count = static_cast<std::uint64_t>(number(d, "seed_labels"));
  if (const auto *oracle = written(d, "oracle") ? written(d, "oracle")->as<ast::Call>() : nullptr) {
    s.oracle = oracle->callee == "human" ? spec::Label::Oracle::Human : spec::Label::Oracle::Folder;
    const ast::Expr *path = argument(*oracle, Category::Oracle, oracle->callee == "human" ? "dir" : "path");
    const auto *literal = path ? path->as<ast::Literal>() : nullptr;
    s.oracle_path = resolve_path(sm_, oracle->range, literal ? literal->text : "");
    s.oracle_range = path ? path->range : oracle->range;
  }
  if (const ast::Expr *stop = written(d, "stop")) s.stop = std::make_shared<spec::Formula>(resolve_formula(*stop));
  if (const ast::Expr *steps = written(d, "steps"); steps && const_number(*steps))
    s.steps = static_cast<int>(const_number(*steps)->value);
  s.warm_start = flag(d, "warm_start");
  // A person's labels are too dear to spend on comparisons: with a human
  // oracle the random baseline and the full-label reference do not run.
  const bool simulated = s.oracle == spec::Label::Oracle::Folder;
  s.baseline = simulated && flag(d, "baseline");
  s.reference = simulated && flag(d, "reference");
  return s;
}

}  // namespace edl::resolve
