// coco(annotations, images) on the generated scenes of scripts/fetch-data.sh
// (real Fashion-MNIST items on scikit-image photographs): the whole set, its
// boxes against its masks, and hand-written annotation files with every kind
// of bad entry.
#include "TestSupport.h"

#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>
#include <fstream>

using namespace edl;
using namespace edl::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string scenes_dir() { return test::fetched_data("scenes"); }

// A temporary folder with an empty images/.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("edl-coco") { fs::create_directories(path / "images"); }
};

DatasetSpec coco_spec(const fs::path &annotations, const fs::path &images, int size) {
  DatasetSpec s;
  s.name = "shelves";
  s.source = SourceKind::Coco;
  s.annotations = annotations.string();
  s.path = images.string();
  s.width = s.height = size;
  s.channels = 3;
  s.seed = 42;
  return s;
}

std::string code(const DataError &e) { return std::string("[") + diagnostic_info(e.id).code + "]"; }

bool skipped_with(const LoadedDataset &d, const std::string &source, const std::string &reason) {
  for (const Skipped &s : d.report.skipped)
    if (s.source.find(source) != std::string::npos && s.reason.find(reason) != std::string::npos) return true;
  return false;
}

// Three real 128x128 scenes copied into `dir`, and a COCO file over them.
json three_scenes(const fs::path &dir) {
  for (int k = 0; k < 3; ++k) {
    const std::string name = "scene_0000" + std::to_string(k) + ".jpg";
    fs::copy_file(fs::path(scenes_dir()) / "images" / name, dir / "images" / name);
  }
  json coco = {{"images", json::array()},
               {"annotations", json::array()},
               {"categories", {{{"id", 3}, {"name", "can"}}, {{"id", 1}, {"name", "bottle"}}, {{"id", 7}, {"name", "carton"}}}}};
  for (int k = 0; k < 3; ++k)
    coco["images"].push_back({{"id", 10 + k}, {"file_name", "scene_0000" + std::to_string(k) + ".jpg"}, {"width", 128}, {"height", 128}});
  auto box = [&](int id, int image, int category, json bbox, json extra = json::object()) {
    json a = {{"id", id}, {"image_id", image}, {"category_id", category}, {"bbox", bbox}};
    a.update(extra);
    coco["annotations"].push_back(a);
  };
  box(1, 10, 1, {10, 20, 30, 40});                               // bottle
  box(2, 10, 3, {0, 0, 128, 128}, {{"iscrowd", 1}});              // a crowd of cans, the whole image
  box(3, 11, 7, {100.5, 90, 28, 38.6});                          // overhangs by half a pixel: clipped
  box(4, 11, 1, {64, 64, 0, 10});                                // zero width
  box(5, 99, 1, {1, 1, 5, 5});                                   // no image 99
  box(6, 12, 5, {1, 1, 5, 5});                                   // no category 5
  box(7, 12, 3, {120, 120, 20, 20});                             // far outside
  box(8, 12, 3, {8, 8, 16, 16}, {{"area", 100}});                // area as written
  return coco;
}

void write_json(const fs::path &p, const json &j) { std::ofstream(p) << j.dump(); }

}  // namespace

TEST_CASE("coco: categories become classes by id, boxes scale with image.size, bad annotations are skipped", "[data][coco]") {
  TempDir t;
  json coco = three_scenes(t.path);
  write_json(t.path / "annotations.json", coco);
  LoadedDataset d = load_dataset(coco_spec(t.path / "annotations.json", t.path / "images", 64));
  REQUIRE(d.report.ok());
  CHECK(d.classes == std::vector<std::string>{"bottle", "can", "carton"});  // ids 1, 3, 7
  REQUIRE(d.size() == 3);
  CHECK(d.width == 64);
  CHECK(d.pixels.size() == 3u * 64 * 64 * 3);
  REQUIRE(d.objects.size() == 3);
  CHECK(d.original_sizes[0] == std::pair<int, int>{128, 128});

  // Image 10: the bottle at half scale, and the crowd.
  REQUIRE(d.objects[0].size() == 2);
  const Object &bottle = d.objects[0][0];
  CHECK(bottle.label == 0);
  CHECK(bottle.x0 == Approx(5));
  CHECK(bottle.y0 == Approx(10));
  CHECK(bottle.x1 == Approx(20));
  CHECK(bottle.y1 == Approx(30));
  CHECK(bottle.area == Approx(1200));  // original pixels, as COCO measures
  CHECK_FALSE(bottle.crowd);
  CHECK(d.objects[0][1].crowd);
  CHECK(d.labels[0] == 0);  // stratified by the largest object that is not a crowd

  // Image 11: the clipped carton; the zero-width box is gone.
  REQUIRE(d.objects[1].size() == 1);
  CHECK(d.objects[1][0].label == 2);
  CHECK(d.objects[1][0].x1 == Approx(64));
  CHECK(d.objects[1][0].y1 == Approx(64));
  CHECK(skipped_with(d, "annotation 4", "zero area"));

  // Image 12: only the box with its written area.
  REQUIRE(d.objects[2].size() == 1);
  CHECK(d.objects[2][0].area == Approx(100));
  CHECK(skipped_with(d, "annotation 5", "unknown image id"));
  CHECK(skipped_with(d, "annotation 6", "unknown category id"));
  CHECK(skipped_with(d, "annotation 7", "outside its 128x128 image"));
  CHECK(d.report.skipped.size() == 4);
}

