// coco(annotations, images): a COCO detection file (images, annotations with
// bbox [x, y, w, h], categories, iscrowd) and the folder of its images. An
// annotation that cannot be used (unknown image or category, no area, a box
// outside its image) is skipped with its reason, like a bad image; a file
// that is not COCO at all stops the load (E0820).
#include "compiler/support/Hash.h"
#include "runtime/data/Loaders.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

namespace edl::data {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A box may overhang its image by this much (rounding in other tools'
// exports) and is clipped; more is an error in the annotation.
constexpr double kOverhang = 1.0;

bool is_number(const json &j, const char *key) { return j.is_object() && j.contains(key) && j[key].is_number(); }


// The three lists COCO requires, or why the file is not COCO.
std::string check_shape(const json &root) {
  if (!root.is_object()) return "not a JSON object";
  for (const char *key : {"images", "annotations", "categories"})
    if (!root.contains(key) || !root[key].is_array()) return std::string("no '") + key + "' list";
  return "";
}

struct Category {
  int index = -1;  // class index, -1: not among the declared classes
  std::string name;
};

// Category id -> class, in the declared order or else by category id.
// Returns why the categories cannot be used, or "".
std::string read_categories(const json &list, const DatasetSpec &spec, std::map<long long, Category> &out,
                            std::vector<std::string> &classes, DataReport &report) {
  std::set<std::string> names;
  for (const json &c : list) {
    if (!is_number(c, "id") || !c.contains("name") || !c["name"].is_string())
      return "a category without a numeric 'id' and a 'name': " + c.dump();
    const std::string name = c["name"].get<std::string>();
    if (!names.insert(name).second) return "two categories are named '" + name + "'";
    if (out.count(c["id"].get<long long>())) return "two categories have id " + std::to_string(c["id"].get<long long>());
    out[c["id"].get<long long>()] = {-1, name};
  }
  if (spec.classes.empty()) {
    for (auto &[id, category] : out) {  // std::map: by id
      category.index = static_cast<int>(classes.size());
      classes.push_back(category.name);
    }
    return "";
  }
  classes = spec.classes;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto &c) { return c.second.name == classes[k]; });
    if (it == out.end()) report.errors.push_back({DiagId::DeclaredClassNotCategory, {classes[k], spec.annotations}, {}});
    else it->second.index = static_cast<int>(k);
  }
  return "";
}

struct Image {
  std::string file;
  int width = 0, height = 0;  // as the JSON states them; 0 when it does not
  std::vector<json> annotations;
};

// The box of one annotation in its image's stored pixels, or why not.
std::string box_of(const json &a, const Image &image, double box[4]) {
  if (!a.contains("bbox") || !a["bbox"].is_array() || a["bbox"].size() != 4)
    return "no bbox [x, y, width, height]";
  for (int k = 0; k < 4; ++k) {
    if (!a["bbox"][k].is_number()) return "a bbox value is not a number";
    box[k] = a["bbox"][k].get<double>();
  }
  if (!(box[2] > 0) || !(box[3] > 0)) return "zero area (bbox " + a["bbox"].dump() + ")";
  double x0 = box[0], y0 = box[1], x1 = box[0] + box[2], y1 = box[1] + box[3];
  if (x0 < -kOverhang || y0 < -kOverhang || x1 > image.width + kOverhang || y1 > image.height + kOverhang)
    return "box " + a["bbox"].dump() + " outside its " + std::to_string(image.width) + "x" +
           std::to_string(image.height) + " image";
  x0 = std::max(0.0, x0);
  y0 = std::max(0.0, y0);
  x1 = std::min<double>(image.width, x1);
  y1 = std::min<double>(image.height, y1);
  if (x1 <= x0 || y1 <= y0) return "zero area inside its image (bbox " + a["bbox"].dump() + ")";
  box[0] = x0;
  box[1] = y0;
  box[2] = x1;
  box[3] = y1;
  return "";
}

}  // namespace

void load_coco(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  std::vector<std::uint8_t> bytes;
  if (!read_bytes(spec.annotations, bytes)) {
    const char *why = fs::exists(spec.annotations) ? "it cannot be read" : "there is no such file";
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, why}, {}});
    return;
  }
  json root = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (root.is_discarded()) {
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, "it is not valid JSON"}, {}});
    return;
  }
  const std::string where = fs::path(spec.annotations).filename().string();
  // A skipped annotation is named by its id, or whole when it has none.
  load_coco_document(root, where, [&](const json &a) {
    return where + ": annotation " + (is_number(a, "id") ? a["id"].dump() : a.dump());
  }, spec, cache, out);
}

