#include "runtime/workflow/Execution.h"
#include "runtime/workflow/RunLock.h"
#include "runtime/workflow/Scheduler.h"
#include "runtime/workflow/TaskIdentity.h"

#include "compiler/support/Hash.h"
#include "compiler/support/JsonText.h"
#include "runtime/train/Schedule.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

json metrics_json(const train::EpochMetrics &m, const std::vector<std::string> &names) {
  json j = json::object();
  for (const std::string &n : names) j[n] = m.value(n);
  return j;
}

json confusion_json(const train::ConfusionMatrix &c) {
  json rows = json::array();
  for (int t = 0; t < c.classes(); ++t) {
    json row = json::array();
    for (int p = 0; p < c.classes(); ++p) row.push_back(c.at(t, p));
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

thread_local TaskLog *current_task_log = nullptr;

namespace {

const char *kind_name(TaskKind k) { return k == TaskKind::Trial ? "trials" : to_string(k); }

// Test hooks, as "task=N,task=N" in an environment variable: EDL_FAIL_TASK
// makes the named tasks fail their first N attempts (retries);
// EDL_DELAY_TASK holds them N seconds once their row is open, so a test can
// kill the process inside a given task.
double task_hook(const char *variable, const std::string &task) {
  const char *env = std::getenv(variable);
  if (!env) return 0;
  std::string spec = env;
  for (std::size_t at = 0; at <= spec.size();) {
    std::size_t end = spec.find(',', at);
    if (end == std::string::npos) end = spec.size();
    std::string item = spec.substr(at, end - at);
    std::size_t eq = item.rfind('=');
    if (eq != std::string::npos && item.substr(0, eq) == task) return std::atof(item.c_str() + eq + 1);
    at = end + 1;
  }
  return 0;
}

}  // namespace

Attempt Execution::run_task(const Task &t, int attempt, int running) {
  TaskLog log;
  current_task_log = &log;
  struct Reset {
    ~Reset() { current_task_log = nullptr; }
  } reset;
  // The cores are shared by the tasks running at this moment.
  torch::set_num_threads(std::max(1, threads_ / std::max(1, running)));
  if (finished_before(t)) return {TaskState::Done, ""};
  const double started = store::now_seconds();
  const std::int64_t row = open_task(t);
  if (const double hold = task_hook("EDL_DELAY_TASK", t.id); hold > 0)
    std::this_thread::sleep_for(std::chrono::duration<double>(hold));
  Attempt result;
  if (const int failures = static_cast<int>(task_hook("EDL_FAIL_TASK", t.id)); attempt <= failures) {
    result = {TaskState::Failed, "injected failure " + std::to_string(attempt) + " of " + std::to_string(failures) +
                                     " (EDL_FAIL_TASK)"};
    obs_.message(t.id + ": " + result.error);
  } else {
    try {
      const bool ok = dispatch(t);
      result.state = ok ? TaskState::Done : was_interrupted() ? TaskState::Interrupted : TaskState::UserError;
    } catch (const store::StoreError &e) {
      fail(e.what());  // the store itself is broken: retrying cannot help
      result.state = TaskState::UserError;
    } catch (const std::exception &e) {
      result = {TaskState::Failed, e.what()};
    }
  }
  if (result.state != TaskState::Done && result.error.empty()) {
    std::lock_guard<std::mutex> lock(log.mu);
    for (const std::string &e : log.errors) result.error += (result.error.empty() ? "" : "; ") + e;
    if (result.error.empty()) result.error = result.state == TaskState::Interrupted ? "interrupted" : "failed";
  }
  std::string text;
  {
    std::lock_guard<std::mutex> lock(log.mu);
    text = log.text;
  }
  store_.add_attempt(row, attempt, to_string(result.state), result.error, text, started);
  if (result.state != TaskState::Done) {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    last_errors_[t.id] = result.error;
  }
  if (result.state != TaskState::Done) store_.finish_task(row, to_string(result.state), result.error);
  return result;
}

bool Execution::dispatch(const Task &t) {
  switch (t.kind) {
    case TaskKind::Load: return load(t);
    case TaskKind::Train: return train(t);
    case TaskKind::Evaluate: return evaluate(t);
    case TaskKind::Search: return search(t);
    case TaskKind::Trial: return trials(t);
    case TaskKind::Package: return package(t);
    case TaskKind::LabelRound:
      // `edlc check` rejects label blocks (E0901), so no plan holds one; a
      // task that did not run is never recorded as done.
      fail("internal error: this version of edlc cannot run " + t.id);
      return false;
  }
  return true;
}

namespace {

// The files a finished task's outputs name (a training's model, a
// package) must still exist for its work to be reused.
bool files_still_there(const std::string &outputs) {
  json o = json::parse(outputs, nullptr, false);
  if (!o.is_object()) return true;
  for (const char *key : {"model", "package"})
    if (o.contains(key) && o[key].is_string() && !fs::exists(o[key].get<std::string>())) return false;
  return true;
}

}  // namespace

bool Execution::finished_before(const Task &t) {
  std::optional<store::TaskRow> row;
  std::string how;
  if (const store::TaskRow *prev = before(t); prev && (prev->status == "done" || prev->status == "cached")) {
    row = *prev;
    how = "done before this run was stopped; kept";
  } else if (!prev && !req_.fresh && (row = store_.completed_task(identity(t)))) {
    if (!files_still_there(row->outputs)) {
      obs_.message(t.id + ": its inputs are unchanged since run " + std::to_string(row->run_id) +
                   " but what it wrote is gone; runs again");
      return false;
    }
    store_.add_cached_task(out_.run_id, t.id, kind_name(t.kind), identity(t), row->outputs);
    how = "cached, its inputs are unchanged since run " + std::to_string(row->run_id);
  }
  if (!row) return false;
  reuse(t, *row);
  obs_.message(t.id + ": " + how);
  return true;
}

std::int64_t Execution::open_task(const Task &t) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  if (auto it = rows_.find(t.id); it != rows_.end()) {  // a retry
    store_.reopen_task(it->second);
    reopened_.insert(t.id);
    return it->second;
  }
  if (const store::TaskRow *prev = before(t)) {  // a run stopped in this task
    store_.reopen_task(prev->id);
    reopened_.insert(t.id);
    return rows_[t.id] = prev->id;
  }
  return rows_[t.id] = store_.begin_task(out_.run_id, t.id, kind_name(t.kind), identity(t));
}

std::int64_t Execution::row_of(const Task &t) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  return rows_.at(t.id);
}

