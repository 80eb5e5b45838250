// label:NAME/K: one round of smart labeling. A round takes the labels its
// predecessor recorded, gets the oracle's answers for the items asked after
// it (the seed labels in round 1; a random draw in the baseline's rounds;
// every pool item for the full-label reference), trains the recipe of the
// block's train job on them, measures it on the job's validation split,
// and (in the strategy's series) chooses what the next round asks. All of
// it is the round's recorded outputs, so a finished round is never asked
// or trained again, and a killed one continues from its checkpoints.
// A human oracle that has not answered yet ends the run as waiting.
#include "compiler/support/JsonText.h"
#include "runtime/label/Curve.h"
#include "runtime/label/FolderOracle.h"
#include "runtime/label/HumanOracle.h"
#include "runtime/label/RoundData.h"
#include "runtime/label/Rounds.h"
#include "runtime/train/PretrainedInput.h"
#include "runtime/workflow/TaskRunner.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <optional>
#include <set>
#include <string_view>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

// Where the baseline's random draws come from: the project's seed mixed
// with the round, apart from every other draw made with that seed.
constexpr std::uint64_t kBaselineSalt = 0xba5e11e;

// One round's inputs and outputs while it runs.
struct RoundWork {
  const spec::Label *block = nullptr;
  const data::LoadedDataset *pool = nullptr;
  const std::vector<std::string> *classes = nullptr;  // the model's: what labels are given in
  std::vector<std::size_t> pool_items;          // indices into *pool
  std::map<std::string, std::size_t> by_file;   // pool file -> index into *pool
  std::vector<std::size_t> labeled;             // indices into *pool, in the order labeled
  std::vector<int> labels;                      // the oracle's class of each
  std::vector<std::size_t> to_ask;              // items whose answers this round needs
  json suggestions = json::array();             // the predecessor's guesses for `to_ask`
};

class LabelRunner : public TaskRunner {
 public:
  explicit LabelRunner(RunContext &run) : run_(run) {}
  Finish run(TaskContext &ctx) override;
  void reuse(const Task &t, const store::TaskRow &) override { draw_curve(t); }

 private:
  // Redraws the block's learning curve from every round recorded so far.
  void draw_curve(const Task &t);
  // The outputs its predecessor (the first round it depends on; with
  // `arm`, the one of that arm) recorded.
  json predecessor_outputs(const Task &t, std::optional<LabelArm> arm = std::nullopt) const;
  // Fills work.labeled/labels and to_ask from the predecessor; false when
  // a recorded file is no longer in the pool.
  bool take_over(TaskContext &ctx, const json &before, RoundWork &work);
  // The oracle's answers for work.to_ask appended to the labels: Done, or
  // UserError/Interrupted (problems, or a person has not answered yet).
  std::optional<Finish> ask(TaskContext &ctx, RoundWork &work);
  // What this round asks the oracle: the seed labels (round 1), what the
  // round before chose, a random draw (the baseline) or the whole pool.
  std::vector<std::size_t> questions(const Task &t, const RoundWork &work);
  // The folder oracle of `dir`, scanned once per run (shared by rounds and
  // their seed-label draw); with `error` when it cannot be used.
  std::shared_ptr<const label::FolderOracle> folder_oracle(const std::string &dir, std::string &error);

  RunContext &run_;
  std::mutex oracle_mu_;
  std::map<std::string, std::shared_ptr<const label::FolderOracle>> folders_;  // by folder
};

void LabelRunner::draw_curve(const Task &t) {
  for (const label::Curve &curve : label::learning_curves(run_.store.tasks(run_.state.run_id()))) {
    if (curve.label != t.block) continue;
    const fs::path png = run_.checkpoint_dir("label/" + t.block) / "curve.png";
    std::error_code ec;
    fs::create_directories(png.parent_path(), ec);
    std::string error;
    if (!label::draw_curve(curve, png.string(), error)) run_.observer.message("label " + t.block + ": " + error);
  }
}

