// The self-contained HTML page of `edlc report`: one run's summary, plan,
// task timings, training curves, search (trial values, best so far,
// parallel coordinates, hyperparameters against the objective, pruned
// trials, PBT lineage, augmentation baselines), evaluation (confusion heat
// map, per-class precision/recall/F1, most confused pairs with their
// images), label-efficiency curves and deploy packages; with several runs,
// their configuration differences, results side by side and overlaid
// curves first. No script, no network: charts are inline SVG (Svg.h),
// images data: URIs, and the run_data() documents are embedded as JSON
// (<script type="application/json" id="edl-report-data">) for checks and
// tools. No torch.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace edl::report {

// What the page shows beyond the store: images, already encoded.
struct PageImages {
  // An evaluation's example files (run_data's "confused" examples) -> data: URI.
  std::map<std::string, std::string> examples;
  // Per run id, augmentation previews: a caption and a PNG data: URI each.
  struct Preview {
    std::string caption, data_uri;
  };
  std::map<long long, std::vector<Preview>> previews;
};

// `runs`: run_data() documents, the first one the reference. `generator`
// names the program and time that wrote the page (its footer).
std::string render_page(const std::vector<nlohmann::json> &runs, const PageImages &images,
                        const std::string &generator);

// Base64 (RFC 4648, with padding), for data: URIs.
std::string base64(const std::string &bytes);

}  // namespace edl::report