bool Execution::reopened(const Task &t) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  return reopened_.count(t.id) > 0;
}

void Execution::reuse(const Task &t, const store::TaskRow &row) {
  json outputs = json::parse(row.outputs, nullptr, false);
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  if (t.kind == TaskKind::Trial && outputs.is_object() && outputs.contains("best"))
    best_values_[t.block] = space_values_of(outputs["best"]);
  if (t.kind == TaskKind::Trial && outputs.is_object() && outputs.contains("augment_adopted"))
    adopted_augment_[t.block] = outputs.value("augment_adopted", std::string("searched"));
  if (t.kind == TaskKind::Trial && outputs.is_object() && outputs.contains("final_from_trial"))
    final_from_trial_[t.block] = outputs["final_from_trial"];
  if (t.kind == TaskKind::Train) {
    finished_trains_[t.block] = outputs;
    // Reported like work done now: `run --json` and the closing lines
    // show reused results too.
    if (outputs.is_object()) {
      TrainOutcome o;
      o.name = t.block;
      o.task_id = row.id;
      o.epochs_run = outputs.value("epochs_run", 0);
      o.best_epoch = outputs.value("best_epoch", 0);
      o.seconds = outputs.value("seconds", 0.0);
      o.images_per_second = outputs.value("images_per_second", 0.0);
      o.model_path = outputs.value("model", std::string());
      o.stopped_early = outputs.value("stopped_early", false);
      if (outputs.contains("val") && outputs["val"].is_object())
        for (const auto &[m, v] : outputs["val"].items())
          if (v.is_number()) o.val[m] = v.get<double>();
      o.reused_from_run = row.run_id == out_.run_id ? 0 : row.run_id;
      out_.trains.push_back(o);
    }
  }
  if (t.kind == TaskKind::Package && outputs.is_object() && outputs.contains("package"))
    out_.packages.push_back(outputs.value("package", std::string()));
}

