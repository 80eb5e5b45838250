// When a search tunes the augment block, its report puts the searched policy
// next to two baselines trained on the same budget with the same other
// values: no augmentation, and trivialaugment over every image op. Both are
// trials of the search (status baseline:none, baseline:trivialaugment), after
// the searched ones, so a restarted run keeps what finished.
#include "compiler/sema/ProjectLoader.h"
#include "compiler/support/JsonText.h"
#include "runtime/workflow/Execution.h"

#include <cstdio>

namespace edl::workflow {
namespace {

constexpr const char *kTrivialAugment = R"edl(project "baselines" {}

augment trivialaugment_baseline {
  trivialaugment()
}
)edl";

bool inside(const SourceRange &inner, const SourceRange &outer) {
  return inner.file == outer.file && inner.begin >= outer.begin && inner.end <= outer.end;
}

}  // namespace

// The trivialaugment block, checked once per run as a project of its own.
struct Execution::BaselineProject {
  SourceManager sm;
  LoadedProject loaded;
  CheckedProject checked;
};

bool augment_is_searched(const TrainFacts &facts) {
  if (!facts.augment) return false;
  for (const SpaceUse &use : facts.searched)
    if (inside(use.range, facts.augment->range)) return true;
  return false;
}

bool Execution::augment_baselines(const Task &t, const TrainFacts &facts, const search::SearchSpec &spec,
                                  std::int64_t task, const SpaceValues &best, double best_value, json &outputs) {
  if (!baselines_) {
    baselines_ = std::make_shared<BaselineProject>();
    DiagnosticEngine diags;
    baselines_->loaded = load_project("<trivialaugment baseline>", baselines_->sm, diags, std::string(kTrivialAugment));
    baselines_->checked = check_project(baselines_->loaded, baselines_->sm, diags);
    if (diags.error_count() > 0) {
      fail("the trivialaugment baseline could not be checked");
      return false;
    }
  }
  json report = {{"searched", best_value}};
  const std::string objective = spec.objective_name();
  obs_.message("  augmentation, " + objective + " on each trial's budget, at the best values:");
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
    for (const store::TrialRow &r : store_.trials(task))
      if (r.number == number) {
        trial = r.id;
        if (r.value && r.finished > 0) value = r.value;
      }
    if (!value) {
      Trained job;
      std::unique_ptr<lower::CompiledAugment> augment;
      if (!prepare(facts, best, job, augment, false)) return false;
      augment.reset();
      if (name == "trivialaugment") {
        const ast::Decl *decl = baselines_->checked.find(ast::DeclKind::Augment, "trivialaugment_baseline");
        std::vector<lower::LoweringError> errors;
        lower::AugmentProgram program = lower::build_program(baselines_->checked, *decl, job.data->width,
                                                             job.data->height, job.data->channels, errors);
        std::string error;
        if (errors.empty())
          augment = lower::CompiledAugment::compile(program, error, specs_.at(facts.dataset->name).cache_dir + "/kernels");
        if (!augment) {
          fail("the trivialaugment baseline could not be compiled: " +
                                (errors.empty() ? error : errors[0].message()));
          return false;
        }
      }
      if (spec.proxy_epochs > 0) job.spec.epochs = spec.proxy_epochs;
      if (trial) {
        store_.reopen_trial(trial);
        store_.forget_after(task, trial, 0);  // a killed baseline trains again from the start
      } else {
        trial = store_.begin_trial(task, number, json_text(params));
      }
      train::TrainResult r = fit(t.block, job, augment.get(), task, trial, "baseline-" + name, spec.subset, false);
      if (r.interrupted) {
        store_.finish_trial(trial, "interrupted", std::nullopt);
        mark_interrupted();
        return false;
      }
      double score = -1e300;
      for (const train::EpochReport &e : r.epochs) score = std::max(score, objective_score(spec, e));
      value = spec.maximize ? score : -score;
      store_.finish_trial(trial, status, value);
    }
    report[name] = *value;
    char line[128];
    std::snprintf(line, sizeof line, "    %-16s %.4f", name.c_str(), *value);
    obs_.message(line);
  }
  char line[128];
  std::snprintf(line, sizeof line, "    %-16s %.4f (%s)", "searched", best_value,
                facts.augment ? facts.augment->name.c_str() : "");
  obs_.message(line);
  outputs["augment_baselines"] = report;
  return true;
}

}  // namespace edl::workflow
