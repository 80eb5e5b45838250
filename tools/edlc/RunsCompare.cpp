// `edlc runs compare A B`: two runs side by side in the terminal: the
// settings of their plans and the searched values that differ, then their
// results with the change from A to B. The same comparison a report of
// several runs shows (runtime/report/RunDiff.h).
#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "tools/edlc/StoredRuns.h"

#include "compiler/support/JsonText.h"
#include "runtime/report/RunDiff.h"
#include "runtime/report/Svg.h"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace edl::cli {
namespace {

using nlohmann::json;

// Left-aligned columns, each as wide as its widest cell.
void print_columns(const std::vector<std::vector<std::string>> &rows) {
  std::vector<std::size_t> width;
  for (const auto &row : rows)
    for (std::size_t k = 0; k < row.size(); ++k) {
      if (width.size() <= k) width.push_back(0);
      width[k] = std::max(width[k], row[k].size());
    }
  for (const auto &row : rows) {
    std::string line = "  ";
    for (std::size_t k = 0; k < row.size(); ++k)
      line += row[k] + (k + 1 < row.size() ? std::string(width[k] - row[k].size() + 2, ' ') : "");
    std::cout << line << "\n";
  }
}

}  // namespace

int run_runs_compare(const std::string &store_path, const RunsOptions &opts) {
  std::vector<json> runs;
  if (!read_stored_runs(store_path, {opts.id, opts.other}, runs)) return kUserError;
  const std::vector<report::Difference> differences = report::config_differences(runs);
  const std::vector<report::ResultRow> results = report::result_table(runs);
  const std::vector<long long> unknown = report::runs_without_plan(runs);
  if (opts.format == OutputFormat::Json) {
    json d = json::array(), r = json::array();
    for (const report::Difference &x : differences) d.push_back({{"setting", x.setting}, {"values", x.values}});
    for (const report::ResultRow &x : results) {
      json values = json::array();
      for (const auto &v : x.values) values.push_back(v ? json(*v) : json());
      r.push_back({{"result", x.result}, {"values", values}});
    }
    std::cout << json_text(json{{"runs", {opts.id, opts.other}}, {"differences", d}, {"results", r},
                                {"plan_not_recorded", unknown}},
                           2)
              << "\n";
    return kOk;
  }
  const std::string a = "run " + std::to_string(opts.id), b = "run " + std::to_string(opts.other);
  std::cout << a << " and " << b << " of '" << runs[0]["run"].value("project", std::string()) << "'\n\n";
  if (differences.empty()) {
    std::cout << "configuration: the same plan and searched values\n";
  } else {
    std::cout << "configuration differences (" << differences.size() << "):\n";
    std::vector<std::vector<std::string>> rows{{"setting", a, b}};
    for (const report::Difference &x : differences) rows.push_back({x.setting, x.values[0], x.values[1]});
    print_columns(rows);
  }
  for (long long id : unknown)
    std::cout << "  (run " << id << "'s plan was not recorded: its store predates plans being kept)\n";
  std::cout << "\nresults:\n";
  std::vector<std::vector<std::string>> rows{{"result", a, b, "change"}};
  for (const report::ResultRow &x : results) {
    auto text = [](const std::optional<double> &v) { return v ? report::tick_text(*v) : std::string("-"); };
    std::string change = "-";
    if (x.values[0] && x.values[1]) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%+.4g", *x.values[1] - *x.values[0]);
      change = buf;
    }
    rows.push_back({x.result, text(x.values[0]), text(x.values[1]), change});
  }
  print_columns(rows);
  return kOk;
}

}  // namespace edl::cli
