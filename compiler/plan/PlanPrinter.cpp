#include "compiler/plan/Plan.h"

#include "compiler/resolve/SpecJson.h"
#include "compiler/support/JsonText.h"

#include <nlohmann/json.hpp>

#include <map>

namespace edl {

std::string render_plan_text(const Plan &plan) {
  std::map<std::string, std::size_t> number;
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) number[plan.tasks[i].id] = i + 1;
  std::size_t width = 0;
  for (const Task &t : plan.tasks) {
    std::string label = t.id + (t.count > 1 ? " x" + std::to_string(t.count) : "");
    width = std::max(width, label.size());
  }
  std::string out = "plan for project '" + plan.project + "': " + std::to_string(plan.tasks.size()) + " task(s)";
  if (plan.total_trials) out += ", " + std::to_string(plan.total_trials) + " trial(s)";
  if (!plan.tasks.empty() && plan.tasks[0].store_known) {
    std::size_t cached = 0;
    for (const Task &t : plan.tasks) cached += t.cached_from_run ? 1 : 0;
    out += "; " + std::to_string(cached) + " cached, " + std::to_string(plan.tasks.size() - cached) + " to run";
  }
  out += "\n\n";
  for (std::size_t i = 0; i < plan.tasks.size(); ++i) {
    const Task &t = plan.tasks[i];
    std::string label = t.id + (t.count > 1 ? " x" + std::to_string(t.count) : "");
    std::string n = "[" + std::to_string(i + 1) + "]";
    out += "  " + std::string(5 - std::min<std::size_t>(5, n.size()), ' ') + n + " " + label +
           std::string(width - label.size() + 2, ' ') + t.summary + "\n";
    out += std::string(9, ' ') + "hash " + t.hash.substr(0, 12);
    if (!t.deps.empty()) {
      out += "  after";
      for (const std::string &d : t.deps) out += " [" + std::to_string(number[d]) + "]";
    }
    if (t.priority) out += "  priority " + std::to_string(t.priority);
    if (t.store_known)
      out += t.cached_from_run ? "  cached (run " + std::to_string(t.cached_from_run) + ")" : std::string("  will run");
    out += "\n";
  }
  return out;
}

std::string render_plan_json(const Plan &plan) {
  nlohmann::json j;
  j["project"] = plan.project;
  j["total_trials"] = plan.total_trials;
  j["tasks"] = nlohmann::json::array();
  for (const Task &t : plan.tasks) {
    j["tasks"].push_back({{"id", t.id},
                          {"kind", to_string(t.kind)},
                          {"block", t.block},
                          {"deps", t.deps},
                          {"hash", t.hash},
                          {"count", t.count},
                          {"parallel", t.parallel},
                          {"priority", t.priority},
                          {"summary", t.summary},
                          {"spec", task_spec_json(t)}});
    if (t.store_known) j["tasks"].back()["cached_from_run"] = t.cached_from_run ? nlohmann::json(t.cached_from_run) : nlohmann::json();
  }
  return json_text(j, 2) + "\n";
}

std::string render_plan_specs(const Plan &plan) {
  std::string out = "project: " + plan.project + "\n" + spec::render_spec_text(spec::to_json(plan.specs.project), 2);
  for (const Task &t : plan.tasks) {
    out += "\ntask " + t.id + " (" + to_string(t.kind) + ")\n";
    out += "  hash: " + t.hash + "\n";
    out += spec::render_spec_text(task_spec_json(t), 2);
  }
  return out;
}

}  // namespace edl
