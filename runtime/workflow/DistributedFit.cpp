// A train job with distributed = { workers = N, ... }: this process is
// rank 0 (it records epochs and checkpoints, as any training does); ranks
// 1..N-1 are `edlc worker` processes, started here with the rendezvous
// port (or, with `edlc run --master`, started by the user on other
// machines). A worker that dies stops the training within a collective,
// and the error names it with the end of its log; the run is then
// recorded as interrupted, so the next `edlc run` continues it.
#include "runtime/dist/GradientExchange.h"
#include "runtime/workflow/RunContext.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

namespace edl::workflow {
namespace {

namespace fs = std::filesystem;

struct Worker {
  int rank = 0;
  pid_t pid = -1;
  std::string log;
  int status = 0;
  bool ended = false;
};

// Starts `edlc worker` for ranks 1..world-1, each writing to its log. The
// strings are built before fork: between fork and exec only system calls.
std::vector<Worker> start_workers(const std::string &file, int port, int world, int threads, const fs::path &logs) {
  // This very binary (edlc-runtime), even when a build replaced its file since.
  const std::string self = "/proc/self/exe";
  static const char kExecFailed[] = "edlc: error: cannot start the worker: exec of edlc-runtime failed\n";
  std::vector<Worker> workers;
  for (int r = 1; r < world; ++r) {
    Worker w;
    w.rank = r;
    w.log = (logs / ("worker-" + std::to_string(r) + ".log")).string();
    std::vector<std::string> args = {self, "worker", file, "--rank", std::to_string(r), "--world", std::to_string(world),
                                     "--master", "127.0.0.1:" + std::to_string(port), "--threads",
                                     std::to_string(threads)};
    std::vector<char *> argv;
    for (std::string &a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = fork();
    if (pid == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the run
      const int fd = open(w.log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        close(fd);
      }
      execv(argv[0], argv.data());
      (void)!write(STDERR_FILENO, kExecFailed, sizeof kExecFailed - 1);
      _exit(127);
    }
    w.pid = pid;
    workers.push_back(w);
  }
  return workers;
}

std::string how_it_ended(int status) {
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + std::to_string(WTERMSIG(status)) + " (" + strsignal(WTERMSIG(status)) + ")";
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

std::string last_line(const std::string &path) {
  std::ifstream in(path);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The workers that ended within `wait`, described for the user.
std::string who_ended(std::vector<Worker> &workers, std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::string said;
  for (;;) {
    for (Worker &w : workers) {
      if (w.ended) continue;
      if (waitpid(w.pid, &w.status, WNOHANG) == w.pid) {
        w.ended = true;
        // A worker that exited says why in its log's last line; a killed one wrote nothing about it.
        const std::string last = WIFEXITED(w.status) ? last_line(w.log) : "";
        said += (said.empty() ? "" : "; ") + std::string("worker ") + std::to_string(w.rank) + " (pid " +
                std::to_string(w.pid) + ") " + how_it_ended(w.status) + (last.empty() ? "" : ": " + last) +
                " (log " + w.log + ")";
      }
    }
    if (!said.empty() || std::chrono::steady_clock::now() >= deadline) return said;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

void stop_all(std::vector<Worker> &workers) {
  for (Worker &w : workers)
    if (!w.ended) kill(w.pid, SIGTERM);
  for (Worker &w : workers)
    if (!w.ended && waitpid(w.pid, &w.status, 0) == w.pid) w.ended = true;
}

std::string describe(const spec::Distributed &d) {
  std::string s = std::to_string(d.workers) + " workers, " + d.backend;
  if (d.compress == "dgc") {
    char buf[96];
    std::snprintf(buf, sizeof buf, ", dgc (sparsity %g, warm-up %d epochs)", d.sparsity, d.warmup);
    s += buf;
  } else if (d.compress == "powersgd") {
    s += ", powersgd (rank " + std::to_string(d.rank) + ")";
  } else {
    s += ", dense all-reduce";
  }
  return s;
}

// The job's gradient exchange; DGC corrects for SGD's momentum (none for another optimizer).
std::unique_ptr<dist::GradientExchange> exchange_for(dist::Group &group, const spec::Train &job) {
  const spec::Distributed &d = job.distributed;
  const dist::Compression c{d.compress, d.sparsity, d.warmup, d.clip, d.rank};
  return dist::make_exchange(group, c, job.optimizer.kind == "sgd" ? job.optimizer.momentum.value : 0.0);
}

}  // namespace

train::TrainResult RunContext::fit_distributed(TaskContext &ctx, Trained &job, train::TrainJob &tj,
                                               const train::TrainCallbacks &cb) {
  const spec::Distributed &d = job.spec.distributed;
  const std::string name = "train '" + job.spec.name + "'";
  const bool remote = !req_.master.empty();
  dist::Rendezvous rv;
  rv.world = d.workers;
  rv.rank = 0;
  if (remote) {
    const std::size_t colon = req_.master.rfind(':');
    rv.host = req_.master.substr(0, colon);
    rv.port = std::stoi(req_.master.substr(colon + 1));  // checked by the command line
  }
  const int share = std::max(1, threads / d.workers);  // one machine's cores, divided
  std::vector<Worker> workers;
  fs::create_directories(tj.checkpoint_dir);
  rv.listening = [&](int port) {
    if (remote) {
      const std::string ranks = d.workers == 2 ? "rank 1" : "ranks 1 to " + std::to_string(d.workers - 1);
      ctx.say("train " + job.spec.name + ": " + describe(d) + "; waiting at " + req_.master + " for " + ranks +
              " ('edlc worker " + req_.file + " --rank R --world " + std::to_string(d.workers) + " --master " +
              req_.master + "')");
      return;
    }
    workers = start_workers(req_.file, port, d.workers, share, tj.checkpoint_dir);
    std::string pids;
    for (const Worker &w : workers) pids += (pids.empty() ? "" : ", ") + std::to_string(w.pid);
    ctx.say("train " + job.spec.name + ": " + describe(d) + " on this machine (worker pids " + pids + ", logs in " +
            tj.checkpoint_dir + ")");
  };
  const int before = torch::get_num_threads();
  torch::set_num_threads(share);
  train::TrainResult result;
  std::unique_ptr<dist::Group> group;
  std::unique_ptr<dist::GradientExchange> exchange;
  try {
    group = dist::Group::join(rv);
    // What the workers cannot know from the file: the job, and the values a
    // search would have chosen (none: E0901 keeps searches out for now).
    group->set("edl/train", job.spec.name);
    exchange = exchange_for(*group, job.spec);
    tj.group = group.get();
    tj.exchange = exchange.get();
    result = train::train_model(job.net, tj, cb);
  } catch (const dist::GroupError &e) {
    // The run stops as if interrupted, so that the next `edlc run`
    // continues this training from its last checkpoint.
    torch::set_num_threads(before);
    std::string who = who_ended(workers, std::chrono::seconds(3));
    stop_all(workers);
    fail(ctx, name + ": distributed training stopped: " + (who.empty() ? e.what() : who) + ". 'edlc run " +
                  req_.file + "' again continues it from its last checkpoint");
    train::TrainResult stopped;
    stopped.interrupted = true;
    return stopped;
  }
  torch::set_num_threads(before);
  // The workers end after the last collective; a late one is stopped.
  who_ended(workers, std::chrono::seconds(30));
  stop_all(workers);
  const dist::Traffic &t = exchange->traffic();
  char line[256];
  std::snprintf(line, sizeof line,
                "train %s: each worker sent %.3f MB of gradients in %lld steps; a dense all-reduce carries %.3f MB "
                "(%.1fx less)",
                job.spec.name.c_str(), t.sent_bytes / 1e6, static_cast<long long>(t.steps), t.dense_bytes / 1e6,
                t.ratio());
  ctx.say(line);
  return result;
}

// --- `edlc worker` --------------------------------------------------------

int run_worker(const WorkerRequest &request, RunObserver &observer, DiagnosticEngine &diags, std::string &error) {
  std::signal(SIGINT, SIG_IGN);  // Ctrl-C reaches rank 0, which stops every rank at the same step
  dist::Rendezvous rv;
  rv.host = request.host;
  rv.port = request.port;
  rv.rank = request.rank;
  rv.world = request.world;
  rv.join_timeout = std::chrono::seconds(request.join_timeout);
  std::unique_ptr<dist::Group> group;
  try {
    group = dist::Group::join(rv);
  } catch (const dist::GroupError &e) {
    error = std::string("worker ") + std::to_string(request.rank) + ": " + e.what();
    return 1;
  }
  const std::string train_name = group->get("edl/train");
  const Task *task = nullptr;
  for (const Task &t : request.plan->tasks)
    if (t.kind == TaskKind::Train && t.block == train_name) task = &t;
  if (!task || !task->train || task->train->distributed.workers != request.world) {
    error = "worker " + std::to_string(request.rank) + ": this project has no train job '" + train_name + "' with " +
            std::to_string(request.world) + " workers: rank 0 runs another version of the file";
    return 1;
  }
  RunOutcome out;
  store::Store memory(":memory:");  // a worker records nothing: rank 0 does
  RunRequest req;
  req.plan = request.plan;
  const int cores = request.plan->specs.project.threads > 0 ? request.plan->specs.project.threads
                                                             : static_cast<int>(std::thread::hardware_concurrency());
  const int threads = request.threads > 0 ? request.threads : std::max(1, cores / request.world);
  RunContext run(req, observer, diags, memory, out, threads, {});
  TaskContext ctx(*task, 0, false, observer);
  torch::set_num_threads(threads);
  auto job = std::make_shared<Trained>();
  std::unique_ptr<lower::CompiledAugment> augment;
  if (!run.prepare(ctx, *task->train, SpaceValues{}, *job, augment, false)) {
    for (const std::string &e : ctx.errors()) error += (error.empty() ? "" : "; ") + e;
    if (error.empty() && !diags.diagnostics().empty()) error = diags.diagnostics().back().message;
    error = "worker " + std::to_string(request.rank) + ": cannot prepare " + train_name + ": " + error;
    return 1;
  }
  auto exchange = exchange_for(*group, job->spec);
  train::TrainJob tj;
  tj.spec = &job->spec;
  tj.data = job->data;
  tj.norm = job->norm;
  tj.augment = augment.get();
  tj.token_augment = job->token_augment.get();
  tj.audio_augment = job->audio_augment.get();
  tj.seed = request.plan->specs.project.seed;
  tj.group = group.get();
  tj.exchange = exchange.get();
  try {
    train::TrainResult r = train::train_model(job->net, tj, {});
    observer.message("worker " + std::to_string(request.rank) + ": " + std::to_string(r.epochs.size()) + " epochs" +
                     (r.interrupted ? ", stopped by rank 0" : ""));
  } catch (const dist::GroupError &e) {
    error = "worker " + std::to_string(request.rank) + ": " + e.what();
    return 1;
  }
  return 0;
}

}  // namespace edl::workflow