json LabelRunner::predecessor_outputs(const Task &t, std::optional<LabelArm> arm) const {
  for (const std::string &dep : t.deps)
    for (const Task &d : run_.plan.tasks)
      if (d.id == dep && d.kind == TaskKind::LabelRound && (!arm || d.arm == *arm))
        if (auto row = run_.store.completed_task(run_.identity(d))) return json::parse(row->outputs, nullptr, false);
  return nullptr;
}

// A round's recorded [file, class] pairs as pool indices and indices into
// `classes`; false with `missing` naming what the pool no longer holds.
bool read_labeled(const json &items, const std::vector<std::string> &classes,
                  const std::map<std::string, std::size_t> &by_file, std::vector<std::size_t> &labeled,
                  std::vector<int> &labels, std::string &missing) {
  for (const json &item : items) {
    const std::string file = item.at(0).get<std::string>(), name = item.at(1).get<std::string>();
    auto at = by_file.find(file);
    auto c = std::find(classes.begin(), classes.end(), name);
    if (at == by_file.end() || c == classes.end()) {
      missing = at == by_file.end() ? "'" + file + "'" : "class '" + name + "'";
      return false;
    }
    labeled.push_back(at->second);
    labels.push_back(static_cast<int>(c - classes.begin()));
  }
  return true;
}

std::map<std::string, std::size_t> files_of(const data::LoadedDataset &pool) {
  std::map<std::string, std::size_t> by_file;
  for (std::size_t i = 0; i < pool.size(); ++i) by_file[pool.sources[i]] = i;
  return by_file;
}

bool LabelRunner::take_over(TaskContext &ctx, const json &before, RoundWork &work) {
  std::string missing;
  bool ok = read_labeled(before.value("labeled", json::array()), *work.classes, work.by_file, work.labeled,
                         work.labels, missing);
  for (const json &q : before.value("asked", json::array())) {
    auto at = work.by_file.find(q.value("file", ""));
    if (at == work.by_file.end()) {
      ok = false;
      missing = "'" + q.value("file", "") + "'";
      break;
    }
    work.to_ask.push_back(at->second);
    work.suggestions.push_back(q);
  }
  if (!ok)
    run_.fail(ctx, "label '" + work.block->name + "': " + missing +
                       ", labeled in an earlier round, is no longer in the pool; run again with --fresh");
  return ok;
}

std::optional<Finish> LabelRunner::ask(TaskContext &ctx, RoundWork &work) {
  const spec::Label &block = *work.block;
  const std::vector<std::string> &classes = *work.classes;
  if (block.oracle == spec::Label::Oracle::Folder) {
    std::string error;
    const std::shared_ptr<const label::FolderOracle> oracle = folder_oracle(block.oracle_path, error);
    for (std::size_t i : work.to_ask) {
      const int c = error.empty() ? oracle->answer(work.pool->sources[i], classes, error) : -1;
      if (c < 0) {
        run_.fail(ctx, "label '" + block.name + "': " + error);
        return Finish::UserError;
      }
      work.labeled.push_back(i);
      work.labels.push_back(c);
    }
    return std::nullopt;
  }
  // A person answers through DIR/round-K.csv.
  const int round = ctx.task.round;
  std::vector<std::string> files;
  for (std::size_t i : work.to_ask) files.push_back(work.pool->sources[i]);
  label::Answers answers = label::read_answers(block.oracle_path, round, files, classes);
  if (answers.complete()) {
    for (std::size_t k = 0; k < files.size(); ++k) {
      work.labeled.push_back(work.to_ask[k]);
      work.labels.push_back(answers.labels[k]);
    }
    ctx.say("label " + block.name + " round " + std::to_string(round) + ": " + std::to_string(files.size()) +
            " answers read from " + label::questions_csv(block.oracle_path, round));
    return std::nullopt;
  }
  const std::string csv = label::questions_csv(block.oracle_path, round);
  const bool asked_before = fs::exists(csv);
  if (!asked_before) {
    std::vector<label::Question> questions;
    for (std::size_t k = 0; k < files.size(); ++k) {
      const json &s = k < work.suggestions.size() ? work.suggestions[k] : json::object();
      questions.push_back({files[k], s.value("suggested", std::string()), s.value("confidence", 0.0)});
    }
    std::string error;
    if (!label::write_questions(block.oracle_path, round, questions, error)) {
      run_.fail(ctx, "label '" + block.name + "': " + error);
      return Finish::UserError;
    }
  }
  // A blank label is a question still open; anything else wrong in the
  // file (a row deleted, an unknown class, a duplicate) is named. The file
  // is kept as it is: nothing answered is lost.
  bool wrong = false;
  for (const label::AnswerProblem &p : answers.problems) {
    if (p.kind == label::AnswerProblem::Missing && !asked_before) continue;
    wrong = true;
    run_.fail(ctx, "label '" + block.name + "': " + csv + ": " + p.message(classes));
  }
  if (wrong) return Finish::UserError;
  run_.state.mark_waiting("label '" + block.name + "' round " + std::to_string(round) + ": " +
                          std::to_string(answers.answered) + " of " + std::to_string(files.size()) +
                          " answered; fill in the 'label' column of " + csv + " (the pictures are in " +
                          label::contact_sheet(block.oracle_path, round) + ") and run again");
  run_.store.finish_task(ctx.row, "interrupted", "waiting for answers in " + csv);
  return Finish::Interrupted;
}