TEST_CASE("coco: declared classes pick and order categories, an unknown one is E0821", "[data][coco]") {
  TempDir t;
  write_json(t.path / "annotations.json", three_scenes(t.path));
  DatasetSpec spec = coco_spec(t.path / "annotations.json", t.path / "images", 128);
  spec.classes = {"carton", "bottle"};  // cans left out
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  CHECK(d.classes == spec.classes);
  CHECK(d.objects[0].size() == 1);  // the crowd of cans is not loaded
  CHECK(d.objects[0][0].label == 1);
  CHECK(d.objects[1][0].label == 0);
  CHECK(d.objects[2].empty());  // an image without objects stays: a negative
  CHECK_FALSE(skipped_with(d, "annotation 2", ""));  // left out by choice, not skipped

  spec.classes = {"bottle", "jar"};
  LoadedDataset bad = load_dataset(spec);
  REQUIRE(bad.report.errors.size() == 1);
  CHECK(code(bad.report.errors[0]) == "[E0821]");
  CHECK(bad.report.errors[0].args.at(0) == "jar");
}

TEST_CASE("coco: missing and mismatched images are skipped, on_error = fail stops at the first", "[data][coco]") {
  TempDir t;
  json coco = three_scenes(t.path);
  coco["images"].push_back({{"id", 20}, {"file_name", "gone.jpg"}, {"width", 128}, {"height", 128}});
  coco["images"][1]["width"] = 256;  // the file is 128 wide
  coco["images"].push_back({{"id", 21}});
  coco["images"].push_back({{"id", 10}, {"file_name", "scene_00000.jpg"}});
  write_json(t.path / "annotations.json", coco);
  DatasetSpec spec = coco_spec(t.path / "annotations.json", t.path / "images", 128);
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  CHECK(d.size() == 2);
  CHECK(d.objects.size() == 2);
  CHECK(d.pixels.size() == 2u * 128 * 128 * 3);  // the refused image left no pixels behind
  CHECK(skipped_with(d, "gone.jpg", "no such file"));
  CHECK(skipped_with(d, "scene_00001.jpg", "the annotations say 256x128, the file is 128x128"));
  CHECK(skipped_with(d, "image entry 5", "no numeric 'id' and 'file_name'"));
  CHECK(skipped_with(d, "image entry 6", "image id 10 given twice"));

  spec.fail_on_error = true;
  LoadedDataset stopped = load_dataset(spec);
  REQUIRE_FALSE(stopped.report.ok());
  CHECK(code(stopped.report.errors[0]) == "[E0810]");
}

TEST_CASE("coco: a file that is not COCO is E0820 with the reason", "[data][coco]") {
  TempDir t;
  DatasetSpec spec = coco_spec(t.path / "annotations.json", t.path / "images", 128);
  auto reason = [&] {
    LoadedDataset d = load_dataset(spec);
    REQUIRE(d.report.errors.size() == 1);
    CHECK(code(d.report.errors[0]) == "[E0820]");
    return d.report.errors[0].args.at(1);
  };
  CHECK(reason() == "there is no such file");
  std::ofstream(t.path / "annotations.json") << "{\"images\": [";
  CHECK(reason() == "it is not valid JSON");
  write_json(t.path / "annotations.json", {{"images", json::array()}, {"annotations", json::array()}});
  CHECK(reason() == "no 'categories' list");
  write_json(t.path / "annotations.json", {{"images", json::array()},
                                           {"annotations", json::array()},
                                           {"categories", {{{"id", 1}, {"name", "can"}}, {{"id", 2}, {"name", "can"}}}}});
  CHECK(reason() == "two categories are named 'can'");
  write_json(t.path / "annotations.json",
             {{"images", json::array()}, {"annotations", json::array()}, {"categories", {{{"name", "can"}}}}});
  CHECK(reason().find("a category without a numeric 'id'") == 0);
}

TEST_CASE("coco: the generated scenes load whole, and every box is the tight box of its mask", "[data][coco]") {
  const fs::path dir = scenes_dir();
  DatasetSpec spec = coco_spec(dir / "annotations.json", dir / "images", 128);
  LoadedDataset d = load_dataset(spec, {false});
  REQUIRE(d.report.ok());
  CHECK(d.report.skipped.empty());
  CHECK(d.size() == 3000);
  CHECK(d.classes.size() == 10);
  std::size_t objects = 0;
  for (const auto &o : d.objects) objects += o.size();
  CHECK(objects > 3000);
  // The masks were written by the same composition: each box must enclose
  // exactly the pixels of its category that touch its edges.
  for (std::size_t i = 0; i < 50; ++i) {
    const std::string mask_file = (dir / "masks" / fs::path(d.sources[i]).stem()).string() + ".png";
    cv::Mat mask = cv::imread(mask_file, cv::IMREAD_UNCHANGED);
    REQUIRE(mask.type() == CV_8UC1);
    for (const Object &o : d.objects[i]) {
      const int x0 = static_cast<int>(o.x0), y0 = static_cast<int>(o.y0), x1 = static_cast<int>(o.x1),
                y1 = static_cast<int>(o.y1);
      const int value = o.label + 1;
      auto row_has = [&](int y) {
        for (int x = x0; x < x1; ++x)
          if (mask.at<std::uint8_t>(y, x) == value) return true;
        return false;
      };
      auto column_has = [&](int x) {
        for (int y = y0; y < y1; ++y)
          if (mask.at<std::uint8_t>(y, x) == value) return true;
        return false;
      };
      CHECK(row_has(y0));
      CHECK(row_has(y1 - 1));
      CHECK(column_has(x0));
      CHECK(column_has(x1 - 1));
      int inside = 0;
      for (int y = y0; y < y1; ++y)
        for (int x = x0; x < x1; ++x) inside += mask.at<std::uint8_t>(y, x) == value;
      CHECK(inside >= o.area);  // its visible pixels (more when a same-class object overlaps the box)
    }
  }
}
