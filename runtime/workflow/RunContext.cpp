#include "runtime/workflow/RunContext.h"

#include "compiler/support/NumberText.h"
#include "runtime/train/AudioFeatures.h"
#include "runtime/train/DetectionTrainer.h"
#include "runtime/train/PretrainedInput.h"
#include "runtime/train/SegmentationTrainer.h"
#include "runtime/train/Schedule.h"

#include <thread>

namespace edl::workflow {

namespace fs = std::filesystem;
using Lock = std::lock_guard<std::mutex>;

void SerializedObserver::message(const std::string &line) {
  Lock lock(mu_);
  inner_.message(line);
}

void SerializedObserver::batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss,
                               double accuracy, double images_per_second) {
  Lock lock(mu_);
  inner_.batch(train, epoch, epochs, batch, batches, loss, accuracy, images_per_second);
}

void SerializedObserver::epoch(const std::string &train, int epochs, const train::EpochReport &report) {
  Lock lock(mu_);
  inner_.epoch(train, epochs, report);
}

void TaskContext::say(const std::string &line) {
  {
    Lock lock(mu_);
    text_ += line + "\n";
  }
  observer_.message(line);
}

void TaskContext::say_epoch(const std::string &train, int epochs, const train::EpochReport &report) {
  char line[160];
  if (report.val.values.count("map"))  // a detector
    std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f, val loss %.4f map %.4f map50 %.4f", report.epoch,
                  epochs, report.train.loss, report.val.loss, report.val.value("map"), report.val.value("map50"));
  else if (report.val.values.count("miou"))  // a segmenter
    std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f, val loss %.4f miou %.4f pixel_accuracy %.4f",
                  report.epoch, epochs, report.train.loss, report.val.loss, report.val.value("miou"),
                  report.val.value("pixel_accuracy"));
  else
    std::snprintf(line, sizeof line, "epoch %d/%d: train loss %.4f accuracy %.4f, val loss %.4f accuracy %.4f",
                  report.epoch, epochs, report.train.loss, report.train.value("accuracy"), report.val.loss,
                  report.val.value("accuracy"));
  {
    Lock lock(mu_);
    text_ += std::string(line) + "\n";
  }
  observer_.epoch(train, epochs, report);
}

void TaskContext::batch(const std::string &train, int epoch, int epochs, int batch, int batches, double loss,
                        double accuracy, double images_per_second) {
  if (!parallel_) observer_.batch(train, epoch, epochs, batch, batches, loss, accuracy, images_per_second);
}

void TaskContext::log_error(const std::string &error) {
  Lock lock(mu_);
  errors_.push_back(error);
}

std::string TaskContext::log_text() const {
  Lock lock(mu_);
  return text_;
}

std::vector<std::string> TaskContext::errors() const {
  Lock lock(mu_);
  return errors_;
}

RunContext::RunContext(const RunRequest &req, RunObserver &observer, DiagnosticEngine &diags, store::Store &store,
                       RunOutcome &out, int threads, std::map<std::string, std::string> identities)
    : plan(*req.plan), settings(req.plan->specs.project), observer(observer), store(store), state(out),
      threads(threads), req_(req), diags_(diags), identities_(std::move(identities)) {}

bool RunContext::interrupt_requested() const { return req_.interrupt && req_.interrupt->load(); }

void RunContext::fail(TaskContext &ctx, const std::string &error) {
  state.add_error(error);
  ctx.log_error(error);
}

void RunContext::diagnose(TaskContext &ctx, DiagId id, SourceRange at, std::vector<std::string> args,
                          const std::vector<Note> &notes) {
  const DiagnosticInfo &info = diagnostic_info(id);
  ctx.log_error(std::string("error[") + info.code + "]: " + format_message(info.message, args));
  Lock lock(diags_mu_);
  DiagnosticBuilder d = diags_.report(id, at, std::move(args));
  for (const Note &n : notes) n.help ? d.help(n.id, n.args) : d.note(n.id, n.args);
}

