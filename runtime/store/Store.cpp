#include "runtime/store/Store.h"

#include "runtime/store/Statement.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

namespace edl::store {
namespace {

// Version 3 (version 1 plus attempts, then label rows repaired). Every
// statement is IF NOT EXISTS or idempotent, so opening an older store adds
// or mends what it lacks.
const char *kSchema = R"sql(
CREATE TABLE IF NOT EXISTS projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  file TEXT NOT NULL,
  UNIQUE (name, file));
CREATE TABLE IF NOT EXISTS runs (
  id INTEGER PRIMARY KEY,
  project_id INTEGER NOT NULL REFERENCES projects(id),
  source_hash TEXT NOT NULL,
  command TEXT NOT NULL,
  status TEXT NOT NULL,
  started REAL NOT NULL,
  finished REAL);
CREATE TABLE IF NOT EXISTS tasks (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  input_hash TEXT NOT NULL,
  status TEXT NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 1,
  started REAL NOT NULL,
  finished REAL,
  error TEXT NOT NULL DEFAULT '',
  outputs TEXT NOT NULL DEFAULT '{}');
CREATE INDEX IF NOT EXISTS tasks_by_hash ON tasks (input_hash, status);
CREATE TABLE IF NOT EXISTS trials (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  number INTEGER NOT NULL,
  params TEXT NOT NULL,
  status TEXT NOT NULL,
  value REAL,
  started REAL NOT NULL,
  finished REAL,
  UNIQUE (task_id, number));
CREATE TABLE IF NOT EXISTS metrics (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  trial_id INTEGER REFERENCES trials(id),
  epoch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  name TEXT NOT NULL,
  value REAL NOT NULL,
  time REAL NOT NULL);
CREATE INDEX IF NOT EXISTS metrics_by_task ON metrics (task_id, epoch);
CREATE TABLE IF NOT EXISTS artifacts (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  trial_id INTEGER REFERENCES trials(id),
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  epoch INTEGER NOT NULL,
  meta TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS attempts (
  id INTEGER PRIMARY KEY,
  task_id INTEGER NOT NULL REFERENCES tasks(id),
  attempt INTEGER NOT NULL,
  status TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  log TEXT NOT NULL DEFAULT '',
  started REAL NOT NULL,
  finished REAL NOT NULL);
)sql";

// Versions before 4 recorded label rounds as done without running them;
// such rows must never be reused as finished work. Applied once, when a
// store older than version 4 is opened: from 4 on, label rounds run.
const char *kUpgradeTo4 = R"sql(
UPDATE tasks SET status = 'not run', error = 'recorded as done by an edlc that did not run labeling rounds'
  WHERE kind = 'label' AND status = 'done';
)sql";

// Version 5: each run keeps the plan it ran (its tasks' resolved specs as
// JSON), so two runs' configurations can be compared later. Added when the
// column is missing (a store marked older may have it already).
const char *kUpgradeTo5 = "ALTER TABLE runs ADD COLUMN plan TEXT NOT NULL DEFAULT '{}'";

TaskRow task_row(const Statement &s) {
  TaskRow t;
  t.id = s.integer(0);
  t.run_id = s.integer(1);
  t.name = s.text(2);
  t.kind = s.text(3);
  t.input_hash = s.text(4);
  t.status = s.text(5);
  t.attempt = static_cast<int>(s.integer(6));
  t.started = s.real(7);
  t.finished = s.real(8);
  t.error = s.text(9);
  t.outputs = s.text(10);
  return t;
}

const char *kTaskColumns = "id, run_id, name, kind, input_hash, status, attempt, started, finished, error, outputs";

}  // namespace

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

