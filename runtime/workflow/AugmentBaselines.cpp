// When a search tunes the augment block, its report puts the searched policy
// next to two baselines trained on the same budget with the same other
// values: no augmentation, and trivialaugment over every image op. Both are
// trials of the search (status baseline:none, baseline:trivialaugment), after
// the searched ones, so a restarted run keeps what finished.
#include "runtime/workflow/TrialsRunner.h"

#include "compiler/support/JsonText.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace edl::workflow {

bool TrialsRunner::augment_baselines(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec,
                                     const SpaceValues &best, double best_value, json &outputs) {
  const Task &t = ctx.task;
  const std::int64_t task = ctx.row;
  json report = {{"searched", best_value}};
  const std::string objective = spec.objective_name();
  ctx.say("  augmentation, " + objective + " on each trial's budget, at the best values:");
  int number = static_cast<int>(t.count);
  for (const std::string name : {"none", "trivialaugment"}) {
    ++number;
    const std::string status = "baseline:" + name;
    json params = json::object();
    for (const auto &[k, v] : best) params[k] = v;
    params["augment"] = name;
    // Finished before a restart: keep it.
    std::optional<double> value;
    std::int64_t trial = 0;
    for (const store::TrialRow &r : run_.store.trials(task))
      if (r.number == number) {
        trial = r.id;
        if (r.value && r.finished > 0) value = r.value;
      }
    if (!value) {
      Trained job;
      std::unique_ptr<lower::CompiledAugment> augment;
      if (!run_.prepare(ctx, recipe, best, job, augment, false)) return false;
      augment.reset();
      if (name == "trivialaugment" && !(augment = run_.compile_augment(ctx, *recipe.search->baseline_augment, job)))
        return false;
      if (spec.proxy_epochs > 0) job.spec.epochs = spec.proxy_epochs;
      if (trial) {
        run_.store.reopen_trial(trial);
        run_.store.forget_after(task, trial, 0);  // a killed baseline trains again from the start
      } else {
        trial = run_.store.begin_trial(task, number, json_text(params));
      }
      FitRequest fit;
      fit.block = t.block;
      fit.trial = trial;
      fit.dir = t.block + "/baseline-" + name;
      fit.subset = spec.subset;
      train::TrainResult r = run_.fit(ctx, job, augment.get(), fit);
      if (r.interrupted) {
        run_.store.finish_trial(trial, "interrupted", std::nullopt);
        run_.state.mark_interrupted();
        return false;
      }
      double score = -1e300;
      for (const train::EpochReport &e : r.epochs) score = std::max(score, objective_score(spec, e));
      value = spec.maximize ? score : -score;
      run_.store.finish_trial(trial, status, value);
    }
    report[name] = *value;
    char line[128];
    std::snprintf(line, sizeof line, "    %-16s %.4f", name.c_str(), *value);
    ctx.say(line);
  }
  char line[256];
  std::snprintf(line, sizeof line, "    %-16s %.4f (%s)", "searched", best_value,
                recipe.augment ? recipe.augment->name.c_str() : "");
  ctx.say(line);
  outputs["augment_baselines"] = report;

  // The final training adopts the best of the three by the same objective
  // (the searched policy when equal), and says by how much it won.
  std::string adopted = "searched";
  for (const char *name : {"none", "trivialaugment"}) {
    const double v = report[name].get<double>(), current = report[adopted].get<double>();
    if (spec.maximize ? v > current : v < current) adopted = name;
  }
  const double margin = std::fabs(report[adopted].get<double>() - best_value);
  std::string how;
  if (adopted == "searched") {
    how = "the searched policy, at least as good as both baselines";
  } else {
    std::snprintf(line, sizeof line, "%s, %.4f %s than the searched policy", adopted.c_str(), margin,
                  spec.maximize ? "higher" : "lower");
    how = line;
    // For a share of right answers, how many standard errors of the
    // validation split that margin is: small ones are noise.
    const data::LoadedDataset *data = run_.dataset(ctx, recipe.dataset);
    const std::size_t n = data ? data->split.val.size() : 0;
    if (spec.metric == "accuracy" && n > 0) {
      const double p = std::clamp(best_value, 0.01, 0.99), se = std::sqrt(p * (1 - p) / static_cast<double>(n));
      std::snprintf(line, sizeof line, " (%.1f standard errors on %zu validation samples%s)", margin / se, n,
                    margin < 2 * se ? "; within noise: a larger validation split would tell them apart" : "");
      how += line;
    }
  }
  ctx.say("  adopted for the final training: " + how);
  outputs["augment_adopted"] = adopted;
  run_.state.set_adopted_augment(t.block, adopted);
  return true;
}

}  // namespace edl::workflow
