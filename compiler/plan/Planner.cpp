#include "compiler/plan/Plan.h"

#include "compiler/ast/Dump.h"
#include "compiler/format/Formatter.h"
#include "compiler/sema/Checker.h"
#include "compiler/support/Hash.h"

#include <algorithm>
#include <map>
#include <set>

namespace edl {
namespace {

// Block properties, sorted by key: their order carries no meaning.
std::string canonical(const ast::Decl &d, const std::set<std::string> &skip = {}) {
  std::vector<const ast::Property *> props;
  for (const ast::Property &p : d.properties)
    if (!skip.count(p.key)) props.push_back(&p);
  std::sort(props.begin(), props.end(), [](auto *a, auto *b) { return a->key < b->key; });
  std::string out = ast::to_string(d.kind);
  out += "{";
  for (const ast::Property *p : props) out += p->key + "=" + ast::dump(*p->value) + ";";
  for (const ast::Step &s : d.steps) out += ast::dump(s) + ";";
  return out + "}";
}

std::uint64_t int_argument(const ast::Call &c, const std::string &name, std::uint64_t fallback) {
  const ast::Expr *e = ast::find_argument(c, name);
  auto n = e ? const_number(*e) : std::nullopt;
  return n && n->integral && n->value > 0 ? static_cast<std::uint64_t>(n->value) : fallback;
}

// The distinct space variables a train searches, honouring `space =`.
std::vector<std::pair<const ast::Decl *, std::string>> searched_variables(const TrainFacts &t) {
  std::set<std::string> allowed;
  if (t.search)
    if (const ast::Expr *s = ast::find_argument(*t.search, "space")) {
      if (const auto *n = s->as<ast::Name>(); n && n->name != "all") allowed.insert(n->name);
      if (const auto *l = s->as<ast::List>())
        for (const auto &item : l->items)
          if (const auto *n = item->as<ast::Name>()) allowed.insert(n->name);
    }
  std::vector<std::pair<const ast::Decl *, std::string>> out;
  for (const SpaceUse &u : t.searched) {
    if (!allowed.empty() && !allowed.count(u.space->name)) continue;
    auto key = std::make_pair(u.space, u.var);
    if (std::find(out.begin(), out.end(), key) == out.end()) out.push_back(key);
  }
  return out;
}

std::uint64_t grid_points(const ast::Decl &space, const std::string &var) {
  const ast::Property *p = ast::find_property(space.properties, var);
  const auto *dist = p ? p->value->as<ast::Call>() : nullptr;
  if (!dist) return 1;
  if (dist->callee == "choice") return std::max<std::size_t>(1, dist->args.size());
  if (dist->callee == "int" && dist->args.size() == 2) {
    auto lo = const_number(*dist->args[0].value), hi = const_number(*dist->args[1].value);
    if (lo && hi && hi->value >= lo->value) return static_cast<std::uint64_t>(hi->value - lo->value) + 1;
  }
  return 5;
}

}  // namespace

const char *to_string(TaskKind k) {
  switch (k) {
    case TaskKind::Load: return "load";
    case TaskKind::Search: return "search";
    case TaskKind::Trial: return "trial";
    case TaskKind::Train: return "train";
    case TaskKind::Evaluate: return "evaluate";
    case TaskKind::LabelRound: return "label";
    case TaskKind::Package: return "package";
  }
  return "?";
}

std::uint64_t trial_count(const TrainFacts &train) {
  if (!train.search) return 0;
  const ast::Call &s = *train.search;
  if (s.callee == "grid") {
    const ast::Expr *t = ast::find_argument(s, "trials");
    auto n = t ? const_number(*t) : std::nullopt;
    if (n && n->integral && n->value > 0) return static_cast<std::uint64_t>(n->value);
    std::uint64_t total = 1;
    for (const auto &[space, var] : searched_variables(train)) {
      std::uint64_t points = grid_points(*space, var);
      total = total > UINT64_MAX / points ? UINT64_MAX : total * points;
    }
    return total;
  }
  return int_argument(s, "trials", 1);
}

Plan build_plan(const CheckedProject &project) {
  Plan plan;
  std::map<std::string, std::size_t> index;  // task id -> position in plan.tasks
  std::string settings;
  if (project.project) {
    plan.project = project.project->name;
    // What changes results: the seed and the device, not where the store is.
    settings = canonical(*project.project, {"store", "workflow", "threads"});
  }
  auto add = [&](Task t, const std::string &inputs) {
    std::string material = settings + "|" + to_string(t.kind) + "|" + inputs;
    for (const std::string &dep : t.deps) material += "|" + plan.tasks[index.at(dep)].hash;
    t.hash = content_hash(material);
    index[t.id] = plan.tasks.size();
    plan.tasks.push_back(std::move(t));
    return plan.tasks.back().id;
  };

  std::map<std::string, std::string> loads;  // dataset name -> task id
  auto load = [&](const ast::Decl &dataset) {
    auto it = loads.find(dataset.name);
    if (it != loads.end()) return it->second;
    Task t{"load:" + dataset.name, TaskKind::Load, dataset.name, {}, "", 1, 1, 0, ""};
    const ast::Property *src = ast::find_property(dataset.properties, "source");
    t.summary = "read and split dataset '" + dataset.name + "'" +
                (src ? " from " + format_expr_flat(*src->value) : std::string());
    return loads[dataset.name] = add(std::move(t), canonical(dataset));
  };

  std::map<std::string, std::string> finals;  // train name -> evaluate task id
  for (const TrainFacts &train : project.trains) {
    const ast::Decl &d = *train.decl;
    int priority = 0;
    if (const ast::Property *p = ast::find_property(d.properties, "priority"))
      if (auto n = const_number(*p->value)) priority = static_cast<int>(n->value);
    std::string inputs = canonical(d, {"priority"});
    for (const ast::Decl *block : {train.augment, train.model})
      if (block) inputs += canonical(*block);
    std::set<const ast::Decl *> spaces;
    for (const SpaceUse &u : train.searched) spaces.insert(u.space);
    for (const ast::Decl *s : spaces) inputs += canonical(*s);
    std::vector<std::string> deps;
    if (train.dataset) deps.push_back(load(*train.dataset));

    std::string epochs = "?";
    if (const ast::Property *p = ast::find_property(d.properties, "epochs")) epochs = format_expr_flat(*p->value);

    if (train.search) {
      auto vars = searched_variables(train);
      std::string names;
      for (const auto &[space, var] : vars) names += (names.empty() ? "" : ", ") + space->name + "." + var;
      std::uint64_t trials = trial_count(train);
      std::uint64_t parallel = int_argument(*train.search, "parallel", 1);
      plan.total_trials += trials;
      Task s{"search:" + d.name, TaskKind::Search, d.name, deps, "", 1, 1, priority, ""};
      s.summary = train.search->callee + " over " + std::to_string(vars.size()) + " variable(s): " + names;
      std::string search_id = add(std::move(s), inputs);
      Task trial{"trial:" + d.name, TaskKind::Trial, d.name, {search_id}, "", trials, parallel, priority, ""};
      trial.summary = std::to_string(trials) + " trial(s), " + std::to_string(parallel) + " at a time";
      if (const ast::Expr *prune = ast::find_argument(*train.search, "prune"))
        if (const auto *c = prune->as<ast::Call>()) trial.summary += ", pruned by " + c->callee;
      if (ast::find_argument(*train.search, "proxy")) trial.summary += ", on a proxy";
      deps = {add(std::move(trial), inputs)};
    }
    Task t{"train:" + d.name, TaskKind::Train, d.name, deps, "", 1, 1, priority, ""};
    t.summary = std::string(train.search ? "final training with the best configuration, " : "training, ") + epochs +
                " epoch(s)";
    std::string train_id = add(std::move(t), inputs);
    Task e{"evaluate:" + d.name, TaskKind::Evaluate, d.name, {train_id}, "", 1, 1, priority, ""};
    e.summary = "evaluate on the held-out split";
    finals[d.name] = add(std::move(e), "evaluate");
  }

  for (const auto &[name, decl] : project.decls[static_cast<int>(ast::DeclKind::Deploy)]) {
    std::vector<std::string> deps;
    const ast::Property *from = ast::find_property(decl->properties, "from");
    if (const auto *n = from ? from->value->as<ast::Name>() : nullptr)
      if (finals.count(n->name)) deps.push_back(finals[n->name]);
    Task t{"package:" + name, TaskKind::Package, name, deps, "", 1, 1, 0, ""};
    std::string targets;
    if (const ast::Property *p = ast::find_property(decl->properties, "targets"))
      if (const auto *l = p->value->as<ast::List>())
        for (const auto &item : l->items)
          if (const auto *c = item->as<ast::Call>()) targets += (targets.empty() ? "" : ", ") + c->callee;
    std::string package = "dist/" + name + ".tar.gz";
    if (const ast::Property *p = ast::find_property(decl->properties, "package"))
      if (const auto *lit = p->value->as<ast::Literal>()) package = lit->text;
    t.summary = "package " + targets + " into " + package;
    add(std::move(t), canonical(*decl));
  }
  return plan;
}

}  // namespace edl