DiagnosticBuilder Execution::diagnose(DiagId id, SourceRange at, std::vector<std::string> args) {
  const DiagnosticInfo &info = diagnostic_info(id);
  if (TaskLog *log = current_task_log) {
    std::lock_guard<std::mutex> lock(log->mu);
    log->errors.push_back(std::string("error[") + info.code + "]: " + format_message(info.message, args));
  }
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  return diags_.report(id, at, std::move(args));
}

bool Execution::weights_of_trial(const Task &t, Trained &job, const json &from_trial, train::TrainResult &result) {
  const std::string source = from_trial.value("model", std::string());
  const fs::path target = checkpoint_dir(t.block) / "model.pt";
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  std::string error;
  if (lower::load_weights(*job.net, source, error) == 0 || !error.empty()) return false;
  fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
  if (ec) return false;
  result.model_path = target.string();
  result.best_epoch = from_trial.value("best_epoch", 0);
  result.best_val = train::evaluate(job.net, *job.data, job.data->split.val, job.norm, job.spec.loss);
  return true;
}

std::filesystem::path Execution::checkpoint_dir(const std::string &dir) const {
  return fs::path(settings_.store).parent_path() / "artifacts" / ("run-" + std::to_string(out_.run_id)) / dir;
}

std::string Execution::trial_dir(const std::string &block, int number) {
  return block + "/trial-" + std::to_string(number);  // under the job: two searched jobs never share a folder
}

Trained &Execution::trained(const std::string &block) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  return trained_[block];  // map references stay valid as others are added
}

void Execution::set_best_values(const std::string &block, const SpaceValues &values) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  best_values_[block] = values;
}

void Execution::fail(const std::string &error) {
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    out_.errors.push_back(error);
  }
  if (TaskLog *log = current_task_log) {
    std::lock_guard<std::mutex> lock(log->mu);
    log->errors.push_back(error);
  }
}

std::string Execution::last_error(const std::string &task) {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  auto it = last_errors_.find(task);
  return it == last_errors_.end() ? "" : it->second;
}

void Execution::mark_interrupted() {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  out_.status = "interrupted";
}

bool Execution::was_interrupted() {
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  return out_.status == "interrupted" || (req_.interrupt && req_.interrupt->load());
}

train::ResumePoint Execution::resume_point(std::int64_t task, std::optional<std::int64_t> trial, const train::TrainSpec &spec) {
  train::ResumePoint point;
  for (const store::ArtifactRow &a : store_.artifacts(task))
    if (a.kind == "checkpoint" && a.trial_id == trial && a.epoch > point.epoch && fs::exists(a.path))
      point.epoch = a.epoch, point.weights = a.path;
  store_.forget_after(task, trial, point.epoch);
  const bool on_train = spec.early_stop.enabled && spec.early_stop.split == "train";
  const std::string watched = (on_train ? "train." : "val.") + (spec.early_stop.enabled ? spec.early_stop.metric
                                                                                        : std::string("accuracy"));
  const bool maximize = spec.early_stop.enabled ? spec.early_stop.maximize : true;
  for (const store::MetricRow &m : store_.metrics(task))
    if (m.trial_id == trial && m.name == watched && m.epoch <= point.epoch &&
        (point.best_epoch == 0 || (maximize ? m.value > point.best : m.value < point.best)))
      point.best = m.value, point.best_epoch = m.epoch;
  return point;
}

