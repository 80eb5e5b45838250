// edlc: the EDL compiler driver. Parses arguments and hands over to the
// commands; usage errors exit 2, user errors 1, internal errors 3.
#include "CliMain.h"
#include "Commands.h"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>
#include <map>

namespace {

// --format text|json and --color auto|always|never, shared by the commands
// that print diagnostics.
void add_output_options(CLI::App *cmd, edl::cli::OutputFormat &format, edl::cli::ColorMode &color) {
  using edl::cli::ColorMode;
  using edl::cli::OutputFormat;
  static const std::map<std::string, OutputFormat> formats{{"text", OutputFormat::Text},
                                                           {"json", OutputFormat::Json}};
  static const std::map<std::string, ColorMode> colors{
      {"auto", ColorMode::Auto}, {"always", ColorMode::Always}, {"never", ColorMode::Never}};
  cmd->add_option("--format", format, "Output format: text or json")
      ->transform(CLI::CheckedTransformer(formats, CLI::ignore_case));
  cmd->add_option("--color", color, "Colour of diagnostics: auto, always or never")
      ->transform(CLI::CheckedTransformer(colors, CLI::ignore_case));
}

}  // namespace

int main(int argc, char **argv) {
  using namespace edl::cli;
  if (argc > 1) {
    const std::string command = argv[1];
    if (command == "data" || command == "preview" || command == "run" || command == "runs" || command == "report" || command == "build" ||
        command == "predict" || command == "serve" || command == "label" || command == "worker" ||
        command == "import-weights")
      return run_runtime_command(argc, argv);
  }
  CLI::App app{"edlc — checks, plans and runs declarative ML projects (.edl)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "edlc 0.1.0");

  CheckOptions check;
  auto *check_cmd = app.add_subcommand("check", "Check .edl projects and report every error and warning");
  check_cmd->add_option("files", check.files, "Root .edl file(s) of the projects")->required();
  add_output_options(check_cmd, check.format, check.color);
  check_cmd->add_flag("--verify", check.verify,
                      "Compare diagnostics with '// expected-error {{...}}' comments in the sources");
  check_cmd->add_flag("--werror", check.warnings_as_errors, "Treat warnings as errors");

  PlanOptions plan;
  auto *plan_cmd = app.add_subcommand("plan", "Print the task graph a project will run");
  plan_cmd->add_option("file", plan.file, "Root .edl file of the project")->required();
  add_output_options(plan_cmd, plan.format, plan.color);
  plan_cmd->add_flag("--specs", plan.specs, "Print every task's resolved spec (defaults filled) instead of the graph");

  // Loading data, compiling kernels and training need OpenCV, Halide, LLVM
  // and libtorch, whose shared libraries take a while to load: they live in a second
  // executable, so checking, formatting and the language server start fast.
  app.add_subcommand("data", "Load a project's datasets: classes, splits, skipped files")->allow_extras();
  app.add_subcommand("preview", "Render an augment block on real images into a PNG grid")->allow_extras();
  app.add_subcommand("run", "Run a project: load data, train, evaluate, recording into the store")->allow_extras();
  app.add_subcommand("runs", "List the runs in a project's store, or show one (runs show ID)")->allow_extras();
  app.add_subcommand("report", "Write one self-contained HTML page of a run, or of several compared")->allow_extras();
  app.add_subcommand("build", "Run a project and write its deploy packages (training reused when done)")
      ->allow_extras();
  app.add_subcommand("predict", "Classify image files, find their objects, or segment them, with a deploy package")->allow_extras();
  app.add_subcommand("serve", "Serve a deploy package over HTTP")->allow_extras();
  app.add_subcommand("label", "Smart labeling: where a person's rounds stand (label status FILE)")->allow_extras();
  app.add_subcommand("worker", "Join a distributed training as one rank (edlc worker FILE --rank R --world N --master HOST:PORT)")
      ->allow_extras();

  app.add_subcommand("import-weights", "Turn a published pretrained network into a weights file (import-weights tfjs DIR --out FILE)")
      ->allow_extras();

  FmtOptions fmt;
  auto *fmt_cmd = app.add_subcommand("fmt", "Rewrite .edl files in the canonical layout");
  fmt_cmd->add_option("files", fmt.files, ".edl files, or folders of them, to format in place")->required();
  fmt_cmd->add_flag("--check", fmt.check, "Change nothing; print a unified diff and exit 1 if a file is not formatted");
  fmt_cmd->add_flag("--stdout", fmt.stdout_only, "Print the formatted text instead of writing files");

  auto *lsp_cmd = app.add_subcommand("lsp", "Run the language server on stdin and stdout (started by editors)");

  std::string what;
  bool reference = false;
  auto *explain_cmd =
      app.add_subcommand("explain", "Explain a diagnostic code (E0301) or a name of the catalogue (rotate, train)");
  explain_cmd->add_option("what", what, "A diagnostic code or a catalogue name");
  explain_cmd->add_flag("--reference", reference, "Print the whole catalogue as Markdown (docs/reference.md)");

  return parse_and_run(app, argc, argv, [&]() -> int {
    if (*check_cmd) return run_check(check);
    if (*plan_cmd) return run_plan(plan);
    if (*fmt_cmd) return run_fmt(fmt);
    if (*lsp_cmd) return run_lsp();
    if (*explain_cmd) {
      if (what.empty() && !reference) {
        std::cerr << "edlc explain: give a diagnostic code or a catalogue name (or --reference)\n";
        return kUsage;
      }
      return run_explain(what, reference);
    }
    return kUsage;
  });
}
