// package:DEPLOY: the deploy block's train job, its best weights and its
// evaluation, written as one package (runtime/deploy/Package.h).
#include "compiler/support/JsonText.h"
#include "runtime/deploy/Package.h"
#include "runtime/train/Trainer.h"
#include "runtime/workflow/Execution.h"

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

}  // namespace

bool Execution::package(const Task &t) {
  const spec::Deploy &deploy = *t.deploy;
  if (!req_.plan->specs.train(deploy.from)) {
    fail("deploy '" + t.block + "': 'from' names no train job");
    return false;
  }
  const std::string job_name = deploy.from;
  if (!trained(job_name).net && !rebuild_trained(job_name)) {
    fail("deploy '" + t.block + "': train job '" + job_name + "' has no trained model");
    return false;
  }
  Trained &job = trained(job_name);
  std::string error;
  if (!job.model_path.empty() && lower::load_weights(*job.net, job.model_path, error) == 0) {
    fail("deploy '" + t.block + "': cannot read the trained weights " + job.model_path + ": " + error);
    return false;
  }
  const data::LoadedDataset &data = *job.data;

  deploy::PackageSpec spec;
  spec.shape = {data.channels, data.height, data.width, static_cast<int>(data.classes.size())};
  for (const spec::Target &target : deploy.targets) {
    spec.targets.push_back(target.kind);
    spec.target_options[target.kind] = target.options;
  }
  spec.path = deploy.package;
  spec.staging = (fs::path(settings_.store).parent_path() / "artifacts" / ("run-" + std::to_string(out_.run_id)) /
                  ("package-" + t.block))
                     .string();

  // What the deployed run measured: its evaluation task, from this run or the one it was cached from.
  json evaluation = json::object();
  for (const Task &other : req_.plan->tasks)
    if (other.kind == TaskKind::Evaluate && other.block == job_name)
      if (auto row = store_.completed_task(identity(other))) evaluation = json::parse(row->outputs, nullptr, false);
  json normalize = {{"scale", 1.0 / 255}, {"mean", job.norm.mean}, {"std", job.norm.std}};
  spec.manifest = {
      {"format", "edl-package"},
      {"format_version", 1},
      {"project", settings_.name},
      {"deploy", t.block},
      {"version", "run-" + std::to_string(out_.run_id)},
      {"created", utc_now()},
      {"source", {{"file", settings_.main_file}, {"hash", settings_.source_hash}}},
      {"plan_identity", identity(t)},
      {"train", {{"name", job_name}, {"backbone", job.spec.model.backbone}, {"head", job.spec.model.head},
                 {"best_epoch", job.best_epoch}}},
      {"classes", data.classes},
      {"input", {{"width", data.width}, {"height", data.height}, {"channels", data.channels}, {"layout", "NCHW float32"}}},
      {"preprocessing",
       {{"decode", data.channels == 1 ? "grayscale" : data.channels == 3 ? "rgb" : "rgba"},
        {"resize", {{"width", data.width}, {"height", data.height}, {"interpolation", "area to shrink, linear to grow"}}},
        {"normalize", normalize}}},
      {"metrics", evaluation.is_object() ? evaluation.value("metrics", json::object()) : json::object()},
      {"metrics_split", evaluation.is_object() ? evaluation.value("split", std::string()) : std::string()}};

  if (deploy::wants_int8(spec)) {
    if (data.pixels.empty()) {
      fail("deploy '" + t.block + "': edge(quantize = int8) quantizes image models; '" + job_name +
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
  if (!deploy::write_package(job.net, spec, written, error)) {
    fail("deploy '" + t.block + "': " + error);
    return false;
  }
  const auto bytes = fs::file_size(spec.path);
  const std::int64_t row = row_of(t);
  store_.add_artifact(row, std::nullopt, "package", spec.path, job.best_epoch, json_text(written));
  store_.finish_task(row, "done", "", json_text(json{{"package", spec.path}, {"targets", spec.targets}, {"bytes", bytes}}));
  {
    std::lock_guard<std::recursive_mutex> lock(state_mu_);
    out_.packages.push_back(spec.path);
  }
  std::string targets;
  for (const std::string &x : spec.targets) targets += (targets.empty() ? "" : ", ") + x + "()";
  obs_.message("package " + t.block + ": " + spec.path + " (" + targets + "; " + std::to_string(bytes / 1024) +
               " KiB)");
  for (const json &target : written["targets"])
    if (target.value("quantize", "") == "int8") {
      char line[200];
      std::snprintf(line, sizeof line, "edge int8 (%s): %s accuracy %.4f, float %.4f, change %+.4f, agreement %.4f",
                    target.value("engine", "").c_str(), target.value("accuracy_split", "").c_str(),
                    target.value("accuracy", 0.0), target.value("accuracy_float", 0.0),
                    target.value("accuracy_change", 0.0), target.value("agreement", 0.0));
      obs_.message(line);
    }
  return true;
}

}  // namespace edl::workflow