const data::LoadedDataset *Execution::dataset(const std::string &name, const data::DatasetSpec **spec) {
  std::lock_guard<std::mutex> loading(load_mu_);  // one load at a time; a second caller waits for the first
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    if (auto it = data_.find(name); it != data_.end()) {
      if (spec) *spec = req_.plan->specs.dataset(name);
      return it->second.get();
    }
  }
  const spec::Dataset *declared = req_.plan->specs.dataset(name);
  if (!declared) return nullptr;
  const data::DatasetSpec &dspec = *declared;
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    if (data::report_missing_folder(dspec, diags_)) {
      if (TaskLog *log = current_task_log) {
        const Diagnostic &d = diags_.diagnostics().back();
        std::lock_guard<std::mutex> log_lock(log->mu);
        log->errors.push_back("error[" + d.code + "]: " + d.message);
      }
      return nullptr;
    }
  }
  auto loaded = std::make_unique<data::LoadedDataset>(data::load_dataset(dspec));
  const data::DataReport &r = loaded->report;
  if (!r.ok()) {  // the cause first, then what was skipped on the way
    std::string all;
    for (const std::string &e : r.errors) all += (all.empty() ? "" : "; ") + e;
    fail("dataset '" + dspec.name + "': " + all);
  }
  for (const std::string &line : data::skipped_summary(r)) obs_.message("  " + line);
  for (const std::string &w : r.warnings) obs_.message("  warning: " + w);
  if (!r.ok()) return nullptr;
  obs_.message("load " + dspec.name + ": " + std::to_string(loaded->size()) + " samples, " +
               std::to_string(loaded->classes.size()) + " classes, train " +
               std::to_string(loaded->split.train.size()) + " / val " + std::to_string(loaded->split.val.size()) +
               " / test " + std::to_string(loaded->split.test.size()) + " (" + std::to_string(r.decoded) +
               " decoded, " + std::to_string(r.from_cache) + " from the cache)");
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  if (spec) *spec = declared;
  return (data_[name] = std::move(loaded)).get();
}

bool Execution::load(const Task &t) {
  const data::LoadedDataset *loaded = dataset(t.block);
  if (!loaded) return false;
  store_.finish_task(row_of(t), "done", "",
                     json_text(json{{"samples", loaded->size()}, {"classes", loaded->classes},
                                    {"skipped", loaded->report.skipped.size()}}));
  return true;
}

