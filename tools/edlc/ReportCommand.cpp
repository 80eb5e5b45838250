// `edlc report FILE [RUN...] --out report.html`: one self-contained HTML page
// of a run (the newest by default) or of several compared, drawn from the
// store (runtime/report). This command adds what the store does not hold:
// the images of the most confused pairs, read from their files, and a grid
// of the augmentation each train job used, rendered by `edlc preview` when
// the project still defines it as the run had it.
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"
#include "tools/edlc/StoredRuns.h"

#include "compiler/plan/Plan.h"
#include "compiler/support/AtomicWrite.h"
#include "runtime/report/ReportPage.h"
#include "runtime/report/RunData.h"
#include "runtime/report/Svg.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace edl::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string png_uri(const cv::Mat &image) {
  std::vector<unsigned char> png;
  if (image.empty() || !cv::imencode(".png", image, png)) return "";
  return "data:image/png;base64," + report::base64(std::string(png.begin(), png.end()));
}

// A file's image at most `side` pixels on its longer side (small images
// grow by whole pixels, so digits stay crisp), as a data: URI; "" when
// it cannot be read.
std::string thumbnail(const std::string &file, int side = 64) {
  cv::Mat image = cv::imread(file, cv::IMREAD_COLOR);
  if (image.empty()) return "";
  const double scale = static_cast<double>(side) / std::max(image.cols, image.rows);
  cv::Mat small;
  cv::resize(image, small, cv::Size(std::max(1, static_cast<int>(image.cols * scale)), std::max(1, static_cast<int>(image.rows * scale))),
             0, 0, scale > 1 ? cv::INTER_NEAREST : cv::INTER_AREA);
  return png_uri(small);
}

std::string read_file(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The plan's task of `kind` for `block`, or null.
const json *plan_task(const json &plan, const std::string &kind, const std::string &block) {
  for (const json &t : report::member(plan, "tasks"))
    if (t.value("kind", std::string()) == kind && t.value("block", std::string()) == block) return &t;
  return nullptr;
}

// Each train job of the run that augments: a preview grid of its augment
// block at the values the run chose, when the project file still resolves
// the block as the run had it (else a preview would show something else).
// `current` is the project's plan now (render_plan_json, parsed).
std::vector<report::PageImages::Preview> previews(const std::string &file, const CheckedInput &in, const json &current,
                                                  const json &run) {
  std::vector<report::PageImages::Preview> out;
  for (const json &t : run["plan"].value("tasks", json::array())) {
    if (t.value("kind", std::string()) != "train" || !t["spec"].contains("augment") || t["spec"]["augment"].is_null()) continue;
    const std::string block = t.value("block", std::string());
    const spec::Train *train = nullptr;
    for (const spec::Train &x : in.specs.trains)
      if (x.name == block) train = &x;
    const json *now = plan_task(current, "train", block);
    if (!train || !train->augment || !now || (*now)["spec"].value("augment", json()) != t["spec"]["augment"]) {
      out.push_back({"train " + block + ": the project's augment block is no longer the one this run used; no preview", ""});
      continue;
    }
    PreviewOptions p;
    p.file = file;
    p.augment = train->augment->name;
    p.count = 4;
    p.variants = 5;
    p.quiet = true;
    p.native = true;  // a small PNG: the page draws its pixels large
    std::string values;
    for (const json &s : run["searches"])
      if (s.value("task", std::string()) == "trial:" + block)
        for (const auto &[name, v] : report::member(s, "best").items())
          if (v.is_number()) {
            p.sets.push_back(name + "=" + std::to_string(v.get<double>()));
            values += (values.empty() ? " at " : ", ") + name + " = " + report::tick_text(v.get<double>());
          }
    p.out = (fs::temp_directory_path() / ("edl-report-" + std::to_string(::getpid()) + "-" + block + ".png")).string();
    if (run_preview(p) != kOk) {
      out.push_back({"train " + block + ": no preview (see the error above)", ""});
      continue;
    }
    const std::string png = read_file(p.out);
    std::error_code ec;
    fs::remove(p.out, ec);
    out.push_back({"augment " + p.augment + values + " (train " + block +
                       "): each row an image, then 5 augmented variants as training draws them",
                   "data:image/png;base64," + report::base64(png)});
  }
  return out;
}

}  // namespace

int run_report(const ReportOptions &given) {
  ReportOptions opts = given;
  std::error_code ec;
  // `edlc report --store S 3 5`: the first id landed where the file goes.
  if (!opts.store.empty() && !opts.file.empty() && !fs::exists(opts.file, ec) &&
      opts.file.find_first_not_of("0123456789") == std::string::npos) {
    opts.runs.insert(opts.runs.begin(), std::stoll(opts.file));
    opts.file.clear();
  }
  if (opts.file.empty() && opts.store.empty()) {
    report_error() << "name the project file (edlc report FILE [RUN...]) or its store (--store PATH)";
    return kUsage;
  }
  std::unique_ptr<CheckedInput> in;
  std::string store_path = opts.store;
  if (!opts.file.empty()) {
    in = load_checked(opts.file, ColorMode::Auto);
    if (!in) return kUserError;
    if (store_path.empty()) store_path = in->specs.project.store;
  }
  if (!fs::exists(store_path, ec)) {
    report_error() << "no store at " << store_path << " yet: 'edlc run' creates it";
    return kUserError;
  }
  std::vector<long long> ids;  // each once, in the order given
  for (long long id : opts.runs)
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  std::vector<json> runs;
  if (!read_stored_runs(store_path, ids, runs)) return kUserError;

  report::PageImages images;
  for (const json &run : runs)
    for (const json &e : run["evaluations"])
      for (const json &pair : e.value("confused", json::array()))
        for (const json &file : pair["examples"]) {
          const std::string path = file.get<std::string>();
          if (images.examples.count(path)) continue;
          const std::string uri = thumbnail(path);
          if (!uri.empty()) images.examples[path] = uri;
        }
  if (in && opts.previews) {
    const json current = report::stored_json(render_plan_json(build_plan(in->specs)));
    for (const json &run : runs) {
      std::vector<report::PageImages::Preview> made = previews(opts.file, *in, current, run);
      auto &list = images.previews[run["run"].value("id", 0LL)];
      for (auto &p : made)
        if (!p.data_uri.empty()) list.push_back(std::move(p));
        else std::cerr << "edlc: note: " << p.caption << "\n";
    }
  }

  const std::string page = report::render_page(runs, images, "edlc report · " + store_path);
  if (!write_atomically(opts.out, page)) {
    report_error() << "cannot write '" << opts.out << "'";
    return kUserError;
  }
  std::size_t charts = 0;
  for (std::size_t at = page.find("<svg class=\"chart\""); at != std::string::npos; at = page.find("<svg class=\"chart\"", at + 1)) ++charts;
  std::string which;
  for (const json &r : runs) which += (which.empty() ? "run " : ", ") + std::to_string(r["run"].value("id", 0LL));
  std::cout << "wrote " << opts.out << " (" << (page.size() + 1023) / 1024 << " KiB, " << charts << " charts): " << which
            << " of '" << runs[0]["run"].value("project", std::string()) << "'\n";
  return kOk;
}

}  // namespace edl::cli
