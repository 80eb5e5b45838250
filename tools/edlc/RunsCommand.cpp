// `edlc runs [FILE]` lists the runs in a project's store; `edlc runs show
// ID` prints one run: its tasks, per-epoch metrics and the confusion matrix
// (a detector's: COCO's summary and per-class AP).
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"

#include "compiler/sema/ProjectSettings.h"
#include "compiler/support/JsonText.h"
#include "runtime/label/Curve.h"
#include "runtime/report/RunData.h"
#include "runtime/store/Store.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <map>

namespace edl::cli {
namespace {

using nlohmann::json;

std::string when(double t) {
  std::time_t s = static_cast<std::time_t>(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", std::localtime(&s));
  return buf;
}

std::string duration(double start, double end) {
  if (end <= 0) return "-";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", end - start);
  return buf;
}

// The store: --store, else the one the project names.
std::string store_path(const RunsOptions &opts) {
  if (!opts.store.empty()) return opts.store;
  auto in = load_checked(opts.file, ColorMode::Auto);
  return in ? in->specs.project.store : "";
}

int list_runs(store::Store &store, const RunsOptions &opts) {
  std::vector<store::RunRow> runs = store.runs();
  json all = json::array();
  if (opts.format == OutputFormat::Text) std::printf("%4s  %-11s  %-19s  %9s  %-10s  %s\n", "id", "status", "started", "took", "val acc", "project");
  for (const store::RunRow &r : runs) {
    std::string best = "-";
    json trains = json::array();
    for (const store::TaskRow &t : store.tasks(r.id))
      if (t.kind == "train" && (t.status == "done" || t.status == "cached")) {  // reused results count too
        json o = report::stored_json(t.outputs);
        trains.push_back({{"task", t.name}, {"outputs", o}});
        if (o.contains("val") && o["val"].contains("accuracy")) {
          char buf[16];
          std::snprintf(buf, sizeof buf, "%.4f", o["val"]["accuracy"].get<double>());
          best = buf;
        }
      }
    if (opts.format == OutputFormat::Json) {
      all.push_back({{"id", r.id}, {"project", r.project}, {"file", r.file}, {"status", r.status},
                     {"started", r.started}, {"finished", r.finished}, {"trains", trains}});
    } else {
      std::printf("%4lld  %-11s  %-19s  %9s  %-10s  %s\n", static_cast<long long>(r.id), r.status.c_str(),
                  when(r.started).c_str(), duration(r.started, r.finished).c_str(), best.c_str(), r.project.c_str());
    }
  }
  if (opts.format == OutputFormat::Json) std::cout << json_text(all, 2) << "\n";
  else if (runs.empty()) std::cout << "no runs in " << store.path() << "\n";
  return kOk;
}

void print_epochs(const std::vector<store::MetricRow> &metrics) {
  std::map<int, std::map<std::string, double>> by_epoch;
  std::vector<std::string> names;
  for (const store::MetricRow &m : metrics) {
    if (!by_epoch[m.epoch].count(m.name) && std::find(names.begin(), names.end(), m.name) == names.end())
      names.push_back(m.name);
    by_epoch[m.epoch][m.name] = m.value;
  }
  std::printf("    %5s", "epoch");
  for (const std::string &n : names) std::printf("  %*s", static_cast<int>(std::max<std::size_t>(n.size(), 8)), n.c_str());
  std::printf("\n");
  for (const auto &[epoch, values] : by_epoch) {
    std::printf("    %5d", epoch);
    for (const std::string &n : names) {
      auto it = values.find(n);
      int w = static_cast<int>(std::max<std::size_t>(n.size(), 8));
      if (it == values.end()) std::printf("  %*s", w, "-");
      else if (n == "images_per_second") std::printf("  %*.0f", w, it->second);
      else std::printf("  %*.4f", w, it->second);
    }
    std::printf("\n");
  }
}

void print_confusion(const json &outputs) {
  const json &classes = outputs["classes"], &rows = outputs["confusion"];
  std::size_t w = 5;
  for (const auto &c : classes) w = std::max(w, c.get<std::string>().size());
  std::printf("    confusion matrix (rows: true class, columns: predicted)\n    %*s", static_cast<int>(w), "");
  for (const auto &c : classes) std::printf(" %*s", static_cast<int>(std::max<std::size_t>(4, c.get<std::string>().size())), c.get<std::string>().c_str());
  std::printf("\n");
  for (std::size_t i = 0; i < rows.size() && i < classes.size(); ++i) {
    std::printf("    %*s", static_cast<int>(w), classes[i].get<std::string>().c_str());
    for (std::size_t j = 0; j < rows[i].size(); ++j)
      std::printf(" %*lld", static_cast<int>(std::max<std::size_t>(4, classes[j].get<std::string>().size())),
                  rows[i][j].get<long long>());
    std::printf("\n");
  }
}

// A detector's evaluation: COCO's summary, then each class's AP (-1: no
// object of that class in the split).
void print_coco(const json &outputs) {
  const json &coco = outputs["coco"];
  auto value = [&](const char *key) {
    const double v = coco.value(key, -1.0);
    char buf[16];
    std::snprintf(buf, sizeof buf, v < 0 ? "-" : "%.4f", v);
    return std::string(buf);
  };
  std::printf("    COCO: mAP@[.5:.95] %s  @.5 %s  @.75 %s  small %s  medium %s  large %s\n", value("map").c_str(),
              value("map50").c_str(), value("map75").c_str(), value("map_small").c_str(), value("map_medium").c_str(),
              value("map_large").c_str());
  const json &classes = outputs["classes"], &per_class = coco["per_class"];
  std::size_t w = 5;
  for (const auto &c : classes) w = std::max(w, c.get<std::string>().size());
  std::printf("    %-*s %8s\n", static_cast<int>(w), "class", "AP");
  for (std::size_t k = 0; k < classes.size() && k < per_class.size(); ++k) {
    const double ap = per_class[k].get<double>();
    if (ap < 0) std::printf("    %-*s %8s\n", static_cast<int>(w), classes[k].get<std::string>().c_str(), "-");
    else std::printf("    %-*s %8.4f\n", static_cast<int>(w), classes[k].get<std::string>().c_str(), ap);
  }
}

// A segmenter's evaluation: mean IoU and pixel accuracy, then each class's
// IoU (-: neither present nor predicted in the split).
void print_iou(const json &outputs) {
  const json &seg = outputs["segmentation"];
  std::printf("    mIoU %.4f  pixel accuracy %.4f  (%lld pixels)\n", seg.value("miou", 0.0),
              seg.value("pixel_accuracy", 0.0), seg.value("pixels", 0LL));
  const json &classes = outputs["classes"], &per_class = seg["per_class"];
  std::size_t w = 5;
  for (const auto &c : classes) w = std::max(w, c.get<std::string>().size());
  std::printf("    %-*s %8s\n", static_cast<int>(w), "class", "IoU");
  for (std::size_t k = 0; k < classes.size() && k < per_class.size(); ++k) {
    const double iou = per_class[k].get<double>();
    if (iou < 0) std::printf("    %-*s %8s\n", static_cast<int>(w), classes[k].get<std::string>().c_str(), "-");
    else std::printf("    %-*s %8.4f\n", static_cast<int>(w), classes[k].get<std::string>().c_str(), iou);
  }
}

void print_trials(const std::vector<store::TrialRow> &trials, const json &outputs) {
  if (trials.empty()) return;
  std::vector<std::string> names;
  const json first = report::stored_json(trials[0].params);
  for (const auto &[k, v] : first.items()) names.push_back(k);
  std::printf("    %5s  %-23s", "trial", "status");
  for (const std::string &n : names) std::printf("  %12s", n.c_str());
  std::printf("  %s\n", outputs.value("objective", std::string("value")).c_str());
  for (const store::TrialRow &t : trials) {
    json p = report::stored_json(t.params);
    std::printf("    %5d  %-23s", t.number, t.status.c_str());
    for (const std::string &n : names) std::printf("  %12.5g", p.value(n, 0.0));
    if (t.value) std::printf("  %.4f\n", *t.value);
    else std::printf("  -\n");
  }
  if (outputs.contains("best"))
    std::cout << "    best configuration: " << json_text(outputs["best"]) << " (" << outputs.value("best_value", 0.0)
              << ")\n";
  if (outputs.contains("augment_baselines")) {
    const json &b = outputs["augment_baselines"];
    std::printf("    augmentation: none %.4f, trivialaugment %.4f, searched %.4f\n", b.value("none", 0.0),
                b.value("trivialaugment", 0.0), b.value("searched", 0.0));
  }
}

json attempts_json(store::Store &store, std::int64_t task) {
  json out = json::array();
  for (const store::AttemptRow &a : store.attempts(task))
    out.push_back({{"attempt", a.attempt}, {"status", a.status}, {"error", a.error}, {"log", a.log},
                   {"started", a.started}, {"finished", a.finished}});
  return out;
}

// `runs show ID --task NAME`: one task's attempts, each with its error and log.
int show_task(store::Store &store, const store::RunRow &run, const std::vector<store::TaskRow> &tasks,
              const RunsOptions &opts) {
  auto it = std::find_if(tasks.begin(), tasks.end(), [&](const store::TaskRow &t) { return t.name == opts.task; });
  if (it == tasks.end()) {
    std::string names;
    for (const store::TaskRow &t : tasks) names += (names.empty() ? "" : ", ") + t.name;
    report_error() << "run " << run.id << " has no task '" << opts.task << "'; its tasks: " << names;
    return kUserError;
  }
  const store::TaskRow &t = *it;
  if (opts.format == OutputFormat::Json) {
    std::cout << json_text(json{{"run", run.id}, {"name", t.name}, {"status", t.status},
                                {"attempts", attempts_json(store, t.id)}},
                           2)
              << "\n";
    return kOk;
  }
  std::cout << "run " << run.id << ", task " << t.name << ": " << t.status;
  if (t.status == "cached") std::cout << " (not executed: the same inputs finished in an earlier run)";
  std::cout << "\n";
  for (const store::AttemptRow &a : store.attempts(t.id)) {
    std::cout << "\n  attempt " << a.attempt << ": " << a.status << " (" << duration(a.started, a.finished) << ")";
    if (!a.error.empty()) std::cout << "  error: " << a.error;
    std::cout << "\n";
    std::istringstream lines(a.log);
    for (std::string line; std::getline(lines, line);) std::cout << "    | " << line << "\n";
  }
  return kOk;
}

// The run's artifact folder beside the store (checkpoints, model.pt) and
// the bytes of what is in it now.
std::pair<std::string, std::uintmax_t> artifact_disk(const store::Store &store, std::int64_t run) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(store.path()).parent_path() / "artifacts" / ("run-" + std::to_string(run));
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec))
    if (it->is_regular_file(ec)) bytes += it->file_size(ec);
  return {dir.string(), bytes};
}

