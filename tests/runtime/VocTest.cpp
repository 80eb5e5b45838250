// voc(annotations, images) on the generated scenes of scripts/fetch-data.sh:
// 200 real scenes written as Pascal VOC XML load exactly as their COCO file
// does; hand-written files with every kind of bad entry are skipped with
// their reasons; a folder that is not VOC is E0820.
#include "TestSupport.h"

#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

using namespace edl;
using namespace edl::data;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string scenes_dir() { return test::fetched_data("scenes"); }

// A temporary folder with an empty xml/.
struct TempDir : test::TempDir {
  TempDir() : test::TempDir("edl-voc") { fs::create_directories(path / "xml"); }
};

DatasetSpec spec_of(SourceKind kind, const fs::path &annotations, const fs::path &images) {
  DatasetSpec s;
  s.name = "shelves";
  s.source = kind;
  s.annotations = annotations.string();
  s.path = images.string();
  s.width = s.height = 96;
  s.channels = 3;
  s.seed = 42;
  return s;
}

bool skipped_with(const LoadedDataset &d, const std::string &source, const std::string &reason) {
  for (const Skipped &s : d.report.skipped)
    if (s.source.find(source) != std::string::npos && s.reason.find(reason) != std::string::npos) return true;
  return false;
}

// VOC's corners from a COCO bbox: 1-based, both ends included.
std::string bndbox(const json &bbox) {
  const double x = bbox[0], y = bbox[1], w = bbox[2], h = bbox[3];
  return "<bndbox><xmin>" + std::to_string(x + 1) + "</xmin><ymin>" + std::to_string(y + 1) + "</ymin><xmax>" +
         std::to_string(x + w) + "</xmax><ymax>" + std::to_string(y + h) + "</ymax></bndbox>";
}

}  // namespace

TEST_CASE("voc: the scenes written as VOC XML load exactly as their COCO file", "[data][voc]") {
  TempDir t;
  std::ifstream in(scenes_dir() + "/annotations.json");
  const json all = json::parse(in);
  json coco = {{"images", json::array()}, {"annotations", json::array()}, {"categories", all["categories"]}};
  std::map<long long, std::string> name_of;
  for (const json &c : all["categories"]) name_of[c["id"].get<long long>()] = c["name"];
  std::map<long long, std::string> xml;  // image id -> its objects
  for (std::size_t k = 0; k < 200; ++k) {
    const json &image = all["images"][k];
    coco["images"].push_back(image);
    xml[image["id"].get<long long>()];
  }
  int crowds = 0;
  for (json a : all["annotations"]) {
    auto it = xml.find(a["image_id"].get<long long>());
    if (it == xml.end()) continue;
    // Every seventh object difficult: a crowd region in both forms.
    const bool difficult = coco["annotations"].size() % 7 == 3;
    crowds += difficult;
    a["iscrowd"] = difficult ? 1 : 0;
    a.erase("area");  // VOC has none: both measure the box
    coco["annotations"].push_back(a);
    it->second += "<object><name>" + name_of[a["category_id"].get<long long>()] + "</name><difficult>" +
                  (difficult ? "1" : "0") + "</difficult>" + bndbox(a["bbox"]) + "</object>";
  }
  REQUIRE(crowds > 10);
  for (const json &image : coco["images"]) {
    const std::string file = image["file_name"];
    std::ofstream(t.path / "xml" / (fs::path(file).stem().string() + ".xml"))
        << "<annotation><folder>scenes</folder><filename>" << file << "</filename><size><width>" << image["width"]
        << "</width><height>" << image["height"] << "</height><depth>3</depth></size>" << xml[image["id"]]
        << "</annotation>";
  }
  std::ofstream(t.path / "coco.json") << coco.dump();

  DatasetSpec coco_spec = spec_of(SourceKind::Coco, t.path / "coco.json", scenes_dir() + "/images");
  DatasetSpec voc_spec = spec_of(SourceKind::Voc, t.path / "xml", scenes_dir() + "/images");
  // The same class order for both (VOC's default is alphabetical).
  for (const json &c : all["categories"]) coco_spec.classes.push_back(c["name"]);
  voc_spec.classes = coco_spec.classes;
  const LoadedDataset want = load_dataset(coco_spec), got = load_dataset(voc_spec);
  REQUIRE(want.report.ok());
  REQUIRE(got.report.ok());
  CHECK(got.report.skipped.empty());
  REQUIRE(got.size() == 200);
  CHECK(got.classes == want.classes);
  CHECK(got.sources == want.sources);
  CHECK(got.labels == want.labels);
  CHECK(got.pixels == want.pixels);
  std::size_t objects = 0;
  for (std::size_t i = 0; i < 200; ++i) {
    REQUIRE(got.objects[i].size() == want.objects[i].size());
    for (std::size_t k = 0; k < got.objects[i].size(); ++k, ++objects) {
      const Object &g = got.objects[i][k], &w = want.objects[i][k];
      CHECK(g.label == w.label);
      CHECK(g.crowd == w.crowd);
      CHECK(g.x0 == Approx(w.x0).margin(1e-3));
      CHECK(g.y0 == Approx(w.y0).margin(1e-3));
      CHECK(g.x1 == Approx(w.x1).margin(1e-3));
      CHECK(g.y1 == Approx(w.y1).margin(1e-3));
      CHECK(g.area == Approx(w.area).epsilon(1e-4));
    }
  }
  CHECK(objects > 400);

  // Without declared classes, the names in alphabetical order.
  voc_spec.classes.clear();
  const LoadedDataset sorted = load_dataset(voc_spec);
  REQUIRE(sorted.report.ok());
  CHECK(std::is_sorted(sorted.classes.begin(), sorted.classes.end()));
  CHECK(sorted.classes.size() == want.classes.size());
}