Store::Store(const std::string &path) : path_(path) {
  std::error_code ec;
  auto dir = std::filesystem::path(path).parent_path();
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open the store '" + path + "': " + why);
  }
  // Waiting, not failing, while another process writes; WAL lets readers
  // and one writer work at once.
  sqlite3_busy_timeout(db_, 60000);
  try {
    // SQLite answers some lock conflicts at once instead of through the busy
    // handler: switching a new database to WAL while other processes open it
    // is one ("database is locked" in about one in ten simultaneous
    // creations). Opening is retried while the conflict lasts, up to the
    // busy timeout.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    std::minstd_rand jitter(static_cast<unsigned>(::getpid()));
    for (;;) {
      try {
        exec("PRAGMA journal_mode = WAL");
        exec("PRAGMA synchronous = NORMAL");
        exec("PRAGMA foreign_keys = ON");
        transaction([&] {
          exec(kSchema);
          Statement version(db_, "PRAGMA user_version");
          const std::int64_t was = version.step() ? version.integer(0) : 0;
          version.reset();
          if (was < 4) exec(kUpgradeTo4);
          Statement has_plan(db_, "SELECT COUNT(*) FROM pragma_table_info('runs') WHERE name = 'plan'");
          const bool plan_column = has_plan.step() && has_plan.integer(0) > 0;
          has_plan.reset();
          if (!plan_column) exec(kUpgradeTo5);
          exec("PRAGMA user_version = 5");
        });
        break;
      } catch (const StoreError &) {
        const int code = sqlite3_errcode(db_) & 0xff;
        if ((code != SQLITE_BUSY && code != SQLITE_LOCKED) || std::chrono::steady_clock::now() > deadline) throw;
        std::this_thread::sleep_for(std::chrono::milliseconds(5 + jitter() % 45));
      }
    }
  } catch (const StoreError &e) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw StoreError("cannot open the store '" + path + "': " + e.what());
  }
}

Store::~Store() { sqlite3_close(db_); }

void Store::exec(const std::string &sql) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  char *err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw StoreError("store: " + why);
  }
}

void Store::begin() { exec("BEGIN IMMEDIATE"); }
void Store::commit() { exec("COMMIT"); }
void Store::rollback() { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

std::int64_t Store::project(const std::string &name, const std::string &file) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    Statement(db_, "INSERT OR IGNORE INTO projects (name, file) VALUES (?, ?)").bind(1, name).bind(2, file).run();
    Statement q(db_, "SELECT id FROM projects WHERE name = ? AND file = ?");
    q.bind(1, name).bind(2, file);
    if (q.step()) id = q.integer(0);
  });
  return id;
}

std::int64_t Store::begin_run(std::int64_t project, const std::string &source_hash, const std::string &command) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    Statement(db_, "INSERT INTO runs (project_id, source_hash, command, status, started) VALUES (?, ?, ?, 'running', ?)")
        .bind(1, project).bind(2, source_hash).bind(3, command).bind(4, now_seconds()).run();
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

void Store::set_run_plan(std::int64_t run, const std::string &plan) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] { Statement(db_, "UPDATE runs SET plan = ? WHERE id = ?").bind(1, plan).bind(2, run).run(); });
}

std::string Store::run_plan(std::int64_t run) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  Statement q(db_, "SELECT plan FROM runs WHERE id = ?");
  q.bind(1, run);
  return q.step() ? q.text(0) : "{}";
}

void Store::finish_run(std::int64_t run, const std::string &status) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "UPDATE runs SET status = ?, finished = ? WHERE id = ?")
        .bind(1, status).bind(2, now_seconds()).bind(3, run).run();
  });
}

std::int64_t Store::begin_task(std::int64_t run, const std::string &name, const std::string &kind,
                               const std::string &input_hash) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    Statement(db_, "INSERT INTO tasks (run_id, name, kind, input_hash, status, started) VALUES (?, ?, ?, ?, 'running', ?)")
        .bind(1, run).bind(2, name).bind(3, kind).bind(4, input_hash).bind(5, now_seconds()).run();
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

void Store::finish_task(std::int64_t task, const std::string &status, const std::string &error,
                        const std::string &outputs) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "UPDATE tasks SET status = ?, error = ?, outputs = ?, finished = ? WHERE id = ?")
        .bind(1, status).bind(2, error).bind(3, outputs).bind(4, now_seconds()).bind(5, task).run();
  });
}

