// `edlc predict PACKAGE IMAGE...`: classifies image files, finds the
// objects in them, or writes their label maps, with a deploy package alone
// (its TorchScript module and preprocessing).
#include "Commands.h"
#include "tools/edlc/Errors.h"

#include "compiler/support/JsonText.h"
#include "runtime/deploy/Predictor.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <iostream>
#include <iterator>

namespace edl::cli {
namespace {

// A detector's answer: one line per object (box in the image's pixels,
// x0 y0 x1 y1), or one JSON entry with all of them.
void print_objects(const std::string &file, const deploy::Predicted &r, bool json, nlohmann::json &all) {
  if (json) {
    nlohmann::json objects = nlohmann::json::array();
    for (const deploy::Detection &d : r.objects)
      objects.push_back(deploy::to_json(d));
    all.push_back({{"file", file}, {"objects", objects}});
    return;
  }
  if (r.objects.empty()) std::printf("%s  no objects\n", file.c_str());
  for (const deploy::Detection &d : r.objects)
    std::printf("%s  %s %.4f  box %.1f %.1f %.1f %.1f\n", file.c_str(), d.label.c_str(), d.score, d.box[0], d.box[1],
                d.box[2], d.box[3]);
}

// A segmenter's answer: the label map as an 8-bit PNG of class indices in
// `dir` (STEM.mask.png; a second image of the same stem gets STEM-2...),
// and the share of the image each class covers. False when the PNG cannot
// be written.
bool write_mask(const std::string &file, const deploy::Predicted &r, const std::vector<std::string> &classes,
                const std::string &dir, std::set<std::string> &written, bool json, nlohmann::json &all) {
  namespace fs = std::filesystem;
  const std::string stem = fs::path(file).stem().string();
  std::string name = stem + ".mask.png";
  for (int n = 2; written.count(name); ++n) name = stem + "-" + std::to_string(n) + ".mask.png";
  written.insert(name);
  const std::string path = (fs::path(dir) / name).string();
  std::vector<std::uint8_t> png;
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::ofstream out(path, std::ios::binary);
  if (!data::encode_label_map(r.mask, png) || !out.write(reinterpret_cast<const char *>(png.data()), static_cast<std::streamsize>(png.size()))) {
    report_error() << file << ": cannot write its mask to " << path;
    return false;
  }
  nlohmann::json areas = deploy::areas_json(r, classes);
  if (json) {
    areas["file"] = file;
    areas["mask"] = path;
    all.push_back(areas);
    return true;
  }
  std::printf("%s  mask %s  %dx%d", file.c_str(), path.c_str(), r.mask.width, r.mask.height);
  for (const nlohmann::json &a : areas["areas"])
    std::printf("  %s %.1f%%", a["label"].get<std::string>().c_str(), 100 * a["share"].get<double>());
  std::printf("\n");
  return true;
}

}  // namespace

int run_predict(const PredictOptions &opts) {
  std::string error;
  auto predictor = deploy::Predictor::open(opts.package, error, opts.edge);
  if (!predictor) {
    report_error() << error;
    return kUserError;
  }
  std::vector<std::vector<std::uint8_t>> images;
  std::vector<bool> unreadable;
  for (const std::string &file : opts.images) {
    std::ifstream in(file, std::ios::binary);
    unreadable.push_back(!in);
    images.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  const std::vector<std::string> classes = predictor->manifest().value("classes", std::vector<std::string>());
  std::set<std::string> masks_written;
  // Batches of 64 keep memory flat however many files are named.
  nlohmann::json all = nlohmann::json::array();
  bool failed = false;
  for (std::size_t start = 0; start < images.size(); start += 64) {
    std::vector<std::vector<std::uint8_t>> batch(images.begin() + static_cast<long>(start),
                                                 images.begin() + static_cast<long>(std::min(images.size(), start + 64)));
    std::vector<deploy::Predicted> results = predictor->predict(batch, opts.top);
    for (std::size_t i = 0; i < results.size(); ++i) {
      const std::string &file = opts.images[start + i];
      deploy::Predicted &r = results[i];
      if (unreadable[start + i]) r.error = "cannot be read (no such file, or no permission)";
      if (!r.error.empty()) {
        failed = true;
        report_error() << file << ": " << r.error;
        if (opts.json) all.push_back({{"file", file}, {"error", r.error}});
        continue;
      }
      if (predictor->detects()) {
        print_objects(file, r, opts.json, all);
      } else if (predictor->segments()) {
        failed = !write_mask(file, r, classes, opts.masks, masks_written, opts.json, all) || failed;
      } else if (opts.json) {
        nlohmann::json top = nlohmann::json::array();
        for (const deploy::Prediction &p : r.top) top.push_back({{"label", p.label}, {"index", p.index}, {"score", p.score}});
        all.push_back({{"file", file}, {"top", top}});
      } else {
        std::printf("%s", file.c_str());
        for (const deploy::Prediction &p : r.top) std::printf("  %s %.4f", p.label.c_str(), p.score);
        std::printf("\n");
      }
    }
  }
  if (opts.json) std::cout << json_text(all, 2) << "\n";
  return failed ? kUserError : kOk;
}

}  // namespace edl::cli