std::string mebibytes(std::uintmax_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

int show_run(store::Store &store, const RunsOptions &opts) {
  auto run = store.run(opts.id);
  if (!run) {
    report_error() << "no run " << opts.id << " in " << store.path();
    return kUserError;
  }
  std::vector<store::TaskRow> tasks = store.tasks(run->id);
  if (!opts.task.empty()) return show_task(store, *run, tasks, opts);
  if (opts.format == OutputFormat::Json) {
    json jt = json::array();
    for (const store::TaskRow &t : tasks) {
      std::map<std::int64_t, int> trial_number;  // a search's metrics say which trial measured them
      for (const store::TrialRow &tr : store.trials(t.id)) trial_number[tr.id] = tr.number;
      json metrics = json::array();
      for (const store::MetricRow &m : store.metrics(t.id))
        metrics.push_back({{"epoch", m.epoch}, {"step", m.step}, {"name", m.name}, {"value", m.value},
                           {"trial", m.trial_id ? json(trial_number[*m.trial_id]) : json()}});
      json artifacts = json::array();
      for (const store::ArtifactRow &a : store.artifacts(t.id))
        artifacts.push_back({{"kind", a.kind}, {"path", a.path}, {"epoch", a.epoch}});
      json trials = json::array();
      for (const store::TrialRow &tr : store.trials(t.id))
        trials.push_back({{"number", tr.number}, {"status", tr.status}, {"params", report::stored_json(tr.params)},
                          {"value", tr.value ? json(*tr.value) : json()}});
      jt.push_back({{"name", t.name}, {"kind", t.kind}, {"status", t.status}, {"input_hash", t.input_hash},
                    {"attempt", t.attempt}, {"attempts", attempts_json(store, t.id)}, {"trials", trials},
                    {"started", t.started}, {"finished", t.finished}, {"error", t.error},
                    {"outputs", report::stored_json(t.outputs)}, {"metrics", metrics}, {"artifacts", artifacts}});
    }
    const auto [dir, bytes] = artifact_disk(store, run->id);
    std::cout << json_text(json{{"id", run->id}, {"project", run->project}, {"file", run->file},
                                {"status", run->status}, {"command", run->command}, {"started", run->started},
                                {"finished", run->finished}, {"artifacts", {{"folder", dir}, {"bytes", bytes}}},
                                {"tasks", jt}, {"label_rounds", label::label_rounds_json(label::learning_curves(tasks))}},
                           2)
              << "\n";
    return kOk;
  }
  std::cout << "run " << run->id << " of '" << run->project << "' (" << run->file << ")\n"
            << "  status " << run->status << ", started " << when(run->started) << ", took "
            << duration(run->started, run->finished) << "\n  command: " << run->command << "\n";
  const auto [dir, bytes] = artifact_disk(store, run->id);
  std::cout << "  artifacts: " << mebibytes(bytes) << " in " << dir << "\n";
  for (const store::TaskRow &t : tasks) {
    std::cout << "\n  " << t.name << ": " << t.status << " (" << duration(t.started, t.finished) << ")";
    if (t.attempt > 1) std::cout << ", " << t.attempt << " attempts";
    if (!t.error.empty()) std::cout << "  error: " << t.error;
    std::cout << "\n";
    json o = report::stored_json(t.outputs);
    if (t.kind == "train") {
      std::vector<store::MetricRow> metrics = store.metrics(t.id);
      if (!metrics.empty()) print_epochs(metrics);
      if (o.contains("best_epoch"))
        std::cout << "    best epoch " << o["best_epoch"] << ", model " << o.value("model", std::string()) << "\n";
    }
    if (t.kind == "trials") print_trials(store.trials(t.id), o);
    if (t.kind == "evaluate" && o.contains("metrics")) {
      std::cout << "    on " << o.value("split", std::string()) << " (" << o.value("samples", 0) << " samples):";
      for (const auto &[k, v] : o["metrics"].items()) std::printf(" %s %.4f", k.c_str(), v.get<double>());
      std::cout << "\n";
      if (o.contains("confusion")) print_confusion(o);
      if (o.contains("coco")) print_coco(o);
      if (o.contains("segmentation")) print_iou(o);
    }
  }
  for (const label::Curve &c : label::learning_curves(tasks)) {
    std::cout << "\n  label " << c.label << ": held-out accuracy by labels used (curve: "
              << (std::filesystem::path(dir) / "label" / c.label / "curve.png").string() << ")\n";
    for (const std::string &line : label::curve_table(c)) std::cout << "    " << line << "\n";
  }
  return kOk;
}

}  // namespace