std::shared_ptr<const label::FolderOracle> LabelRunner::folder_oracle(const std::string &dir, std::string &error) {
  std::lock_guard<std::mutex> lock(oracle_mu_);
  auto &slot = folders_[dir];
  if (!slot) slot = std::make_shared<label::FolderOracle>(dir, error);
  std::shared_ptr<const label::FolderOracle> oracle = slot;
  if (!error.empty()) slot.reset();  // scanned again next time: the folder may be fixed meanwhile
  return oracle;
}

std::vector<std::size_t> LabelRunner::questions(const Task &t, const RoundWork &work) {
  const spec::Label &block = *t.label;
  const std::uint64_t seed = run_.settings.seed;
  if (t.arm == LabelArm::Reference) return work.pool_items;
  if (t.arm == LabelArm::Baseline) {
    std::set<std::size_t> known(work.labeled.begin(), work.labeled.end());
    std::vector<std::size_t> unlabeled;
    for (std::size_t i : work.pool_items)
      if (!known.count(i)) unlabeled.push_back(i);
    return label::random_pick(unlabeled, block.batch, (seed + static_cast<std::uint64_t>(t.round)) ^ kBaselineSalt);
  }
  if (t.round > 1) return work.to_ask;  // what the round before asked
  std::size_t n = block.seed_share > 0 ? static_cast<std::size_t>(std::llround(block.seed_share * work.pool_items.size()))
                                       : static_cast<std::size_t>(block.seed_count);
  if (n == 0) n = block.batch;
  // Stratified when the oracle can say which is which without a person.
  if (block.oracle == spec::Label::Oracle::Folder) {
    std::string error;
    const std::shared_ptr<const label::FolderOracle> oracle = folder_oracle(block.oracle_path, error);
    std::vector<int> classes;
    for (std::size_t i : work.pool_items) {
      if (!error.empty()) break;
      classes.push_back(oracle->answer(work.pool->sources[i], *work.classes, error));
    }
    if (error.empty()) return label::stratified_pick(work.pool_items, classes, n, seed ^ label::kSeedLabelsSalt);
    // The oracle cannot label every item: asking names the ones it cannot.
  }
  return label::random_pick(work.pool_items, n, seed ^ label::kSeedLabelsSalt);
}

