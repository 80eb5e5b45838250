#include "runtime/report/ReportPage.h"

#include "compiler/support/JsonText.h"
#include "runtime/report/RunData.h"
#include "runtime/report/RunDiff.h"
#include "runtime/report/Svg.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

namespace edl::report {
namespace {

using nlohmann::json;

const char *kStyle = R"css(
:root{--ink:#1d2430;--muted:#5b6573;--line:#d8dde5;--bg:#f6f7f9;--card:#fff;--accent:#0072b2}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:12px}
header.page{padding:4px 0 8px}
h1{font-size:1.45em;margin:.3em 0}
h2{font-size:1.2em;margin:0 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.25em}
h3{font-size:1.02em;margin:1em 0 .4em}
section{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 14px;margin:12px 0}
.muted{color:var(--muted)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:6px 10px;min-width:120px}
.card b{display:block;font-size:1.25em}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:.9em;margin:4px 0}
th,td{border-bottom:1px solid var(--line);padding:3px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
code{font-size:.88em;word-break:break-all}
.chart-box{overflow-x:auto;max-width:100%;margin:6px 0}
svg.chart{width:100%;height:auto;display:block;max-width:720px}
@media (max-width:600px){svg.chart{min-width:500px}main{padding:6px}section{padding:10px 8px}}
svg.chart text{font-size:13px;fill:#333}
svg.chart .chart-title{font-size:15px;font-weight:600}
svg.chart .tick.small{font-size:11px}
svg.chart .axis{stroke:#888;stroke-width:1}
svg.chart .grid{stroke:#e7e9ee;stroke-width:1}
svg.chart .line{fill:none;stroke-width:2}
svg.chart .trial{fill:none;stroke-width:1.6;opacity:.9}
svg.chart .reference{stroke:#555;stroke-dasharray:6 4;stroke-width:1.2}
svg.chart .count{font-size:12px}
svg.chart .count.light{fill:#fff}
.status-done,.status-cached{color:#08703f}.status-failed{color:#b3261e}
.pairs{display:flex;flex-wrap:wrap;gap:12px}
.pair{border:1px solid var(--line);border-radius:6px;padding:6px}
.pair img{width:64px;height:64px;image-rendering:pixelated;margin:2px;border:1px solid #ccc;background:#eee}
img.preview{width:100%;max-width:640px;height:auto;image-rendering:pixelated;border:1px solid var(--line)}
details>summary{cursor:pointer;font-weight:600;margin:6px 0}
.swatch-run{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:6px;vertical-align:-1px}
footer{color:var(--muted);font-size:.85em;margin:16px 0}
)css";

std::string fixed(double v, int decimals = 4) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string when(double t) {
  if (t <= 0) return "-";
  std::time_t s = static_cast<std::time_t>(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&s));
  return buf;
}

std::string seconds_text(double s) {
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else if (s >= 120) std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else std::snprintf(buf, sizeof buf, "%.1f s", s);
  return buf;
}

std::string bytes_text(double b) {
  char buf[32];
  if (b >= 1 << 20) std::snprintf(buf, sizeof buf, "%.1f MiB", b / (1 << 20));
  else std::snprintf(buf, sizeof buf, "%.1f KiB", b / 1024);
  return buf;
}

// A value of the store's JSON as table text.
std::string value_text(const json &v) {
  if (v.is_number_float()) return tick_text(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "-";
  return json_text(v);
}

// An element id from free text: letters, digits and dashes.
std::string slug(const std::string &text) {
  std::string out;
  for (char c : text) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

struct Table {
  std::vector<std::string> head;
  std::vector<bool> numeric;
  std::vector<std::vector<std::string>> rows;  // cells are HTML already
  std::string html(const std::string &cls = "") const {
    std::string out = "<div class=\"scroll\"><table" + (cls.empty() ? "" : " class=\"" + cls + "\"") + "><thead><tr>";
    for (std::size_t k = 0; k < head.size(); ++k)
      out += std::string(k < numeric.size() && numeric[k] ? "<th class=\"num\">" : "<th>") + escape(head[k]) + "</th>";
    out += "</tr></thead><tbody>\n";
    for (const auto &row : rows) {
      out += "<tr>";
      for (std::size_t k = 0; k < row.size(); ++k)
        out += std::string(k < numeric.size() && numeric[k] ? "<td class=\"num\">" : "<td>") + row[k] + "</td>";
      out += "</tr>\n";
    }
    return out + "</tbody></table></div>\n";
  }
};

std::string chart(const std::string &svg) { return "<figure class=\"chart-box\">" + svg + "</figure>\n"; }

std::string run_label(const json &run) {
  return "run " + std::to_string(run["run"].value("id", 0LL));
}

bool is_loss(const std::string &name) { return name.size() > 5 && name.substr(name.size() - 5) == ".loss"; }

// The metric names of a train job's epochs, by kind: losses and the rest
// (learning rate, throughput and waiting time left out).
void metric_names(const json &epochs, std::vector<std::string> &losses, std::vector<std::string> &others) {
  std::set<std::string> seen;
  for (const json &e : epochs)
    for (const auto &[name, v] : e.items()) {
      if (name == "epoch" || !seen.insert(name).second) continue;
      if (name.rfind("train.", 0) != 0 && name.rfind("val.", 0) != 0) continue;
      (is_loss(name) ? losses : others).push_back(name);
    }
}

Series epoch_series(const json &epochs, const std::string &name, const std::string &label, int colour, bool dashed) {
  Series s{label, {}, colour, true, true, dashed, false};
  for (const json &e : epochs)
    if (e.contains(name)) s.points.push_back({e["epoch"].get<double>(), e[name].get<double>(), label + ", epoch " + std::to_string(e["epoch"].get<int>()) + ": " + tick_text(e[name].get<double>()), false});
  return s;
}

std::string train_section(const json &run, const std::string &prefix) {
  std::string out;
  for (const json &t : run["trains"]) {
    const std::string task = t.value("task", std::string());
    const json &epochs = t["epochs"];
    out += "<h3>" + escape(task) + "</h3>\n<p class=\"muted\">";
    if (t.contains("best_epoch")) out += "best epoch " + std::to_string(t["best_epoch"].get<int>());
    if (t.value("seconds", 0.0) > 0) out += " · " + seconds_text(t["seconds"].get<double>());
    if (t.value("images_per_second", 0.0) > 0) out += " · " + fixed(t["images_per_second"].get<double>(), 0) + " samples/s";
    if (t.contains("augment")) out += " · augmentation: " + escape(value_text(t["augment"]));
    if (t.contains("epochs_from_trial"))
      out += " · the search's trial " + std::to_string(t["epochs_from_trial"].get<int>()) +
             " trained this very recipe: its best weights are the final model, its epochs are shown";
    out += "</p>\n";
    if (epochs.empty()) {
      out += "<p class=\"muted\">No epochs recorded.</p>\n";
      continue;
    }
    std::vector<std::string> losses, others;
    metric_names(epochs, losses, others);
    Axes axes;
    axes.x_label = "epoch";
    axes.x_integer = true;
    std::vector<Series> loss_series, metric_series;
    int colour = 0;
    for (const std::string &n : losses) loss_series.push_back(epoch_series(epochs, n, n, colour++, n.rfind("val.", 0) == 0));
    colour = 0;
    for (const std::string &n : others) metric_series.push_back(epoch_series(epochs, n, n, colour++, false));
    if (!loss_series.empty()) {
      axes.y_label = "loss";
      out += chart(line_chart(prefix + slug(task) + "-loss", task + ": loss per epoch", axes, loss_series));
    }
    if (!metric_series.empty()) {
      axes.y_label = "metric";
      out += chart(line_chart(prefix + slug(task) + "-metrics", task + ": metrics per epoch", axes, metric_series));
    }
  }
  return out;
}

bool is_baseline(const json &trial) { return trial.value("status", std::string()).rfind("baseline:", 0) == 0; }

std::string trial_title(const json &trial, const std::string &objective) {
  std::string title = "trial " + std::to_string(trial.value("number", 0)) + " (" + trial.value("status", std::string()) +
                      "): " + objective + " " + (trial["value"].is_number() ? tick_text(trial["value"].get<double>()) : "-");
  for (const auto &[k, v] : trial["params"].items()) title += ", " + k + "=" + value_text(v);
  return title;
}

// A hyperparameter spanning more than two decades of positive values is drawn on a log scale.
bool log_scaled(const std::vector<double> &values) {
  double lo = INFINITY, hi = 0;
  for (double v : values) {
    if (v <= 0) return false;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  return !values.empty() && hi / lo > 100;
}

std::string search_section(const json &search, const std::string &prefix, const PageImages &images, long long run_id) {
  const std::string task = search.value("task", std::string()), objective = search.value("objective", std::string());
  const bool maximize = search.value("maximize", true);
  std::string out = "<h3>" + escape(task) + "</h3>\n<p class=\"muted\">objective: " + (maximize ? "maximize " : "minimize ") +
                    escape(objective);
  if (search.contains("best_value") && search["best_value"].is_number())
    out += " · best " + fixed(search["best_value"].get<double>());
  if (search.contains("best")) {
    out += " at ";
    bool first = true;
    for (const auto &[k, v] : search["best"].items()) {
      out += (first ? "" : ", ") + escape(k) + " = " + escape(value_text(v));
      first = false;
    }
  }
  out += "</p>\n";

  // Every trial's value by number; pruned and exploited ones hollow; the best so far as a staircase.
  Series values{"trial value", {}, 0, false, true, false, false};
  Series best{"best so far", {}, 3, true, false, false, true};
  std::vector<const json *> searched;
  double best_value = maximize ? -INFINITY : INFINITY;
  std::size_t pruned = 0;
  for (const json &trial : search["trials"]) {
    if (is_baseline(trial) || !trial["value"].is_number()) continue;
    searched.push_back(&trial);
    const double v = trial["value"].get<double>();
    const std::string status = trial.value("status", std::string());
    const bool cut = status == "pruned" || status == "exploited";
    pruned += cut;
    values.points.push_back({static_cast<double>(trial.value("number", 0)), v, trial_title(trial, objective), cut});
    if (status == "done" && (maximize ? v > best_value : v < best_value)) best_value = v;
    if (std::isfinite(best_value)) best.points.push_back({static_cast<double>(trial.value("number", 0)), best_value, "", false});
  }
  Axes axes;
  axes.x_label = "trial";
  axes.x_integer = true;
  axes.y_label = objective;
  out += chart(line_chart(prefix + slug(task) + "-trials", task + ": " + objective + " by trial", axes, {values, best}));
  if (pruned) out += "<p class=\"muted\">Hollow points: " + std::to_string(pruned) + " trial(s) stopped early (pruned or replaced); their value is the last epoch they reached.</p>\n";

  // Each trial's objective by epoch: where pruning cut them short.
  std::vector<Series> curves;
  for (const json *trial : searched) {
    Series s{"trial " + std::to_string(trial->value("number", 0)), {}, trial->value("number", 0), true, false,
             trial->value("status", std::string()) != "done", false};
    for (const json &p : (*trial)["curve"]) s.points.push_back({p["epoch"].get<double>(), p["value"].get<double>(), "", false});
    if (!s.points.empty()) curves.push_back(std::move(s));
  }
  if (!curves.empty()) {
    Axes c;
    c.x_label = "epoch";
    c.x_integer = true;
    c.y_label = objective;
    c.legend = false;
    out += chart(line_chart(prefix + slug(task) + "-curves", task + ": each trial by epoch (dashed: stopped early)", c, curves));
  }

  // Hyperparameters against the objective: parallel coordinates, then one scatter per parameter.
  std::vector<std::string> names;
  if (!searched.empty())
    for (const auto &[k, v] : (*searched.front())["params"].items())
      if (v.is_number()) names.push_back(k);
  if (!names.empty()) {
    std::vector<std::vector<double>> columns(names.size());
    for (const json *trial : searched)
      for (std::size_t a = 0; a < names.size(); ++a) columns[a].push_back((*trial)["params"].value(names[a], 0.0));
    std::vector<bool> logs;
    for (const auto &c : columns) logs.push_back(log_scaled(c));
    std::vector<ParallelRow> rows;
    for (std::size_t k = 0; k < searched.size(); ++k) {
      ParallelRow r;
      for (std::size_t a = 0; a < names.size(); ++a) r.values.push_back(columns[a][k]);
      r.values.push_back((*searched[k])["value"].get<double>());
      r.title = trial_title(*searched[k], objective);
      const std::string status = searched[k]->value("status", std::string());
      r.hollow = status == "pruned" || status == "exploited";
      rows.push_back(std::move(r));
    }
    std::vector<std::string> axis_names = names;
    axis_names.push_back(objective);
    std::vector<bool> axis_logs = logs;
    axis_logs.push_back(false);
    out += chart(parallel_coordinates(prefix + slug(task) + "-parallel", task + ": hyperparameters and " + objective +
                                      " (darker: better)", axis_names, axis_logs, rows, maximize));
    for (std::size_t a = 0; a < names.size() && a < 6; ++a) {
      Series s{names[a], {}, 0, false, true, false, false};
      for (std::size_t k = 0; k < searched.size(); ++k)
        s.points.push_back({columns[a][k], rows[k].values.back(), rows[k].title, rows[k].hollow});
      Axes sc;
      sc.x_label = names[a];
      sc.x_log = logs[a];
      sc.y_label = objective;
      out += chart(line_chart(prefix + slug(task) + "-param-" + slug(names[a]), names[a] + " against " + objective, sc, {s}));
    }
  }

  if (search.contains("lineage") && !search["lineage"].empty()) {
    Table t{{"epoch", "trial", "copies trial", "replaced"}, {true, true, true, false}, {}};
    for (const json &e : search["lineage"])
      t.rows.push_back({value_text(e.value("epoch", json())), value_text(e.value("trial", json())),
                        value_text(e.value("copies", json())), escape(value_text(e.value("replaces", json())))});
    out += "<h3>Population-based training: lineage</h3>\n<p class=\"muted\">At each step a weak member took a strong one's weights and perturbed values.</p>\n" + t.html();
  }

  if (search.contains("augment_baselines")) {
    const json &b = search["augment_baselines"];
    Table t{{"augmentation", objective}, {false, true}, {}};
    for (const char *name : {"none", "trivialaugment", "searched"})
      if (b.contains(name)) t.rows.push_back({name, fixed(b[name].get<double>())});
    out += "<h3>Augmentation against its baselines</h3>\n<p class=\"muted\">Each trained on a trial's budget at the best values; adopted for the final training: <b>" +
           escape(search.value("augment_adopted", std::string("searched"))) + "</b>.</p>\n" + t.html();
    auto it = images.previews.find(run_id);
    if (it != images.previews.end())
      for (const PageImages::Preview &p : it->second)
        out += "<figure><img class=\"preview\" alt=\"" + escape(p.caption) + "\" src=\"" + p.data_uri +
               "\"><figcaption class=\"muted\">" + escape(p.caption) + "</figcaption></figure>\n";
  }
  return out;
}

std::string evaluation_section(const json &e, const std::string &prefix, const PageImages &images) {
  const std::string task = e.value("task", std::string());
  std::string out = "<h3>" + escape(task) + " on " + escape(e.value("split", std::string())) + " (" +
                    std::to_string(e.value("samples", 0)) + " samples)</h3>\n<div class=\"cards\">";
  for (const auto &[name, v] : member(e, "metrics").items())
    if (v.is_number()) out += "<div class=\"card\"><span class=\"muted\">" + escape(name) + "</span><b>" + fixed(v.get<double>()) + "</b></div>";
  out += "</div>\n";
  std::vector<std::string> classes;
  for (const json &c : e.value("classes", json::array())) classes.push_back(c.get<std::string>());
  if (e.contains("confusion")) {
    std::vector<std::vector<long long>> counts;
    for (const json &row : e["confusion"]) counts.push_back(row.get<std::vector<long long>>());
    out += chart(heat_map(prefix + slug(task) + "-confusion", "confusion matrix (rows: true class)", classes, counts));
  }
  if (e.contains("per_class")) {
    Table t{{"class", "precision", "recall", "F1", "support"}, {false, true, true, true, true}, {}};
    for (const json &c : e["per_class"])
      t.rows.push_back({escape(c.value("class", std::string())), fixed(c.value("precision", 0.0)), fixed(c.value("recall", 0.0)),
                        fixed(c.value("f1", 0.0)), std::to_string(c.value("support", 0LL))});
    out += t.html("per-class");
  }
  if (e.contains("confused") && !e["confused"].empty()) {
    out += "<h3>Most confused</h3>\n<div class=\"pairs\">";
    for (const json &p : e["confused"]) {
      const int truth = p.value("true", 0), predicted = p.value("predicted", 0);
      const std::string name_t = truth < static_cast<int>(classes.size()) ? classes[truth] : std::to_string(truth);
      const std::string name_p = predicted < static_cast<int>(classes.size()) ? classes[predicted] : std::to_string(predicted);
      out += "<div class=\"pair\"><div><b>" + escape(name_t) + "</b> taken for <b>" + escape(name_p) + "</b> · " +
             std::to_string(p.value("count", 0)) + "×</div>";
      for (const json &f : p["examples"]) {
        const std::string file = f.get<std::string>();
        auto it = images.examples.find(file);
        if (it != images.examples.end())
          out += "<img class=\"example\" alt=\"" + escape(file) + "\" title=\"" + escape(file) + "\" src=\"" + it->second + "\">";
        else
          out += "<span class=\"muted\" title=\"" + escape(file) + "\">(image not readable now) </span>";
      }
      out += "</div>";
    }
    out += "</div>\n";
  }
  auto per_class = [&](const json &values, const char *what) {
    Table t{{"class", what}, {false, true}, {}};
    for (std::size_t k = 0; k < values.size() && k < classes.size(); ++k)
      t.rows.push_back({escape(classes[k]), values[k].get<double>() < 0 ? "-" : fixed(values[k].get<double>())});
    return t.html();
  };
  if (e.contains("coco")) {
    const json &c = e["coco"];
    out += "<p>COCO mAP@[.5:.95] " + fixed(c.value("map", 0.0)) + " · @.5 " + fixed(c.value("map50", 0.0)) + " · @.75 " +
           fixed(c.value("map75", 0.0)) + "</p>\n" + per_class(c.value("per_class", json::array()), "AP");
  }
  if (e.contains("segmentation")) {
    const json &s = e["segmentation"];
    out += "<p>mIoU " + fixed(s.value("miou", 0.0)) + " · pixel accuracy " + fixed(s.value("pixel_accuracy", 0.0)) + "</p>\n" +
           per_class(s.value("per_class", json::array()), "IoU");
  }
  return out;
}

Series curve_series(const json &points, const std::string &name, int colour, bool dashed) {
  Series s{name, {}, colour, true, true, dashed, false};
  for (const json &p : points)
    s.points.push_back({p["labels"].get<double>(), p["metric"].get<double>(),
                        name + ": " + std::to_string(p["labels"].get<long long>()) + " labels (" +
                            fixed(100 * p["fraction"].get<double>(), 1) + "% of the pool): " + fixed(p["metric"].get<double>()),
                        false});
  return s;
}

std::string label_section(const json &run, const std::string &prefix) {
  std::string out;
  for (const json &c : run["label_curves"]) {
    const std::string label = c.value("label", std::string());
    Axes axes;
    axes.x_label = "labels used";
    axes.y_label = "held-out accuracy";
    if (c["full_metric"].is_number()) {
      axes.y_reference = c["full_metric"].get<double>();
      axes.reference_label = "all pool labels";
    }
    std::vector<Series> series{curve_series(c["points"], c.value("strategy", std::string("strategy")), 0, false)};
    if (!c["baseline"].empty()) series.push_back(curve_series(c["baseline"], "random", 1, true));
    out += "<h3>" + escape(label) + "</h3>\n" +
           chart(line_chart(prefix + slug(label) + "-label", label + ": accuracy by labels used", axes, series));
  }
  return out;
}

std::string packages_section(const json &run) {
  std::string out;
  for (const json &p : run["packages"]) {
    out += "<h3>" + escape(p.value("task", std::string())) + "</h3>\n<p><code>" + escape(p.value("path", std::string())) +
           "</code> · " + bytes_text(p.value("bytes", 0.0)) + "</p>\n";
    Table t{{"target", "file", "size", "int8 accuracy", "float accuracy", "agreement"}, {false, false, true, true, true, true}, {}};
    for (const json &target : p["targets"]) {
      const bool int8 = target.value("quantize", std::string()) == "int8";
      t.rows.push_back({escape(target.value("target", std::string())),
                        escape(target.value("file", target.value("folder", std::string()))),
                        target.contains("bytes") ? bytes_text(target["bytes"].get<double>()) : "-",
                        int8 ? fixed(target.value("accuracy", 0.0)) : "-", int8 ? fixed(target.value("accuracy_float", 0.0)) : "-",
                        int8 ? fixed(target.value("agreement", 0.0)) : "-"});
    }
    out += t.html();
  }
  return out;
}

std::string plan_section(const json &run) {
  const json &plan = run["plan"];
  if (!plan.contains("tasks"))
    return "<p class=\"muted\">This run's plan was not recorded (the store predates plans being kept).</p>\n";
  Table t{{"task", "kind", "what it does"}, {false, false, false}, {}};
  for (const json &task : plan["tasks"])
    t.rows.push_back({"<code>" + escape(task.value("id", std::string())) + "</code>", escape(task.value("kind", std::string())),
                      escape(task.value("summary", std::string()))});
  return t.html();
}

std::string timings_section(const json &run, const std::string &prefix) {
  const double start = run["run"].value("started", 0.0);
  std::vector<Bar> bars;
  Table t{{"task", "status", "attempts", "took"}, {false, false, true, true}, {}};
  for (const json &task : run["tasks"]) {
    const double s = task.value("started", 0.0), f = task.value("finished", 0.0);
    const std::string status = task.value("status", std::string()), name = task.value("name", std::string());
    const int colour = status == "done" ? 2 : status == "cached" ? 5 : status == "failed" ? 3 : 1;
    if (f > 0) bars.push_back({name, name + " (" + status + "): " + seconds_text(f - s), s - start, f - start, colour});
    t.rows.push_back({"<code>" + escape(name) + "</code>",
                      "<span class=\"status-" + slug(status) + "\">" + escape(status) + "</span>" +
                          (task.value("error", std::string()).empty() ? "" : " <span class=\"muted\">" + escape(task["error"].get<std::string>()) + "</span>"),
                      std::to_string(task.value("attempt", 1)), f > 0 ? seconds_text(f - s) : "-"});
  }
  std::string out;
  if (!bars.empty()) out += chart(timeline(prefix + "timeline", "tasks over the run (seconds from its start)", bars));
  return out + t.html();
}

std::string section(const std::string &id, const std::string &title, const std::string &body) {
  if (body.empty()) return "";
  return "<section id=\"" + escape(id) + "\"><h2>" + escape(title) + "</h2>\n" + body + "</section>\n";
}

// Every section of one run; chart ids begin with `prefix` (unique per run).
std::string run_sections(const json &run, const PageImages &images) {
  const long long id = run["run"].value("id", 0LL);
  const std::string prefix = "r" + std::to_string(id) + "-";
  std::string searches, evaluations;
  for (const json &s : run["searches"]) searches += search_section(s, prefix, images, id);
  for (const json &e : run["evaluations"]) evaluations += evaluation_section(e, prefix, images);
  return section(prefix + "plan", "Plan", plan_section(run)) +
         section(prefix + "timings", "Timings", timings_section(run, prefix)) +
         section(prefix + "training", "Training", train_section(run, prefix)) +
         section(prefix + "search", "Search", searches) +
         section(prefix + "evaluation", "Evaluation", evaluations) +
         section(prefix + "labeling", "Labeling", label_section(run, prefix)) +
         section(prefix + "deploy", "Deploy packages", packages_section(run));
}

std::string run_header(const json &run) {
  const json &r = run["run"];
  const double took = r.value("finished", 0.0) > 0 ? r.value("finished", 0.0) - r.value("started", 0.0) : 0;
  std::string out = "<p class=\"muted\">" + escape(r.value("file", std::string())) + " · started " + when(r.value("started", 0.0)) +
                    (took > 0 ? " · took " + seconds_text(took) : "") + " · status <b>" + escape(r.value("status", std::string())) +
                    "</b><br><code>" + escape(r.value("command", std::string())) + "</code></p>\n<div class=\"cards\">";
  for (const json &e : run["evaluations"])
    for (const auto &[name, v] : member(e, "metrics").items())
      if (v.is_number() && name != "loss")
        out += "<div class=\"card\"><span class=\"muted\">" + escape(e.value("task", std::string()) + " " + e.value("split", std::string()) + "." + name) +
               "</span><b>" + fixed(v.get<double>()) + "</b></div>";
  return out + "</div>\n";
}

// Several runs: what differs, the results side by side, and curves overlaid.
std::string comparison(const std::vector<json> &runs) {
  std::string out;
  std::string legend = "<p>";
  for (std::size_t k = 0; k < runs.size(); ++k)
    legend += "<span class=\"swatch-run\" style=\"background:" + palette(static_cast<int>(k)) + "\"></span>" +
              escape(run_label(runs[k])) + " <span class=\"muted\">(" + escape(runs[k]["run"].value("status", std::string())) +
              ", " + when(runs[k]["run"].value("started", 0.0)) + ")</span> &nbsp; ";
  legend += "</p>\n";
  std::vector<std::string> head{"setting"};
  for (const json &r : runs) head.push_back(run_label(r));
  Table diff{head, std::vector<bool>(head.size(), false), {}};
  for (const Difference &d : config_differences(runs)) {
    std::vector<std::string> row{"<code>" + escape(d.setting) + "</code>"};
    for (const std::string &v : d.values) row.push_back("<code>" + escape(v) + "</code>");
    diff.rows.push_back(std::move(row));
  }
  std::string diff_html = diff.rows.empty() ? "<p>The runs' plans and searched values are the same.</p>\n" : diff.html("diff");
  const std::vector<long long> unknown = runs_without_plan(runs);
  if (!unknown.empty()) {
    diff_html += "<p class=\"muted\">Plan not recorded for run";
    for (long long id : unknown) diff_html += " " + std::to_string(id);
    diff_html += " (stores before plans were kept): only searched values are compared for it.</p>\n";
  }
  out += section("compare-config", "Configuration differences", legend + diff_html);
  head[0] = "result";
  Table results{head, std::vector<bool>(head.size(), true), {}};
  results.numeric[0] = false;
  for (const ResultRow &row : result_table(runs)) {
    std::vector<std::string> cells{escape(row.result)};
    for (const auto &v : row.values) cells.push_back(v ? tick_text(*v) : "-");
    results.rows.push_back(std::move(cells));
  }
  out += section("compare-results", "Results side by side", results.html());

  // Overlays: each train job's validation metrics, each search's trial values, each label curve.
  std::string overlays;
  std::set<std::string> trains, searches, labels;
  for (const json &r : runs) {
    for (const json &t : r["trains"]) trains.insert(t.value("task", std::string()));
    for (const json &s : r["searches"]) searches.insert(s.value("task", std::string()));
    for (const json &c : r["label_curves"]) labels.insert(c.value("label", std::string()));
  }
  for (const std::string &task : trains) {
    std::map<std::string, std::vector<Series>> by_metric;
    for (std::size_t k = 0; k < runs.size(); ++k)
      for (const json &t : runs[k]["trains"]) {
        if (t.value("task", std::string()) != task) continue;
        std::vector<std::string> losses, others;
        metric_names(t["epochs"], losses, others);
        for (const auto *names : {&losses, &others})
          for (const std::string &n : *names)
            if (n.rfind("val.", 0) == 0) by_metric[n].push_back(epoch_series(t["epochs"], n, run_label(runs[k]), static_cast<int>(k), false));
      }
    for (const auto &[metric, series] : by_metric) {
      Axes axes;
      axes.x_label = "epoch";
      axes.x_integer = true;
      axes.y_label = metric;
      overlays += chart(line_chart("compare-" + slug(task) + "-" + slug(metric), task + ": " + metric + " per epoch", axes, series));
    }
  }
  for (const std::string &task : searches) {
    std::vector<Series> series;
    std::string objective;
    for (std::size_t k = 0; k < runs.size(); ++k)
      for (const json &s : runs[k]["searches"]) {
        if (s.value("task", std::string()) != task) continue;
        objective = s.value("objective", std::string());
        Series v{run_label(runs[k]), {}, static_cast<int>(k), false, true, false, false};
        for (const json &trial : s["trials"])
          if (!is_baseline(trial) && trial["value"].is_number())
            v.points.push_back({static_cast<double>(trial.value("number", 0)), trial["value"].get<double>(),
                                run_label(runs[k]) + ", " + trial_title(trial, objective), trial.value("status", std::string()) != "done"});
        series.push_back(std::move(v));
      }
    Axes axes;
    axes.x_label = "trial";
    axes.x_integer = true;
    axes.y_label = objective;
    overlays += chart(line_chart("compare-" + slug(task) + "-trials", task + ": " + objective + " by trial", axes, series));
  }
  for (const std::string &label : labels) {
    std::vector<Series> series;
    for (std::size_t k = 0; k < runs.size(); ++k)
      for (const json &c : runs[k]["label_curves"])
        if (c.value("label", std::string()) == label)
          series.push_back(curve_series(c["points"], run_label(runs[k]) + " " + c.value("strategy", std::string()), static_cast<int>(k), false));
    Axes axes;
    axes.x_label = "labels used";
    axes.y_label = "held-out accuracy";
    overlays += chart(line_chart("compare-" + slug(label) + "-label", label + ": accuracy by labels used", axes, series));
  }
  return out + section("compare-curves", "Curves overlaid", overlays);
}

// The JSON embedded in a <script> element: no "<" at all (JSON has it only
// inside strings, where \u003c means the same), so neither "</script>" nor
// "<!--" can end or bend the element.
std::string embeddable(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

}  // namespace

std::string base64(const std::string &bytes) {
  static const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t k = 0; k < bytes.size(); k += 3) {
    const unsigned b0 = static_cast<unsigned char>(bytes[k]);
    const unsigned b1 = k + 1 < bytes.size() ? static_cast<unsigned char>(bytes[k + 1]) : 0;
    const unsigned b2 = k + 2 < bytes.size() ? static_cast<unsigned char>(bytes[k + 2]) : 0;
    const unsigned v = b0 << 16 | b1 << 8 | b2;
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += k + 1 < bytes.size() ? alphabet[v >> 6 & 63] : '=';
    out += k + 2 < bytes.size() ? alphabet[v & 63] : '=';
  }
  return out;
}

std::string render_page(const std::vector<json> &runs, const PageImages &images, const std::string &generator) {
  const std::string project = runs.empty() ? "" : runs[0]["run"].value("project", std::string());
  std::string title = "EDL report: " + project;
  for (const json &r : runs) title += " · " + run_label(r);
  std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; style-src 'unsafe-inline'\">\n"
                    "<title>" + escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n<main>\n";
  out += "<header class=\"page\"><h1>" + escape(project) + "</h1>";
  if (runs.size() == 1) out += run_header(runs[0]);
  out += "</header>\n";
  if (runs.size() == 1) {
    out += run_sections(runs[0], images);
  } else {
    out += comparison(runs);
    for (const json &r : runs)
      out += "<details class=\"run\" id=\"run-" + std::to_string(r["run"].value("id", 0LL)) + "\"><summary>" + escape(run_label(r)) +
             " in detail</summary>\n" + run_header(r) + run_sections(r, images) + "</details>\n";
  }
  out += "<footer>" + escape(generator) + "</footer>\n</main>\n";
  out += "<script type=\"application/json\" id=\"edl-report-data\">" + embeddable(json_text(json(runs))) + "</script>\n";
  return out + "</body>\n</html>\n";
}

}  // namespace edl::report