namespace {

// Without FILE or --store: the one project root (.edl file with a
// `project` declaration) in the current folder.
std::string project_in_current_folder(std::string &error) {
  std::vector<std::string> roots;
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator(".", ec)) {
    if (e.path().extension() != ".edl" || !e.is_regular_file(ec)) continue;
    SourceManager sm;
    auto id = sm.load(e.path().string());
    if (id && ("\n" + sm.text(*id)).find("\nproject ") != std::string::npos) roots.push_back(e.path().string());
  }
  std::sort(roots.begin(), roots.end());
  if (roots.size() == 1) return roots[0];
  if (roots.empty()) {
    error = "no project file in this folder: name it (edlc runs FILE) or the store (--store PATH)";
  } else {
    error = "several project files in this folder (";
    for (std::size_t i = 0; i < roots.size(); ++i) error += (i ? ", " : "") + roots[i];
    error += "): name one (edlc runs FILE)";
  }
  return "";
}

}  // namespace

int run_runs(const RunsOptions &given) {
  RunsOptions opts = given;
  if (opts.file.empty() && opts.store.empty()) {
    std::string error;
    opts.file = project_in_current_folder(error);
    if (opts.file.empty()) {
      report_error() << error;
      return kUsage;
    }
  }
  std::string path = store_path(opts);
  if (path.empty()) return kUserError;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    report_error() << "no store at " << path << " yet: 'edlc run' creates it";
    return kUserError;
  }
  if (opts.compare) return run_runs_compare(path, opts);
  try {
    store::Store store(path);
    return opts.show ? show_run(store, opts) : list_runs(store, opts);
  } catch (const store::StoreError &e) {
    report_error() << e.what();
    return kUserError;
  }
}

}  // namespace edl::cli
