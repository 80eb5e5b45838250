// Two or more runs side by side (`edlc runs compare`, multi-run reports):
// which settings of their plans differ and which searched values each
// chose, and their results. Works on run_data() documents. No torch.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace edl::report {

// One setting that is not the same in every run: where it is ("train:main
// optimizer.lr", "search:main best hp.lr") and its value in each run, in
// the runs' order ("-": the run has no such setting).
struct Difference {
  std::string setting;
  std::vector<std::string> values;
};
std::vector<Difference> config_differences(const std::vector<nlohmann::json> &runs);

// Runs whose plan was not recorded (stores before they kept plans): their ids.
std::vector<long long> runs_without_plan(const std::vector<nlohmann::json> &runs);

// One result per row ("evaluate:main test.accuracy", "run seconds"), each
// run's value or nothing.
struct ResultRow {
  std::string result;
  std::vector<std::optional<double>> values;
};
std::vector<ResultRow> result_table(const std::vector<nlohmann::json> &runs);

// A plan's settings as "TASK path.to.field" -> compact JSON text.
std::vector<std::pair<std::string, std::string>> flatten_plan(const nlohmann::json &plan);

}  // namespace edl::report