Finish LabelRunner::run(TaskContext &ctx) {
  const Task &t = ctx.task;
  const spec::Label &block = *t.label;
  const std::string series = t.arm == LabelArm::Reference ? "full-label reference"
                             : t.arm == LabelArm::Baseline ? "random baseline round " + std::to_string(t.round)
                                                           : "round " + std::to_string(t.round);
  RoundWork work;
  work.block = &block;
  if (!(work.pool = run_.dataset(ctx, block.pool))) return run_.stopped();
  const data::LoadedDataset &pool = *work.pool;
  const data::LoadedDataset *held_out = run_.dataset(ctx, t.train->dataset);
  if (!held_out) return run_.stopped();
  // Before anyone is asked anything: the rounds must be measurable.
  work.classes = &held_out->classes;  // what the oracle answers in; an unlabeled pool has none of its own
  if (!run_.plan.specs.dataset(block.pool)->unlabeled && held_out->classes != pool.classes) {
    run_.fail(ctx, "label '" + block.name + "': the pool '" + block.pool + "' and train '" + block.model +
                       "''s dataset have different classes");
    return Finish::UserError;
  }
  if (held_out->split.val.empty()) {
    run_.fail(ctx, "label '" + block.name + "': train '" + block.model + "''s dataset '" + t.train->dataset +
                       "' has no validation split to measure the rounds on; give it one (split = { val = 20% })");
    return Finish::UserError;
  }
  // The pool is the dataset's training split when the model learns from
  // the same dataset (its validation split measures); else all of it but
  // the images the validation split holds (by their decoded pixels, so a
  // copy elsewhere counts): a measured image is never labeled.
  if (block.pool == t.train->dataset) {
    work.pool_items = pool.split.train;
  } else {
    const std::size_t bytes = static_cast<std::size_t>(pool.width) * pool.height * pool.channels;
    auto image = [bytes](const data::LoadedDataset &d, std::size_t i) {
      return std::string_view(reinterpret_cast<const char *>(d.pixels.data()) + i * bytes, bytes);
    };
    std::set<std::string_view> measured;
    if (held_out->width == pool.width && held_out->height == pool.height && held_out->channels == pool.channels)
      for (std::size_t i : held_out->split.val) measured.insert(image(*held_out, i));
    for (std::size_t i = 0; i < pool.size(); ++i)
      if (!measured.count(image(pool, i))) work.pool_items.push_back(i);
  }
  work.by_file = files_of(pool);

  const json before = predecessor_outputs(t);
  // The baseline spends the strategy's budget: none of its rounds comes
  // after the one where the strategy stopped.
  const json strategy_before = t.arm == LabelArm::Baseline ? predecessor_outputs(t, LabelArm::Strategy) : before;
  for (const json &held : {before, strategy_before})
    if (held.is_object() && held.value("stopped", false)) {
      ctx.say("label " + block.name + " " + series + ": not needed, the stop condition held after round " +
              std::to_string(held.value("stopped_at", 0)));
      run_.store.finish_task(ctx.row, "done", "",
                             json_text(json{{"round", t.round}, {"arm", to_string(t.arm)}, {"skipped", true},
                                            {"stopped", true}, {"stopped_at", held.value("stopped_at", 0)}}));
      return Finish::Done;
    }
  if (before.is_object() && !take_over(ctx, before, work)) return Finish::UserError;

  work.to_ask = questions(t, work);
  if (std::optional<Finish> stopped = ask(ctx, work)) return *stopped;
  if (work.labeled.empty()) {
    run_.fail(ctx, "label '" + block.name + "': the pool '" + block.pool + "' has no items to label");
    return Finish::UserError;
  }

  // The recipe, on the labels so far, measured on the model's validation split.
  auto job = std::make_shared<Trained>();
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!run_.prepare(ctx, *t.train, {}, *job, augment, t.round == 1 && t.arm == LabelArm::Strategy))
    return run_.stopped();
  const data::LoadedDataset round = label::round_data(pool, work.labeled, work.labels, *held_out, held_out->split.val);
  job->data = &round;
  job->norm = train::input_normalizer(*run_.plan.specs.dataset(t.train->dataset), round, job->spec.model);
  if (block.steps > 0 && t.arm != LabelArm::Reference) {
    const double per_epoch = std::ceil(static_cast<double>(work.labeled.size()) / std::max(1.0, static_cast<double>(job->spec.batch)));
    job->spec.epochs = std::clamp(static_cast<int>(std::ceil(block.steps / per_epoch)), 1, 100000);
    // A few labels make epochs of a batch or two: a checkpoint after each
    // would cost more than the round. About ten a round keep a kill cheap.
    job->spec.checkpoint_every = std::max(static_cast<double>(job->spec.checkpoint_every),
                                          std::floor(static_cast<double>(job->spec.epochs) / 10));
  }
  if (block.warm_start && t.arm != LabelArm::Reference && before.is_object()) {
    std::string error;
    lower::load_weights(*job->net, before.value("model", std::string()), error);
    if (!error.empty()) ctx.say("label " + block.name + " " + series + ": starts from scratch (" + error + ")");
  }
  const std::string dir = "label/" + block.name + "/" +
                          (t.arm == LabelArm::Reference ? "full"
                           : t.arm == LabelArm::Baseline ? "random-" + std::to_string(t.round)
                                                         : "round-" + std::to_string(t.round));
  FitRequest fit;
  fit.block = block.name;
  fit.dir = dir;
  if (ctx.reopened) {
    fit.resume = run_.resume_point(ctx.row, std::nullopt, job->spec);
    if (fit.resume.epoch > 0)
      ctx.say("label " + block.name + " " + series + ": continues after epoch " + std::to_string(fit.resume.epoch));
  }
  const train::TrainResult trained = run_.fit(ctx, *job, augment.get(), fit);
  if (trained.interrupted) {
    run_.store.finish_task(ctx.row, "interrupted");
    run_.state.mark_interrupted();
    return Finish::Interrupted;
  }
  // The last epoch's model, not the best on the held-out split: choosing
  // by it would flatter the curve.
  const train::EpochMetrics measured = train::evaluate(job->net, round, round.split.val, job->norm, job->spec.loss);
  json metrics = json::object();
  spec::Variables variables;
  for (const std::string &m : job->spec.metrics) metrics[m] = measured.value(m);
  // `stop` may read any metric, not only those the recipe lists; a round
  // whose every epoch ran before a restart has its training split measured.
  const train::EpochMetrics on_train = trained.epochs.empty()
                                           ? train::evaluate(job->net, round, round.split.train, job->norm, job->spec.loss)
                                           : trained.epochs.back().train;
  for (const char *m : {"loss", "accuracy", "top5", "f1", "precision", "recall"}) {
    variables[std::string("val.") + m] = measured.value(m);
    variables[std::string("train.") + m] = on_train.value(m);
  }
  variables["labels"] = static_cast<double>(work.labeled.size());
  const fs::path model = run_.checkpoint_dir(dir) / "round-model.pt";
  std::error_code ec;
  fs::create_directories(model.parent_path(), ec);
  lower::save_weights(*job->net, model.string());
  run_.store.add_artifact(ctx.row, std::nullopt, "model", model.string(), job->spec.epochs,
                          json_text(json{{"classes", held_out->classes}, {"backbone", job->spec.model.backbone}}));

  bool stopped = false;
  if (block.stop && t.arm == LabelArm::Strategy) {
    try {
      stopped = spec::evaluate(*block.stop, variables) != 0;
    } catch (const std::invalid_argument &e) {
      run_.fail(ctx, "label '" + block.name + "': its stop condition reads what a round does not measure (" +
                         e.what() + "); rounds measure val.X on the held-out split and train.X, and count labels");
      return Finish::UserError;
    }
  }
  json asked = json::array();
  double select_seconds = 0;
  if (t.arm == LabelArm::Strategy && t.round < block.rounds && !stopped) {
    label::Strategy strategy = label::Strategy::Uncertainty;
    label::strategy_named(block.strategy, strategy);
    std::set<std::size_t> now_known(work.labeled.begin(), work.labeled.end());
    std::vector<std::size_t> rest;
    for (std::size_t i : work.pool_items)
      if (!now_known.count(i)) rest.push_back(i);
    const label::Choice choice = label::choose(job->net, pool, job->norm, rest, work.labeled, strategy, block.batch,
                                               run_.settings.seed + static_cast<std::uint64_t>(t.round));
    for (std::size_t k = 0; k < choice.asked.size(); ++k)
      asked.push_back({{"file", pool.sources[choice.asked[k]]},
                       {"suggested", held_out->classes[static_cast<std::size_t>(choice.suggested[k])]},
                       {"confidence", choice.confidence[k]}});
    select_seconds = choice.seconds;
  }
  json labeled = json::array();
  for (std::size_t k = 0; k < work.labeled.size(); ++k)
    labeled.push_back({pool.sources[work.labeled[k]], held_out->classes[static_cast<std::size_t>(work.labels[k])]});
  const double fraction = static_cast<double>(work.labeled.size()) / static_cast<double>(work.pool_items.size());
  const double accuracy = measured.value("accuracy");
  char line[200];
  std::snprintf(line, sizeof line, ": %zu labels (%.1f%% of the pool), held-out accuracy %.4f", work.labeled.size(),
                100 * fraction, accuracy);
  ctx.say("label " + block.name + " " + series + line +
          (asked.empty() ? std::string(stopped ? "; the stop condition holds" : "")
                         : "; chose " + std::to_string(asked.size()) + " by " + block.strategy + " in " +
                               fixed4(select_seconds) + " s"));
  json outputs = {{"round", t.round},
                                        {"arm", to_string(t.arm)},
                                        {"strategy", t.arm == LabelArm::Strategy ? block.strategy : "random"},
                                        {"labels", work.labeled.size()},
                                        {"pool", work.pool_items.size()},
                                        {"fraction", fraction},
                                        {"metric", accuracy},
                                        {"metrics", metrics},
                                        {"epochs", static_cast<double>(job->spec.epochs)},
                                        {"model", model.string()},
                                        {"stopped", stopped},
                                        {"stopped_at", stopped ? t.round : 0},
                                        {"select_seconds", select_seconds},
                                        {"asked", asked},
                                        {"labeled", labeled}};
  run_.store.finish_task(ctx.row, "done", "", json_text(outputs));
  draw_curve(t);
  return Finish::Done;
}

}  // namespace

