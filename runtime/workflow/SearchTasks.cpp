// The search tasks of a train job: the strategy's trials (random, tpe, gp,
// grid), `parallel` at a time, resumable from the store; and pbt, whose
// population trains side by side and exploits interval by interval.
#include "compiler/support/JsonText.h"
#include "runtime/search/Pbt.h"
#include "runtime/search/Sampler.h"
#include "runtime/workflow/Execution.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <set>
#include <thread>

namespace edl::workflow {

namespace fs = std::filesystem;
namespace {

std::string shown(const SpaceValues &values) {
  std::string out;
  for (const auto &[name, v] : values) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s=%.4g", name.c_str(), v);
    out += buf;
  }
  return out;
}

json values_json(const SpaceValues &values) {
  json j = json::object();
  for (const auto &[name, v] : values) j[name] = v;
  return j;
}

std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

SpaceValues space_values_of(const json &values) {
  SpaceValues v;
  if (values.is_object())
    for (const auto &[name, value] : values.items())
      if (value.is_number()) v[name] = value.get<double>();
  return v;
}

double objective_score(const search::SearchSpec &spec, const train::EpochReport &epoch) {
  const double v = (spec.split == "train" ? epoch.train : epoch.val).value(spec.metric);
  return spec.maximize ? v : -v;
}

// What the trials of one search share, across threads.
struct Execution::TrialSearch {
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

bool Execution::search(const Task &t) {
  const spec::Search &spec = *t.train->search;
  std::int64_t id = row_of(t);
  std::string names;
  for (const search::Dimension &d : spec.dimensions) names += " " + d.name;
  obs_.message("search " + t.block + ": " + spec.strategy + " over" + names);
  store_.finish_task(id, "done");
  return true;
}

bool Execution::in_parallel(std::size_t n, int workers, const std::function<bool(std::size_t)> &body) {
  workers = static_cast<int>(std::min<std::size_t>(n, static_cast<std::size_t>(std::max(1, workers))));
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i)
      if (!body(i)) return false;
    return true;
  }
  // The cores are divided, not oversubscribed: torch's thread count is per
  // calling thread (OpenMP), so each worker sets its own share.
  const int budget = torch::get_num_threads();  // this task's share of the run's threads
  const int share = std::max(1, budget / workers);
  std::atomic<std::size_t> next{0};
  std::atomic<bool> ok{true};
  running_in_parallel_ = true;
  TaskLog *log = current_task_log;
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&, log] {
      current_task_log = log;  // the trials write into their task's log
      torch::set_num_threads(share);
      for (std::size_t i; ok && (i = next++) < n;)
        if (!body(i)) ok = false;
    });
  for (std::thread &th : pool) th.join();
  running_in_parallel_ = false;
  torch::set_num_threads(budget);  // the workers' setting leaks into the process-wide default
  return ok;
}

