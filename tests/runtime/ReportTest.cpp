// The report library: per-class scores, the charts' points, run data read
// back from a real store, configuration differences, and the page's
// embedded data. The browser-level checks are tests/cli/report.sh.
#include "runtime/report/ReportPage.h"
#include "runtime/report/RunData.h"
#include "runtime/report/RunDiff.h"
#include "runtime/report/Svg.h"
#include "runtime/store/Store.h"

#include <catch2/catch.hpp>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

using namespace edl;
using nlohmann::json;

namespace {

std::size_t count(const std::string &text, const std::string &what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string fresh_store(const std::string &name) {
  auto dir = std::filesystem::temp_directory_path() / ("edl-report-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::string path = (dir / name).string();
  for (const char *suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  return path;
}

json plan_with(double lr, int epochs) {
  return {{"project", "p"},
          {"tasks",
           {{{"id", "load:d"}, {"kind", "load"}, {"block", "d"}, {"spec", {{"path", "/data"}, {"seed", 1}}}},
            {{"id", "train:main"},
             {"kind", "train"},
             {"block", "main"},
             {"spec", {{"epochs", epochs}, {"optimizer", {{"kind", "adam"}, {"lr", lr}}}, {"metrics", {"accuracy"}}}}}}}};
}

}  // namespace

TEST_CASE("per-class precision, recall and F1 come from the confusion matrix's columns and rows", "[report]") {
  // rows: true class; columns: predicted
  const json confusion = {{5, 1, 0}, {2, 6, 2}, {0, 0, 0}};
  const json scores = report::per_class_scores({"a", "b", "c"}, confusion);
  REQUIRE(scores.size() == 3);
  CHECK(scores[0]["precision"].get<double>() == Approx(5.0 / 7));
  CHECK(scores[0]["recall"].get<double>() == Approx(5.0 / 6));
  CHECK(scores[0]["f1"].get<double>() == Approx(2 * (5.0 / 7) * (5.0 / 6) / (5.0 / 7 + 5.0 / 6)));
  CHECK(scores[1]["precision"].get<double>() == Approx(6.0 / 7));
  CHECK(scores[1]["recall"].get<double>() == Approx(0.6));
  CHECK(scores[1]["support"].get<long long>() == 10);
  // predicted twice, never present: precision 0, recall 0 (nothing to recall)
  CHECK(scores[2]["precision"].get<double>() == 0);
  CHECK(scores[2]["recall"].get<double>() == 0);
  CHECK(scores[2]["f1"].get<double>() == 0);
}

TEST_CASE("a line chart draws one point element per value, inside its box, and escapes its text", "[report]") {
  report::Series a{"val.accuracy", {{1, 0.5, "", false}, {2, 0.7, "", false}, {3, 0.75, "", true}}, 0, true, true, false, false};
  report::Series b{"best <so far>", {{1, 0.5, "", false}, {3, 0.75, "", false}}, 1, true, false, false, true};
  report::Axes axes;
  axes.x_label = "epoch";
  axes.x_integer = true;
  const std::string svg = report::line_chart("c1", "title & more", axes, {a, b});
  CHECK(count(svg, "<circle class=\"pt\"") == 3);  // b draws no markers
  CHECK(svg.find("data-points=\"3\"") != std::string::npos);
  CHECK(svg.find("title &amp; more") != std::string::npos);
  CHECK(svg.find("best &lt;so far&gt;") != std::string::npos);
  CHECK(svg.find("fill=\"#fff\"") != std::string::npos);  // the hollow point
  CHECK(svg.find(" H") != std::string::npos);             // the staircase
  // Every point lies inside the plot area.
  std::regex cx("cx=\"([0-9.]+)\" cy=\"([0-9.]+)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), cx); it != std::sregex_iterator(); ++it) {
    const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
    CHECK(x >= 68);
    CHECK(x <= 624);
    CHECK(y >= 30);
    CHECK(y <= 258);
  }
}

TEST_CASE("parallel coordinates draw one line per trial, a heat map one cell per pair", "[report]") {
  std::vector<report::ParallelRow> rows{{{0.001, 32, 0.9}, "t1", false}, {{0.1, 64, 0.5}, "t2", true}};
  const std::string pc = report::parallel_coordinates("pc", "p", {"lr", "batch", "acc"}, {true, false, false}, rows, true);
  CHECK(count(pc, "<polyline class=\"pt trial\"") == 2);
  CHECK(count(pc, "stroke-dasharray") == 1);
  const std::string hm = report::heat_map("hm", "h", {"x", "y"}, {{3, 1}, {0, 4}});
  CHECK(count(hm, "<g class=\"pt cell\"") == 4);
  CHECK(hm.find("true x, predicted y: 1") != std::string::npos);
}

TEST_CASE("base64 encodes as RFC 4648 says", "[report]") {
  CHECK(report::base64("") == "");
  CHECK(report::base64("f") == "Zg==");
  CHECK(report::base64("fo") == "Zm8=");
  CHECK(report::base64("foo") == "Zm9v");
  CHECK(report::base64("foobar") == "Zm9vYmFy");
  CHECK(report::base64(std::string("\xff\x00\x10", 3)) == "/wAQ");
}

TEST_CASE("run data reads a run back from the store: plan, epochs, trials, evaluation, package", "[report]") {
  const std::string path = fresh_store("report.db");
  store::Store s(path);
  const auto run = s.begin_run(s.project("p", "/x/p.edl"), "h", "edlc run p.edl");
  s.set_run_plan(run, plan_with(0.001, 3).dump());
  const auto train = s.begin_task(run, "train:main", "train", "t");
  s.add_metrics(train, std::nullopt, 1, 10, {{"train.loss", 1.0}, {"val.loss", 1.2}, {"val.accuracy", 0.6}, {"lr", 0.001}});
  s.add_metrics(train, std::nullopt, 2, 20, {{"train.loss", 0.5}, {"val.loss", 0.9}, {"val.accuracy", 0.7}});
  s.finish_task(train, "done", "", R"({"best_epoch":2,"seconds":12.5,"val":{"accuracy":0.7}})");
  const auto trials = s.begin_task(run, "trial:main", "trials", "s");
  const auto t1 = s.begin_trial(trials, 1, R"({"hp.lr":0.01})");
  s.add_metrics(trials, t1, 1, 5, {{"val.accuracy", 0.4}});
  s.add_metrics(trials, t1, 2, 10, {{"val.accuracy", 0.55}});
  s.finish_trial(t1, "done", 0.55);
  const auto t2 = s.begin_trial(trials, 2, R"({"hp.lr":0.1})");
  s.add_metrics(trials, t2, 1, 5, {{"val.accuracy", 0.2}});
  s.finish_trial(t2, "pruned", 0.2);
  s.finish_task(trials, "done", "", R"({"objective":"val.accuracy","maximize":true,"best":{"hp.lr":0.01},"best_value":0.55})");
  const auto eval = s.begin_task(run, "evaluate:main", "evaluate", "e");
  s.finish_task(eval, "done", "",
                R"({"split":"test","samples":10,"metrics":{"accuracy":0.8},"classes":["a","b"],"confusion":[[4,1],[1,4]],)"
                R"("confused":[{"true":0,"predicted":1,"count":1,"examples":["/d/a/1.png"]}]})");
  const auto pkg = s.begin_task(run, "package:release", "package", "k");
  s.add_artifact(pkg, std::nullopt, "package", "/x/p.tar.gz", 2,
                 R"({"targets":[{"target":"edge","quantize":"int8","agreement":0.99,"bytes":1000}]})");
  s.finish_task(pkg, "done", "", R"({"package":"/x/p.tar.gz","bytes":2048})");
  const auto failed = s.begin_task(run, "evaluate:other", "evaluate", "f");
  s.finish_task(failed, "failed", "boom");
  s.finish_run(run, "failed");

  const json d = report::run_data(s, run);
  CHECK(d["run"]["project"] == "p");
  CHECK(d["plan"]["tasks"].size() == 2);
  CHECK(d["tasks"].size() == 5);
  CHECK(d["tasks"][4]["error"] == "boom");
  REQUIRE(d["trains"].size() == 1);
  CHECK(d["trains"][0]["epochs"].size() == 2);
  CHECK(d["trains"][0]["epochs"][1]["val.accuracy"].get<double>() == Approx(0.7));
  CHECK(d["trains"][0]["best_epoch"] == 2);
  REQUIRE(d["searches"].size() == 1);
  const json &tr = d["searches"][0]["trials"];
  REQUIRE(tr.size() == 2);
  CHECK(tr[0]["curve"].size() == 2);
  CHECK(tr[1]["status"] == "pruned");
  CHECK(tr[1]["curve"].size() == 1);
  CHECK(d["searches"][0]["best"]["hp.lr"].get<double>() == Approx(0.01));
  REQUIRE(d["evaluations"].size() == 1);  // the failed one is a task, not an evaluation
  CHECK(d["evaluations"][0]["per_class"][0]["recall"].get<double>() == Approx(0.8));
  CHECK(d["evaluations"][0]["confused"][0]["examples"][0] == "/d/a/1.png");
  REQUIRE(d["packages"].size() == 1);
  CHECK(d["packages"][0]["bytes"] == 2048);
  CHECK(d["packages"][0]["targets"][0]["agreement"].get<double>() == Approx(0.99));
  CHECK_THROWS_AS(report::run_data(s, run + 7), std::out_of_range);

  // The page shows it all and embeds exactly this document.
  const std::string page = report::render_page({d}, {}, "test");
  CHECK(count(page, "<svg class=\"chart\"") >= 6);
  CHECK(page.find("id=\"r1-train-main-loss\"") != std::string::npos);
  CHECK(page.find("id=\"r1-trial-main-trials\"") != std::string::npos);
  CHECK(page.find("id=\"r1-evaluate-main-confusion\"") != std::string::npos);
  CHECK(page.find("(image not readable now)") != std::string::npos);  // no thumbnail given for the example
  const std::string open = "<script type=\"application/json\" id=\"edl-report-data\">";
  const std::size_t from = page.find(open) + open.size(), to = page.find("</script>", from);
  CHECK(json::parse(page.substr(from, to - from)) == json::array({d}));
}

TEST_CASE("a project name with </script> cannot end the embedded data early", "[report]") {
  json d = {{"run", {{"id", 1}, {"project", "x</script><marquee>"}}}, {"plan", json::object()}, {"tasks", json::array()},
            {"trains", json::array()}, {"searches", json::array()}, {"evaluations", json::array()},
            {"packages", json::array()}, {"label_rounds", json::array()}, {"label_curves", json::array()}};
  const std::string page = report::render_page({d}, {}, "test");
  CHECK(count(page, "</script>") == 1);
  CHECK(page.find("<marquee>") == std::string::npos);
}

TEST_CASE("configuration differences name the settings and searched values that differ", "[report]") {
  auto doc = [](double lr, int epochs, double best) {
    return json{{"run", {{"id", epochs}}},
                {"plan", plan_with(lr, epochs)},
                {"searches", {{{"task", "trial:main"}, {"best", {{"hp.batch", best}}}, {"trials", json::array()}}}}};
  };
  const auto same = report::config_differences({doc(0.001, 3, 32), doc(0.001, 3, 32)});
  CHECK(same.empty());
  const auto diff = report::config_differences({doc(0.001, 3, 32), doc(0.01, 5, 64)});
  REQUIRE(diff.size() == 3);
  CHECK(diff[0].setting == "train:main epochs");
  CHECK(diff[0].values == std::vector<std::string>{"3", "5"});
  CHECK(diff[1].setting == "train:main optimizer.lr");
  CHECK(diff[2].setting == "trial:main best hp.batch");
  CHECK(diff[2].values == std::vector<std::string>{"32.0", "64.0"});
  json old = doc(0.001, 3, 32);
  old["plan"] = json::object();
  CHECK(report::runs_without_plan({old, doc(0.01, 5, 64)}) == std::vector<long long>{3});
}

TEST_CASE("a store from before plans were kept gains the column, and its runs have no plan", "[report][store]") {
  const std::string path = fresh_store("old.db");
  std::int64_t run = 0;
  {
    store::Store s(path);
    run = s.begin_run(s.project("p", "/x/p.edl"), "h", "edlc run p.edl");
  }
  {  // as an edlc of store version 4 left it
    sqlite3 *db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    REQUIRE(sqlite3_exec(db, "ALTER TABLE runs DROP COLUMN plan; PRAGMA user_version = 4", nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(db);
  }
  store::Store s(path);
  CHECK(s.run_plan(run) == "{}");
  s.set_run_plan(run, R"({"tasks":[]})");
  CHECK(s.run_plan(run) == R"({"tasks":[]})");
  store::Store again(path);  // reopening a current store changes nothing
  CHECK(again.run_plan(run) == R"({"tasks":[]})");
}