bool Execution::prepare(const spec::Train &unbound, const SpaceValues &space, Trained &job,
                        std::unique_ptr<lower::CompiledAugment> &augment, bool verbose) {
  std::lock_guard<std::mutex> lock(prepare_mu_);
  job.spec = spec::bind(unbound, space, settings_.space_defaults);
  const data::DatasetSpec *spec_of_data = nullptr;
  const data::LoadedDataset *loaded = dataset(job.spec.dataset, &spec_of_data);
  if (!loaded) return false;
  const data::DatasetSpec &dspec = *spec_of_data;
  const data::LoadedDataset &data = *loaded;
  job.data = &data;
  const SourceRange data_at = job.spec.data_range;
  if (data.pixels.empty()) {
    diagnose(DiagId::NotSupportedYet, data_at, {"training on dataset", dspec.name});
    return false;
  }
  if (data.split.train.empty() || data.classes.size() < 2) {
    diagnose(DiagId::DataUnusable, data_at,
                  {dspec.name, data.split.train.empty() ? "the training split is empty" : "it has fewer than 2 classes"});
    return false;
  }
  job.norm = train::make_normalizer(dspec, data);
  if (const spec::Augment *block = job.spec.augment.get()) {
    std::vector<lower::LoweringError> errors;
    lower::AugmentProgram program = lower::build_program(*block, data.width, data.height, data.channels, errors);
    for (const lower::LoweringError &e : errors) diagnose(e.id, e.range, e.args);
    if (!errors.empty()) return false;
    if (program.out_w != data.width || program.out_h != data.height) {
      diagnose(DiagId::DataUnusable, job.spec.augment_range.valid() ? job.spec.augment_range : data_at,
                    {dspec.name, "augment '" + block->name + "' makes " + std::to_string(program.out_w) +
                                     "x" + std::to_string(program.out_h) + " images but validation sees " +
                                     std::to_string(data.width) + "x" + std::to_string(data.height) +
                                     "; end the block with resize(size = " + std::to_string(data.width) + "x" +
                                     std::to_string(data.height) + ")"});
      return false;
    }
    std::string error;
    augment = lower::CompiledAugment::compile(program, error, dspec.cache_dir + "/kernels");
    if (!augment) {
      fail("augment '" + block->name + "': " + error);
      return false;
    }
    if (verbose)
      obs_.message("augment " + block->name + ": one fused kernel, " +
                   (augment->from_cache() ? "loaded from the cache" : "compiled") + " in " +
                   std::to_string(static_cast<int>(augment->compile_seconds() * 1000)) + " ms");
  }
  try {  // a custom schedule compiles before any epoch runs
    train::LrSchedule probe(job.spec.schedule, job.spec.optimizer.lr, job.spec.epochs, 1);
  } catch (const std::exception &e) {
    fail("train '" + job.spec.name + "': the schedule formula could not be compiled: " + e.what());
    return false;
  }

  torch::manual_seed(settings_.seed);
  std::vector<lower::ModelError> errors;
  std::string pretrained;
  lower::InputShape shape{data.channels, data.height, data.width, static_cast<int>(data.classes.size())};
  job.net = lower::build_model(job.spec.model, shape, errors, &pretrained);
  for (const lower::ModelError &e : errors) {
    auto d = diagnose(e.id, e.range, e.args);
    for (const std::string &n : e.notes) d.help(NoteId::AvailableNames, {n});
  }
  if (!job.net) return false;
  if (verbose) {
    std::int64_t parameters = 0;
    for (const torch::Tensor &p : job.net->parameters()) parameters += p.numel();
    obs_.message("train " + job.spec.name + ": " + job.spec.model.backbone + " + " + job.spec.model.head + ", " +
                 std::to_string(parameters) + " parameters, " + std::to_string(data.width) + "x" +
                 std::to_string(data.height) + "x" + std::to_string(data.channels) + ", batch " +
                 std::to_string(job.spec.batch) + ", " + std::to_string(job.spec.epochs) + " epochs, " +
                 std::to_string(torch::get_num_threads()) + " threads" +
                 (pretrained.empty() ? "" : "; pretrained: " + pretrained));
  }
  return true;
}

train::TrainResult Execution::fit(const std::string &block, Trained &job, const lower::CompiledAugment *augment,
                       std::int64_t task, std::optional<std::int64_t> trial, const std::string &dir,
                       double subset, bool epoch_lines, const train::ResumePoint &resume,
                       std::function<bool(const train::EpochReport &)> prune, int stop_epoch) {
  const data::LoadedDataset &data = *job.data;
  train::TrainJob tj;
  tj.spec = &job.spec;
  tj.data = &data;
  tj.norm = job.norm;
  tj.augment = augment;
  tj.seed = settings_.seed;
  tj.subset = subset;
  tj.resume = resume;
  tj.stop_epoch = stop_epoch;
  tj.checkpoint_dir = checkpoint_dir(dir).string();
  const std::int64_t steps = (static_cast<std::int64_t>(data.split.train.size()) + job.spec.batch - 1) / job.spec.batch;
  train::TrainCallbacks cb;
  const int epochs = job.spec.epochs;
  if (!running_in_parallel_)  // one progress bar cannot show several trainings
    cb.on_batch = [&](int e, int b, int n, double loss, double acc, double ips) {
      obs_.batch(block, e, epochs, b, n, loss, acc, ips);
    };
  cb.on_epoch = [&](const train::EpochReport &r) {
    std::vector<std::pair<std::string, double>> values = {{"lr", r.lr}, {"images_per_second", r.images_per_second},
                                                             {"data_wait_seconds", r.data_wait}};
    for (const std::string &m : job.spec.metrics) {
      values.emplace_back("train." + m, r.train.value(m));
      values.emplace_back("val." + m, r.val.value(m));
    }
    store_.add_metrics(task, trial, r.epoch, r.epoch * steps, values);
    if (r.checkpointed) store_.add_artifact(task, trial, "checkpoint", r.checkpoint, r.epoch);
    for (const std::string &gone : r.removed) store_.remove_artifact(task, gone);
    if (epoch_lines) obs_.epoch(block, epochs, r);
  };
  cb.interrupted = [&] { return req_.interrupt && req_.interrupt->load(); };
  cb.prune = std::move(prune);
  return train::train_model(job.net, tj, cb);
}