void Store::add_metrics(std::int64_t task, std::optional<std::int64_t> trial, int epoch, std::int64_t step,
                        const std::vector<std::pair<std::string, double>> &values) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement s(db_, "INSERT INTO metrics (task_id, trial_id, epoch, step, name, value, time) VALUES (?, ?, ?, ?, ?, ?, ?)");
    double t = now_seconds();
    for (const auto &[name, value] : values) {
      s.bind(1, task).bind(2, trial).bind(3, epoch).bind(4, step).bind(5, name).bind(6, value).bind(7, t).run();
      s.reset();
    }
  });
}

std::int64_t Store::add_artifact(std::int64_t task, std::optional<std::int64_t> trial, const std::string &kind,
                                 const std::string &path, int epoch, const std::string &meta) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    Statement(db_, "INSERT INTO artifacts (task_id, trial_id, kind, path, epoch, meta) VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, task).bind(2, trial).bind(3, kind).bind(4, path).bind(5, epoch).bind(6, meta).run();
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

void Store::remove_artifact(std::int64_t task, const std::string &path) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] { Statement(db_, "DELETE FROM artifacts WHERE task_id = ? AND path = ?").bind(1, task).bind(2, path).run(); });
}

std::optional<std::int64_t> Store::unfinished_run(std::int64_t project, const std::string &source_hash) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  Statement s(db_, "SELECT id FROM runs WHERE project_id = ? AND source_hash = ? AND status IN ('running', 'interrupted', 'waiting') "
                   "ORDER BY id DESC LIMIT 1");
  s.bind(1, project).bind(2, source_hash);
  if (s.step()) return s.integer(0);
  return std::nullopt;
}

void Store::reopen_run(std::int64_t run) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "UPDATE runs SET status = 'running', finished = NULL WHERE id = ?").bind(1, run).run();
  });
}

void Store::reopen_task(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "UPDATE tasks SET status = 'running', attempt = attempt + 1, finished = NULL WHERE id = ?")
        .bind(1, task).run();
  });
}

void Store::reopen_trial(std::int64_t trial) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "UPDATE trials SET status = 'running', value = NULL, finished = NULL WHERE id = ?")
        .bind(1, trial).run();
  });
}

void Store::forget_after(std::int64_t task, std::optional<std::int64_t> trial, int epoch) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    for (const char *table : {"metrics", "artifacts"})
      Statement(db_, (std::string("DELETE FROM ") + table + " WHERE task_id = ?1 AND trial_id IS ?2 AND epoch > ?3").c_str())
          .bind(1, task).bind(2, trial).bind(3, epoch).run();
  });
}

void Store::clear_trials(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    for (const char *table : {"metrics", "artifacts"})
      Statement(db_, (std::string("DELETE FROM ") + table + " WHERE task_id = ? AND trial_id IS NOT NULL").c_str())
          .bind(1, task).run();
    Statement(db_, "DELETE FROM trials WHERE task_id = ?").bind(1, task).run();
  });
}

std::int64_t Store::begin_trial(std::int64_t task, int number, const std::string &params) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    Statement(db_, "INSERT INTO trials (task_id, number, params, status, started) VALUES (?, ?, ?, 'running', ?)")
        .bind(1, task).bind(2, number).bind(3, params).bind(4, now_seconds()).run();
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

void Store::finish_trial(std::int64_t trial, const std::string &status, std::optional<double> value) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement s(db_, "UPDATE trials SET status = ?, value = ?, finished = ? WHERE id = ?");
    s.bind(1, status);
    if (value) s.bind(2, *value);
    s.bind(3, now_seconds()).bind(4, trial).run();
  });
}

void Store::add_attempt(std::int64_t task, int attempt, const std::string &status, const std::string &error,
                        const std::string &log, double started) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  transaction([&] {
    Statement(db_, "INSERT INTO attempts (task_id, attempt, status, error, log, started, finished) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)")
        .bind(1, task).bind(2, attempt).bind(3, status).bind(4, error).bind(5, log).bind(6, started)
        .bind(7, now_seconds()).run();
  });
}

std::vector<AttemptRow> Store::attempts(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<AttemptRow> out;
  Statement s(db_, "SELECT task_id, attempt, status, error, log, started, finished FROM attempts WHERE task_id = ? "
                   "ORDER BY id");
  s.bind(1, task);
  while (s.step())
    out.push_back({s.integer(0), static_cast<int>(s.integer(1)), s.text(2), s.text(3), s.text(4), s.real(5), s.real(6)});
  return out;
}

