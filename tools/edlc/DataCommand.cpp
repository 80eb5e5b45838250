// `edlc data FILE`: loads a project's datasets as a run would, and shows
// classes, split sizes, what was skipped and why, and what the cache held.
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"

#include "compiler/support/JsonText.h"
#include "runtime/data/Dataset.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <iostream>

namespace edl::cli {
namespace {

std::string count(std::size_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return s;
}

const char *kind_word(const data::DatasetSpec &spec) {
  switch (spec.source) {
    case data::SourceKind::Csv: return "rows";
    case data::SourceKind::AudioFolder: return "clips";
    default: return "images";
  }
}

// Detection data: objects per class in each split, and by size as COCO
// counts them (area below 32x32 small, below 96x96 medium, else large, in
// the stored image's pixels); crowd regions apart.
struct ObjectCounts {
  std::array<std::size_t, 3> split{};  // train, val, test
  std::array<std::size_t, 3> size{};   // small, medium, large
  std::size_t crowd = 0;
};

std::vector<ObjectCounts> object_counts(const data::LoadedDataset &d) {
  std::vector<ObjectCounts> per(d.classes.size());
  const std::vector<std::size_t> *splits[3] = {&d.split.train, &d.split.val, &d.split.test};
  for (int s = 0; s < 3; ++s)
    for (std::size_t i : *splits[s])
      for (const data::Object &o : d.objects[i]) {
        ObjectCounts &c = per[static_cast<std::size_t>(o.label)];
        if (o.crowd) {
          ++c.crowd;
          continue;
        }
        ++c.split[static_cast<std::size_t>(s)];
        ++c.size[o.area < 32 * 32 ? 0 : o.area < 96 * 96 ? 1 : 2];
      }
  return per;
}

// Segmentation data: each class's pixels in each split, and the images
// that show it; pixels of ignore_index apart.
struct PixelCounts {
  std::vector<std::array<std::uint64_t, 3>> pixels;  // per class: train, val, test
  std::vector<std::size_t> images;                   // per class
  std::array<std::uint64_t, 3> labelled{}, ignored{};
};

PixelCounts pixel_counts(const data::LoadedDataset &d) {
  PixelCounts out;
  out.pixels.resize(d.classes.size());
  out.images.resize(d.classes.size());
  const std::size_t plane = static_cast<std::size_t>(d.width) * d.height;
  const std::vector<std::size_t> *splits[3] = {&d.split.train, &d.split.val, &d.split.test};
  for (int s = 0; s < 3; ++s)
    for (std::size_t i : *splits[s]) {
      std::vector<std::uint64_t> here(256, 0);
      for (std::size_t p = 0; p < plane; ++p) ++here[d.masks[i * plane + p]];
      for (std::size_t c = 0; c < d.classes.size(); ++c) {
        out.pixels[c][static_cast<std::size_t>(s)] += here[c];
        out.labelled[static_cast<std::size_t>(s)] += here[c];
        out.images[c] += here[c] > 0;
      }
      out.ignored[static_cast<std::size_t>(s)] += here[static_cast<std::size_t>(d.ignore_index)];
    }
  return out;
}

std::string share(std::uint64_t part, std::uint64_t whole) {
  char buf[16];
  std::snprintf(buf, sizeof buf, whole ? "%.2f%%" : "-", whole ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0);
  return buf;
}

void print_pixels(const data::LoadedDataset &d, std::size_t width) {
  const PixelCounts per = pixel_counts(d);
  const std::uint64_t ignored = per.ignored[0] + per.ignored[1] + per.ignored[2];
  const std::uint64_t all = ignored + per.labelled[0] + per.labelled[1] + per.labelled[2];
  std::printf("  label maps: %s pixels, %s of them ignored (value %d)\n", count(all).c_str(), share(ignored, all).c_str(),
              d.ignore_index);
  std::printf("  %-*s %8s %8s %8s %8s\n", static_cast<int>(width), "pixels", "train", "val", "test", "images");
  for (std::size_t c = 0; c < d.classes.size(); ++c)
    std::printf("  %-*s %8s %8s %8s %8zu\n", static_cast<int>(width), d.classes[c].c_str(),
                share(per.pixels[c][0], per.labelled[0]).c_str(), share(per.pixels[c][1], per.labelled[1]).c_str(),
                share(per.pixels[c][2], per.labelled[2]).c_str(), per.images[c]);
  std::fflush(stdout);
}

void print_objects(const data::LoadedDataset &d, std::size_t width) {
  const std::vector<ObjectCounts> per = object_counts(d);
  std::size_t total = 0, crowd = 0;
  for (const ObjectCounts &c : per) {
    total += c.split[0] + c.split[1] + c.split[2];
    crowd += c.crowd;
  }
  std::printf("  %s objects (%.1f an image)%s\n", count(total).c_str(),
              d.size() ? static_cast<double>(total) / static_cast<double>(d.size()) : 0.0,
              crowd ? (", " + count(crowd) + " crowd regions").c_str() : "");
  std::printf("  %-*s %8s %8s %8s %8s %8s %8s\n", static_cast<int>(width), "objects", "train", "val", "test", "small",
              "medium", "large");
  for (std::size_t c = 0; c < d.classes.size(); ++c)
    std::printf("  %-*s %8zu %8zu %8zu %8zu %8zu %8zu\n", static_cast<int>(width), d.classes[c].c_str(),
                per[c].split[0], per[c].split[1], per[c].split[2], per[c].size[0], per[c].size[1], per[c].size[2]);
  std::fflush(stdout);
}

void print_text(const data::DatasetSpec &spec, const data::LoadedDataset &d, const SourceManager &sm) {
  std::cout << "dataset '" << spec.name << "': ";
  if (!d.report.ok()) {
    std::cout << "cannot be loaded\n";
  } else {
    std::cout << count(d.size()) << " " << kind_word(spec) << " in " << d.classes.size() << " classes from "
              << spec.path;
    if (spec.source == data::SourceKind::ImageFolder || spec::has_boxes(spec.source) || spec::has_masks(spec.source))
      std::cout << " (" << d.width << "x" << d.height << ", " << d.channels << " channel(s))";
    if (spec.source == data::SourceKind::AudioFolder)
      std::cout << " (" << spec.sample_rate << " Hz, " << d.samples_per_clip << " samples a clip)";
    std::cout << "\n  split (seed " << spec.seed << (spec.stratify ? ", stratified" : "") << "): train "
              << count(d.split.train.size()) << ", val " << count(d.split.val.size()) << ", test "
              << count(d.split.test.size()) << "\n";
    const bool detection = spec::has_boxes(spec.source);
    std::size_t width = detection ? 7 : 5;  // the header's word: "objects", "class"
    for (const std::string &c : d.classes) width = std::max(width, c.size());
    if (detection) {
      print_objects(d, width);
    } else if (spec::has_masks(spec.source)) {
      print_pixels(d, width);
    } else {
      std::vector<std::array<std::size_t, 3>> per(d.classes.size(), {0, 0, 0});
      for (std::size_t i : d.split.train) ++per[static_cast<std::size_t>(d.labels[i])][0];
      for (std::size_t i : d.split.val) ++per[static_cast<std::size_t>(d.labels[i])][1];
      for (std::size_t i : d.split.test) ++per[static_cast<std::size_t>(d.labels[i])][2];
      std::printf("  %-*s %8s %8s %8s\n", static_cast<int>(width), "class", "train", "val", "test");
      std::fflush(stdout);
      for (std::size_t c = 0; c < d.classes.size(); ++c)
        std::printf("  %-*s %8zu %8zu %8zu\n", static_cast<int>(width), d.classes[c].c_str(), per[c][0], per[c][1], per[c][2]);
      std::fflush(stdout);
    }
    if (spec.source != data::SourceKind::Csv)
      std::cout << "  decoded " << count(d.report.decoded) << ", from the cache " << count(d.report.from_cache) << "\n";
  }
  if (d.report.ignored) std::cout << "  ignored " << d.report.ignored << " file(s) that are not samples\n";
  for (const std::string &line : data::skipped_summary(d.report, 5)) std::cout << "  " << line << "\n";
  for (const std::string &w : d.report.warnings) std::cout << "  warning: " << w << "\n";
  DiagnosticEngine diags;
  data::report_errors(d.report, spec.path_range, diags);
  if (diags.error_count() > 0)
    print_diagnostics(diags.diagnostics(), sm, OutputFormat::Text, ColorMode::Auto, diags.error_count(), 0);
}

nlohmann::json to_json(const data::DatasetSpec &spec, const data::LoadedDataset &d) {
  nlohmann::json skipped = nlohmann::json::array();
  for (const data::Skipped &s : d.report.skipped) skipped.push_back({{"source", s.source}, {"reason", s.reason}});
  nlohmann::json errors = nlohmann::json::array();
  for (const data::DataError &e : d.report.errors)
    errors.push_back({{"code", diagnostic_info(e.id).code}, {"message", e.message()}});
  nlohmann::json out = {{"dataset", spec.name},
          {"ok", d.report.ok()},
          {"path", spec.path},
          {"samples", d.size()},
          {"classes", d.classes},
          {"split", {{"train", d.split.train.size()}, {"val", d.split.val.size()}, {"test", d.split.test.size()}}},
          {"decoded", d.report.decoded},
          {"from_cache", d.report.from_cache},
          {"ignored", d.report.ignored},
          {"skipped", skipped},
          {"warnings", d.report.warnings},
          {"errors", errors}};
  if (spec::has_boxes(spec.source) && d.report.ok()) {
    nlohmann::json objects = nlohmann::json::object();
    const std::vector<ObjectCounts> per = object_counts(d);
    for (std::size_t c = 0; c < d.classes.size(); ++c)
      objects[d.classes[c]] = {{"train", per[c].split[0]}, {"val", per[c].split[1]}, {"test", per[c].split[2]},
                               {"small", per[c].size[0]}, {"medium", per[c].size[1]}, {"large", per[c].size[2]},
                               {"crowd", per[c].crowd}};
    out["objects"] = objects;
  }
  if (spec::has_masks(spec.source) && d.report.ok()) {
    const PixelCounts per = pixel_counts(d);
    nlohmann::json pixels = nlohmann::json::object();
    for (std::size_t c = 0; c < d.classes.size(); ++c)
      pixels[d.classes[c]] = {{"train", per.pixels[c][0]}, {"val", per.pixels[c][1]}, {"test", per.pixels[c][2]},
                              {"images", per.images[c]}};
    out["pixels"] = pixels;
    out["ignored_pixels"] = per.ignored[0] + per.ignored[1] + per.ignored[2];
    out["ignore_index"] = d.ignore_index;
  }
  return out;
}

}  // namespace

int run_data(const DataOptions &opts) {
  auto in = load_checked(opts.file, ColorMode::Auto);
  if (!in) return kUserError;
  for (const std::string &name : opts.datasets)
    if (!in->specs.dataset(name)) {
      report_error() << "the project has no dataset '" << name << "'";
      return kUserError;
    }
  bool ok = true;
  nlohmann::json all = nlohmann::json::array();
  for (const data::DatasetSpec &spec : in->specs.datasets) {
    if (!opts.datasets.empty() && std::find(opts.datasets.begin(), opts.datasets.end(), spec.name) == opts.datasets.end())
      continue;
    DiagnosticEngine diags;
    if (data::report_missing_folder(spec, diags)) {
      print_diagnostics(diags.diagnostics(), in->sm, OutputFormat::Text, ColorMode::Auto, 1, 0);
      ok = false;
      continue;
    }
    data::LoadedDataset loaded = data::load_dataset(spec, {!opts.no_cache});
    ok = ok && loaded.report.ok();
    if (!opts.files.empty()) {  // the files of one split, as the run splits them
      const auto &split = opts.files == "train" ? loaded.split.train : opts.files == "val" ? loaded.split.val
                                                                                          : loaded.split.test;
      for (std::size_t i : split) std::cout << loaded.sources[i] << "\n";
      continue;
    }
    if (opts.format == OutputFormat::Json) all.push_back(to_json(spec, loaded));
    else print_text(spec, loaded, in->sm);
  }
  if (opts.format == OutputFormat::Json && opts.files.empty()) std::cout << json_text(all, 2) << "\n";
  return ok ? kOk : kUserError;
}

}  // namespace edl::cli
