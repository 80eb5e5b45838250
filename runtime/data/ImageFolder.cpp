// image_folder(path): PNG, JPEG, BMP and other formats OpenCV decodes, as
// gray, RGB or RGBA, resized to image.size.
#include "runtime/data/DecodeCache.h"
#include "runtime/data/ImageHeader.h"
#include "runtime/data/Loaders.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>

namespace edl::data {

namespace fs = std::filesystem;
namespace {

// A structurally incomplete file decodes to a partly grey image in some
// codecs; catch truncation by the format's end marker instead.
std::string truncation(const std::vector<std::uint8_t> &b) {
  if (b.empty()) return "empty file";
  static const std::uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() >= 8 && std::equal(kPng, kPng + 8, b.begin())) {
    static const std::uint8_t kIend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    if (b.size() < 20 || !std::equal(kIend, kIend + 8, b.end() - 8)) return "truncated PNG (no IEND chunk)";
  } else if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) {
    std::size_t end = b.size();
    while (end > 2 && b[end - 1] == 0) --end;  // some writers pad
    if (end < 4 || b[end - 2] != 0xFF || b[end - 1] != 0xD9) return "truncated JPEG (no end-of-image marker)";
  }
  return "";
}

// Why bytes are refused before decoding: truncated, or more pixels than
// allowed by their header; "" when they may be decoded.
std::string refused(const std::vector<std::uint8_t> &b, std::uint64_t max_pixels) {
  std::string why = truncation(b);
  if (!why.empty()) return why;
  if (auto size = image_header_size(b); size && size->pixels() > max_pixels)
    return std::to_string(size->width) + "x" + std::to_string(size->height) + " is " + std::to_string(size->pixels()) +
           " pixels, more than image.max_pixels (" + std::to_string(max_pixels) + "); not decoded";
  return "";
}

// Decodes and converts to the dataset's channels and size; empty on failure.
cv::Mat decode(const std::vector<std::uint8_t> &bytes, int channels, int width, int height, ImageSize *original = nullptr) {
  if (bytes.empty()) return {};
  cv::Mat raw;
  try {
    raw = cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, const_cast<std::uint8_t *>(bytes.data())),
                       channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_UNCHANGED);
  } catch (const cv::Exception &) {
    return {};  // a decoder that gives up by throwing: the same as a corrupt file
  }
  if (raw.empty()) return raw;
  if (original) *original = {static_cast<std::uint64_t>(raw.cols), static_cast<std::uint64_t>(raw.rows)};
  if (raw.depth() != CV_8U) raw.convertTo(raw, CV_8U, raw.depth() == CV_16U ? 1.0 / 257 : 1.0);
  cv::Mat img;
  int ch = raw.channels();
  if (channels == 1)
    img = raw;
  else if (channels == 3)
    cv::cvtColor(raw, img, ch == 1 ? cv::COLOR_GRAY2RGB : ch == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
  else
    cv::cvtColor(raw, img, ch == 1 ? cv::COLOR_GRAY2RGBA : ch == 4 ? cv::COLOR_BGRA2RGBA : cv::COLOR_BGR2RGBA);
  if (width > 0 && (img.cols != width || img.rows != height)) {
    bool shrink = img.cols > width || img.rows > height;
    cv::resize(img, img, cv::Size(width, height), 0, 0, shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
  }
  return img;
}

}  // namespace

std::string decode_image(const std::vector<std::uint8_t> &bytes, int channels, int width, int height,
                         std::vector<std::uint8_t> &pixels, std::uint64_t max_pixels, ImageSize *original) {
  std::string why = refused(bytes, max_pixels);
  if (!why.empty()) return why;
  cv::Mat img = decode(bytes, channels, width, height, original);
  if (img.empty()) return "cannot decode: not an image, or corrupt";
  cv::Mat continuous = img.isContinuous() ? img : img.clone();
  pixels.assign(continuous.data, continuous.data + continuous.total() * continuous.elemSize());
  return "";
}