const data::LoadedDataset *RunContext::dataset(TaskContext &ctx, const std::string &name) {
  Lock loading(load_mu_);  // one load at a time; a second caller waits for the first
  if (const data::LoadedDataset *loaded = state.dataset(name)) return loaded;
  const spec::Dataset *declared = plan.specs.dataset(name);
  if (!declared) return nullptr;
  const data::DatasetSpec &dspec = *declared;
  {
    Lock lock(diags_mu_);
    if (data::report_missing_folder(dspec, diags_)) {
      const Diagnostic &d = diags_.diagnostics().back();
      ctx.log_error("error[" + d.code + "]: " + d.message);
      return nullptr;
    }
  }
  auto loaded = std::make_unique<data::LoadedDataset>(data::load_dataset(dspec));
  const data::DataReport &r = loaded->report;
  if (!r.ok()) {  // the cause first, then what was skipped on the way
    for (const data::DataError &e : r.errors) {
      std::vector<Note> notes;
      for (const auto &[note, args] : e.notes) notes.push_back({note, args, false});
      diagnose(ctx, e.id, dspec.path_range, e.args, notes);
    }
  }
  for (const std::string &line : data::skipped_summary(r)) ctx.say("  " + line);
  for (const std::string &w : r.warnings) ctx.say("  warning: " + w);
  if (!r.ok()) return nullptr;
  ctx.say("load " + dspec.name + ": " + std::to_string(loaded->size()) + " samples, " +
          std::to_string(loaded->classes.size()) + " classes, " +
          (loaded->tokens.empty() ? ""
                                  : std::to_string(loaded->vocabulary.size()) + " tokens learnt from the training rows, ") +
          "train " + std::to_string(loaded->split.train.size()) +
          " / val " + std::to_string(loaded->split.val.size()) + " / test " +
          std::to_string(loaded->split.test.size()) + " (" + std::to_string(r.decoded) + " decoded, " +
          std::to_string(r.from_cache) + " from the cache)");
  return state.add_dataset(name, std::move(loaded));
}