std::int64_t Store::add_cached_task(std::int64_t run, const std::string &name, const std::string &kind,
                                    const std::string &input_hash, const std::string &outputs) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::int64_t id = 0;
  transaction([&] {
    const double t = now_seconds();
    Statement(db_, "INSERT INTO tasks (run_id, name, kind, input_hash, status, attempt, started, finished, outputs) "
                   "VALUES (?, ?, ?, ?, 'cached', 0, ?, ?, ?)")
        .bind(1, run).bind(2, name).bind(3, kind).bind(4, input_hash).bind(5, t).bind(6, t).bind(7, outputs).run();
    id = sqlite3_last_insert_rowid(db_);
  });
  return id;
}

std::vector<TrialRow> Store::trials(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<TrialRow> out;
  Statement s(db_, "SELECT id, task_id, number, params, status, value, started, COALESCE(finished, 0) FROM trials "
                   "WHERE task_id = ? ORDER BY number");
  s.bind(1, task);
  while (s.step()) {
    out.push_back({s.integer(0), s.integer(1), static_cast<int>(s.integer(2)), s.text(3), s.text(4),
                   s.optional_real(5), s.real(6), s.real(7)});
  }
  return out;
}

std::vector<RunRow> Store::runs() { return run_rows(std::nullopt); }

std::optional<RunRow> Store::run(std::int64_t id) {
  std::vector<RunRow> rows = run_rows(id);
  return rows.empty() ? std::nullopt : std::optional<RunRow>(rows[0]);
}

std::vector<RunRow> Store::run_rows(std::optional<std::int64_t> id) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<RunRow> out;
  Statement s(db_,
              "SELECT r.id, p.name, p.file, r.status, r.command, r.started, COALESCE(r.finished, 0) "
              "FROM runs r JOIN projects p ON p.id = r.project_id WHERE ?1 IS NULL OR r.id = ?1 ORDER BY r.id");
  s.bind(1, id);
  while (s.step())
    out.push_back({s.integer(0), s.text(1), s.text(2), s.text(3), s.text(4), s.real(5), s.real(6)});
  return out;
}

std::vector<TaskRow> Store::tasks(std::int64_t run) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<TaskRow> out;
  Statement s(db_, (std::string("SELECT ") + kTaskColumns + " FROM tasks WHERE run_id = ? ORDER BY id").c_str());
  s.bind(1, run);
  while (s.step()) out.push_back(task_row(s));
  return out;
}

std::vector<MetricRow> Store::metrics(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<MetricRow> out;
  Statement s(db_, "SELECT task_id, trial_id, epoch, step, name, value, time FROM metrics WHERE task_id = ? ORDER BY id");
  s.bind(1, task);
  while (s.step()) {
    out.push_back({s.integer(0), s.optional_integer(1), static_cast<int>(s.integer(2)), s.integer(3), s.text(4),
                   s.real(5), s.real(6)});
  }
  return out;
}

std::vector<ArtifactRow> Store::artifacts(std::int64_t task) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  std::vector<ArtifactRow> out;
  Statement s(db_, "SELECT id, task_id, trial_id, kind, path, meta, epoch FROM artifacts WHERE task_id = ? ORDER BY id");
  s.bind(1, task);
  while (s.step()) {
    out.push_back({s.integer(0), s.integer(1), s.optional_integer(2), s.text(3), s.text(4), s.text(5),
                   static_cast<int>(s.integer(6))});
  }
  return out;
}

std::optional<TaskRow> Store::completed_task(const std::string &input_hash) {
  std::lock_guard<std::recursive_mutex> lock(mu_);
  Statement s(db_, (std::string("SELECT ") + kTaskColumns +
                    " FROM tasks WHERE input_hash = ? AND status = 'done' ORDER BY id DESC LIMIT 1").c_str());
  s.bind(1, input_hash);
  if (s.step()) return task_row(s);
  return std::nullopt;
}

}  // namespace edl::store