bool Execution::train(const Task &t) {
  const spec::Train &recipe = *t.train;
  Trained &job = trained(t.block);
  std::optional<SpaceValues> searched;
  std::string adopted = "searched";
  json from_trial;
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    if (auto it = best_values_.find(t.block); it != best_values_.end()) searched = it->second;
    if (auto it = adopted_augment_.find(t.block); it != adopted_augment_.end()) adopted = it->second;
    if (auto it = final_from_trial_.find(t.block); it != final_from_trial_.end()) from_trial = it->second;
  }
  SpaceValues values = searched ? *searched : SpaceValues{};
  std::unique_ptr<lower::CompiledAugment> augment;
  // The augmentation the search adopted: a baseline replaces the block.
  spec::Train used = recipe;
  if (adopted != "searched") used.augment = nullptr;
  if (!prepare(used, values, job, augment, true)) return false;
  if (adopted == "trivialaugment" && !(augment = trivialaugment_kernel(job, recipe))) return false;
  if (adopted != "searched")
    obs_.message("train " + t.block + ": augmentation " + adopted + ", as the search adopted");
  const std::int64_t id = row_of(t);
  const bool resumed = reopened(t);
  train::ResumePoint resume;
  if (resumed) {
    resume = resume_point(id, std::nullopt, job.spec);
    if (resume.epoch > 0) obs_.message("train " + t.block + ": continues after epoch " + std::to_string(resume.epoch));
  }
  train::TrainResult result;
  const bool reused_trial = from_trial.is_object() && !resumed && weights_of_trial(t, job, from_trial, result);
  if (reused_trial) {
    obs_.message("train " + t.block + ": trial " + std::to_string(from_trial.value("trial", 0)) +
                 " trained this very recipe (no proxy, every epoch, the whole training split): its best weights "
                 "(epoch " + std::to_string(result.best_epoch) + ") are the final model, not trained again");
  } else {
    result = fit(t.block, job, augment.get(), id, std::nullopt, t.block, 1.0, true, resume);
  }
  if (result.interrupted) {
    store_.finish_task(id, "interrupted");
    mark_interrupted();
    return false;
  }
  const data::LoadedDataset &data = *job.data;
  TrainOutcome o;
  o.name = t.block;
  o.task_id = id;
  o.epochs_run = resume.epoch + static_cast<int>(result.epochs.size());
  if (reused_trial) o.epochs_run = job.spec.epochs;  // the trial's
  o.best_epoch = result.best_epoch;
  o.seconds = result.seconds;
  for (const train::EpochReport &r : result.epochs)
    o.images_per_second += r.images_per_second / static_cast<double>(result.epochs.size());
  train::EpochMetrics best_val = result.best_val;
  if (result.best_epoch <= resume.epoch && !result.model_path.empty()) {
    // The best epoch came before the restart: measure its saved weights.
    std::string error;
    lower::load_weights(*job.net, result.model_path, error);
    best_val = train::evaluate(job.net, data, data.split.val, job.norm, job.spec.loss);
  }
  for (const std::string &m : job.spec.metrics) o.val[m] = best_val.value(m);
  o.model_path = job.model_path = result.model_path;
  job.best_epoch = result.best_epoch;
  o.stopped_early = result.stopped_early;
  json space_used = json::object();
  for (const auto &[name, v] : job.spec.space) space_used[name] = v;
  store_.add_artifact(id, std::nullopt, "model", result.model_path, result.best_epoch,
                      json_text(json{{"classes", data.classes}, {"backbone", job.spec.model.backbone}}));
  store_.finish_task(id, "done", "",
                     json_text(json{{"best_epoch", o.best_epoch}, {"epochs_run", o.epochs_run},
                                    {"model", o.model_path}, {"stopped_early", o.stopped_early},
                                    {"val", o.val},
                                    {"images_per_second", o.images_per_second}, {"seconds", o.seconds},
                                    {"space", searched ? space_used : json::object()},
                                    {"augment", adopted == "searched" ? (recipe.augment ? recipe.augment->name : "none")
                                                                      : adopted},
                                    {"from_trial", reused_trial ? from_trial.value("trial", 0) : 0}}));
  std::lock_guard<std::recursive_mutex> lock(state_mu_);
  out_.trains.push_back(o);
  return true;
}