bool RunContext::prepare(TaskContext &ctx, const spec::Train &unbound, const SpaceValues &space, Trained &job,
                         std::unique_ptr<lower::CompiledAugment> &augment, bool verbose) {
  Lock lock(prepare_mu_);
  job.spec = spec::bind(unbound, space, settings.space_defaults);
  const data::LoadedDataset *loaded = dataset(ctx, job.spec.dataset);
  if (!loaded) return false;
  const data::DatasetSpec &dspec = *plan.specs.dataset(job.spec.dataset);
  const data::LoadedDataset &data = *loaded;
  job.data = &data;
  const SourceRange data_at = job.spec.data_range;
  if (data.pixels.empty() && data.tokens.empty() && data.audio.empty()) {
    diagnose(ctx, DiagId::NotSupportedYet, data_at, {"training on dataset", dspec.name});
    return false;
  }
  if (data.split.train.empty() || data.classes.size() < 2) {
    diagnose(ctx, DiagId::DataUnusable, data_at,
             {dspec.name, std::to_string(data.split.train.size()), std::to_string(data.classes.size())});
    return false;
  }
  if (!data.audio.empty()) {
    // Sound: the features' kernel compiles before anything else runs.
    std::string error;
    const lower::CompiledLogMel *kernel = train::log_mel_kernel(data, error);
    if (!kernel) {
      diagnose(ctx, DiagId::ModelShape, data_at, {error});
      return false;
    }
    if (verbose)
      ctx.say("features " + dspec.name + (data.log_mel.n_mfcc > 0 ? ": mfcc " : ": log-mel ") + std::to_string(data.height) + " x " + std::to_string(data.width) +
              " per clip, one kernel compiled in " + std::to_string(static_cast<int>(kernel->compile_seconds() * 1000)) +
              " ms");
  }
  bool normalised_as_pretrained = false;
  job.norm = train::input_normalizer(dspec, data, job.spec.model, &normalised_as_pretrained);
  job.token_augment = nullptr;
  job.audio_augment = nullptr;
  if (const spec::Augment *block = job.spec.augment.get(); block && !data.tokens.empty()) {
    // Text: token ops on the host, no kernel to compile.
    std::string error;
    if (!train::TokenAugment::accepts(*block, error)) {
      fail(ctx, error);
      return false;
    }
    job.token_augment = std::make_shared<train::TokenAugment>(*block);
    if (verbose) ctx.say("augment " + block->name + ": token ops on the host, per sample");
  } else if (const spec::Augment *block = job.spec.augment.get(); block && !data.audio.empty()) {
    // Sound: waveform ops and masks on the host, around the features' kernel.
    std::string error;
    if (!train::AudioAugment::accepts(*block, error)) {
      fail(ctx, error);
      return false;
    }
    job.audio_augment = std::make_shared<train::AudioAugment>(*block);
    if (verbose) ctx.say("augment " + block->name + ": audio ops on the host, per clip, around the features' kernel");
  } else if (const spec::Augment *block = job.spec.augment.get()) {
    std::vector<lower::LoweringError> errors;
    lower::AugmentProgram program = lower::build_program(*block, data.width, data.height, data.channels, errors);
    for (const lower::LoweringError &e : errors) diagnose(ctx, e.id, e.range, e.args);
    if (!errors.empty()) return false;
    if (program.out_w != data.width || program.out_h != data.height) {
      const std::string w = std::to_string(data.width), h = std::to_string(data.height);
      diagnose(ctx, DiagId::AugmentChangesSize, job.spec.augment_range.valid() ? job.spec.augment_range : data_at,
               {block->name, std::to_string(program.out_w), std::to_string(program.out_h), dspec.name, w, h},
               {{NoteId::EndWithResize, {w, h}}});
      return false;
    }
    std::string error;
    augment = lower::CompiledAugment::compile(program, error, dspec.cache_dir + "/kernels");
    if (!augment) {
      fail(ctx, "augment '" + block->name + "': " + error);
      return false;
    }
    if (verbose)
      ctx.say("augment " + block->name + ": one fused kernel, " +
              (augment->from_cache() ? "loaded from the cache" : "compiled") + " in " +
              std::to_string(static_cast<int>(augment->compile_seconds() * 1000)) + " ms");
  }
  try {  // a custom schedule compiles before any epoch runs
    train::LrSchedule probe(job.spec.schedule, job.spec.optimizer.lr, job.spec.epochs, 1);
  } catch (const std::exception &e) {
    fail(ctx, "train '" + job.spec.name + "': the schedule formula could not be compiled: " + e.what());
    return false;
  }

  torch::manual_seed(settings.seed);
  std::vector<lower::ModelError> errors;
  std::string pretrained;
  const lower::InputShape shape = train::input_shape(data);
  if (job.spec.model.detects()) job.detector = lower::build_detector(job.spec.model, shape, errors, &pretrained);
  else if (job.spec.model.segments()) job.segmenter = lower::build_segmenter(job.spec.model, shape, errors, &pretrained);
  else job.net = lower::build_model(job.spec.model, shape, errors, &pretrained);
  for (const lower::ModelError &e : errors) {
    std::vector<Note> available;
    for (const std::string &names : e.notes) available.push_back({NoteId::AvailableNames, {names}});
    diagnose(ctx, e.id, e.range, e.args, available);
  }
  if (!job.net && !job.detector && !job.segmenter) return false;
  if (verbose) {
    std::int64_t parameters = 0;
    for (const torch::Tensor &p : job.module().parameters()) parameters += p.numel();
    ctx.say("train " + job.spec.name + ": " + job.spec.model.backbone + " + " + job.spec.model.head + ", " +
            std::to_string(parameters) + " parameters, " +
            (data.tokens.empty() ? std::to_string(data.width) + "x" + std::to_string(data.height) + "x" +
                                       std::to_string(data.channels)
                                 : std::to_string(dspec.text.max_len) + " tokens of " +
                                       std::to_string(data.vocabulary.size()) + " (" + dspec.text.tokenizer + ")") +
            ", batch " +
            std::to_string(static_cast<int>(job.spec.batch)) + ", " + std::to_string(static_cast<int>(job.spec.epochs)) +
            " epochs, " +
            std::to_string(torch::get_num_threads()) + " threads" +
            (pretrained.empty() ? "" : "; pretrained: " + pretrained));
    const spec::Model &m = job.spec.model;
    if (!m.freeze.empty())
      ctx.say("  frozen: " + m.freeze + " and the blocks before it" +
              (m.unfreeze_after > 0 ? "; unfreezes them after epoch " + std::to_string(m.unfreeze_after) + " at lr x " +
                                          number_text(m.unfreeze_lr_scale)
                                    : ""));
    if (m.layer_decay < 1.0) ctx.say("  layer_decay " + number_text(m.layer_decay) + ": each backbone block's lr is the next one's x " + number_text(m.layer_decay));
    if (normalised_as_pretrained)
      ctx.say("  inputs normalised as its pretraining's: (pixel / 255 - " + number_text(job.norm.mean.at(0)) + ") / " +
              number_text(job.norm.std.at(0)) + (job.norm.mean.size() > 1 ? " per channel" : ""));
  }
  return true;
}

