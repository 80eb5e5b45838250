#include "compiler/plan/Plan.h"

#include "compiler/resolve/SpecJson.h"
#include "compiler/support/Hash.h"

#include <filesystem>
#include <map>

namespace edl {
namespace {

Task new_task(std::string id, TaskKind kind, std::string block, std::vector<std::string> deps, int priority) {
  Task t;
  t.id = std::move(id);
  t.kind = kind;
  t.block = std::move(block);
  t.deps = std::move(deps);
  t.priority = priority;
  return t;
}

std::string scalar_text(const spec::Scalar &s) {
  return s.searched ? spec::to_text(*s.searched) : std::to_string(static_cast<long long>(s.value));
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

const char *to_string(LabelArm a) {
  switch (a) {
    case LabelArm::Strategy: return "strategy";
    case LabelArm::Baseline: return "random";
    case LabelArm::Reference: return "full";
  }
  return "?";
}

nlohmann::json task_spec_json(const Task &t) {
  if (t.label)  // what a round trains is the recipe's: it is part of the round's identity
    return {{"label", spec::to_json(*t.label)}, {"recipe", spec::to_json(*t.train)},
            {"arm", to_string(t.arm)}, {"round", t.round}};
  if (t.dataset) return spec::to_json(*t.dataset);
  if (t.train) return spec::to_json(*t.train);
  if (t.deploy) return spec::to_json(*t.deploy);
  return nlohmann::json::object();
}

Plan build_plan(const spec::Specs &specs) {
  Plan plan;
  plan.project = specs.project.name;
  plan.specs = specs;
  std::map<std::string, std::size_t> index;  // task id -> position in plan.tasks
  // What changes every result: the seed and the device.
  const std::string settings =
      "seed " + std::to_string(specs.project.seed) + " device " + specs.project.device;
  auto add = [&](Task t) {
    std::string material = settings + "|" + to_string(t.kind) + "|" + spec::canonical(task_spec_json(t));
    for (const std::string &dep : t.deps) material += "|" + plan.tasks[index.at(dep)].hash;
    t.hash = content_hash(material);
    index[t.id] = plan.tasks.size();
    plan.tasks.push_back(std::move(t));
    return plan.tasks.back().id;
  };

  std::map<std::string, std::string> loads;  // dataset name -> task id
  auto load = [&](const spec::Dataset &d) {
    auto it = loads.find(d.name);
    if (it != loads.end()) return it->second;
    Task t = new_task("load:" + d.name, TaskKind::Load, d.name, {}, 0);
    t.dataset = std::make_shared<spec::Dataset>(d);
    // As written: coco(annotations, images), mask_folder(images, masks).
    std::string arguments = "\"" + d.path_as_written + "\"";
    if (spec::has_boxes(d.source)) arguments = "\"" + d.annotations_as_written + "\", " + arguments;
    if (spec::has_masks(d.source)) arguments += ", \"" + d.annotations_as_written + "\"";
    t.summary = "read and split dataset '" + d.name + "' from " + spec::to_string(d.source) + "(" + arguments + ")";
    return loads[d.name] = add(std::move(t));
  };

  std::map<std::string, std::string> finals;  // train name -> evaluate task id
  std::map<std::string, std::string> last_round;  // label name -> its last round's task id
  for (const spec::Train &job : specs.trains) {
    auto shared = std::make_shared<spec::Train>(job);
    std::vector<std::string> deps;
    if (const spec::Dataset *d = specs.dataset(job.dataset)) deps.push_back(load(*d));
    auto task = [&](TaskKind kind, const char *prefix) {
      Task t = new_task(prefix + job.name, kind, job.name, deps, job.priority);
      t.train = shared;
      return t;
    };
    if (job.search) {
      const spec::Search &s = *job.search;
      std::string names;
      for (const spec::Dimension &d : s.dimensions) names += (names.empty() ? "" : ", ") + d.name;
      plan.total_trials += s.trials;
      Task search = task(TaskKind::Search, "search:");
      search.summary = s.strategy + " over " + std::to_string(s.dimensions.size()) + " variable(s): " + names;
      deps = {add(std::move(search))};
      Task trial = task(TaskKind::Trial, "trial:");
      trial.count = s.trials;
      trial.parallel = static_cast<std::uint64_t>(s.parallel);
      trial.summary = std::to_string(s.trials) + " trial(s), " + std::to_string(s.parallel) + " at a time";
      if (!s.pruner.empty()) trial.summary += ", pruned by " + s.pruner;
      if (s.has_proxy) trial.summary += ", on a proxy";
      deps = {add(std::move(trial))};
    }
    Task t = task(TaskKind::Train, "train:");
    t.summary = std::string(job.search ? "final training with the best configuration, " : "training, ") +
                scalar_text(job.epochs) + " epoch(s)";
    deps = {add(std::move(t))};
    Task e = task(TaskKind::Evaluate, "evaluate:");
    e.summary = "evaluate on the held-out split";
    finals[job.name] = add(std::move(e));
  }

  for (const spec::Label &l : specs.labels) {
    const spec::Train *recipe = specs.train(l.model);
    const spec::Dataset *pool = specs.dataset(l.pool);
    const spec::Dataset *held_out = recipe ? specs.dataset(recipe->dataset) : nullptr;
    if (!recipe || !pool || !held_out) continue;  // VerifySpecs has refused such specs
    auto label = std::make_shared<spec::Label>(l);
    auto shared_recipe = std::make_shared<spec::Train>(*recipe);
    std::vector<std::string> loads_needed = {load(*pool)};
    if (held_out->name != pool->name) loads_needed.push_back(load(*held_out));
    auto round = [&](LabelArm arm, int number, std::vector<std::string> deps) {
      std::string id = "label:" + l.name + "/" + (arm == LabelArm::Reference ? "full"
                                                  : arm == LabelArm::Baseline ? "random/" + std::to_string(number)
                                                                              : std::to_string(number));
      Task t = new_task(id, TaskKind::LabelRound, l.name, std::move(deps), recipe->priority);
      t.train = shared_recipe;
      t.label = label;
      t.arm = arm;
      t.round = number;
      return t;
    };
    const std::string oracle = std::string(spec::to_string(l.oracle)) + " oracle";
    std::vector<std::string> strategy_rounds;  // their ids, round 1 first
    for (int k = 1; k <= l.rounds; ++k) {
      Task t = round(LabelArm::Strategy, k, k == 1 ? loads_needed : std::vector<std::string>{strategy_rounds.back()});
      t.summary = k == 1 ? "label round 1: seed labels from the " + oracle + ", train '" + l.model + "', measure, choose " +
                               std::to_string(l.batch) + " by " + l.strategy
                         : "label round " + std::to_string(k) + ": " + std::to_string(l.batch) + " answers from the " +
                               oracle + ", train, measure" + (k < l.rounds ? ", choose the next" : "");
      strategy_rounds.push_back(add(std::move(t)));
    }
    last_round[l.name] = strategy_rounds.empty() ? "" : strategy_rounds.back();  // none: VerifySpecs refused it
    // The baseline starts from the strategy's first round (the same seed
    // labels and model). Its round K also waits for the strategy's round
    // K - 1: when the stop condition held there, the budget is spent.
    std::string baseline = strategy_rounds.empty() ? "" : strategy_rounds.front();
    for (int k = 2; l.baseline && k <= l.rounds; ++k) {
      std::vector<std::string> deps = {baseline};
      if (strategy_rounds[k - 2] != baseline) deps.push_back(strategy_rounds[k - 2]);
      Task t = round(LabelArm::Baseline, k, deps);
      t.summary = "random baseline round " + std::to_string(k) + ": " + std::to_string(l.batch) +
                  " chosen at random, train, measure";
      baseline = add(std::move(t));
    }
    if (l.reference) {
      Task t = round(LabelArm::Reference, 0, loads_needed);
      t.summary = "full-label reference: train '" + l.model + "' on every pool label";
      add(std::move(t));
    }
  }

  for (const spec::Deploy &d : specs.deploys) {
    std::vector<std::string> deps;
    if (finals.count(d.from)) deps.push_back(finals[d.from]);
    if (last_round.count(d.from)) deps.push_back(last_round[d.from]);
    Task t = new_task("package:" + d.name, TaskKind::Package, d.name, deps, 0);
    t.deploy = std::make_shared<spec::Deploy>(d);
    std::string targets;
    for (const spec::Target &target : d.targets) targets += (targets.empty() ? "" : ", ") + target.kind;
    std::error_code ec;
    std::string shown = std::filesystem::relative(d.package, std::filesystem::current_path(ec), ec).string();
    t.summary = "package " + targets + " into " + (ec || shown.empty() ? d.package : shown);
    add(std::move(t));
  }
  return plan;
}

}  // namespace edl
