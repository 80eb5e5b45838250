#include "compiler/plan/Plan.h"

#include "compiler/resolve/SpecJson.h"
#include "compiler/support/Hash.h"

#include <filesystem>
#include <map>

namespace edl {
namespace {

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

nlohmann::json task_spec_json(const Task &t) {
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
    Task t{"load:" + d.name, TaskKind::Load, d.name, {}, "", 1, 1, 0, "", {}, {}, {}};
    t.dataset = std::make_shared<spec::Dataset>(d);
    t.summary = "read and split dataset '" + d.name + "' from " + spec::to_string(d.source) + "(\"" +
                d.path_as_written + "\")";
    return loads[d.name] = add(std::move(t));
  };

  std::map<std::string, std::string> finals;  // train name -> evaluate task id
  for (const spec::Train &job : specs.trains) {
    auto shared = std::make_shared<spec::Train>(job);
    std::vector<std::string> deps;
    if (const spec::Dataset *d = specs.dataset(job.dataset)) deps.push_back(load(*d));
    auto task = [&](TaskKind kind, const char *prefix) {
      Task t{prefix + job.name, kind, job.name, deps, "", 1, 1, job.priority, "", {}, {}, {}};
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

  for (const spec::Deploy &d : specs.deploys) {
    std::vector<std::string> deps;
    if (finals.count(d.from)) deps.push_back(finals[d.from]);
    Task t{"package:" + d.name, TaskKind::Package, d.name, deps, "", 1, 1, 0, "", {}, {}, {}};
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
