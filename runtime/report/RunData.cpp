#include "runtime/report/RunData.h"

#include "runtime/label/Curve.h"

#include <map>
#include <stdexcept>
#include <string>

namespace edl::report {
namespace {

using nlohmann::json;

bool finished(const store::TaskRow &t) { return t.status == "done" || t.status == "cached"; }

// Metric rows as one object per epoch: {"epoch": 1, "train.loss": ..., ...}.
json epochs_of(const std::vector<store::MetricRow> &rows) {
  std::map<int, json> by_epoch;
  for (const store::MetricRow &m : rows) {
    json &e = by_epoch[m.epoch];
    e["epoch"] = m.epoch;
    e[m.name] = m.value;
  }
  json out = json::array();
  for (auto &[epoch, values] : by_epoch) out.push_back(std::move(values));
  return out;
}

// The metrics of trial `number` of the run's trials task `name`.
std::vector<store::MetricRow> trial_metrics(store::Store &store, const std::vector<store::TaskRow> &tasks,
                                            const std::string &name, int number) {
  std::vector<store::MetricRow> rows;
  for (const store::TaskRow &t : tasks) {
    if (t.name != name) continue;
    for (const store::TrialRow &r : store.trials(t.id))
      if (r.number == number)
        for (const store::MetricRow &m : store.metrics(t.id))
          if (m.trial_id == r.id) rows.push_back(m);
  }
  return rows;
}

json search_of(store::Store &store, const store::TaskRow &t, const json &outputs) {
  const std::string objective = outputs.value("objective", std::string());
  // Each trial's objective by epoch (its learning curve: where pruning stopped it).
  std::map<std::int64_t, json> curves;
  for (const store::MetricRow &m : store.metrics(t.id))
    if (m.trial_id && m.name == objective) curves[*m.trial_id].push_back({{"epoch", m.epoch}, {"value", m.value}});
  json trials = json::array();
  for (const store::TrialRow &r : store.trials(t.id))
    trials.push_back({{"number", r.number},
                      {"status", r.status},
                      {"value", r.value ? json(*r.value) : json()},
                      {"params", stored_json(r.params)},
                      {"curve", curves.count(r.id) ? curves[r.id] : json::array()},
                      {"seconds", r.finished > 0 ? json(r.finished - r.started) : json()}});
  json s = {{"task", t.name}, {"objective", objective}, {"maximize", outputs.value("maximize", true)},
            {"trials", trials}};
  for (const char *key : {"best", "best_value", "lineage", "augment_baselines", "augment_adopted", "budget_spent"})
    if (outputs.contains(key)) s[key] = outputs[key];
  return s;
}

json evaluation_of(const store::TaskRow &t, const json &outputs) {
  json e = {{"task", t.name}};
  for (const char *key : {"split", "samples", "metrics", "classes", "confusion", "confused", "coco", "segmentation"})
    if (outputs.contains(key)) e[key] = outputs[key];
  if (outputs.contains("confusion") && outputs.contains("classes"))
    e["per_class"] = per_class_scores(outputs["classes"], outputs["confusion"]);
  return e;
}

json packages_of(store::Store &store, const store::TaskRow &t, const json &outputs) {
  json p = {{"task", t.name}, {"path", outputs.value("package", std::string())},
            {"bytes", outputs.value("bytes", 0LL)}, {"targets", json::array()}};
  // What each target wrote (sizes, the int8 module's agreement) is the package artifact's record.
  for (const store::ArtifactRow &a : store.artifacts(t.id))
    if (a.kind == "package") {
      const json written = stored_json(a.meta);
      if (written.contains("targets")) p["targets"] = written["targets"];
    }
  return p;
}

json points_of(const std::vector<label::CurvePoint> &points) {
  json out = json::array();
  for (const label::CurvePoint &p : points)
    out.push_back({{"round", p.round}, {"labels", p.labels}, {"fraction", p.fraction}, {"metric", p.metric}});
  return out;
}

// Each label block's curve with its random baseline and the full-label line.
json label_curves_of(const std::vector<label::Curve> &curves) {
  json out = json::array();
  for (const label::Curve &c : curves)
    out.push_back({{"label", c.label}, {"strategy", c.strategy}, {"points", points_of(c.points)},
                   {"baseline", points_of(c.baseline)},
                   {"full_metric", c.full_metric ? json(*c.full_metric) : json()}});
  return out;
}

}  // namespace

json stored_json(const std::string &text) {
  json j = json::parse(text, nullptr, false);
  return j.is_discarded() ? json::object() : j;
}

const json &member(const json &j, const std::string &key) {
  static const json empty = json::object();
  if (!j.is_object()) return empty;
  auto it = j.find(key);
  return it == j.end() ? empty : *it;
}

json per_class_scores(const json &classes, const json &confusion) {
  json out = json::array();
  const std::size_t n = std::min(classes.size(), confusion.size());
  for (std::size_t c = 0; c < n; ++c) {
    double right = 0, predicted = 0, present = 0;
    for (std::size_t k = 0; k < n; ++k) {
      predicted += confusion[k][c].get<double>();
      present += confusion[c][k].get<double>();
    }
    right = confusion[c][c].get<double>();
    const double precision = predicted > 0 ? right / predicted : 0, recall = present > 0 ? right / present : 0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    out.push_back({{"class", classes[c]}, {"precision", precision}, {"recall", recall}, {"f1", f1},
                   {"support", static_cast<long long>(present)}});
  }
  return out;
}

json run_data(store::Store &store, std::int64_t id) {
  const std::optional<store::RunRow> run = store.run(id);
  if (!run) throw std::out_of_range("no run " + std::to_string(id) + " in " + store.path());
  const std::vector<store::TaskRow> tasks = store.tasks(id);
  json out = {{"run", {{"id", run->id}, {"project", run->project}, {"file", run->file}, {"status", run->status},
                       {"command", run->command}, {"started", run->started}, {"finished", run->finished}}},
              {"plan", stored_json(store.run_plan(id))},
              {"tasks", json::array()},
              {"trains", json::array()},
              {"searches", json::array()},
              {"evaluations", json::array()},
              {"packages", json::array()}};
  for (const store::TaskRow &t : tasks) {
    out["tasks"].push_back({{"name", t.name}, {"kind", t.kind}, {"status", t.status}, {"attempt", t.attempt},
                            {"started", t.started}, {"finished", t.finished}, {"error", t.error}});
    if (!finished(t)) continue;
    const json outputs = stored_json(t.outputs);
    if (t.kind == "train") {
      std::vector<store::MetricRow> rows;
      for (const store::MetricRow &m : store.metrics(t.id))
        if (!m.trial_id) rows.push_back(m);
      json train = {{"task", t.name}, {"epochs", epochs_of(rows)}};
      // A final model that is a search trial's best weights trained no epochs
      // of its own: that trial's epochs are its curves.
      const int from_trial = outputs.value("from_trial", 0);
      if (rows.empty() && from_trial > 0) {
        rows = trial_metrics(store, tasks, "trial:" + t.name.substr(t.name.find(':') + 1), from_trial);
        train["epochs"] = epochs_of(rows);
        train["epochs_from_trial"] = from_trial;
      }
      for (const char *key : {"best_epoch", "seconds", "images_per_second", "augment", "space", "val", "model"})
        if (outputs.contains(key)) train[key] = outputs[key];
      out["trains"].push_back(std::move(train));
    } else if (t.kind == "trials") {
      out["searches"].push_back(search_of(store, t, outputs));
    } else if (t.kind == "evaluate") {
      out["evaluations"].push_back(evaluation_of(t, outputs));
    } else if (t.kind == "package") {
      out["packages"].push_back(packages_of(store, t, outputs));
    }
  }
  const std::vector<label::Curve> curves = label::learning_curves(tasks);
  out["label_rounds"] = label::label_rounds_json(curves);  // as `edlc runs show --format json` gives them
  out["label_curves"] = label_curves_of(curves);
  return out;
}

}  // namespace edl::report
