// The edlc subcommands. main.cpp parses arguments; each command calls the
// libraries and returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace edl::cli {

// kWaiting: a label round waits for a person's answers (docs/cli.md).
enum ExitCode { kOk = 0, kUserError = 1, kUsage = 2, kInternal = 3, kWaiting = 4 };

enum class OutputFormat { Text, Json };
enum class ColorMode { Auto, Always, Never };

struct CheckOptions {
  std::vector<std::string> files;
  OutputFormat format = OutputFormat::Text;
  ColorMode color = ColorMode::Auto;
  bool verify = false;
  bool warnings_as_errors = false;
};

struct PlanOptions {
  std::string file;
  bool specs = false;  // every task's resolved spec, readable (for tests and people)
  OutputFormat format = OutputFormat::Text;
  ColorMode color = ColorMode::Auto;
};

struct FmtOptions {
  std::vector<std::string> files;
  bool check = false;
  bool stdout_only = false;
};

struct DataOptions {
  std::string file;
  std::vector<std::string> datasets;  // empty: all
  bool no_cache = false;
  std::string files;  // train, val or test: list that split's files instead
  OutputFormat format = OutputFormat::Text;
};

struct PreviewOptions {
  std::string file, augment, dataset, out = "preview.png";
  int count = 8, variants = 4;
  long long seed = -1;  // -1: the project's seed
  std::vector<std::string> sets;
  bool quiet = false;  // no "wrote ..." line (a report makes its previews)
  bool native = false; // cells at the images' own size (a report's page scales them up)
};

struct RunOptions {
  std::string file;
  bool quiet = false, json = false;
  bool fresh = false;   // do not resume an unfinished run
  std::string command;  // the command line, recorded in the store
  std::string master;   // HOST:PORT: distributed jobs wait there for `edlc worker`s
};

struct WorkerOptions {
  std::string file, master;
  int rank = 1, world = 2;
  int threads = 0;
  int timeout = 120;  // seconds to wait for the master
};

struct RunsOptions {
  std::string file, store;
  bool show = false;
  bool compare = false;  // runs compare ID OTHER
  long long id = 0, other = 0;
  std::string task;  // runs show --task NAME
  OutputFormat format = OutputFormat::Text;
};

struct ReportOptions {
  std::string file, store, out = "report.html";
  std::vector<long long> runs;  // empty: the newest run
  bool previews = true;         // augmentation previews (need the project file and its data)
};

struct LabelOptions {
  std::string file;
  OutputFormat format = OutputFormat::Text;
};

int run_check(const CheckOptions &opts);
// `edlc data`, `preview`, `run` and `runs` run in edlc-runtime, beside edlc.
int run_runtime_command(int argc, char **argv);
int run_preview(const PreviewOptions &opts);
int run_data(const DataOptions &opts);
int run_label_status(const LabelOptions &opts);
struct PredictOptions {
  std::string package;
  std::vector<std::string> images;  // or, for a text model, text files
  std::vector<std::string> texts;   // --text: texts given on the command line
  bool lines = false;               // each line of a text file is one text
  int top = 1;
  bool json = false;
  bool edge = false;  // the edge() target's module
  std::string masks = ".";  // a segmenter's label maps go here
};

struct ImportOptions {
  std::string format, dir, as = "mobilenet_v2", out;
  std::vector<double> mean = {0.0}, std = {1.0};
  std::vector<std::string> classes;
  std::string source;
};

struct ServeCliOptions {
  std::string package, host, token;
  int port = 0;  // 0: the package's server() target, else 8080
  int max_batch = 32;
  double max_wait_ms = 2;
  double max_body_mb = 8;
  bool edge = false;
};

int run_run(const RunOptions &opts);
int run_worker_command(const WorkerOptions &opts);
int run_serve(const ServeCliOptions &opts);
int run_predict(const PredictOptions &opts);
int run_import_weights(const ImportOptions &opts);
int run_runs(const RunsOptions &opts);
// `runs compare`: the two runs' differences and results, from the store at `store_path`.
int run_runs_compare(const std::string &store_path, const RunsOptions &opts);
int run_report(const ReportOptions &opts);
int run_plan(const PlanOptions &opts);
int run_fmt(const FmtOptions &opts);
int run_lsp();
// A diagnostic code, a catalogue name, or with `reference` the whole catalogue.
int run_explain(const std::string &what, bool reference);

}  // namespace edl::cli
