// pbt: the population trains side by side, interval by interval; after
// each interval the worst members take the best ones' weights and perturbed
// values (search/Pbt.h). A stopped population starts over.
#include "runtime/workflow/TrialsRunner.h"

#include "compiler/support/JsonText.h"
#include "runtime/search/Pbt.h"
#include "runtime/search/Sampler.h"

namespace edl::workflow {

Finish TrialsRunner::population_based(TaskContext &ctx, const spec::Train &recipe, const search::SearchSpec &spec) {
  const Task &t = ctx.task;
  const std::int64_t task = ctx.row;
  const std::vector<search::Dimension> &dims = spec.dimensions;
  const int trials = static_cast<int>(t.count);
  if (trials < spec.population) {
    run_.fail(ctx, "search '" + t.block + "': pbt needs trials >= population (" + std::to_string(trials) +
                          " < " + std::to_string(spec.population) + ")");
    run_.store.finish_task(task, "failed", "trials < population");
    return Finish::UserError;
  }
  if (!run_.store.trials(task).empty()) {
    // Members depend on each other's checkpoints interval by interval; a
    // stopped population starts over rather than mixing two histories.
    run_.store.clear_trials(task);
    ctx.say("  pbt: the stopped population starts over");
  }
  struct Member {
    int number = 0;
    std::int64_t trial = 0;
    SpaceValues values;
    Trained job;
    std::unique_ptr<lower::CompiledAugment> augment;
    std::string checkpoint;  // weights at the end of the last interval
    double score = -1e300;   // the objective then
  };
  std::vector<Member> members(static_cast<std::size_t>(spec.population));
  int started = 0;
  std::mt19937_64 rng = search::trial_rng(run_.settings.seed, 0, 4);
  auto begin = [&](Member &m, const SpaceValues &values) {
    m.number = ++started;
    m.values = values;
    m.job = Trained{};
    m.augment.reset();
    if (!run_.prepare(ctx, recipe, values, m.job, m.augment, started == 1)) return false;
    if (spec.proxy_epochs > 0) m.job.spec.epochs = spec.proxy_epochs;
    m.job.spec.checkpoint_keep = 0;  // members start from each other's interval checkpoints: keep them all
    m.trial = run_.store.begin_trial(task, m.number, json_text(values_json(values)));
    return true;
  };
  for (Member &m : members) {
    SpaceValues values;
    for (const search::Dimension &d : dims) values[d.name] = search::sample_prior(d, rng);
    if (!begin(m, values)) {
      run_.store.finish_task(task, "failed", "a member could not be prepared");
      return run_.stopped();
    }
  }
  ctx.say("  pbt: " + std::to_string(spec.population) + " members, exploit every " +
               std::to_string(spec.interval) + " epoch(s), perturb x" + fixed4(spec.perturb.first) + " or x" +
               fixed4(spec.perturb.second));
  const int epochs = members[0].job.spec.epochs;
  json lineage = json::array();
  for (int from = 0; from < epochs; from += spec.interval) {
    const int to = std::min(epochs, from + spec.interval);
    bool ok = run_.in_parallel(ctx, members.size(), spec.parallel, [&](std::size_t i) {
      Member &m = members[i];
      train::ResumePoint resume;
      if (from > 0) resume.epoch = from, resume.weights = m.checkpoint;
      FitRequest fit;
      fit.block = t.block;
      fit.trial = m.trial;
      fit.dir = trial_dir(t.block, m.number);
      fit.subset = spec.subset;
      fit.resume = resume;
      fit.stop_epoch = to;
      train::TrainResult r = run_.fit(ctx, m.job, m.augment.get(), fit);
      if (r.interrupted || r.epochs.empty()) return false;
      m.score = objective_score(spec, r.epochs.back());
      m.checkpoint = r.epochs.back().checkpoint;
      return true;
    });
    if (!ok) {
      for (Member &m : members) run_.store.finish_trial(m.trial, "interrupted", std::nullopt);
      run_.store.finish_task(task, "interrupted");
      run_.state.mark_interrupted();
      return Finish::Interrupted;
    }
    std::string line = "  epoch " + std::to_string(to) + "/" + std::to_string(epochs) + ":";
    for (const Member &m : members)
      line += " #" + std::to_string(m.number) + " " + fixed4(spec.maximize ? m.score : -m.score);
    ctx.say(line);
    if (to == epochs || started >= trials) continue;
    std::vector<search::PbtMember> population;
    for (const Member &m : members) population.push_back({m.values, m.score});
    for (const search::PbtReplacement &r : search::pbt_exploit(population, dims, spec.perturb, rng)) {
      if (started >= trials) break;
      Member &loser = members[r.loser];
      const Member &winner = members[r.winner];
      run_.store.finish_trial(loser.trial, "exploited", spec.maximize ? loser.score : -loser.score);
      const std::string weights = winner.checkpoint;
      const int old = loser.number;
      if (!begin(loser, r.values)) {
        run_.store.finish_task(task, "failed", "a member could not be prepared");
        return run_.stopped();
      }
      loser.checkpoint = weights;  // the next interval starts from the winner's weights and optimizer state
      loser.score = winner.score;
      lineage.push_back({{"trial", loser.number}, {"replaces", old}, {"copies", winner.number}, {"epoch", to}});
      ctx.say("  exploit: #" + std::to_string(loser.number) + " replaces #" + std::to_string(old) +
                   " with #" + std::to_string(winner.number) + "'s weights," + shown(r.values));
    }
  }
  const Member *best = &members[0];
  for (const Member &m : members) {
    run_.store.finish_trial(m.trial, "done", spec.maximize ? m.score : -m.score);
    if (m.score > best->score) best = &m;
  }
  run_.state.set_best(t.block, best->values);
  const double best_value = spec.maximize ? best->score : -best->score;
  ctx.say("  best member #" + std::to_string(best->number) + " (" + spec.objective_name() + " " +
               fixed4(best_value) + "):" + shown(best->values));
  json outputs = {{"objective", spec.objective_name()}, {"maximize", spec.maximize}, {"best", values_json(best->values)},
                  {"best_value", best_value}, {"trials", started}, {"lineage", lineage}};
  if (augment_is_searched(recipe) && !augment_baselines(ctx, recipe, spec, best->values, best_value, outputs)) {
    run_.store.finish_task(task, run_.stopped() == Finish::Interrupted ? "interrupted" : "failed");
    return run_.stopped();
  }
  run_.store.finish_task(task, "done", "", json_text(outputs));
  return Finish::Done;
}

}  // namespace edl::workflow