std::unique_ptr<lower::CompiledAugment> RunContext::compile_augment(TaskContext &ctx, const spec::Augment &block,
                                                                    const Trained &job) {
  Lock lock(prepare_mu_);
  std::vector<lower::LoweringError> errors;
  lower::AugmentProgram program =
      lower::build_program(block, job.data->width, job.data->height, job.data->channels, errors);
  std::string error;
  std::unique_ptr<lower::CompiledAugment> augment;
  if (errors.empty())
    augment = lower::CompiledAugment::compile(program, error, plan.specs.dataset(job.spec.dataset)->cache_dir + "/kernels");
  if (!augment)
    fail(ctx, "augment '" + block.name + "' could not be compiled: " + (errors.empty() ? error : errors[0].message()));
  return augment;
}

train::TrainResult RunContext::fit(TaskContext &ctx, Trained &job, const lower::CompiledAugment *augment,
                                   const FitRequest &request) {
  const data::LoadedDataset &data = *job.data;
  train::TrainJob tj;
  tj.spec = &job.spec;
  tj.data = &data;
  tj.norm = job.norm;
  tj.augment = augment;
  tj.token_augment = job.token_augment.get();
  tj.audio_augment = job.audio_augment.get();
  tj.seed = settings.seed;
  tj.subset = request.subset;
  tj.resume = request.resume;
  tj.stop_epoch = request.stop_epoch;
  tj.checkpoint_dir = checkpoint_dir(request.dir).string();
  const std::int64_t steps = (static_cast<std::int64_t>(data.split.train.size()) + job.spec.batch - 1) / job.spec.batch;
  const int epochs = job.spec.epochs;
  train::TrainCallbacks cb;
  cb.on_batch = [&](int e, int b, int n, double loss, double acc, double ips) {
    ctx.batch(request.block, e, epochs, b, n, loss, acc, ips);
  };
  cb.on_epoch = [&](const train::EpochReport &r) {
    std::vector<std::pair<std::string, double>> values = {{"lr", r.lr}, {"images_per_second", r.images_per_second},
                                                             {"data_wait_seconds", r.data_wait}};
    for (const std::string &m : job.spec.metrics) {
      // A detector's or segmenter's training epochs keep only the loss: mAP
      // and IoU are measured on held-out images.
      if ((!job.detector && !job.segmenter) || m == "loss") values.emplace_back("train." + m, r.train.value(m));
      values.emplace_back("val." + m, r.val.value(m));
    }
    store.add_metrics(ctx.row, request.trial, r.epoch, r.epoch * steps, values);
    if (r.checkpointed) store.add_artifact(ctx.row, request.trial, "checkpoint", r.checkpoint, r.epoch);
    for (const std::string &gone : r.removed) store.remove_artifact(ctx.row, gone);
    if (request.epoch_lines) ctx.say_epoch(request.block, epochs, r);
  };
  cb.interrupted = [this] { return interrupt_requested(); };
  cb.prune = request.prune;
  if (job.spec.distributed.on()) return fit_distributed(ctx, job, tj, cb);  // classification only (E0901)
  if (job.detector) return train::train_detector(job.detector, tj, cb);
  if (job.segmenter) return train::train_segmenter(job.segmenter, tj, cb);
  return train::train_model(job.net, tj, cb);
}