// What the trials run: their epochs and data (a proxy says it is one) and
// the threads each really gets (in_parallel divides the task's share).
std::string Execution::trials_header(std::uint64_t count, const search::SearchSpec &spec) const {
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
std::string Execution::near_chance(const spec::Train &recipe, const search::SearchSpec &spec, double best) {
  const data::LoadedDataset *data = dataset(recipe.dataset);
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

bool Execution::trials(const Task &t) {
  TrialSearch s;
  s.task = &t;
  s.recipe = t.train.get();
  s.spec = *s.recipe->search;
  s.id = row_of(t);
  if (s.spec.strategy == "pbt") return population_based(t, *s.recipe, s.spec, s.id);
  s.sampler = search::make_sampler(s.spec.strategy, s.spec.dimensions, settings_.seed, t.count);
  if (!s.sampler) {
    diagnose(DiagId::NotSupportedYet, s.spec.strategy_range, {"search strategy", s.spec.strategy});
    store_.finish_task(s.id, "failed", "strategy not available");
    return false;
  }
  s.pruner = search::make_pruner(s.spec);
  // Trials a stopped run recorded: finished ones stand (and teach the
  // sampler and pruner again); a running one continues from its checkpoint.
  for (const store::TrialRow &r : store_.trials(s.id)) s.recorded[r.number] = r;
  if (!s.recorded.empty())
    for (const store::MetricRow &m : store_.metrics(s.id))
      if (m.trial_id && m.name == s.spec.objective_name())
        s.epoch_scores[*m.trial_id].emplace_back(m.epoch, s.spec.maximize ? m.value : -m.value);
  obs_.message(trials_header(t.count, s.spec));

  const bool completed = in_parallel(t.count, s.spec.parallel, [&](std::size_t k) { return run_trial(s, k); });
  if (s.interrupted) {
    store_.finish_task(s.id, "interrupted");
    mark_interrupted();
    return false;
  }
  if (!completed && s.history.empty()) {
    store_.finish_task(s.id, "failed", "no trial finished");
    return false;
  }
  if (s.history.empty()) {
    fail("search '" + t.block + "': the budget ended before any trial finished");
    store_.finish_task(s.id, "failed", "budget spent before the first trial finished");
    return false;
  }
  auto best = std::max_element(s.history.begin(), s.history.end(),
                               [](const auto &a, const auto &b) { return a.score < b.score; });
  set_best_values(t.block, best->values);
  const double best_value = s.spec.maximize ? best->score : -best->score;
  obs_.message("  best of " + std::to_string(s.history.size()) + " trials: " + json_text(values_json(best->values)));
  json outputs = {{"objective", s.spec.objective_name()}, {"maximize", s.spec.maximize},
                  {"best", values_json(best->values)}, {"best_value", best_value},
                  {"trials", s.history.size()}, {"budget_spent", s.budget_spent}};
  if (std::string warning = near_chance(*s.recipe, s.spec, best_value); !warning.empty()) {
    obs_.message("  warning: " + warning);
    outputs["warning"] = warning;
  }
  if (!(completed || s.budget_spent) ||
      (augment_is_searched(*s.recipe) && !augment_baselines(t, *s.recipe, s.spec, s.id, best->values, best_value, outputs))) {
    store_.finish_task(s.id, was_interrupted() ? "interrupted" : "failed");
    return false;
  }
  // A best trial that ran the final training's very recipe (no proxy, to
  // its end, with the augmentation the final training uses) already made
  // the final model: its best weights are offered to the train task.
  const int best_number = s.history_numbers[static_cast<std::size_t>(best - s.history.begin())];
  if (s.spec.proxy_epochs == 0 && s.spec.subset >= 1.0 && s.whole.count(best_number) &&
      outputs.value("augment_adopted", std::string("searched")) == "searched") {
    const fs::path model = checkpoint_dir(trial_dir(t.block, best_number)) / "model.pt";
    int best_epoch = 0;
    double best_score = -1e300;
    for (const store::TrialRow &row : store_.trials(s.id))
      if (row.number == best_number)
        for (const store::MetricRow &m : store_.metrics(s.id))
          if (m.trial_id == row.id && m.name == s.spec.objective_name()) {
            const double v = s.spec.maximize ? m.value : -m.value;
            if (v > best_score) best_score = v, best_epoch = m.epoch;
          }
    std::error_code ec;
    if (best_epoch > 0 && fs::exists(model, ec)) {
      outputs["final_from_trial"] = {{"trial", best_number}, {"model", model.string()}, {"best_epoch", best_epoch}};
      std::lock_guard<std::recursive_mutex> lock(state_mu_);
      final_from_trial_[t.block] = outputs["final_from_trial"];
    }
  }
  store_.finish_task(s.id, "done", "", json_text(outputs));
  return true;
}

bool Execution::run_trial(TrialSearch &s, std::uint64_t k) {
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
      obs_.message("  trial " + std::to_string(number) + "/" + count + ":" + shown(values) + " (finished before) -> " +
                   s.spec.objective_name() + " " + fixed4(*before_row->value));
      return true;
    }
    if (s.spec.budget_seconds > 0 && seconds_since(s.started) > s.spec.budget_seconds) {
      if (!s.budget_spent)
        obs_.message("  budget of " + std::to_string(static_cast<long long>(s.spec.budget_seconds)) +
                     " s spent: no more trials start");
      s.budget_spent = true;
      return false;
    }
    values = before_row ? space_values_of(json::parse(before_row->params, nullptr, false)) : s.sampler->next(k, s.history);
  }
  const std::string label = "  trial " + std::to_string(number) + "/" + count + ":" + shown(values);
  Trained job;
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!prepare(*s.recipe, values, job, augment, k == 0 || before_row)) {
    store_.finish_task(s.id, "failed", "trial " + std::to_string(number) + " could not be prepared");
    return false;
  }
  if (s.spec.proxy_epochs > 0) job.spec.epochs = s.spec.proxy_epochs;
  std::int64_t trial = 0;
  train::ResumePoint resume;
  double score = -1e300;
  if (before_row) {
    trial = before_row->id;
    store_.reopen_trial(trial);
    resume = resume_point(s.id, trial, job.spec);
    std::lock_guard<std::mutex> lock(s.mu);
    for (const auto &[epoch, v] : s.epoch_scores[trial])
      if (epoch <= resume.epoch) {
        score = std::max(score, v);
        if (s.pruner) s.pruner->report(static_cast<int>(k), epoch, v);
      }
    obs_.message(label + " continues after epoch " + std::to_string(resume.epoch));
  } else {
    trial = store_.begin_trial(s.id, number, json_text(values_json(values)));
  }
  std::function<bool(const train::EpochReport &)> prune;
  if (s.pruner)
    prune = [&](const train::EpochReport &e) {
      std::lock_guard<std::mutex> lock(s.mu);
      return s.pruner->report(static_cast<int>(k), e.epoch, s.score(e));
    };
  train::TrainResult r = fit(s.task->block, job, augment.get(), s.id, trial, trial_dir(s.task->block, number),
                             s.spec.subset, false, resume, prune);
  if (r.interrupted) {
    store_.finish_trial(trial, "interrupted", std::nullopt);
    std::lock_guard<std::mutex> lock(s.mu);
    s.interrupted = true;
    return false;
  }
  // The trial's objective: the best of its epochs.
  for (const train::EpochReport &e : r.epochs) score = std::max(score, s.score(e));
  const double value = s.spec.maximize ? score : -score;
  store_.finish_trial(trial, r.pruned ? "pruned" : "done", value);
  std::lock_guard<std::mutex> lock(s.mu);
  s.history.push_back({values, score});
  s.history_numbers.push_back(number);
  if (!r.pruned) s.whole.insert(number);
  obs_.message(label + " -> " + s.spec.objective_name() + " " + fixed4(value) +
               (r.pruned ? " (pruned after epoch " + std::to_string(resume.epoch + r.epochs.size()) + ")" : ""));
  return true;
}

