// package:DEPLOY: the deploy block's train job, its best weights and its
// evaluation, written as one package (runtime/deploy/Package.h).
#include "compiler/support/JsonText.h"
#include "runtime/deploy/Package.h"
#include "runtime/train/Trainer.h"
#include "runtime/workflow/TaskRunner.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

std::string utc_now() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

class PackageRunner : public TaskRunner {
 public:
  explicit PackageRunner(RunContext &run) : run_(run) {}

  Finish run(TaskContext &ctx) override {
    return package(ctx) ? Finish::Done : run_.stopped();
  }

  void reuse(const Task &, const store::TaskRow &row) override {
    json outputs = json::parse(row.outputs, nullptr, false);
    if (outputs.is_object() && outputs.contains("package")) run_.state.add_package(outputs.value("package", std::string()));
  }

 private:
  bool package(TaskContext &ctx);

  RunContext &run_;
};

bool PackageRunner::package(TaskContext &ctx) {
  const Task &t = ctx.task;
  const spec::Deploy &deploy = *t.deploy;
  const std::string job_name = deploy.from;
  const spec::Label *label = run_.plan.specs.label(job_name);
  if (!run_.plan.specs.train(job_name) && !label) {
    run_.fail(ctx, "deploy '" + t.block + "': 'from' names no train job or label block");
    return false;
  }
  // What the deployed run measured: its evaluation task (from this run or
  // the one it was cached from), or a label round's held-out metrics.
  json evaluation = json::object();
  std::shared_ptr<const Trained> trained =
      label ? label_model(run_, ctx, *label, evaluation) : run_.trained_job(ctx, job_name);
  if (!trained) {
    if (!label) run_.fail(ctx, "deploy '" + t.block + "': train job '" + job_name + "' has no trained model");
    return false;
  }
  const Trained &job = *trained;
  std::string error;
  const data::LoadedDataset &data = *job.data;

  deploy::PackageSpec spec;
  spec.shape = train::input_shape(data);
  for (const spec::Target &target : deploy.targets) {
    spec.targets.push_back(target.kind);
    spec.target_options[target.kind] = target.options;
  }
  spec.path = deploy.package;
  spec.staging = (fs::path(run_.settings.store).parent_path() / "artifacts" / ("run-" + std::to_string(run_.state.run_id())) /
                  ("package-" + t.block))
                     .string();

  for (const Task &other : run_.plan.tasks)
    if (other.kind == TaskKind::Evaluate && other.block == job_name)
      if (auto row = run_.store.completed_task(run_.identity(other))) evaluation = json::parse(row->outputs, nullptr, false);
  json normalize = {{"scale", 1.0 / 255}, {"mean", job.norm.mean}, {"std", job.norm.std}};
  spec.manifest = {
      {"format", "edl-package"},
      {"format_version", 1},
      {"project", run_.settings.name},
      {"deploy", t.block},
      {"version", "run-" + std::to_string(run_.state.run_id())},
      {"created", utc_now()},
      {"source", {{"file", run_.settings.main_file}, {"hash", run_.settings.source_hash}}},
      {"plan_identity", run_.identity(t)},
      {"train", {{"name", label ? job.spec.name : job_name}, {"backbone", job.spec.model.backbone}, {"head", job.spec.model.head},
                 {"best_epoch", job.best_epoch}}},
      {"label", label ? json(label->name) : json()},  // deployed from a label block's last round
      {"task", trained->detector ? "detection" : trained->segmenter ? "segmentation" : "classification"},
      {"classes", data.classes},
      {"input", {{"width", data.width}, {"height", data.height}, {"channels", data.channels}, {"layout", "NCHW float32"}}},
      {"preprocessing",
       {{"decode", data.channels == 1 ? "grayscale" : data.channels == 3 ? "rgb" : "rgba"},
        {"resize", {{"width", data.width}, {"height", data.height}, {"interpolation", "area to shrink, linear to grow"}}},
        {"normalize", normalize}}},
      {"metrics", evaluation.is_object() ? evaluation.value("metrics", json::object()) : json::object()},
      {"metrics_split", evaluation.is_object() ? evaluation.value("split", std::string()) : std::string()}};

  if (!data.tokens.empty()) {
    // A text model reads token ids; the package's tokenizer file makes them.
    const data::TextEncoder &encoder = data.vocabulary;
    spec.text = &encoder;
    spec.manifest["input"] = {{"kind", "text"}, {"max_len", encoder.max_len}, {"layout", "N x max_len int64 token ids"}};
    spec.manifest["preprocessing"] = {
        {"tokenize",
         {{"tokenizer", encoder.tokenizer},
          {"lowercase", encoder.lowercase},
          {"max_len", encoder.max_len},
          {"vocabulary", encoder.size()},
          {"merges", encoder.merges.size()},
          {"file", "model/tokenizer.txt"},
          {"padding", "id 0 after the text"},
          {"unknown", "id 1"},
          {"truncation", "the first max_len tokens"}}}};
  }
  if (!data.audio.empty()) {
    // A sound model reads log-mel spectrograms; the package says how to make them.
    spec.manifest["input"] = {{"kind", "audio"},
                              {"sample_rate", data.sample_rate},
                              {"samples", data.samples_per_clip},
                              {"layout", data.log_mel.n_mfcc > 0 ? "N x 1 x n_mfcc x frames float32 MFCC"
                                                                 : "N x 1 x n_mels x frames float32 log-mel"}};
    spec.manifest["preprocessing"] = {
        {"decode", {{"channels", "mixed to mono"}, {"resample", "libsamplerate sinc, medium quality"},
                    {"length", "padded with silence or trimmed to samples"}}},
        {"features",
         {{"kind", data.log_mel.n_mfcc > 0 ? "mfcc" : "log_mel"},
          {"n_fft", data.log_mel.n_fft},
          {"hop", data.log_mel.hop},
          {"n_mels", data.log_mel.n_mels},
          {"frames", data.width},
          {"window", "periodic Hann, centred frames, reflection padding"},
          {"mel", "HTK, 0 Hz to half the sample rate, no normalisation"},
          {"log", "log(mel + 1e-6)"}}},
        {"normalize", {{"mean", job.norm.mean}, {"std", job.norm.std}}}};
    if (data.log_mel.n_mfcc > 0) {
      spec.manifest["preprocessing"]["features"]["n_mfcc"] = data.log_mel.n_mfcc;
      spec.manifest["preprocessing"]["features"]["dct"] = "type II, orthonormal, over the log-mels";
    }
  }
  if (trained->detector) {
    // What the module's forward() returns, and the settings built into it.
    const lower::DetectSettings &d = trained->detector->shape.settings;
    spec.manifest["detection"] = {{"output", "per image: rows x0 y0 x1 y1 score label, on the input's pixels"},
                                  {"score_threshold", d.score_threshold},
                                  {"nms_threshold", d.nms_threshold},
                                  {"detections", d.detections}};
  }
  if (trained->segmenter)
    spec.manifest["segmentation"] = {
        {"output", "per image: class scores, classes x height x width; the label map is their argmax"},
        {"ignore_index", data.ignore_index}};
  if (deploy::wants_int8(spec)) {
    if (data.pixels.empty()) {
      run_.fail(ctx, "deploy '" + t.block + "': edge(quantize = int8) quantizes image models; '" + job_name +
           "' does not train on images");
      return false;
    }
    // Every k-th training image (at most 256) to calibrate on; the split the
    // evaluation measured to check against.
    const std::vector<std::size_t> &train = data.split.train;
    std::vector<std::size_t> calibration;
    const std::size_t step = std::max<std::size_t>(1, train.size() / 256);
    for (std::size_t i = 0; i < train.size() && calibration.size() < 256; i += step) calibration.push_back(train[i]);
    spec.calibration = train::normalised_inputs(data, calibration, job.norm);
    spec.check_split = data.split.test.empty() ? "val" : "test";
    spec.next_check_batch =
        train::normalised_batches(data, data.split.test.empty() ? data.split.val : data.split.test, job.norm);
  }
  json written;
  if (!deploy::write_package({trained->net, trained->detector, trained->segmenter}, spec, written, error)) {
    run_.fail(ctx, "deploy '" + t.block + "': " + error);
    return false;
  }
  const auto bytes = fs::file_size(spec.path);
  const std::int64_t row = ctx.row;
  run_.store.add_artifact(row, std::nullopt, "package", spec.path, job.best_epoch, json_text(written));
  run_.store.finish_task(row, "done", "", json_text(json{{"package", spec.path}, {"targets", spec.targets}, {"bytes", bytes}}));
  run_.state.add_package(spec.path);
  std::string targets;
  for (const std::string &x : spec.targets) targets += (targets.empty() ? "" : ", ") + x + "()";
  ctx.say("package " + t.block + ": " + spec.path + " (" + targets + "; " + std::to_string(bytes / 1024) +
               " KiB)");
  for (const json &target : written["targets"])
    if (target.value("quantize", "") == "int8") {
      char line[200];
      std::snprintf(line, sizeof line, "edge int8 (%s): %s accuracy %.4f, float %.4f, change %+.4f, agreement %.4f",
                    target.value("engine", "").c_str(), target.value("accuracy_split", "").c_str(),
                    target.value("accuracy", 0.0), target.value("accuracy_float", 0.0),
                    target.value("accuracy_change", 0.0), target.value("agreement", 0.0));
      ctx.say(line);
    }
  return true;
}

}  // namespace

std::unique_ptr<TaskRunner> make_package_runner(RunContext &run) { return std::make_unique<PackageRunner>(run); }

}  // namespace edl::workflow
