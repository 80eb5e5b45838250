// voc(annotations, images): a folder of Pascal VOC XML files (one per
// image: <filename>, <size>, and an <object> per box with <name>,
// <difficult> and <bndbox> xmin ymin xmax ymax) and the folder of its
// images. The files are read into a COCO document and loaded by the same
// code as coco(), so both sources skip, split, augment and measure alike.
// VOC's corners are 1-based pixel indices, both ends included: the box
// [xmin, ymin, xmax, ymax] covers [xmin - 1, xmax] x [ymin - 1, ymax] in
// continuous pixel coordinates. A difficult object is a crowd region:
// neither a training target nor, at evaluation, found or missed (VOC's own
// metric ignores them). Categories are the objects' names, alphabetically,
// unless the dataset declares its classes.
#include "runtime/data/Loaders.h"

#include <nlohmann/json.hpp>
#include <tinyxml2.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace edl::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The text of a child element, or "" when there is none.
std::string child_text(const tinyxml2::XMLElement *parent, const char *name) {
  const tinyxml2::XMLElement *e = parent ? parent->FirstChildElement(name) : nullptr;
  const char *text = e ? e->GetText() : nullptr;
  return text ? text : "";
}

bool parse_number(const std::string &text, double &value) {
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    return used > 0 && text.find_first_not_of(" \t\r\n", used) == std::string::npos;
  } catch (const std::exception &) {
    return false;
  }
}

struct VocObject {
  std::string name;
  double box[4];  // xmin ymin xmax ymax, as written
  bool difficult = false;
};

// One <object>, or why it cannot be used.
std::string read_object(const tinyxml2::XMLElement *o, VocObject &out) {
  out.name = child_text(o, "name");
  if (out.name.empty()) return "no <name>";
  const tinyxml2::XMLElement *box = o->FirstChildElement("bndbox");
  if (!box) return "no <bndbox>";
  const char *corners[] = {"xmin", "ymin", "xmax", "ymax"};
  for (int k = 0; k < 4; ++k)
    if (!parse_number(child_text(box, corners[k]), out.box[k]))
      return std::string("<") + corners[k] + "> is not a number";
  out.difficult = child_text(o, "difficult") == "1";
  return "";
}

}  // namespace

void load_voc(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  std::error_code ec;
  if (!fs::is_directory(spec.annotations, ec)) {
    const char *why = fs::exists(spec.annotations) ? "it is not a folder of XML files" : "there is no such folder";
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, why}, {}});
    return;
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry &e : fs::directory_iterator(spec.annotations, ec))
    if (e.is_regular_file() && e.path().extension() == ".xml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, "it holds no .xml file"}, {}});
    return;
  }

  // Each file's image and objects; the names they use become categories.
  json images = json::array(), annotations = json::array();
  std::vector<std::string> entries;  // annotation id - 1 -> "file.xml: object n"
  std::vector<std::pair<std::size_t, VocObject>> objects;  // image index, object
  for (const fs::path &file : files) {
    const std::string name = file.filename().string();
    tinyxml2::XMLDocument doc;
    if (doc.LoadFile(file.c_str()) != tinyxml2::XML_SUCCESS) {
      if (!bad_sample(spec, out.report, name, std::string("not valid XML (") + doc.ErrorStr() + ")")) return;
      continue;
    }
    const tinyxml2::XMLElement *root = doc.FirstChildElement("annotation");
    const std::string image_file = child_text(root, "filename");
    if (!root || image_file.empty()) {
      if (!bad_sample(spec, out.report, name, "no <annotation> with a <filename>")) return;
      continue;
    }
    json image = {{"id", images.size() + 1}, {"file_name", image_file}};
    const tinyxml2::XMLElement *size = root->FirstChildElement("size");
    double width = 0, height = 0;
    if (size && parse_number(child_text(size, "width"), width) && parse_number(child_text(size, "height"), height) &&
        width > 0 && height > 0) {
      image["width"] = static_cast<int>(width);
      image["height"] = static_cast<int>(height);
    }
    int n = 0;
    for (const tinyxml2::XMLElement *o = root->FirstChildElement("object"); o; o = o->NextSiblingElement("object")) {
      const std::string entry = name + ": object " + std::to_string(++n);
      VocObject object;
      if (std::string why = read_object(o, object); !why.empty()) {
        if (!bad_sample(spec, out.report, entry, why)) return;
        continue;
      }
      entries.push_back(entry);
      objects.push_back({images.size(), object});
    }
    images.push_back(std::move(image));
  }

  std::set<std::string> names;
  for (const auto &[image, object] : objects) names.insert(object.name);
  json categories = json::array();
  std::map<std::string, int> category_id;
  for (const std::string &name : names) {
    category_id[name] = static_cast<int>(category_id.size()) + 1;
    categories.push_back({{"id", category_id[name]}, {"name", name}});
  }
  for (std::size_t k = 0; k < objects.size(); ++k) {
    const auto &[image, o] = objects[k];
    annotations.push_back({{"id", k + 1},
                           {"image_id", image + 1},
                           {"category_id", category_id[o.name]},
                           {"bbox", {o.box[0] - 1, o.box[1] - 1, o.box[2] - o.box[0] + 1, o.box[3] - o.box[1] + 1}},
                           {"iscrowd", o.difficult ? 1 : 0}});
  }
  const json document = {{"images", images}, {"annotations", annotations}, {"categories", categories}};
  load_coco_document(document, fs::path(spec.annotations).filename().string(), [&](const json &a) {
    return entries[a["id"].get<std::size_t>() - 1];
  }, spec, cache, out);
}

}  // namespace edl::data