std::unique_ptr<TaskRunner> make_label_runner(RunContext &run) { return std::make_unique<LabelRunner>(run); }

std::shared_ptr<const Trained> label_model(RunContext &run, TaskContext &ctx, const spec::Label &block,
                                           json &evaluation) {
  const Task *last_task = nullptr;
  json last;
  for (const Task &t : run.plan.tasks) {
    if (t.kind != TaskKind::LabelRound || t.block != block.name || t.arm != LabelArm::Strategy) continue;
    auto row = run.store.completed_task(run.identity(t));
    json o = row ? json::parse(row->outputs, nullptr, false) : json();
    if (o.is_object() && o.contains("model") && (!last_task || t.round > last_task->round)) last_task = &t, last = o;
  }
  if (!last_task) {
    run.fail(ctx, "label '" + block.name + "' has no finished round whose model could be deployed");
    return nullptr;
  }
  auto job = std::make_shared<Trained>();
  std::unique_ptr<lower::CompiledAugment> unused;
  const data::LoadedDataset *pool = run.dataset(ctx, block.pool);
  if (!pool || !run.prepare(ctx, *last_task->train, {}, *job, unused, false)) return nullptr;
  // The round's own data: what its normalisation was measured on.
  std::vector<std::size_t> labeled;
  std::vector<int> labels;
  std::string missing;
  if (!read_labeled(last.value("labeled", json::array()), job->data->classes, files_of(*pool), labeled, labels,
                    missing)) {
    run.fail(ctx, "label '" + block.name + "': " + missing + ", labeled in round " + std::to_string(last_task->round) +
                      ", is no longer in the pool");
    return nullptr;
  }
  const data::LoadedDataset &held_out = *job->data;
  job->data = run.state.add_dataset(
      last_task->id + " data",
      std::make_unique<data::LoadedDataset>(label::round_data(*pool, labeled, labels, held_out, held_out.split.val)));
  job->norm = train::input_normalizer(*run.plan.specs.dataset(last_task->train->dataset), *job->data, job->spec.model);
  std::string error;
  job->model_path = last.value("model", std::string());
  if (lower::load_weights(*job->net, job->model_path, error) == 0 || !error.empty()) {
    run.fail(ctx, "label '" + block.name + "': cannot read round " + std::to_string(last_task->round) + "'s model " +
                      job->model_path + (error.empty() ? "" : ": " + error));
    return nullptr;
  }
  job->best_epoch = last.value("epochs", 0);
  evaluation = {{"metrics", last.value("metrics", json::object())}, {"split", "val"}};
  ctx.say("package: label " + block.name + "'s round " + std::to_string(last_task->round) + " model (" +
          std::to_string(labeled.size()) + " labels)");
  return job;
}

}  // namespace edl::workflow