bool Execution::evaluate(const Task &t) {
  if (!trained(t.block).net && !rebuild_trained(t.block)) return false;
  Trained &job = trained(t.block);
  const data::LoadedDataset &data = *job.data;
  std::string error;
  if (!job.model_path.empty()) lower::load_weights(*job.net, job.model_path, error);  // the best epoch, not the last
  const bool test = !data.split.test.empty();
  const std::int64_t id = row_of(t);
  const bool again = reopened(t);
  if (again) store_.forget_after(id, std::nullopt, -1);  // what a killed attempt recorded
  train::EpochMetrics m = train::evaluate(job.net, data, test ? data.split.test : data.split.val, job.norm, job.spec.loss);
  const std::string split = test ? "test" : "val";
  std::vector<std::pair<std::string, double>> values;
  for (const std::string &n : job.spec.metrics) values.emplace_back(split + "." + n, m.value(n));
  store_.add_metrics(id, std::nullopt, job.best_epoch, 0, values);
  json outputs = {{"split", split}, {"samples", m.confusion.total()}, {"metrics", metrics_json(m, job.spec.metrics)},
                  {"classes", data.classes}, {"confusion", confusion_json(m.confusion)}};
  store_.finish_task(id, "done", "", json_text(outputs));
  std::string line = "evaluate " + t.block + " on " + split + " (" + std::to_string(m.confusion.total()) + " samples):";
  for (const std::string &n : job.spec.metrics) {
    char buf[64];
    std::snprintf(buf, sizeof buf, " %s %.4f", n.c_str(), m.value(n));
    line += buf;
  }
  obs_.message(line);
  return true;
}

bool Execution::rebuild_trained(const std::string &block) {
  json outputs;
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    if (auto done = finished_trains_.find(block); done != finished_trains_.end()) outputs = done->second;
  }
  const spec::Train *recipe = req_.plan->specs.train(block);
  if (!recipe || !outputs.is_object()) return false;
  SpaceValues values;
  if (outputs.contains("space") && !outputs["space"].empty()) values = space_values_of(outputs["space"]);
  Trained &job = trained(block);
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!prepare(*recipe, values, job, augment, false)) return false;
  job.model_path = outputs.value("model", "");
  job.best_epoch = outputs.value("best_epoch", 0);
  return true;
}

