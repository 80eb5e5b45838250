// A label block's learning curve, read back from its rounds' recorded
// outputs: per round the labels used, their share of the pool and the
// held-out metric, next to the random baseline's at the same labels and the
// full-label reference. `edlc runs show` prints it as a table and JSON
// (`label_rounds`); each round redraws it as a PNG beside the artifacts.
// No torch.
#pragma once

#include "runtime/store/Store.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace edl::label {

struct CurvePoint {
  int round = 0;
  std::size_t labels = 0;
  double fraction = 0;   // of the pool
  double metric = 0;     // held-out accuracy
  std::optional<double> baseline_metric;  // the random baseline's, at the same round
};

struct Curve {
  std::string label;     // the block
  std::string strategy;
  std::vector<CurvePoint> points;        // the strategy's rounds that ran, in order
  std::vector<CurvePoint> baseline;      // the random baseline's, round 1 included
  std::optional<double> full_metric;     // trained on every pool label
};

// From a run's tasks as (name, outputs): every task named label:NAME/...
std::vector<Curve> learning_curves(const std::vector<std::pair<std::string, nlohmann::json>> &tasks);
// The same from a run's rows in the store: those done or reused.
std::vector<Curve> learning_curves(const std::vector<store::TaskRow> &rows);

// [{label, round, labels, fraction, metric, baseline_metric}], one per strategy round.
nlohmann::json label_rounds_json(const std::vector<Curve> &curves);

// The curve as aligned text lines (a header, then one line per round).
std::vector<std::string> curve_table(const Curve &curve);

// Draws the curve (the strategy, random baseline and full-label line) as a
// PNG, written atomically; false with `error` when it cannot be written.
bool draw_curve(const Curve &curve, const std::string &png, std::string &error);

}  // namespace edl::label
