#include "runtime/report/RunDiff.h"

#include "compiler/support/JsonText.h"
#include "runtime/report/RunData.h"

#include <map>
#include <set>

namespace edl::report {
namespace {

using nlohmann::json;

bool scalar_array(const json &j) {
  for (const json &e : j)
    if (e.is_structured()) return false;
  return true;
}

void flatten(const json &j, const std::string &path, std::vector<std::pair<std::string, std::string>> &out) {
  if (j.is_object() && !j.empty()) {
    for (const auto &[k, v] : j.items()) flatten(v, path.empty() ? k : path + "." + k, out);
  } else if (j.is_array() && !scalar_array(j)) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], path + "[" + std::to_string(i) + "]", out);
  } else {
    out.emplace_back(path, json_text(j));
  }
}

// Every setting of one run: its plan's, and the values each search chose.
std::map<std::string, std::string> settings_of(const json &run) {
  std::map<std::string, std::string> out;
  for (const auto &[setting, value] : flatten_plan(run.value("plan", json::object()))) out[setting] = value;
  for (const json &s : run.value("searches", json::array()))
    for (const auto &[name, value] : member(s, "best").items())
      out[s.value("task", std::string()) + " best " + name] = json_text(value);
  return out;
}

void add(std::vector<ResultRow> &rows, std::map<std::string, std::size_t> &at, const std::string &name,
         std::size_t run, std::size_t runs, double value) {
  auto [it, fresh] = at.emplace(name, rows.size());
  if (fresh) rows.push_back({name, std::vector<std::optional<double>>(runs)});
  rows[it->second].values[run] = value;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> flatten_plan(const json &plan) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const json &task : plan.value("tasks", json::array())) {
    std::vector<std::pair<std::string, std::string>> fields;
    flatten(task.value("spec", json::object()), "", fields);
    const std::string id = task.value("id", std::string());
    for (auto &[path, value] : fields) out.emplace_back(id + " " + path, std::move(value));
  }
  return out;
}

std::vector<Difference> config_differences(const std::vector<json> &runs) {
  std::vector<std::map<std::string, std::string>> settings;
  std::set<std::string> names;
  for (const json &r : runs) {
    settings.push_back(settings_of(r));
    for (const auto &[k, v] : settings.back()) names.insert(k);
  }
  std::vector<Difference> out;
  for (const std::string &name : names) {
    Difference d{name, {}};
    for (const auto &s : settings) {
      auto it = s.find(name);
      d.values.push_back(it == s.end() ? "-" : it->second);
    }
    bool same = true;
    for (const std::string &v : d.values) same = same && v == d.values.front();
    if (!same) out.push_back(std::move(d));
  }
  return out;
}

std::vector<long long> runs_without_plan(const std::vector<json> &runs) {
  std::vector<long long> out;
  for (const json &r : runs)
    if (r.value("plan", json::object()).value("tasks", json::array()).empty())
      out.push_back(r["run"].value("id", 0LL));
  return out;
}

std::vector<ResultRow> result_table(const std::vector<json> &runs) {
  std::vector<ResultRow> rows;
  std::map<std::string, std::size_t> at;
  const std::size_t n = runs.size();
  for (std::size_t k = 0; k < n; ++k) {
    const json &r = runs[k];
    for (const json &e : r.value("evaluations", json::array()))
      for (const auto &[name, value] : member(e, "metrics").items())
        if (value.is_number())
          add(rows, at, e.value("task", std::string()) + " " + e.value("split", std::string()) + "." + name, k, n,
              value.get<double>());
    for (const json &t : r.value("trains", json::array())) {
      for (const auto &[name, value] : member(t, "val").items())
        if (value.is_number()) add(rows, at, t.value("task", std::string()) + " val." + name, k, n, value.get<double>());
      if (t.contains("seconds")) add(rows, at, t.value("task", std::string()) + " seconds", k, n, t["seconds"].get<double>());
    }
    for (const json &s : r.value("searches", json::array())) {
      if (s.contains("best_value") && s["best_value"].is_number())
        add(rows, at, s.value("task", std::string()) + " best " + s.value("objective", std::string()), k, n,
            s["best_value"].get<double>());
      add(rows, at, s.value("task", std::string()) + " trials", k, n, static_cast<double>(s["trials"].size()));
    }
    for (const json &p : r.value("packages", json::array()))
      add(rows, at, p.value("task", std::string()) + " bytes", k, n, p.value("bytes", 0.0));
    const json &run = r["run"];
    if (run.value("finished", 0.0) > 0)
      add(rows, at, "run seconds", k, n, run.value("finished", 0.0) - run.value("started", 0.0));
  }
  return rows;
}

}  // namespace edl::report
