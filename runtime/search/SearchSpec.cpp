#include "runtime/search/SearchSpec.h"

#include "compiler/sema/Checker.h"

namespace edl::search {
namespace {

double number_or(const ast::Expr *e, double fallback) {
  auto n = e ? const_number(*e) : std::nullopt;
  return n ? n->value : fallback;
}

}  // namespace

std::unique_ptr<Pruner> SearchSpec::make_pruner() const {
  if (pruner.empty()) return nullptr;
  return search::make_pruner(pruner, prune_first, prune_reduction);
}

SearchSpec search_spec(const ast::Call &call) {
  SearchSpec s;
  s.strategy = call.callee;
  // objective = maximize(split.metric) | minimize(split.metric)
  if (const ast::Expr *obj = ast::find_argument(call, "objective"))
    if (const auto *oc = obj->as<ast::Call>()) {
      s.maximize = oc->callee != "minimize";
      if (!oc->args.empty())
        if (const auto *m = oc->args[0].value->as<ast::Member>()) {
          if (const auto *n = m->object->as<ast::Name>()) s.split = n->name;
          s.metric = m->member;
        }
    }
  if (const ast::Expr *proxy = ast::find_argument(call, "proxy"))
    if (const auto *r = proxy->as<ast::Record>()) {
      if (const ast::Property *e = ast::find_property(r->fields, "epochs"))
        s.proxy_epochs = static_cast<int>(number_or(e->value.get(), 0));
      if (const ast::Property *f = ast::find_property(r->fields, "subset")) s.subset = number_or(f->value.get(), 1.0);
    }
  if (const ast::Expr *prune = ast::find_argument(call, "prune"))
    if (const auto *pc = prune->as<ast::Call>()) {
      s.pruner = pc->callee;
      if (pc->callee == "asha") {
        s.prune_first = static_cast<int>(number_or(ast::find_argument(*pc, "min_epochs", 0), 1));
        s.prune_reduction = static_cast<int>(number_or(ast::find_argument(*pc, "reduction", 1), 3));
      } else {
        s.prune_first = static_cast<int>(number_or(ast::find_argument(*pc, "warmup", 0), 1));
      }
    }
  s.parallel = std::max(1, static_cast<int>(number_or(ast::find_argument(call, "parallel"), 1)));
  if (const ast::Expr *b = ast::find_argument(call, "budget"))
    if (const auto *l = b->as<ast::Literal>(); l && l->literal == ast::LiteralKind::Duration) s.budget_seconds = l->number;
  if (s.strategy == "pbt") {
    s.population = static_cast<int>(number_or(ast::find_argument(call, "population", 0), 4));
    s.interval = static_cast<int>(number_or(ast::find_argument(call, "interval", 1), 1));
    if (const ast::Expr *p = ast::find_argument(call, "perturb"))
      if (const auto *l = p->as<ast::List>(); l && l->items.size() == 2)
        s.perturb = {number_or(l->items[0].get(), 0.8), number_or(l->items[1].get(), 1.2)};
  }
  return s;
}

}  // namespace edl::search