void load_coco_document(const json &root, const std::string &where, const AnnotationNamer &annotation_entry,
                        const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  if (std::string why = check_shape(root); !why.empty()) {
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, why}, {}});
    return;
  }
  std::map<long long, Category> categories;
  if (std::string why = read_categories(root["categories"], spec, categories, out.classes, out.report); !why.empty()) {
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, why}, {}});
    return;
  }
  if (!out.report.ok()) return;

  // Images by id, in the file's order.
  std::vector<long long> order;
  std::map<long long, Image> images;
  for (std::size_t k = 0; k < root["images"].size(); ++k) {
    const json &im = root["images"][k];
    const std::string entry = where + ": image entry " + std::to_string(k + 1);
    if (!is_number(im, "id") || !im.contains("file_name") || !im["file_name"].is_string()) {
      if (!bad_sample(spec, out.report, entry, "no numeric 'id' and 'file_name'")) return;
      continue;
    }
    const long long id = im["id"].get<long long>();
    if (images.count(id)) {
      if (!bad_sample(spec, out.report, entry, "image id " + std::to_string(id) + " given twice")) return;
      continue;
    }
    Image image;
    image.file = (fs::path(spec.path) / im["file_name"].get<std::string>()).string();
    if (is_number(im, "width") && is_number(im, "height")) {
      image.width = im["width"].get<int>();
      image.height = im["height"].get<int>();
    }
    images[id] = std::move(image);
    order.push_back(id);
  }
  for (const json &a : root["annotations"]) {
    const std::string entry = annotation_entry(a);
    if (!is_number(a, "image_id") || !images.count(a["image_id"].get<long long>())) {
      if (!bad_sample(spec, out.report, entry, "unknown image id")) return;
      continue;
    }
    if (!is_number(a, "category_id") || !categories.count(a["category_id"].get<long long>())) {
      if (!bad_sample(spec, out.report, entry, "unknown category id")) return;
      continue;
    }
    // Not a sample problem: the project chose to leave this category out.
    if (categories[a["category_id"].get<long long>()].index < 0) continue;
    images[a["image_id"].get<long long>()].annotations.push_back(a);
  }

  out.channels = spec.channels;
  out.width = spec.width;
  out.height = spec.height;
  for (long long id : order) {
    Image &image = images[id];
    std::vector<std::uint8_t> file_bytes;
    if (!read_bytes(image.file, file_bytes)) {
      if (!bad_sample(spec, out.report, image.file, fs::exists(image.file) ? "cannot be read" : "no such file")) return;
      continue;
    }
    const std::string key = content_hash(std::string_view(reinterpret_cast<const char *>(file_bytes.data()), file_bytes.size()));
    std::pair<int, int> stored;
    const std::size_t pixels_before = out.pixels.size();
    if (std::string why = load_one_image(spec, cache, file_bytes, key, out, stored); !why.empty()) {
      if (!bad_sample(spec, out.report, image.file, why)) return;
      continue;
    }
    if (stored.first == 0) stored = {image.width, image.height};  // a format whose header we do not read
    if (image.width && (image.width != stored.first || image.height != stored.second)) {
      out.pixels.resize(pixels_before);
      if (!bad_sample(spec, out.report, image.file,
                      "the annotations say " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                          ", the file is " + std::to_string(stored.first) + "x" + std::to_string(stored.second)))
        return;
      continue;
    }
    image.width = stored.first;
    image.height = stored.second;
    const double sx = static_cast<double>(out.width) / image.width, sy = static_cast<double>(out.height) / image.height;
    std::vector<Object> objects;
    for (const json &a : image.annotations) {
      double box[4];
      if (std::string why = box_of(a, image, box); !why.empty()) {
        if (!bad_sample(spec, out.report, annotation_entry(a), why))
          return;
        continue;
      }
      Object o;
      o.x0 = static_cast<float>(box[0] * sx);
      o.y0 = static_cast<float>(box[1] * sy);
      o.x1 = static_cast<float>(box[2] * sx);
      o.y1 = static_cast<float>(box[3] * sy);
      o.label = categories[a["category_id"].get<long long>()].index;
      o.area = static_cast<float>(is_number(a, "area") && a["area"].get<double>() > 0 ? a["area"].get<double>()
                                                                                      : (box[2] - box[0]) * (box[3] - box[1]));
      o.crowd = is_number(a, "iscrowd") && a["iscrowd"].get<int>() != 0;
      objects.push_back(o);
    }
    // The split stratifies by each image's largest object (an image of no
    // object goes with the first class).
    int label = 0;
    float largest = -1;
    for (const Object &o : objects)
      if (!o.crowd && o.area > largest) {
        largest = o.area;
        label = o.label;
      }
    out.labels.push_back(label);
    out.sources.push_back(image.file);
    out.objects.push_back(std::move(objects));
    out.original_sizes.push_back({image.width, image.height});
  }
}

}  // namespace edl::data