bool Execution::population_based(const Task &t, const spec::Train &recipe, const search::SearchSpec &spec,
                                 std::int64_t task) {
  const std::vector<search::Dimension> &dims = spec.dimensions;
  const int trials = static_cast<int>(t.count);
  if (trials < spec.population) {
    fail("search '" + t.block + "': pbt needs trials >= population (" + std::to_string(trials) +
                          " < " + std::to_string(spec.population) + ")");
    store_.finish_task(task, "failed", "trials < population");
    return false;
  }
  if (!store_.trials(task).empty()) {
    // Members depend on each other's checkpoints interval by interval; a
    // stopped population starts over rather than mixing two histories.
    store_.clear_trials(task);
    obs_.message("  pbt: the stopped population starts over");
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
  std::mt19937_64 rng = search::trial_rng(settings_.seed, 0, 4);
  auto begin = [&](Member &m, const SpaceValues &values) {
    m.number = ++started;
    m.values = values;
    m.job = Trained{};
    m.augment.reset();
    if (!prepare(recipe, values, m.job, m.augment, started == 1)) return false;
    if (spec.proxy_epochs > 0) m.job.spec.epochs = spec.proxy_epochs;
    m.job.spec.checkpoint_keep = 0;  // members start from each other's interval checkpoints: keep them all
    m.trial = store_.begin_trial(task, m.number, json_text(values_json(values)));
    return true;
  };
  for (Member &m : members) {
    SpaceValues values;
    for (const search::Dimension &d : dims) values[d.name] = search::sample_prior(d, rng);
    if (!begin(m, values)) {
      store_.finish_task(task, "failed", "a member could not be prepared");
      return false;
    }
  }
  obs_.message("  pbt: " + std::to_string(spec.population) + " members, exploit every " +
               std::to_string(spec.interval) + " epoch(s), perturb x" + fixed4(spec.perturb.first) + " or x" +
               fixed4(spec.perturb.second));
  const int epochs = members[0].job.spec.epochs;
  json lineage = json::array();
  for (int from = 0; from < epochs; from += spec.interval) {
    const int to = std::min(epochs, from + spec.interval);
    bool ok = in_parallel(members.size(), spec.parallel, [&](std::size_t i) {
      Member &m = members[i];
      train::ResumePoint resume;
      if (from > 0) resume.epoch = from, resume.weights = m.checkpoint;
      train::TrainResult r = fit(t.block, m.job, m.augment.get(), task, m.trial, trial_dir(t.block, m.number),
                                 spec.subset, false, resume, nullptr, to);
      if (r.interrupted || r.epochs.empty()) return false;
      m.score = objective_score(spec, r.epochs.back());
      m.checkpoint = r.epochs.back().checkpoint;
      return true;
    });
    if (!ok) {
      for (Member &m : members) store_.finish_trial(m.trial, "interrupted", std::nullopt);
      store_.finish_task(task, "interrupted");
      mark_interrupted();
      return false;
    }
    std::string line = "  epoch " + std::to_string(to) + "/" + std::to_string(epochs) + ":";
    for (const Member &m : members)
      line += " #" + std::to_string(m.number) + " " + fixed4(spec.maximize ? m.score : -m.score);
    obs_.message(line);
    if (to == epochs || started >= trials) continue;
    std::vector<search::PbtMember> population;
    for (const Member &m : members) population.push_back({m.values, m.score});
    for (const search::PbtReplacement &r : search::pbt_exploit(population, dims, spec.perturb, rng)) {
      if (started >= trials) break;
      Member &loser = members[r.loser];
      const Member &winner = members[r.winner];
      store_.finish_trial(loser.trial, "exploited", spec.maximize ? loser.score : -loser.score);
      const std::string weights = winner.checkpoint;
      const int old = loser.number;
      if (!begin(loser, r.values)) {
        store_.finish_task(task, "failed", "a member could not be prepared");
        return false;
      }
      loser.checkpoint = weights;  // the next interval starts from the winner's weights and optimizer state
      loser.score = winner.score;
      lineage.push_back({{"trial", loser.number}, {"replaces", old}, {"copies", winner.number}, {"epoch", to}});
      obs_.message("  exploit: #" + std::to_string(loser.number) + " replaces #" + std::to_string(old) +
                   " with #" + std::to_string(winner.number) + "'s weights," + shown(r.values));
    }
  }
  const Member *best = &members[0];
  for (const Member &m : members) {
    store_.finish_trial(m.trial, "done", spec.maximize ? m.score : -m.score);
    if (m.score > best->score) best = &m;
  }
  set_best_values(t.block, best->values);
  const double best_value = spec.maximize ? best->score : -best->score;
  obs_.message("  best member #" + std::to_string(best->number) + " (" + spec.objective_name() + " " +
               fixed4(best_value) + "):" + shown(best->values));
  json outputs = {{"objective", spec.objective_name()}, {"maximize", spec.maximize}, {"best", values_json(best->values)},
                  {"best_value", best_value}, {"trials", started}, {"lineage", lineage}};
  if (augment_is_searched(recipe) && !augment_baselines(t, recipe, spec, task, best->values, best_value, outputs)) {
    store_.finish_task(task, was_interrupted() ? "interrupted" : "failed");
    return false;
  }
  store_.finish_task(task, "done", "", json_text(outputs));
  return true;
}

}  // namespace edl::workflow
