#include "runtime/workflow/TrialsRunner.h"

#include "compiler/support/JsonText.h"
#include "runtime/search/Sampler.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

namespace edl::workflow {

namespace fs = std::filesystem;
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

// What the trials of one search share, across threads.
struct TrialsRunner::TrialSearch {
  const Task *task = nullptr;
  const spec::Train *recipe = nullptr;
  search::SearchSpec spec;
  std::int64_t id = 0;  // the trials task's row
  std::unique_ptr<search::Sampler> sampler;
  std::unique_ptr<search::Pruner> pruner;
  std::map<int, store::TrialRow> recorded;                               // by number, from a stopped run
  std::map<std::int64_t, std::vector<std::pair<int, double>>> epoch_scores;  // trial id -> (epoch, score)
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  std::mutex mu;  // guards what follows, the sampler and the pruner
  std::vector<search::Observation> history;
  std::vector<int> history_numbers;  // the trial number of each observation
  std::set<int> whole;               // trials that ran to their end, not pruned
  bool budget_spent = false, interrupted = false;

  double score(const train::EpochReport &e) const { return objective_score(spec, e); }
};

// What the trials run: their epochs and data (a proxy says it is one) and
// the threads each really gets (in_parallel divides the task's share).
std::string TrialsRunner::trials_header(std::uint64_t count, const search::SearchSpec &spec) const {
  const std::uint64_t at_once = std::max<std::uint64_t>(1, std::min<std::uint64_t>(count, spec.parallel));
  const int threads = std::max(1, torch::get_num_threads() / static_cast<int>(at_once));
  std::string what = std::to_string(count) + " trial(s)";
  if (spec.proxy_epochs > 0 || spec.subset < 1.0) {
    char share[32];
    std::snprintf(share, sizeof share, "%g%%", spec.subset * 100);
    what += " on a proxy: " + (spec.proxy_epochs > 0 ? std::to_string(spec.proxy_epochs) : std::string("all")) +
            " epoch(s) on " + share + " of the training split each";
  }
  return "  " + what + ", " + std::to_string(at_once) + " at a time, " + std::to_string(threads) + " thread(s) each";
}

// When even the best trial's accuracy is within noise of guessing, the
// trials compared nothing: say so, with the numbers, instead of adopting
// the best of them as if it meant something.
std::string TrialsRunner::near_chance(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec, double best) {
  const data::LoadedDataset *data = run_.dataset(ctx, recipe.dataset);
  if (!data || spec.metric != "accuracy" || !spec.maximize || data->classes.empty() || data->split.val.empty())
    return "";
  const double chance = 1.0 / static_cast<double>(data->classes.size());
  const double n = static_cast<double>(data->split.val.size());
  const double se = std::sqrt(chance * (1 - chance) / n);
  if (best > chance + 4 * se) return "";  // an untrained network can be a few errors off chance
  char text[400];
  std::snprintf(text, sizeof text,
                "every trial scored within noise of chance (best %s %.4f, chance %.4f on %zu classes, %.0f "
                "validation samples): the trials are too short to compare; give them more epochs or data%s",
                spec.objective_name().c_str(), best, chance, data->classes.size(), n,
                spec.proxy_epochs > 0 || spec.subset < 1 ? " (the proxy)" : "");
  return text;
}

Finish TrialsRunner::run(TaskContext &ctx) {
  const Task &t = ctx.task;
  TrialSearch s;
  s.task = &t;
  s.recipe = t.train.get();
  s.spec = *s.recipe->search;
  s.id = ctx.row;
  if (s.spec.strategy == "pbt") return population_based(ctx, *s.recipe, s.spec);
  s.sampler = search::make_sampler(s.spec.strategy, s.spec.dimensions, run_.settings.seed, t.count);
  if (!s.sampler) {
    run_.diagnose(ctx, DiagId::NotSupportedYet, s.spec.strategy_range, {"search strategy", s.spec.strategy});
    run_.store.finish_task(s.id, "failed", "strategy not available");
    return run_.stopped();
  }
  s.pruner = search::make_pruner(s.spec);
  // Trials a stopped run recorded: finished ones stand (and teach the
  // sampler and pruner again); a running one continues from its checkpoint.
  for (const store::TrialRow &r : run_.store.trials(s.id)) s.recorded[r.number] = r;
  if (!s.recorded.empty())
    for (const store::MetricRow &m : run_.store.metrics(s.id))
      if (m.trial_id && m.name == s.spec.objective_name())
        s.epoch_scores[*m.trial_id].emplace_back(m.epoch, s.spec.maximize ? m.value : -m.value);
  ctx.say(trials_header(t.count, s.spec));

  const bool completed = run_.in_parallel(ctx, t.count, s.spec.parallel, [&](std::size_t k) { return run_trial(ctx, s, k); });
  if (s.interrupted) {
    run_.store.finish_task(s.id, "interrupted");
    run_.state.mark_interrupted();
    return Finish::Interrupted;
  }
  if (!completed && s.history.empty()) {
    run_.store.finish_task(s.id, "failed", "no trial finished");
    return run_.stopped();
  }
  if (s.history.empty()) {
    run_.fail(ctx, "search '" + t.block + "': the budget ended before any trial finished");
    run_.store.finish_task(s.id, "failed", "budget spent before the first trial finished");
    return run_.stopped();
  }
  auto best = std::max_element(s.history.begin(), s.history.end(),
                               [](const auto &a, const auto &b) { return a.score < b.score; });
  run_.state.set_best(t.block, best->values);
  const double best_value = s.spec.maximize ? best->score : -best->score;
  ctx.say("  best of " + std::to_string(s.history.size()) + " trials: " + json_text(values_json(best->values)));
  json outputs = {{"objective", s.spec.objective_name()}, {"maximize", s.spec.maximize},
                  {"best", values_json(best->values)}, {"best_value", best_value},
                  {"trials", s.history.size()}, {"budget_spent", s.budget_spent}};
  if (std::string warning = near_chance(ctx, *s.recipe, s.spec, best_value); !warning.empty()) {
    ctx.say("  warning: " + warning);
    outputs["warning"] = warning;
  }
  if (!(completed || s.budget_spent) ||
      (augment_is_searched(*s.recipe) && !augment_baselines(ctx, *s.recipe, s.spec, best->values, best_value, outputs))) {
    run_.store.finish_task(s.id, run_.stopped() == Finish::Interrupted ? "interrupted" : "failed");
    return run_.stopped();
  }
  // A best trial that ran the final training's very recipe (no proxy, to
  // its end, with the augmentation the final training uses) already made
  // the final model: its best weights are offered to the train task.
  const int best_number = s.history_numbers[static_cast<std::size_t>(best - s.history.begin())];
  if (s.spec.proxy_epochs == 0 && s.spec.subset >= 1.0 && s.whole.count(best_number) &&
      outputs.value("augment_adopted", std::string("searched")) == "searched") {
    const fs::path model = run_.checkpoint_dir(trial_dir(t.block, best_number)) / "model.pt";
    int best_epoch = 0;
    double best_score = -1e300;
    for (const store::TrialRow &row : run_.store.trials(s.id))
      if (row.number == best_number)
        for (const store::MetricRow &m : run_.store.metrics(s.id))
          if (m.trial_id == row.id && m.name == s.spec.objective_name()) {
            const double v = s.spec.maximize ? m.value : -m.value;
            if (v > best_score) best_score = v, best_epoch = m.epoch;
          }
    std::error_code ec;
    if (best_epoch > 0 && fs::exists(model, ec)) {
      outputs["final_from_trial"] = {{"trial", best_number}, {"model", model.string()}, {"best_epoch", best_epoch}};
      run_.state.set_final_from_trial(t.block, outputs["final_from_trial"]);
    }
  }
  run_.store.finish_task(s.id, "done", "", json_text(outputs));
  return Finish::Done;
}

bool TrialsRunner::run_trial(TaskContext &ctx, TrialSearch &s, std::uint64_t k) {
  const int number = static_cast<int>(k + 1);
  const std::string count = std::to_string(s.task->count);
  auto rec = s.recorded.find(number);
  const store::TrialRow *before_row = rec == s.recorded.end() ? nullptr : &rec->second;
  SpaceValues values;
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (before_row && (before_row->status == "done" || before_row->status == "pruned") && before_row->value) {
      values = space_values_of(json::parse(before_row->params, nullptr, false));
      for (const auto &[epoch, score] : s.epoch_scores[before_row->id])
        if (s.pruner) s.pruner->report(static_cast<int>(k), epoch, score);
      s.history.push_back({values, s.spec.maximize ? *before_row->value : -*before_row->value});
      s.history_numbers.push_back(number);
      if (before_row->status == "done") s.whole.insert(number);
      ctx.say("  trial " + std::to_string(number) + "/" + count + ":" + shown(values) + " (finished before) -> " +
                   s.spec.objective_name() + " " + fixed4(*before_row->value));
      return true;
    }
    if (s.spec.budget_seconds > 0 && seconds_since(s.started) > s.spec.budget_seconds) {
      if (!s.budget_spent)
        ctx.say("  budget of " + std::to_string(static_cast<long long>(s.spec.budget_seconds)) +
                     " s spent: no more trials start");
      s.budget_spent = true;
      return false;
    }
    values = before_row ? space_values_of(json::parse(before_row->params, nullptr, false)) : s.sampler->next(k, s.history);
  }
  const std::string label = "  trial " + std::to_string(number) + "/" + count + ":" + shown(values);
  Trained job;
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!run_.prepare(ctx, *s.recipe, values, job, augment, k == 0 || before_row)) {
    run_.store.finish_task(s.id, "failed", "trial " + std::to_string(number) + " could not be prepared");
    return false;
  }
  if (s.spec.proxy_epochs > 0) job.spec.epochs = s.spec.proxy_epochs;
  std::int64_t trial = 0;
  train::ResumePoint resume;
  double score = -1e300;
  if (before_row) {
    trial = before_row->id;
    run_.store.reopen_trial(trial);
    resume = run_.resume_point(s.id, trial, job.spec);
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto &[epoch, v] : s.epoch_scores[trial])
      if (epoch <= resume.epoch) {
        score = std::max(score, v);
        if (s.pruner) s.pruner->report(static_cast<int>(k), epoch, v);
      }
    ctx.say(label + " continues after epoch " + std::to_string(resume.epoch));
  } else {
    trial = run_.store.begin_trial(s.id, number, json_text(values_json(values)));
  }
  std::function<bool(const train::EpochReport &)> prune;
  if (s.pruner)
    prune = [&](const train::EpochReport &e) {
      std::lock_guard<std::mutex> lock(s.mu);
      return s.pruner->report(static_cast<int>(k), e.epoch, s.score(e));
    };
  FitRequest fit;
  fit.block = s.task->block;
  fit.trial = trial;
  fit.dir = trial_dir(s.task->block, number);
  fit.subset = s.spec.subset;
  fit.resume = resume;
  fit.prune = prune;
  train::TrainResult r = run_.fit(ctx, job, augment.get(), fit);
  if (r.interrupted) {
    run_.store.finish_trial(trial, "interrupted", std::nullopt);
    std::lock_guard<std::mutex> lock(s.mu);
    s.interrupted = true;
    return false;
  }
  // The trial's objective: the best of its epochs.
  for (const train::EpochReport &e : r.epochs) score = std::max(score, s.score(e));
  const double value = s.spec.maximize ? score : -score;
  run_.store.finish_trial(trial, r.pruned ? "pruned" : "done", value);
  std::lock_guard<std::mutex> lock(s.mu);
  s.history.push_back({values, score});
  s.history_numbers.push_back(number);
  if (!r.pruned) s.whole.insert(number);
  ctx.say(label + " -> " + s.spec.objective_name() + " " + fixed4(value) +
               (r.pruned ? " (pruned after epoch " + std::to_string(resume.epoch + r.epochs.size()) + ")" : ""));
  return true;
}

void TrialsRunner::reuse(const Task &t, const store::TaskRow &row) {
  json outputs = json::parse(row.outputs, nullptr, false);
  if (!outputs.is_object()) return;
  if (outputs.contains("best")) run_.state.set_best(t.block, space_values_of(outputs["best"]));
  if (outputs.contains("augment_adopted"))
    run_.state.set_adopted_augment(t.block, outputs.value("augment_adopted", std::string("searched")));
  if (outputs.contains("final_from_trial")) run_.state.set_final_from_trial(t.block, outputs["final_from_trial"]);
}

std::unique_ptr<TaskRunner> make_trials_runner(RunContext &run) { return std::make_unique<TrialsRunner>(run); }

}  // namespace edl::workflow
