// train:JOB: the final training of a train job, with the values and the
// augmentation its search chose (when it has one), continuing from its
// last checkpoint after a crash. Publishes the trained job for evaluate and
// package.
#include "compiler/support/JsonText.h"
#include "runtime/workflow/TaskRunner.h"

#include <filesystem>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

class TrainRunner : public TaskRunner {
 public:
  explicit TrainRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override;

  void reuse(const Task &t, const store::TaskRow &row) override {
    json outputs = json::parse(row.outputs, nullptr, false);
    run_.state.set_finished_train(t.block, outputs);
    if (!outputs.is_object()) return;
    // Reported like work done now: `run --json` and the closing lines show reused results too.
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
    o.reused_from_run = row.run_id == run_.state.run_id() ? 0 : row.run_id;
    run_.state.add_train(o);
  }

 private:
  // The final model of the task from its best trial's weights (`from_trial`:
  // {trial, model, best_epoch}); false when they cannot be used.
  bool weights_of_trial(const Task &t, Trained &job, const json &from_trial, train::TrainResult &result);

  RunContext &run_;
};

Finish TrainRunner::run(TaskContext &ctx) {
  const Task &t = ctx.task;
  const spec::Train &recipe = *t.train;
  const SearchDecision decided = run_.state.decision(t.block);
  const SpaceValues values = decided.best ? *decided.best : SpaceValues{};
  const std::string &adopted = decided.augment;
  auto job = std::make_shared<Trained>();
  std::unique_ptr<lower::CompiledAugment> augment;
  // The augmentation the search adopted: a baseline replaces the block.
  spec::Train used = recipe;
  if (adopted != "searched") used.augment = nullptr;
  if (!run_.prepare(ctx, used, values, *job, augment, true)) return run_.stopped();
  if (adopted == "trivialaugment") {
    const spec::Augment *baseline = recipe.search ? recipe.search->baseline_augment.get() : nullptr;
    if (!baseline) {
      run_.fail(ctx, "train '" + t.block + "': its search adopted trivialaugment but has no such baseline");
      return Finish::UserError;
    }
    if (!(augment = run_.compile_augment(ctx, *baseline, *job))) return run_.stopped();
  }
  if (adopted != "searched") ctx.say("train " + t.block + ": augmentation " + adopted + ", as the search adopted");
  train::ResumePoint resume;
  if (ctx.reopened) {
    resume = run_.resume_point(ctx.row, std::nullopt, job->spec);
    if (resume.epoch > 0) ctx.say("train " + t.block + ": continues after epoch " + std::to_string(resume.epoch));
  }
  train::TrainResult result;
  const json &from_trial = decided.from_trial;
  const bool reused_trial = from_trial.is_object() && !ctx.reopened && weights_of_trial(t, *job, from_trial, result);
  if (reused_trial) {
    ctx.say("train " + t.block + ": trial " + std::to_string(from_trial.value("trial", 0)) +
            " trained this very recipe (no proxy, every epoch, the whole training split): its best weights "
            "(epoch " + std::to_string(result.best_epoch) + ") are the final model, not trained again");
  } else {
    FitRequest fit;
    fit.block = fit.dir = t.block;
    fit.epoch_lines = true;
    fit.resume = resume;
    result = run_.fit(ctx, *job, augment.get(), fit);
  }
  if (result.interrupted) {
    run_.store.finish_task(ctx.row, "interrupted");
    run_.state.mark_interrupted();
    return Finish::Interrupted;
  }
  const data::LoadedDataset &data = *job->data;
  TrainOutcome o;
  o.name = t.block;
  o.task_id = ctx.row;
  o.epochs_run = reused_trial ? static_cast<int>(job->spec.epochs) : resume.epoch + static_cast<int>(result.epochs.size());
  o.best_epoch = result.best_epoch;
  o.seconds = result.seconds;
  for (const train::EpochReport &r : result.epochs)
    o.images_per_second += r.images_per_second / static_cast<double>(result.epochs.size());
  // A training ends at its last epoch; what evaluate and package use is the
  // best one (a reused trial's network holds it already).
  std::string error;
  if (!reused_trial && !result.model_path.empty() && lower::load_weights(job->module(), result.model_path, error) == 0) {
    run_.fail(ctx, "train '" + t.block + "': cannot read back its best weights " + result.model_path + ": " + error);
    return Finish::UserError;
  }
  train::EpochMetrics best_val = result.best_val;
  if (result.best_epoch <= resume.epoch && !result.model_path.empty())  // the best epoch came before the restart
    best_val = job->measure(data.split.val);
  for (const std::string &m : job->spec.metrics) o.val[m] = best_val.value(m);
  o.model_path = job->model_path = result.model_path;
  job->best_epoch = result.best_epoch;
  o.stopped_early = result.stopped_early;
  json space_used = json::object();
  for (const auto &[name, v] : job->spec.space) space_used[name] = v;
  run_.store.add_artifact(ctx.row, std::nullopt, "model", result.model_path, result.best_epoch,
                          json_text(json{{"classes", data.classes}, {"backbone", job->spec.model.backbone}}));
  run_.store.finish_task(
      ctx.row, "done", "",
      json_text(json{{"best_epoch", o.best_epoch},
                     {"epochs_run", o.epochs_run},
                     {"model", o.model_path},
                     {"stopped_early", o.stopped_early},
                     {"val", o.val},
                     {"images_per_second", o.images_per_second},
                     {"seconds", o.seconds},
                     {"space", decided.best ? space_used : json::object()},
                     {"augment", adopted == "searched" ? (recipe.augment ? recipe.augment->name : "none") : adopted},
                     {"from_trial", reused_trial ? from_trial.value("trial", 0) : 0}}));
  run_.state.publish(t.block, std::move(job));
  run_.state.add_train(o);
  return Finish::Done;
}

bool TrainRunner::weights_of_trial(const Task &t, Trained &job, const json &from_trial, train::TrainResult &result) {
  const std::string source = from_trial.value("model", std::string());
  const fs::path target = run_.checkpoint_dir(t.block) / "model.pt";
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  std::string error;
  if (lower::load_weights(job.module(), source, error) == 0 || !error.empty()) return false;
  fs::copy_file(source, target, fs::copy_options::overwrite_existing, ec);
  if (ec) return false;
  result.model_path = target.string();
  result.best_epoch = from_trial.value("best_epoch", 0);
  result.best_val = job.measure(job.data->split.val);
  return true;
}

}  // namespace

std::unique_ptr<TaskRunner> make_train_runner(RunContext &run) { return std::make_unique<TrainRunner>(run); }

}  // namespace edl::workflow
