// `edlc run FILE`: checks and plans the project, then executes the plan,
// with a progress bar on a terminal, log lines otherwise, or one JSON
// document with --json.
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"

#include "compiler/support/JsonText.h"
#include "runtime/train/Trainer.h"
#include "runtime/workflow/Executor.h"
#include "tools/edlc/TestHooks.h"

#include <nlohmann/json.hpp>

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>

namespace edl::cli {
namespace {

std::atomic<bool> g_interrupted{false};
volatile std::sig_atomic_t g_signal = 0;
// Ctrl-C and SIGTERM (a service manager, `kill`, a CI time-out) alike: the
// run stops at the next safe point, is recorded as interrupted and resumes.
extern "C" void on_run_stop_signal(int sig) {
  g_signal = sig;
  g_interrupted = true;
}

std::string fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

class Printer : public workflow::RunObserver {
 public:
  Printer(bool quiet, bool json) : quiet_(quiet || json), tty_(!quiet && !json && isatty(STDERR_FILENO)) {}

  void message(const std::string &line) override {
    if (quiet_) return;
    clear_bar();
    std::cout << line << std::endl;
  }

  void batch(const std::string &train, int epoch, int epochs, int b, int batches, double loss, double accuracy,
             double ips) override {
    if (!tty_) return;
    const int width = 24, filled = batches ? width * b / batches : width;
    std::string bar(static_cast<std::size_t>(filled), '#');
    bar.resize(width, '.');
    char acc[32] = "";  // a detector has no running accuracy (-1)
    if (accuracy >= 0) std::snprintf(acc, sizeof acc, "  acc %.4f", accuracy);
    std::fprintf(stderr, "\r  epoch %d/%d [%s] %d/%d  loss %.4f%s  %.0f img/s ", epoch, epochs, bar.c_str(), b,
                 batches, loss, acc, ips);
    std::fflush(stderr);
    bar_shown_ = true;
  }

  void epoch(const std::string &train, int epochs, const train::EpochReport &r) override {
    if (quiet_) return;
    clear_bar();
    const bool detection = r.val.values.count("map") > 0, segmentation = r.val.values.count("miou") > 0;
    std::cout << "  epoch " << r.epoch << "/" << epochs << "  train loss " << fixed(r.train.loss, 4)
              << (detection || segmentation ? "" : " acc " + fixed(r.train.confusion.accuracy(), 4)) << "  val loss "
              << fixed(r.val.loss, 4)
              << (detection      ? " map " + fixed(r.val.value("map"), 4) + " map50 " + fixed(r.val.value("map50"), 4)
                  : segmentation ? " miou " + fixed(r.val.value("miou"), 4) + " pixel_acc " +
                                       fixed(r.val.value("pixel_accuracy"), 4)
                                 : " acc " + fixed(r.val.confusion.accuracy(), 4))
              << "  lr " << fixed(r.lr, 5) << "  "
              << static_cast<long long>(r.images_per_second) << " img/s  " << fixed(r.seconds, 1) << " s" << std::endl;
  }

