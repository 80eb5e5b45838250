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

void print_text(const data::DatasetSpec &spec, const data::LoadedDataset &d, const SourceManager &sm) {
  std::cout << "dataset '" << spec.name << "': ";
  if (!d.report.ok()) {
    std::cout << "cannot be loaded\n";
  } else {
    std::cout << count(d.size()) << " " << kind_word(spec) << " in " << d.classes.size() << " classes from "
              << spec.path;
    if (spec.source == data::SourceKind::ImageFolder)
      std::cout << " (" << d.width << "x" << d.height << ", " << d.channels << " channel(s))";
    if (spec.source == data::SourceKind::AudioFolder)
      std::cout << " (" << spec.sample_rate << " Hz, " << d.samples_per_clip << " samples a clip)";
    std::cout << "\n  split (seed " << spec.seed << (spec.stratify ? ", stratified" : "") << "): train "
              << count(d.split.train.size()) << ", val " << count(d.split.val.size()) << ", test "
              << count(d.split.test.size()) << "\n";
    std::vector<std::array<std::size_t, 3>> per(d.classes.size(), {0, 0, 0});
    for (std::size_t i : d.split.train) ++per[static_cast<std::size_t>(d.labels[i])][0];
    for (std::size_t i : d.split.val) ++per[static_cast<std::size_t>(d.labels[i])][1];
    for (std::size_t i : d.split.test) ++per[static_cast<std::size_t>(d.labels[i])][2];
    std::size_t width = 5;
    for (const std::string &c : d.classes) width = std::max(width, c.size());
    std::printf("  %-*s %8s %8s %8s\n", static_cast<int>(width), "class", "train", "val", "test");
    std::fflush(stdout);
    for (std::size_t c = 0; c < d.classes.size(); ++c)
      std::printf("  %-*s %8zu %8zu %8zu\n", static_cast<int>(width), d.classes[c].c_str(), per[c][0], per[c][1], per[c][2]);
    std::fflush(stdout);
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
  return {{"dataset", spec.name},
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