RunOutcome execute_plan(const RunRequest &req, RunObserver &obs, DiagnosticEngine &diags) {
  RunOutcome out;
  const spec::Project &settings = req.plan->specs.project;
  out.store = settings.store;
  // libtorch's default here is one thread; use what the project allows.
  int threads = settings.threads > 0 ? settings.threads : static_cast<int>(std::thread::hardware_concurrency());
  torch::set_num_threads(std::max(1, threads));
  try {
    store::Store store(settings.store);
    const std::map<std::string, std::string> identities = task_identities(*req.plan);
    std::string identity;
    for (const Task &t : req.plan->tasks) identity += identities.at(t.id);
    const std::string file = fs::absolute(req.file).lexically_normal().string();
    RunLock lock(settings.store, settings.name + "|" + file);
    if (!lock.held()) {
      out.status = "failed";
      out.errors.push_back("another 'edlc run' of this project is using the store " + settings.store +
                           "; wait for it or stop it first");
      return out;
    }
    std::int64_t project = store.project(settings.name, file);
    SerializedObserver serialized(obs);
    Execution exec(req, serialized, diags, store, out, std::max(1, threads), identities);
    std::optional<std::int64_t> unfinished;
    if (!req.fresh) unfinished = store.unfinished_run(project, content_hash(identity));
    if (unfinished) {
      out.run_id = *unfinished;
      store.reopen_run(out.run_id);
      exec.resume_from(store.tasks(out.run_id));
      obs.message("resume run " + std::to_string(out.run_id) + " of '" + settings.name + "' where it stopped (store " +
                  settings.store + ")");
    } else {
      out.run_id = store.begin_run(project, content_hash(identity), req.command);
      obs.message("run " + std::to_string(out.run_id) + " of '" + settings.name + "' (store " + settings.store + ")");
    }

    // The plan as a DAG: `workflow.parallel` tasks at once (default: one per
    // core), retried `workflow.retries` times after `backoff`, doubling.
    const std::vector<Task> &tasks = req.plan->tasks;
    std::vector<DagTask> dag;
    for (const Task &t : tasks) dag.push_back({t.id, t.deps, t.priority});
    SchedulerOptions options;
    options.parallel = settings.workflow_parallel > 0 ? settings.workflow_parallel : std::max(1, threads);
    options.retries = settings.retries;
    options.backoff = settings.backoff;
    options.interrupted = [&] { return req.interrupt && req.interrupt->load(); };
    DagCallbacks callbacks;
    callbacks.run = [&](std::size_t i, int attempt, int running) { return exec.run_task(tasks[i], attempt, running); };
    callbacks.on_retry = [&](std::size_t i, int attempt, const Attempt &a, double delay) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3g s", delay);
      serialized.message(tasks[i].id + ": attempt " + std::to_string(attempt) + " failed (" + a.error +
                         "); retrying in " + buf);
    };
    callbacks.on_blocked = [&](std::size_t i, const std::string &cause) {
      serialized.message("skip " + tasks[i].id + ": " + cause + " did not succeed");
    };
    std::vector<TaskState> states = run_dag(dag, options, callbacks);
    out.status = "done";
    for (std::size_t i = 0; i < states.size(); ++i) {
      if (states[i] == TaskState::Interrupted || (states[i] == TaskState::Pending && exec.was_interrupted())) {
        out.status = "interrupted";
      } else if (states[i] == TaskState::Failed) {
        if (out.status == "done") out.status = "failed";
        const int attempts = settings.retries + 1;
        out.errors.push_back(tasks[i].id + " failed after " + std::to_string(attempts) + " attempt" +
                             (attempts == 1 ? "" : "s") + " (" + exec.last_error(tasks[i].id) + "); 'edlc runs show " +
                             std::to_string(out.run_id) + " --task " + tasks[i].id +
                             "' shows each attempt's error and log");
      } else if (states[i] != TaskState::Done && out.status == "done") {
        out.status = "failed";
      }
    }
    store.finish_run(out.run_id, out.status);
  } catch (const store::StoreError &e) {
    out.status = "failed";
    out.errors.push_back(e.what());
  }
  return out;
}

}  // namespace edl::workflow