 private:
  void clear_bar() {
    if (!bar_shown_) return;
    std::fprintf(stderr, "\r%100s\r", "");
    std::fflush(stderr);
    bar_shown_ = false;
  }
  bool quiet_, tty_, bar_shown_ = false;
};

nlohmann::json outcome_json(const workflow::RunOutcome &o) {
  nlohmann::json trains = nlohmann::json::array();
  for (const workflow::TrainOutcome &t : o.trains) {
    nlohmann::json train = {{"name", t.name},   {"epochs_run", t.epochs_run},       {"best_epoch", t.best_epoch},
                            {"val", t.val},     {"model", t.model_path},            {"stopped_early", t.stopped_early},
                            {"seconds", t.seconds}, {"images_per_second", t.images_per_second}};
    if (t.reused_from_run) train["reused_from_run"] = t.reused_from_run;
    trains.push_back(train);
  }
  return {{"run", o.run_id},   {"status", o.status},     {"store", o.store},
          {"trains", trains},  {"packages", o.packages}, {"errors", o.errors}, {"waiting", o.waiting}};
}

}  // namespace

int run_run(const RunOptions &opts) {
  auto in = load_checked(opts.file, ColorMode::Auto);
  if (!in) return kUserError;
  // The checker's warnings matter before an hour of training, as in `plan`.
  if (in->diags.warning_count() > 0)
    print_diagnostics(in->diags.diagnostics(), in->sm, OutputFormat::Text, ColorMode::Auto, 0,
                      in->diags.warning_count());
  Plan plan = build_plan(in->specs);
  std::signal(SIGINT, on_run_stop_signal);
  std::signal(SIGTERM, on_run_stop_signal);

  Printer printer(opts.quiet, opts.json);
  DiagnosticEngine diags;
  workflow::RunRequest req{&plan, opts.file, opts.command, &g_interrupted, opts.fresh};
  req.master = opts.master;
  const std::unique_ptr<workflow::TaskHooks> hooks = test_hooks_from_environment();
  req.hooks = hooks.get();
  workflow::RunOutcome out = workflow::execute_plan(req, printer, diags);

  if (!diags.diagnostics().empty()) {
    diags.sort();
    print_diagnostics(diags.diagnostics(), in->sm, OutputFormat::Text, ColorMode::Auto, diags.error_count(),
                      diags.warning_count());
  }
  for (const std::string &e : out.errors) report_error() << e;
  if (!out.internal_errors.empty()) {
    for (const std::string &e : out.internal_errors) report_internal_error(e);
    return kInternal;
  }
  if (opts.json) std::cout << json_text(outcome_json(out), 2) << "\n";
  if (out.status == "interrupted") {
    // By a signal, or by a fault that leaves the run resumable (a
    // distributed worker that died): the errors above said which.
    const bool signalled = g_interrupted.load();
    std::cerr << "edlc: " << (signalled ? "interrupted" : "stopped") << "; run " << out.run_id
              << " is recorded as interrupted. Run 'edlc run " << opts.file
              << "' again to resume it where it stopped (--fresh starts over).\n";
    if (!signalled) return kUserError;
    return 128 + (g_signal ? static_cast<int>(g_signal) : SIGINT);
  }
  if (out.status == "waiting") {
    for (const std::string &w : out.waiting) std::cerr << "edlc: waiting: " << w << "\n";
    std::cerr << "edlc: run " << out.run_id << " waits for answers; 'edlc label status " << opts.file
              << "' shows where they stand, and 'edlc run " << opts.file << "' continues once they are in.\n";
    return kWaiting;
  }
  if (out.status != "done") return kUserError;
  if (!opts.quiet && !opts.json) {
    for (const workflow::TrainOutcome &t : out.trains) {
      auto accuracy = t.val.find("accuracy"), map = t.val.find("map"), miou = t.val.find("miou");
      std::cout << "done: " << t.name << ", best epoch " << t.best_epoch << " of " << t.epochs_run
                << (t.stopped_early ? " (stopped early)" : "")
                << (accuracy == t.val.end() ? "" : ", val accuracy " + fixed(accuracy->second, 4))
                << (map == t.val.end() ? "" : ", val map " + fixed(map->second, 4))
                << (miou == t.val.end() ? "" : ", val miou " + fixed(miou->second, 4))
                << (t.reused_from_run ? " (reused from run " + std::to_string(t.reused_from_run) + ")" : "")
                << "; model " << t.model_path << "\n";
    }
    for (const std::string &p : out.packages) std::cout << "package: " << p << "\n";
    std::cout << "see: edlc runs show " << out.run_id << " " << opts.file << "\n";
  }
  return kOk;
}

int run_worker_command(const WorkerOptions &opts) {
  auto in = load_checked(opts.file, ColorMode::Auto);
  if (!in) return kUserError;
  Plan plan = build_plan(in->specs);
  Printer printer(false, false);
  DiagnosticEngine diags;
  workflow::WorkerRequest req;
  req.plan = &plan;
  const std::size_t colon = opts.master.rfind(':');
  req.host = opts.master.substr(0, colon);
  req.port = std::stoi(opts.master.substr(colon + 1));
  req.rank = opts.rank;
  req.world = opts.world;
  req.threads = opts.threads;
  req.join_timeout = opts.timeout;
  if (opts.rank >= opts.world) {
    report_error() << "--rank " << opts.rank << " is not below --world " << opts.world
                   << ": ranks are 1 to " << opts.world - 1 << " (0 is 'edlc run')";
    return kUserError;
  }
  std::string error;
  const int rc = workflow::run_worker(req, printer, diags, error);
  if (!diags.diagnostics().empty()) {
    diags.sort();
    print_diagnostics(diags.diagnostics(), in->sm, OutputFormat::Text, ColorMode::Auto, diags.error_count(),
                      diags.warning_count());
  }
  if (rc != 0) {
    report_error() << error;
    return kUserError;
  }
  return kOk;
}

}  // namespace edl::cli
