// Charts as inline SVG text, for the HTML reports of `edlc report`. Drawn by
// our own code rather than a JavaScript charting library: the page needs no
// script to show them, stays small (a chart is a few kilobytes), renders the
// same offline, and each point is an element a test can count. Every chart
// is an <svg class="chart"> with a viewBox that scales to the page's width;
// its data points are elements of class "pt" with a <title> that a pointer
// hovering shows.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace edl::report {

// Escapes text for HTML and SVG content and attribute values.
std::string escape(const std::string &text);

// A number the way a chart labels it: short, no trailing zeros.
std::string tick_text(double v);

struct Point {
  double x = 0, y = 0;
  std::string title;      // shown on hover; empty: "x, y"
  bool hollow = false;    // drawn as a ring (a pruned trial, say)
};

struct Series {
  std::string name;
  std::vector<Point> points;
  int colour = 0;         // index into the palette
  bool line = true;       // joins the points in order
  bool markers = true;    // draws each point
  bool dashed = false;
  bool step = false;      // a staircase (best so far)
};

struct Axes {
  std::string x_label, y_label;
  bool x_integer = false;  // ticks at whole numbers (epochs, trials, rounds)
  bool y_log = false, x_log = false;
  std::optional<double> y_reference;  // a horizontal line (the full-label accuracy, say)
  std::string reference_label;
  bool legend = true;  // names the series under the chart (when there are several)
};

// Points joined by lines (or a scatter when no series has `line`), with
// axes, ticks and a legend when there is more than one series. `id` names
// the chart for tests and links.
std::string line_chart(const std::string &id, const std::string &title, const Axes &axes,
                       const std::vector<Series> &series);

// One polyline per row across parallel axes (hyperparameters, then the
// objective last); rows coloured from worst to best. `log_axis` marks axes
// drawn on a log scale; `titles` label each row on hover; `hollow` rows
// (pruned trials) are drawn dashed.
struct ParallelRow {
  std::vector<double> values;  // one per axis
  std::string title;
  bool hollow = false;
};
std::string parallel_coordinates(const std::string &id, const std::string &title, const std::vector<std::string> &axes,
                                 const std::vector<bool> &log_axis, const std::vector<ParallelRow> &rows,
                                 bool higher_is_better);

// A square matrix of counts as coloured cells (rows: true class, columns:
// predicted), each cell with its count; the diagonal in one hue, mistakes
// in another.
std::string heat_map(const std::string &id, const std::string &title, const std::vector<std::string> &labels,
                     const std::vector<std::vector<long long>> &counts);

// Horizontal bars from start to end on a shared time axis (seconds), one
// row per bar: the tasks of a run.
struct Bar {
  std::string label, title;
  double start = 0, end = 0;
  int colour = 0;
};
std::string timeline(const std::string &id, const std::string &title, const std::vector<Bar> &bars);

// The colour of palette entry `k` as #rrggbb (colour-blind-safe order).
std::string palette(int k);

}  // namespace edl::report
