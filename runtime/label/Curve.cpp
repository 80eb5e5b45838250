#include "runtime/label/Curve.h"

#include "compiler/support/AtomicWrite.h"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <map>

namespace edl::label {
namespace {

CurvePoint point_of(const nlohmann::json &o) {
  CurvePoint p;
  p.round = o.value("round", 0);
  p.labels = o.value("labels", std::size_t{0});
  p.fraction = o.value("fraction", 0.0);
  p.metric = o.value("metric", 0.0);
  return p;
}

std::string percent(double fraction) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * fraction);
  return buf;
}

std::string fixed4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

}  // namespace

std::vector<Curve> learning_curves(const std::vector<std::pair<std::string, nlohmann::json>> &tasks) {
  std::map<std::string, Curve> by_block;
  std::vector<std::string> order;
  for (const auto &[name, o] : tasks) {
    if (name.rfind("label:", 0) != 0 || !o.is_object() || o.value("skipped", false) || !o.contains("metric")) continue;
    const std::string block = name.substr(6, name.find('/') - 6);
    if (!by_block.count(block)) order.push_back(block);
    Curve &c = by_block[block];
    c.label = block;
    const std::string arm = o.value("arm", std::string());
    if (arm == "full") {
      c.full_metric = o.value("metric", 0.0);
    } else if (arm == "random") {
      c.baseline.push_back(point_of(o));
    } else {
      c.points.push_back(point_of(o));
      c.strategy = o.value("strategy", c.strategy);
    }
  }
  std::vector<Curve> out;
  for (const std::string &block : order) {
    Curve c = by_block[block];
    auto by_round = [](const CurvePoint &a, const CurvePoint &b) { return a.round < b.round; };
    std::sort(c.points.begin(), c.points.end(), by_round);
    // The baseline starts from the strategy's first round: the same labels and model.
    if (!c.baseline.empty() && !c.points.empty() && c.points.front().round == 1) c.baseline.push_back(c.points.front());
    std::sort(c.baseline.begin(), c.baseline.end(), by_round);
    for (CurvePoint &p : c.points)
      for (const CurvePoint &b : c.baseline)
        if (b.round == p.round) p.baseline_metric = b.metric;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<Curve> learning_curves(const std::vector<store::TaskRow> &rows) {
  std::vector<std::pair<std::string, nlohmann::json>> tasks;
  for (const store::TaskRow &row : rows)
    if (row.status == "done" || row.status == "cached")
      tasks.emplace_back(row.name, nlohmann::json::parse(row.outputs, nullptr, false));
  return learning_curves(tasks);
}

nlohmann::json label_rounds_json(const std::vector<Curve> &curves) {
  nlohmann::json rows = nlohmann::json::array();
  for (const Curve &c : curves)
    for (const CurvePoint &p : c.points)
      rows.push_back({{"label", c.label},
                      {"round", p.round},
                      {"labels", p.labels},
                      {"fraction", p.fraction},
                      {"metric", p.metric},
                      {"baseline_metric", p.baseline_metric ? nlohmann::json(*p.baseline_metric) : nlohmann::json()},
                      {"full_metric", c.full_metric ? nlohmann::json(*c.full_metric) : nlohmann::json()}});
  return rows;
}

std::vector<std::string> curve_table(const Curve &c) {
  std::vector<std::string> lines;
  char buf[160];
  std::snprintf(buf, sizeof buf, "%-6s %8s %8s %10s %10s %10s", "round", "labels", "pool", c.strategy.c_str(), "random",
                "full");
  lines.push_back(buf);
  for (const CurvePoint &p : c.points) {
    std::snprintf(buf, sizeof buf, "%-6d %8zu %8s %10s %10s %10s", p.round, p.labels, percent(p.fraction).c_str(),
                  fixed4(p.metric).c_str(), p.baseline_metric ? fixed4(*p.baseline_metric).c_str() : "-",
                  c.full_metric ? fixed4(*c.full_metric).c_str() : "-");
    lines.push_back(buf);
  }
  return lines;
}

bool draw_curve(const Curve &c, const std::string &png, std::string &error) {
  const int width = 640, height = 400, left = 60, right = 20, top = 30, bottom = 50;
  cv::Mat image(height, width, CV_8UC3, cv::Scalar(255, 255, 255));
  double max_fraction = 0, low = 1, high = 0;
  auto extend = [&](const std::vector<CurvePoint> &points) {
    for (const CurvePoint &p : points) {
      max_fraction = std::max(max_fraction, p.fraction);
      low = std::min(low, p.metric);
      high = std::max(high, p.metric);
    }
  };
  extend(c.points);
  extend(c.baseline);
  if (c.full_metric) low = std::min(low, *c.full_metric), high = std::max(high, *c.full_metric);
  if (max_fraction <= 0) max_fraction = 1;
  if (high <= low) low -= 0.05, high += 0.05;
  const double pad = (high - low) * 0.05;  // no line drawn on the frame
  low -= pad, high += pad;
  auto at = [&](double fraction, double metric) {
    return cv::Point(left + static_cast<int>((width - left - right) * fraction / max_fraction),
                     height - bottom - static_cast<int>((height - top - bottom) * (metric - low) / (high - low)));
  };
  const cv::Scalar black(0, 0, 0), grey(150, 150, 150), blue(200, 90, 30), orange(30, 130, 240);
  cv::line(image, cv::Point(left, height - bottom), cv::Point(width - right, height - bottom), black);
  cv::line(image, cv::Point(left, top), cv::Point(left, height - bottom), black);
  auto text = [&](const std::string &s, cv::Point where, const cv::Scalar &colour) {
    cv::putText(image, s, where, cv::FONT_HERSHEY_SIMPLEX, 0.4, colour, 1, cv::LINE_AA);
  };
  text(fixed4(high), cv::Point(4, top + 4), black);
  text(fixed4(low), cv::Point(4, height - bottom), black);
  text("0%", cv::Point(left - 6, height - bottom + 16), black);
  text(percent(max_fraction) + " of the pool labeled", cv::Point(width - right - 170, height - bottom + 16), black);
  auto series = [&](const std::vector<CurvePoint> &points, const cv::Scalar &colour) {
    for (std::size_t k = 0; k < points.size(); ++k) {
      const cv::Point p = at(points[k].fraction, points[k].metric);
      cv::circle(image, p, 3, colour, cv::FILLED, cv::LINE_AA);
      if (k > 0) cv::line(image, at(points[k - 1].fraction, points[k - 1].metric), p, colour, 2, cv::LINE_AA);
    }
  };
  if (c.full_metric) {
    const int y = at(0, *c.full_metric).y;
    cv::line(image, cv::Point(left, y), cv::Point(width - right, y), grey, 1, cv::LINE_AA);
  }
  series(c.baseline, orange);
  series(c.points, blue);
  text("label " + c.label + ": held-out accuracy", cv::Point(left, 18), black);
  text(c.strategy.empty() ? "strategy" : c.strategy, cv::Point(left + 10, height - 12), blue);
  text("random", cv::Point(left + 130, height - 12), orange);
  text("full labels", cv::Point(left + 230, height - 12), grey);
  std::vector<unsigned char> bytes;
  if (!cv::imencode(".png", image, bytes) ||
      !write_atomically(png, std::string(reinterpret_cast<const char *>(bytes.data()), bytes.size()))) {
    error = "cannot write the learning curve " + png;
    return false;
  }
  return true;
}

}  // namespace edl::label