const std::vector<std::string> &image_extensions() {
  static const std::vector<std::string> extensions = {".png", ".jpg",  ".jpeg", ".bmp",  ".pgm",
                                                      ".ppm", ".pbm", ".tif",  ".tiff", ".webp"};
  return extensions;
}

namespace {

// Every image file under the folder, sorted, as one class.
ClassFiles unlabeled_images(const DatasetSpec &spec) {
  ClassFiles cf;
  cf.classes = {spec::kUnlabeled};
  cf.files.emplace_back();
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(spec.path, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string ext = it->path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    const auto &known = image_extensions();
    if (std::find(known.begin(), known.end(), ext) != known.end()) cf.files[0].push_back(it->path().string());
  }
  std::sort(cf.files[0].begin(), cf.files[0].end());
  return cf;
}

}  // namespace

std::string load_one_image(const DatasetSpec &spec, DecodeCache *cache, const std::vector<std::uint8_t> &bytes,
                           const std::string &key, LoadedDataset &out, std::pair<int, int> &stored) {
  std::vector<std::uint8_t> sample;
  int w = 0, h = 0;
  // Before the cache: a cached decode must not outlive a lower limit.
  if (std::string why = refused(bytes, spec.max_pixels); !why.empty()) return why;
  const auto header = image_header_size(bytes);
  stored = header ? std::pair<int, int>{static_cast<int>(header->width), static_cast<int>(header->height)}
                  : std::pair<int, int>{0, 0};
  if (const auto *hit = cache ? cache->find(key) : nullptr; hit && hit->size() >= 8) {
    // A cached entry is width and height (two uint32) and the pixels.
    std::uint32_t dims[2];
    std::memcpy(dims, hit->data(), 8);
    w = static_cast<int>(dims[0]);
    h = static_cast<int>(dims[1]);
    sample.assign(hit->begin() + 8, hit->end());
    ++out.report.from_cache;
  } else {
    cv::Mat img = decode(bytes, spec.channels, out.width, out.height);
    if (img.empty()) return "cannot decode: not an image, or corrupt";
    cv::Mat continuous = img.isContinuous() ? img : img.clone();
    w = continuous.cols;
    h = continuous.rows;
    sample.assign(continuous.data, continuous.data + continuous.total() * continuous.elemSize());
    ++out.report.decoded;
    if (cache) {
      std::vector<std::uint8_t> entry(8);
      std::uint32_t dims[2] = {static_cast<std::uint32_t>(w), static_cast<std::uint32_t>(h)};
      std::memcpy(entry.data(), dims, 8);
      entry.insert(entry.end(), sample.begin(), sample.end());
      cache->put(key, std::move(entry));
    }
  }
  if (out.width == 0) {  // no image.size: the first image sets it
    out.width = w;
    out.height = h;
  }
  if (w != out.width || h != out.height ||
      sample.size() != static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * out.channels)
    return "size " + std::to_string(w) + "x" + std::to_string(h) + " differs from " + std::to_string(out.width) + "x" +
           std::to_string(out.height) + " (set image.size to resize every image)";
  out.pixels.insert(out.pixels.end(), sample.begin(), sample.end());
  return "";
}

void load_images(const DatasetSpec &spec, DecodeCache *cache, LoadedDataset &out) {
  ClassFiles cf;
  if (spec.unlabeled) cf = unlabeled_images(spec);
  else if (!scan_class_folders(spec, image_extensions(), "images", cf, out.report)) return;
  out.classes = cf.classes;
  out.channels = spec.channels;
  out.width = spec.width;
  out.height = spec.height;
  for_each_file(
      spec, cf, out.report,
      [&](std::size_t c, const std::string &file, const std::vector<std::uint8_t> &bytes, const std::string &key) {
        std::pair<int, int> stored;
        if (std::string why = load_one_image(spec, cache, bytes, key, out, stored); !why.empty())
          return bad_sample(spec, out.report, file, why);
        out.labels.push_back(static_cast<int>(c));
        out.sources.push_back(file);
        return true;
      });
}

}  // namespace edl::data