TEST_CASE("voc: bad files and objects are skipped with their reasons, a folder that is not VOC is E0820", "[data][voc]") {
  TempDir t;
  const std::string image = "scene_00000.jpg";
  auto write = [&](const std::string &name, const std::string &text) { std::ofstream(t.path / "xml" / name) << text; };
  write("a.xml", "<annotation><filename>" + image +
                     "</filename><size><width>128</width><height>128</height></size>"
                     "<object><name>bag</name><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>10</xmax><ymax>20</ymax></bndbox></object>"
                     "<object><bndbox><xmin>1</xmin><ymin>1</ymin><xmax>10</xmax><ymax>20</ymax></bndbox></object>"
                     "<object><name>bag</name></object>"
                     "<object><name>bag</name><bndbox><xmin>one</xmin><ymin>1</ymin><xmax>10</xmax><ymax>20</ymax></bndbox></object>"
                     "<object><name>bag</name><bndbox><xmin>100</xmin><ymin>1</ymin><xmax>200</xmax><ymax>20</ymax></bndbox></object>"
                     "</annotation>");
  write("b.xml", "<annotation><filename>scene_00001.jpg</filename>");  // cut short
  write("c.xml", "<annotation><size><width>128</width></size></annotation>");
  write("notes.txt", "not an annotation");
  DatasetSpec spec = spec_of(SourceKind::Voc, t.path / "xml", scenes_dir() + "/images");
  LoadedDataset d = load_dataset(spec);
  REQUIRE(d.report.ok());
  REQUIRE(d.size() == 1);
  REQUIRE(d.objects[0].size() == 1);
  CHECK(d.objects[0][0].x0 == Approx(0));  // xmin 1 is the first pixel: x 0 to 10, at 96/128
  CHECK(d.objects[0][0].x1 == Approx(10 * 96.0 / 128));
  CHECK(d.objects[0][0].area == Approx(10 * 20));
  CHECK(skipped_with(d, "a.xml: object 2", "no <name>"));
  CHECK(skipped_with(d, "a.xml: object 3", "no <bndbox>"));
  CHECK(skipped_with(d, "a.xml: object 4", "<xmin> is not a number"));
  CHECK(skipped_with(d, "a.xml: object 5", "outside its 128x128 image"));
  CHECK(skipped_with(d, "b.xml", "not valid XML"));
  CHECK(skipped_with(d, "c.xml", "no <annotation> with a <filename>"));
  CHECK(d.report.skipped.size() == 6);

  auto reason = [&](const fs::path &annotations) {
    spec.annotations = annotations.string();
    LoadedDataset bad = load_dataset(spec);
    REQUIRE(bad.report.errors.size() == 1);
    CHECK(std::string("[") + diagnostic_info(bad.report.errors[0].id).code + "]" == "[E0820]");
    return bad.report.errors[0].args.at(1);
  };
  CHECK(reason(t.path / "gone") == "there is no such folder");
  CHECK(reason(t.path / "xml" / "a.xml") == "it is not a folder of XML files");
  fs::create_directories(t.path / "empty");
  CHECK(reason(t.path / "empty") == "it holds no .xml file");
}
