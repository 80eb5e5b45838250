// mask_folder(images, masks): images paired by file stem with label-map PNGs
// (LabelMap.h) of the same size, one class index per pixel; `ignore_index`
// marks pixels that are no class (borders, unlabelled). Classes are the
// dataset's `classes` in index order, or "0".."K" for the largest index
// seen. Masks are resized with the image by nearest neighbour, never
// blended: an index between two classes would be a third class.
#include "compiler/support/Hash.h"
#include "runtime/data/LabelMap.h"
#include "runtime/data/Loaders.h"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

namespace edl::data {
namespace {

namespace fs = std::filesystem;

// Files of a flat folder by stem: images of any readable kind, or PNGs.
std::map<std::string, fs::path> files_by_stem(const std::string &folder, const std::vector<std::string> &extensions,
                                              DataReport &report) {
  std::map<std::string, fs::path> out;
  std::error_code ec;
  for (const fs::directory_entry &e : fs::directory_iterator(folder, ec)) {
    const std::string name = e.path().filename().string();
    std::string ext = e.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    if (name.empty() || name[0] == '.' || !e.is_regular_file(ec) ||
        std::find(extensions.begin(), extensions.end(), ext) == extensions.end()) {
      ++report.ignored;
      continue;
    }
    out.emplace(e.path().stem().string(), e.path());
  }
  return out;
}

// The class a split stratifies an image by: its most frequent class other
// than the first (background, usually), or the first when it shows only that.
int dominant_class(const std::array<std::int64_t, 256> &counts, int classes) {
  int best = 0;
  std::int64_t most = 0;
  for (int k = 1; k < std::min(classes, 256); ++k)
    if (counts[static_cast<std::size_t>(k)] > most) best = k, most = counts[static_cast<std::size_t>(k)];
  return best;
}

}  // namespace

void load_masks(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  std::error_code ec;
  if (!fs::is_directory(spec.annotations, ec)) {
    const char *why = fs::exists(spec.annotations) ? "it is not a folder of PNG label maps" : "there is no such folder";
    out.report.errors.push_back({DiagId::AnnotationsUnusable, {spec.annotations, why}, {}});
    return;
  }
  const std::map<std::string, fs::path> images = files_by_stem(spec.path, image_extensions(), out.report);
  std::map<std::string, fs::path> masks = files_by_stem(spec.annotations, {".png"}, out.report);
  const int declared = static_cast<int>(spec.classes.size());
  out.channels = spec.channels;
  out.width = spec.width;
  out.height = spec.height;
  out.ignore_index = spec.ignore_index;
  int largest = -1;  // the largest class index seen (no classes declared)
  for (const auto &[stem, image_path] : images) {
    const std::string image_file = image_path.string();
    auto partner = masks.find(stem);
    if (partner == masks.end()) {
      if (!bad_sample(spec, out.report, image_file, "no mask " + stem + ".png in " + spec.annotations)) return;
      continue;
    }
    const std::string mask_file = partner->second.string();
    masks.erase(partner);
    std::vector<std::uint8_t> image_bytes, mask_bytes;
    if (!read_bytes(image_file, image_bytes)) {
      if (!bad_sample(spec, out.report, image_file, "cannot be read")) return;
      continue;
    }
    LabelMap mask;
    std::string why = read_bytes(mask_file, mask_bytes) ? decode_label_map(mask_bytes, mask) : "cannot be read";
    if (!why.empty()) {
      if (!bad_sample(spec, out.report, mask_file, why)) return;
      continue;
    }
    // Every value a class or ignore_index.
    std::array<std::int64_t, 256> counts{};
    for (std::uint8_t v : mask.values) ++counts[v];
    for (int v = 0; v < 256 && why.empty(); ++v)
      if (counts[static_cast<std::size_t>(v)] && v != spec.ignore_index && declared && v >= declared)
        why = "holds the value " + std::to_string(v) + ", which is no class (" + std::to_string(declared) +
              " classes declared, ignore_index " + std::to_string(spec.ignore_index) + ")";
    if (!why.empty()) {
      if (!bad_sample(spec, out.report, mask_file, why)) return;
      continue;
    }
    const std::string key = content_hash(std::string_view(reinterpret_cast<const char *>(image_bytes.data()), image_bytes.size()));
    std::pair<int, int> stored;
    const std::size_t pixels_before = out.pixels.size();
    if (std::string bad = load_one_image(spec, cache, image_bytes, key, out, stored); !bad.empty()) {
      if (!bad_sample(spec, out.report, image_file, bad)) return;
      continue;
    }
    if (stored.first != 0 && (stored.first != mask.width || stored.second != mask.height)) {
      out.pixels.resize(pixels_before);
      if (!bad_sample(spec, out.report, mask_file,
                      "is " + std::to_string(mask.width) + "x" + std::to_string(mask.height) + ", its image is " +
                          std::to_string(stored.first) + "x" + std::to_string(stored.second)))
        return;
      continue;
    }
    cv::Mat m(mask.height, mask.width, CV_8UC1, mask.values.data());
    if (mask.width != out.width || mask.height != out.height) {
      cv::Mat resized;
      cv::resize(m, resized, cv::Size(out.width, out.height), 0, 0, cv::INTER_NEAREST);
      m = resized;
    }
    out.masks.insert(out.masks.end(), m.data, m.data + static_cast<std::size_t>(out.width) * out.height);
    for (int v = 0; v < 256; ++v)
      if (counts[static_cast<std::size_t>(v)] && v != spec.ignore_index) largest = std::max(largest, v);
    out.labels.push_back(dominant_class(counts, declared ? declared : 256));
    out.sources.push_back(image_file);
  }
  for (const auto &[stem, mask_path] : masks)
    if (!bad_sample(spec, out.report, mask_path.string(), "no image named " + stem + " in " + spec.path)) return;
  out.classes = spec.classes;
  for (int k = static_cast<int>(out.classes.size()); k <= largest; ++k) out.classes.push_back(std::to_string(k));
}

}  // namespace edl::data
