// edlc-runtime: the edlc commands that read data, compile kernels and
// train (`data`, `preview`, `run`, `runs`). edlc starts it for them, so that edlc itself loads
// no OpenCV, Halide or LLVM.
#include "CliMain.h"
#include "Commands.h"

#include <CLI/CLI.hpp>
#include <malloc.h>

#include <exception>
#include <iostream>
#include <map>

namespace {

// HOST:PORT, the port a number from 1 to 65535.
CLI::Validator master_address() {
  return CLI::Validator(
      [](std::string &value) -> std::string {
        const std::size_t colon = value.rfind(':');
        if (colon == std::string::npos || colon == 0) return "expected HOST:PORT, such as 10.0.0.1:29500";
        const std::string port = value.substr(colon + 1);
        if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(port) < 1 || std::stoi(port) > 65535)
          return "the port of HOST:PORT is a number from 1 to 65535";
        return "";
      },
      "HOST:PORT");
}

}  // namespace

int main(int argc, char **argv) {
  using namespace edl::cli;
  // Training frees and reallocates the same large tensors every step. By
  // default glibc serves blocks over 32 MB with mmap and returns freed heap
  // to the system, so each step page-faults all of that memory in again (a
  // quarter of a detector's training time went to the kernel). Kept in the
  // heap, a 128x128 RetinaNet trained at 93 images/s instead of 61.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  CLI::App app{"edlc — data and augmentation commands"};
  app.name("edlc");
  app.require_subcommand(1);

  DataOptions data;
  auto *data_cmd = app.add_subcommand("data", "Load a project's datasets: classes, splits, skipped files");
  data_cmd->add_option("file", data.file, "Root .edl file of the project")->required();
  data_cmd->add_option("--dataset", data.datasets, "Only this dataset (repeatable)");
  data_cmd->add_flag("--no-cache", data.no_cache, "Decode every file again, ignoring the decode cache");
  data_cmd->add_option("--files", data.files, "List the files of one split (train, val or test), one per line")
      ->check(CLI::IsMember({"train", "val", "test"}));
  const std::map<std::string, OutputFormat> formats{{"text", OutputFormat::Text}, {"json", OutputFormat::Json}};
  data_cmd->add_option("--format", data.format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  PreviewOptions preview;
  auto *preview_cmd = app.add_subcommand("preview", "Render an augment block on real images into a PNG grid");
  preview_cmd->add_option("file", preview.file, "Root .edl file of the project")->required();
  preview_cmd->add_option("--augment", preview.augment, "The augment block")->required();
  preview_cmd->add_option("--dataset", preview.dataset, "Images from this dataset (default: the one a train job uses)");
  preview_cmd->add_option("--out", preview.out, "The PNG to write")->capture_default_str();
  preview_cmd->add_option("--count", preview.count, "Images, one a row")->check(CLI::Range(1, 64))->capture_default_str();
  preview_cmd->add_option("--variants", preview.variants, "Augmented variants of each")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  preview_cmd->add_option("--seed", preview.seed, "Seed (default: the project's)");
  preview_cmd->add_option("--set", preview.sets, "A searched variable's value, SPACE.VAR=NUMBER (repeatable)");

  RunOptions run;
  auto *run_cmd = app.add_subcommand("run", "Run a project: load data, train, evaluate, recording into the store");
  run_cmd->add_option("file", run.file, "Root .edl file of the project")->required();
  run_cmd->add_flag("--quiet,-q", run.quiet, "Print only errors");
  run_cmd->add_flag("--json", run.json, "Print the outcome as one JSON document, no progress");
  run_cmd->add_flag("--fresh", run.fresh, "Start a new run instead of resuming an unfinished one");
  run_cmd->add_option("--master", run.master,
                      "HOST:PORT where distributed train jobs wait for workers started with 'edlc worker' on other "
                      "machines (default: each starts its workers here)")
      ->check(master_address());
  // `edlc build` is the same run: packages are tasks of the plan, and what
  // is already trained is reused from the store, so building a trained
  // project only packages it.
  run_cmd->alias("build");
  for (int i = 0; i < argc; ++i) run.command += (i ? " " : "") + std::string(i == 0 ? "edlc" : argv[i]);

  WorkerOptions worker;
  auto *worker_cmd = app.add_subcommand("worker", "Join a distributed training as one rank, started on another machine");
  worker_cmd->add_option("file", worker.file, "Root .edl file of the project (the same as rank 0's)")->required();
  worker_cmd->add_option("--rank", worker.rank, "This worker's rank, 1 to world - 1")->required()->check(CLI::Range(1, 1023));
  worker_cmd->add_option("--world", worker.world, "Workers in all, rank 0 included (the job's distributed.workers)")
      ->required()
      ->check(CLI::Range(2, 1024));
  worker_cmd->add_option("--master", worker.master, "HOST:PORT of rank 0 ('edlc run FILE --master HOST:PORT')")
      ->required()
      ->check(master_address());
  worker_cmd->add_option("--threads", worker.threads, "Torch threads (default: the project's over the workers)")
      ->check(CLI::Range(1, 1024));
  worker_cmd->add_option("--timeout", worker.timeout, "Seconds to wait for the master")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  RunsOptions runs;
  auto *runs_cmd = app.add_subcommand("runs", "List the runs in a project's store, or show one");
  runs_cmd->add_option("file", runs.file, "Root .edl file of the project (its store)");
  runs_cmd->add_option("--store", runs.store, "The store file, instead of the project's");
  runs_cmd->add_option("--format", runs.format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  auto *show_cmd = runs_cmd->add_subcommand("show", "Show one run: tasks, metrics per epoch, confusion matrix");
  show_cmd->add_option("id", runs.id, "The run's id (from 'edlc runs')")->required();
  show_cmd->add_option("file", runs.file, "Root .edl file of the project (its store)");
  show_cmd->add_option("--store", runs.store, "The store file, instead of the project's");
  show_cmd->add_option("--task", runs.task, "Show one task's attempts with their errors and logs");
  show_cmd->add_option("--format", runs.format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  auto *compare_cmd = runs_cmd->add_subcommand("compare", "Two runs side by side: the settings that differ, their results");
  compare_cmd->add_option("a", runs.id, "The first run's id")->required();
  compare_cmd->add_option("b", runs.other, "The second run's id")->required();
  compare_cmd->add_option("file", runs.file, "Root .edl file of the project (its store)");
  compare_cmd->add_option("--store", runs.store, "The store file, instead of the project's");
  compare_cmd->add_option("--format", runs.format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  ReportOptions report;
  auto *report_cmd = app.add_subcommand("report", "Write one self-contained HTML page of a run, or of several compared");
  report_cmd->add_option("file", report.file, "Root .edl file of the project (its store, augmentation previews)");
  report_cmd->add_option("runs", report.runs, "Run ids (default: the newest); several are compared");
  report_cmd->add_option("--store", report.store, "The store file, instead of the project's (no previews)");
  report_cmd->add_option("--out", report.out, "The HTML file to write")->capture_default_str();
  report_cmd->add_flag("--no-previews", [&](std::int64_t) { report.previews = false; },
                       "Leave out the augmentation previews (they compile the augment blocks)");

  LabelOptions label;
  auto *label_cmd = app.add_subcommand("label", "Smart labeling: where a person's rounds stand");
  label_cmd->require_subcommand(1);
  auto *label_status = label_cmd->add_subcommand("status", "Each human-answered round: answered, waiting, problems");
  label_status->add_option("file", label.file, "Root .edl file of the project")->required();
  label_status->add_option("--format", label.format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));

  PredictOptions predict;
  auto *predict_cmd = app.add_subcommand(
      "predict", "Classify image files or texts, find objects in images, or segment them, with a deploy package");
  predict_cmd->add_option("package", predict.package, "The package (.tar.gz from 'edlc build', or its folder)")
      ->required();
  predict_cmd->add_option("files", predict.images, "Image files; for a text model, text files ('-': standard input)");
  predict_cmd->add_option("--text", predict.texts, "A text to classify (a text model; repeatable)");
  predict_cmd->add_flag("--lines", predict.lines, "A text model: each line of each file is one text");
  predict_cmd->add_option("--top", predict.top, "Classes per input, best first")->check(CLI::Range(1, 1000));
  predict_cmd->add_flag("--json", predict.json, "Print JSON");
  predict_cmd->add_flag("--edge", predict.edge, "Run the edge() target's model (e.g. int8) instead of the TorchScript one");
  predict_cmd->add_option("--masks", predict.masks, "Folder for a segmenter's label maps (STEM.mask.png; default: here)");

  ServeCliOptions serve;
  auto *serve_cmd = app.add_subcommand("serve", "Serve a deploy package over HTTP (predict, health, info, metrics)");
  serve_cmd->add_option("package", serve.package, "The package (.tar.gz from 'edlc build', or its folder)")->required();
  serve_cmd->add_option("--host", serve.host, "Address to bind (default: the package's, else 127.0.0.1)");
  serve_cmd->add_option("--port", serve.port, "Port (default: the package's, else 8080)")->check(CLI::Range(1, 65535));
  serve_cmd->add_option("--token", serve.token, "Require 'Authorization: Bearer TOKEN'");
  serve_cmd->add_option("--max-batch", serve.max_batch, "Images per forward pass at most")->check(CLI::Range(1, 1024));
  serve_cmd->add_option("--max-wait-ms", serve.max_wait_ms, "How long a batch waits for more images")
      ->check(CLI::Range(0.0, 1000.0));
  serve_cmd->add_option("--max-body-mb", serve.max_body_mb, "Largest request body")->check(CLI::Range(0.001, 1024.0));
  serve_cmd->add_flag("--edge", serve.edge, "Serve the edge() target's model (e.g. int8) instead of the TorchScript one");

  ImportOptions import;
  auto *import_cmd = app.add_subcommand("import-weights", "Turn a published pretrained network into a weights file");
  import_cmd->add_option("format", import.format, "The network's format: tfjs (a TensorFlow.js layers model)")->required();
  import_cmd->add_option("dir", import.dir, "Its folder (model.json and the .bin shards)")->required();
  import_cmd->add_option("--as", import.as, "The stdlib backbone it fills")->capture_default_str();
  import_cmd->add_option("--out", import.out, "The weights file to write (for `pretrained = \"FILE\"`)")->required();
  import_cmd->add_option("--mean", import.mean, "Its input normalisation: mean per channel, in [0, 1] units")
      ->capture_default_str();
  import_cmd->add_option("--std", import.std, "Its input normalisation: std per channel, in [0, 1] units")
      ->capture_default_str();
  import_cmd->add_option("--classes", import.classes, "Names of its last layer's outputs")->delimiter(',');
  import_cmd->add_option("--source", import.source, "Where it comes from, kept in the file for people");

  return parse_and_run(app, argc, argv, [&]() -> int {
    if (*import_cmd) return run_import_weights(import);
    if (*run_cmd) return run_run(run);
    if (*worker_cmd) return run_worker_command(worker);
    if (*serve_cmd) return run_serve(serve);
    if (*predict_cmd) return run_predict(predict);
    if (*report_cmd) return run_report(report);
    if (*runs_cmd) {
      runs.show = static_cast<bool>(*show_cmd);
      runs.compare = static_cast<bool>(*compare_cmd);
      return run_runs(runs);
    }
    if (*data_cmd) return run_data(data);
    if (*label_status) return run_label_status(label);
    if (*preview_cmd) return run_preview(preview);
    return kUsage;
  });
}
