// The folder oracle on the real digits folder, and the learning curve read
// back from rounds' recorded outputs.
#include "TestSupport.h"

#include "runtime/label/Curve.h"
#include "runtime/label/FolderOracle.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>

using namespace edl;
using namespace edl::label;
using nlohmann::json;
namespace fs = std::filesystem;

TEST_CASE("the folder oracle answers by file name, and names what it cannot answer", "[label]") {
  const std::string digits = (fs::path(test::source_dir()) / "data" / "digits").string();
  std::string error;
  FolderOracle oracle(digits, error);
  REQUIRE(error.empty());
  const std::vector<std::string> classes = {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"};
  // Found by its name wherever the pool keeps it.
  CHECK(oracle.answer("/elsewhere/pool/7_0002.png", classes, error) == 7);
  CHECK(oracle.answer(digits + "/3/3_0001.png", classes, error) == 3);
  CHECK(error.empty());
  CHECK(oracle.answer("/pool/cat.png", classes, error) == -1);
  CHECK(error.find("has no label for 'cat.png'") != std::string::npos);
  error.clear();
  CHECK(oracle.answer("/pool/7_0002.png", {"0", "1"}, error) == -1);
  CHECK(error.find("a class the model does not have") != std::string::npos);

  error.clear();
  FolderOracle missing("/no/such/folder", error);
  CHECK(error.find("does not exist") != std::string::npos);

  // One file name under two classes cannot be answered.
  const fs::path twice = fs::temp_directory_path() / ("edl-oracle-twice-" + std::to_string(::getpid()));
  fs::create_directories(twice / "a");
  fs::create_directories(twice / "b");
  fs::copy_file(digits + "/3/3_0001.png", twice / "a" / "x.png");
  fs::copy_file(digits + "/7/7_0002.png", twice / "b" / "x.png");
  error.clear();
  FolderOracle ambiguous(twice.string(), error);
  CHECK(error.find("labels 'x.png' both") != std::string::npos);
  fs::remove_all(twice);
}

TEST_CASE("the learning curve pairs each round with the random baseline's and the full-label one", "[label]") {
  auto round = [](const char *arm, int n, std::size_t labels, double metric) {
    return json{{"arm", arm}, {"round", n}, {"labels", labels}, {"fraction", labels / 1000.0},
                {"metric", metric}, {"strategy", std::string(arm) == "strategy" ? "margin" : "random"}};
  };
  const std::vector<std::pair<std::string, json>> tasks = {
      {"load:d", json{{"samples", 1000}}},
      {"label:pick/2", round("strategy", 2, 200, 0.80)},
      {"label:pick/1", round("strategy", 1, 100, 0.70)},
      {"label:pick/random/2", round("random", 2, 200, 0.75)},
      {"label:pick/full", round("full", 0, 1000, 0.90)},
      {"label:pick/3", json{{"round", 3}, {"arm", "strategy"}, {"skipped", true}, {"stopped", true}}},
      {"label:other/1", round("strategy", 1, 10, 0.5)}};
  const std::vector<Curve> curves = learning_curves(tasks);
  REQUIRE(curves.size() == 2);
  const Curve &c = curves[0];
  CHECK(c.label == "pick");
  CHECK(c.strategy == "margin");
  REQUIRE(c.points.size() == 2);  // the skipped round is not a point
  CHECK(c.points[0].round == 1);
  CHECK(c.points[0].baseline_metric == 0.70);  // the baseline starts from round 1
  CHECK(c.points[1].baseline_metric == 0.75);
  CHECK(c.full_metric == 0.90);
  CHECK_FALSE(curves[1].full_metric);
  CHECK_FALSE(curves[1].points[0].baseline_metric);

  const json rows = label_rounds_json(curves);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == json{{"label", "pick"}, {"round", 2}, {"labels", 200}, {"fraction", 0.2}, {"metric", 0.80},
                        {"baseline_metric", 0.75}, {"full_metric", 0.90}});
  CHECK(rows[2]["baseline_metric"].is_null());

  const std::vector<std::string> table = curve_table(c);
  REQUIRE(table.size() == 3);
  CHECK(table[2] == "2           200    20.0%     0.8000     0.7500     0.9000");

  const fs::path png = fs::temp_directory_path() / ("edl-curve-" + std::to_string(::getpid()) + ".png");
  std::string error;
  REQUIRE(draw_curve(c, png.string(), error));
  CHECK(fs::file_size(png) > 1000);
  fs::remove(png);
}