train::ResumePoint RunContext::resume_point(std::int64_t task, std::optional<std::int64_t> trial,
                                            const train::TrainSpec &spec) {
  train::ResumePoint point;
  for (const store::ArtifactRow &a : store.artifacts(task))
    if (a.kind == "checkpoint" && a.trial_id == trial && a.epoch > point.epoch && fs::exists(a.path))
      point.epoch = a.epoch, point.weights = a.path;
  store.forget_after(task, trial, point.epoch);
  const bool on_train = spec.early_stop.enabled && spec.early_stop.split == "train";
  const std::string watched =
      (on_train ? "train." : "val.") +
      (spec.early_stop.enabled ? spec.early_stop.metric : std::string(spec.model.headline_metric()));
  const bool maximize = spec.early_stop.enabled ? spec.early_stop.maximize : true;
  for (const store::MetricRow &m : store.metrics(task))
    if (m.trial_id == trial && m.name == watched && m.epoch <= point.epoch &&
        (point.best_epoch == 0 || (maximize ? m.value > point.best : m.value < point.best)))
      point.best = m.value, point.best_epoch = m.epoch;
  return point;
}

fs::path RunContext::checkpoint_dir(const std::string &dir) const {
  return fs::path(settings.store).parent_path() / "artifacts" / ("run-" + std::to_string(state.run_id())) / dir;
}

bool RunContext::in_parallel(TaskContext &ctx, std::size_t n, int workers,
                             const std::function<bool(std::size_t)> &body) {
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
  ctx.set_parallel(true);
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      torch::set_num_threads(share);
      for (std::size_t i; ok && (i = next++) < n;)
        if (!body(i)) ok = false;
    });
  for (std::thread &th : pool) th.join();
  ctx.set_parallel(false);
  torch::set_num_threads(budget);  // the workers' setting leaks into the process-wide default
  return ok;
}

std::shared_ptr<const Trained> RunContext::trained_job(TaskContext &ctx, const std::string &job) {
  if (auto published = state.trained(job)) return published;
  Lock lock(rebuild_mu_);
  if (auto published = state.trained(job)) return published;  // rebuilt while this one waited
  const json outputs = state.finished_train(job);
  const spec::Train *recipe = plan.specs.train(job);
  if (!recipe || !outputs.is_object()) return nullptr;
  SpaceValues values;
  if (outputs.contains("space") && !outputs["space"].empty()) values = space_values_of(outputs["space"]);
  auto rebuilt = std::make_shared<Trained>();
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!prepare(ctx, *recipe, values, *rebuilt, augment, false)) return nullptr;
  rebuilt->model_path = outputs.value("model", "");
  rebuilt->best_epoch = outputs.value("best_epoch", 0);
  std::string error;
  if (!rebuilt->model_path.empty() && lower::load_weights(rebuilt->module(), rebuilt->model_path, error) == 0) {
    fail(ctx, "train job '" + job + "': cannot read the trained weights " + rebuilt->model_path + ": " + error);
    return nullptr;
  }
  return state.publish(job, std::move(rebuilt));
}

SpaceValues space_values_of(const json &values) {
  SpaceValues v;
  if (values.is_object())
    for (const auto &[name, value] : values.items())
      if (value.is_number()) v[name] = value.get<double>();
  return v;
}

json values_json(const SpaceValues &values) {
  json j = json::object();
  for (const auto &[name, v] : values) j[name] = v;
  return j;
}

double objective_score(const search::SearchSpec &spec, const train::EpochReport &epoch) {
  const double v = (spec.split == "train" ? epoch.train : epoch.val).value(spec.metric);
  return spec.maximize ? v : -v;
}

bool augment_is_searched(const spec::Train &job) { return job.search && job.search->baseline_augment; }

std::string shown(const SpaceValues &values) {
  std::string out;
  for (const auto &[name, v] : values) {
    char buf[96];
    std::snprintf(buf, sizeof buf, " %s=%.4g", name.c_str(), v);
    out += buf;
  }
  return out;
}

std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

std::string trial_dir(const std::string &block, int number) { return block + "/trial-" + std::to_string(number); }

}  // namespace edl::workflow
