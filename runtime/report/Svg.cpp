#include "runtime/report/Svg.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

namespace edl::report {
namespace {

constexpr double kWidth = 640, kHeight = 300;
constexpr double kLeft = 68, kRight = 16, kTop = 30, kBottom = 42;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// A value range with room around it; a single value gets a unit of room.
struct Range {
  double lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();
  void add(double v) {
    if (!std::isfinite(v)) return;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  bool empty() const { return lo > hi; }
  void settle(bool integer) {
    if (empty()) lo = 0, hi = 1;
    if (hi - lo < 1e-12) {
      const double room = integer ? 1 : std::max(std::fabs(lo) * 0.05, 0.5);
      lo -= room;
      hi += room;
    }
  }
};

// Ticks at 1, 2 or 5 times a power of ten, about `want` of them.
std::vector<double> ticks(double lo, double hi, int want, bool integer) {
  double step = (hi - lo) / want;
  const double power = std::pow(10.0, std::floor(std::log10(step)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * power >= step) {
      step = m * power;
      break;
    }
  if (integer) step = std::max(1.0, std::round(step));
  std::vector<double> out;
  for (double t = std::ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  return out;
}

struct Scale {
  double lo, hi, from, to;
  bool log;
  double operator()(double v) const {
    const double x = log ? std::log10(std::max(v, 1e-300)) : v;
    return from + (x - lo) / (hi - lo) * (to - from);
  }
};

std::string svg_open(const std::string &id, const std::string &title, double height, std::size_t points) {
  return "<svg class=\"chart\" id=\"" + escape(id) + "\" data-points=\"" + std::to_string(points) +
         "\" viewBox=\"0 0 " + num(kWidth) + " " + num(height) + "\" role=\"img\" aria-label=\"" + escape(title) +
         "\" xmlns=\"http://www.w3.org/2000/svg\">\n<text class=\"chart-title\" x=\"" + num(kLeft) +
         "\" y=\"18\">" + escape(title) + "</text>\n";
}

std::string text_at(double x, double y, const std::string &text, const char *anchor, const char *cls = "tick") {
  return "<text class=\"" + std::string(cls) + "\" x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor +
         "\">" + escape(text) + "</text>\n";
}

std::string line(double x0, double y0, double x1, double y1, const char *cls) {
  return "<line class=\"" + std::string(cls) + "\" x1=\"" + num(x0) + "\" y1=\"" + num(y0) + "\" x2=\"" + num(x1) +
         "\" y2=\"" + num(y1) + "\"/>\n";
}

// Axis ticks and labels for a value axis of `range` drawn by `scale`.
std::vector<double> axis_ticks(const Range &range, bool log, bool integer, int want) {
  if (!log) return ticks(range.lo, range.hi, want, integer);
  std::vector<double> out;
  for (double e = std::floor(range.lo); e <= std::ceil(range.hi); ++e)
    if (e >= range.lo - 1e-9 && e <= range.hi + 1e-9) out.push_back(std::pow(10.0, e));
  if (out.size() < 2) out = {std::pow(10.0, range.lo), std::pow(10.0, range.hi)};
  return out;
}

Range padded(Range r, bool integer, double share) {
  r.settle(integer);
  if (!integer) {
    const double room = (r.hi - r.lo) * share;
    r.lo -= room;
    r.hi += room;
  }
  return r;
}

}  // namespace

std::string escape(const std::string &text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  return out;
}

std::string tick_text(double v) {
  char buf[32];
  const double a = std::fabs(v);
  if (a != 0 && (a < 1e-3 || a >= 1e6)) std::snprintf(buf, sizeof buf, "%.3g", v);
  else std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

std::string palette(int k) {
  // Okabe and Ito's colour-blind-safe palette, black last.
  static const char *colours[] = {"#0072b2", "#e69f00", "#009e73", "#d55e00", "#cc79a7", "#56b4e9", "#f0e442", "#000000"};
  return colours[((k % 8) + 8) % 8];
}

std::string line_chart(const std::string &id, const std::string &title, const Axes &axes,
                       const std::vector<Series> &series) {
  Range xr, yr;
  std::size_t points = 0;
  for (const Series &s : series)
    for (const Point &p : s.points) {
      xr.add(axes.x_log ? std::log10(std::max(p.x, 1e-300)) : p.x);
      yr.add(axes.y_log ? std::log10(std::max(p.y, 1e-300)) : p.y);
      if (s.markers) ++points;
    }
  if (axes.y_reference) yr.add(*axes.y_reference);
  xr = padded(xr, axes.x_integer, axes.x_log ? 0.02 : 0.0);
  yr = padded(yr, false, 0.06);
  const bool legend = axes.legend && series.size() > 1;
  const double height = kHeight + (legend ? 8 + 18.0 * static_cast<double>((series.size() + 2) / 3) : 0.0);
  const double bottom = kHeight - kBottom;
  Scale sx{xr.lo, xr.hi, kLeft, kWidth - kRight, axes.x_log}, sy{yr.lo, yr.hi, bottom, kTop, axes.y_log};
  std::string out = svg_open(id, title, height, points);
  for (double t : axis_ticks(yr, axes.y_log, false, 5)) {
    out += line(kLeft, sy(t), kWidth - kRight, sy(t), "grid");
    out += text_at(kLeft - 6, sy(t) + 4, tick_text(t), "end");
  }
  for (double t : axis_ticks(xr, axes.x_log, axes.x_integer, 8)) {
    out += line(sx(t), bottom, sx(t), bottom + 4, "axis");
    out += text_at(sx(t), bottom + 16, tick_text(t), "middle");
  }
  out += line(kLeft, bottom, kWidth - kRight, bottom, "axis");
  out += line(kLeft, kTop, kLeft, bottom, "axis");
  out += text_at((kLeft + kWidth - kRight) / 2, bottom + 34, axes.x_label, "middle", "axis-label");
  out += "<text class=\"axis-label\" transform=\"translate(14," + num((kTop + bottom) / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">" + escape(axes.y_label) + "</text>\n";
  if (axes.y_reference) {
    out += "<line class=\"reference\" x1=\"" + num(kLeft) + "\" y1=\"" + num(sy(*axes.y_reference)) + "\" x2=\"" +
           num(kWidth - kRight) + "\" y2=\"" + num(sy(*axes.y_reference)) + "\"><title>" +
           escape(axes.reference_label + " " + tick_text(*axes.y_reference)) + "</title></line>\n";
    out += text_at(kWidth - kRight - 4, sy(*axes.y_reference) - 5, axes.reference_label, "end", "reference-label");
  }
  for (const Series &s : series) {
    const std::string colour = palette(s.colour);
    if (s.line && s.points.size() > 1) {
      std::string d;
      for (std::size_t k = 0; k < s.points.size(); ++k) {
        const double x = sx(s.points[k].x), y = sy(s.points[k].y);
        if (k == 0) d += "M" + num(x) + " " + num(y);
        else if (s.step) d += " H" + num(x) + " V" + num(y);
        else d += " L" + num(x) + " " + num(y);
      }
      out += "<path class=\"line\" data-series=\"" + escape(s.name) + "\" d=\"" + d + "\" stroke=\"" + colour + "\"" +
             (s.dashed ? " stroke-dasharray=\"5 4\"" : "") + "/>\n";
    }
    if (!s.markers) continue;
    for (const Point &p : s.points) {
      const std::string tip = p.title.empty() ? s.name + ": " + tick_text(p.x) + ", " + tick_text(p.y) : p.title;
      out += "<circle class=\"pt\" data-series=\"" + escape(s.name) + "\" cx=\"" + num(sx(p.x)) + "\" cy=\"" +
             num(sy(p.y)) + "\" r=\"3.2\" " +
             (p.hollow ? "fill=\"#fff\" stroke=\"" + colour + "\"" : "fill=\"" + colour + "\"") + "><title>" +
             escape(tip) + "</title></circle>\n";
    }
  }
  if (legend)
    for (std::size_t k = 0; k < series.size(); ++k) {
      const double x = kLeft + static_cast<double>(k % 3) * 190, y = kHeight + 14 + 18.0 * static_cast<double>(k / 3);
      out += "<rect class=\"swatch\" x=\"" + num(x) + "\" y=\"" + num(y - 9) + "\" width=\"14\" height=\"4\" fill=\"" +
             palette(series[k].colour) + "\"/>\n";
      out += text_at(x + 20, y - 4, series[k].name, "start", "legend");
    }
  return out + "</svg>\n";
}

std::string parallel_coordinates(const std::string &id, const std::string &title, const std::vector<std::string> &axes,
                                 const std::vector<bool> &log_axis, const std::vector<ParallelRow> &rows,
                                 bool higher_is_better) {
  const std::size_t n = axes.size();
  const double bottom = kHeight - kBottom;
  std::vector<Range> ranges(n);
  for (const ParallelRow &r : rows)
    for (std::size_t a = 0; a < n && a < r.values.size(); ++a)
      ranges[a].add(log_axis[a] ? std::log10(std::max(r.values[a], 1e-300)) : r.values[a]);
  for (Range &r : ranges) r = padded(r, false, 0.04);
  auto axis_x = [&](std::size_t a) {
    // The last axis keeps room on its right for its tick labels and name.
    return n < 2 ? kLeft : kLeft + 20 + static_cast<double>(a) * (kWidth - kLeft - kRight - 90) / static_cast<double>(n - 1);
  };
  std::string out = svg_open(id, title, kHeight, rows.size());
  // Rows from worst to best, so the best is drawn on top; the objective is the last axis.
  std::vector<std::size_t> order(rows.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const double va = rows[a].values.back(), vb = rows[b].values.back();
    return higher_is_better ? va < vb : va > vb;
  });
  for (std::size_t rank = 0; rank < order.size(); ++rank) {
    const ParallelRow &r = rows[order[rank]];
    // From light grey-blue (worst) to the palette's strongest (best).
    const double t = order.size() > 1 ? static_cast<double>(rank) / static_cast<double>(order.size() - 1) : 1.0;
    char colour[16];
    std::snprintf(colour, sizeof colour, "#%02x%02x%02x", static_cast<int>(200 - 200 * t), static_cast<int>(210 - 96 * t),
                  static_cast<int>(230 - 52 * t));
    std::string points;
    for (std::size_t a = 0; a < n && a < r.values.size(); ++a) {
      Scale sy{ranges[a].lo, ranges[a].hi, bottom, kTop + 8, log_axis[a]};
      points += (a ? " " : "") + num(axis_x(a)) + "," + num(sy(r.values[a]));
    }
    out += "<polyline class=\"pt trial\" points=\"" + points + "\" stroke=\"" + colour + "\"" +
           (r.hollow ? " stroke-dasharray=\"4 3\"" : "") + "><title>" + escape(r.title) + "</title></polyline>\n";
  }
  for (std::size_t a = 0; a < n; ++a) {
    const double x = axis_x(a);
    out += line(x, kTop + 8, x, bottom, "axis");
    Scale sy{ranges[a].lo, ranges[a].hi, bottom, kTop + 8, log_axis[a]};
    for (double t : axis_ticks(ranges[a], log_axis[a], false, 4)) {
      out += line(x - 3, sy(t), x + 3, sy(t), "axis");
      out += text_at(x + 5, sy(t) + 3, tick_text(t), "start", "tick small");
    }
    out += text_at(x, bottom + 18, axes[a], "middle", "axis-label");
  }
  return out + "</svg>\n";
}

std::string heat_map(const std::string &id, const std::string &title, const std::vector<std::string> &labels,
                     const std::vector<std::vector<long long>> &counts) {
  const std::size_t n = labels.size();
  const double label_room = 96, top = 36;
  const double cell = std::min(48.0, (kWidth - label_room - 8) / static_cast<double>(std::max<std::size_t>(n, 1)));
  // Room under the matrix for the slanted column names (about 7 px a character).
  std::size_t longest = 1;
  for (const std::string &l : labels) longest = std::max(longest, l.size());
  const double height = top + cell * static_cast<double>(n) + 16 + 5.5 * static_cast<double>(std::min<std::size_t>(longest, 16));
  long long most_right = 1, most_wrong = 1;
  for (std::size_t t = 0; t < n && t < counts.size(); ++t)
    for (std::size_t p = 0; p < n && p < counts[t].size(); ++p)
      (t == p ? most_right : most_wrong) = std::max(t == p ? most_right : most_wrong, counts[t][p]);
  std::string out = svg_open(id, title, height, n * n);
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t p = 0; p < n; ++p) {
      const long long c = t < counts.size() && p < counts[t].size() ? counts[t][p] : 0;
      // Right answers in blue by their share of the largest; mistakes in orange by theirs.
      const double share = static_cast<double>(c) / static_cast<double>(t == p ? most_right : most_wrong);
      const int r = t == p ? static_cast<int>(255 - 255 * share) : 255;
      const int g = t == p ? static_cast<int>(255 - 141 * share) : static_cast<int>(255 - 161 * share);
      const int b = t == p ? static_cast<int>(255 - 77 * share) : static_cast<int>(255 - 255 * share);
      char fill[16];
      std::snprintf(fill, sizeof fill, "#%02x%02x%02x", r, g, b);
      const double x = label_room + static_cast<double>(p) * cell, y = top + static_cast<double>(t) * cell;
      out += "<g class=\"pt cell\"><rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(cell - 1) +
             "\" height=\"" + num(cell - 1) + "\" fill=\"" + fill + "\"/><title>" +
             escape("true " + labels[t] + ", predicted " + labels[p] + ": " + std::to_string(c)) + "</title>";
      if (c > 0 && cell >= 18)
        out += "<text class=\"count" + std::string(share > 0.6 ? " light" : "") + "\" x=\"" + num(x + cell / 2 - 0.5) +
               "\" y=\"" + num(y + cell / 2 + 4) + "\" text-anchor=\"middle\">" + std::to_string(c) + "</text>";
      out += "</g>\n";
    }
  for (std::size_t k = 0; k < n; ++k) {
    out += text_at(label_room - 6, top + (static_cast<double>(k) + 0.5) * cell + 4, labels[k], "end");
    const double x = label_room + (static_cast<double>(k) + 0.5) * cell, y = top + cell * static_cast<double>(n) + 8;
    out += "<text class=\"tick\" transform=\"translate(" + num(x + 4) + "," + num(y) +
           ") rotate(-50)\" text-anchor=\"end\">" + escape(labels[k]) + "</text>\n";
  }
  out += text_at(label_room, 30, "predicted →", "start", "axis-label");
  return out + "</svg>\n";
}

std::string timeline(const std::string &id, const std::string &title, const std::vector<Bar> &bars) {
  const double row = 22, label_room = 150, top = 34;
  const double height = top + row * static_cast<double>(bars.size()) + 30;
  Range r;
  for (const Bar &b : bars) {
    r.add(b.start);
    r.add(b.end);
  }
  r.settle(false);
  r.lo = 0;  // seconds since the run began
  Scale sx{r.lo, r.hi, label_room, kWidth - kRight, false};
  std::string out = svg_open(id, title, height, bars.size());
  const double bottom = top + row * static_cast<double>(bars.size());
  for (double t : ticks(r.lo, r.hi, 6, false)) {
    out += line(sx(t), top - 4, sx(t), bottom, "grid");
    out += text_at(sx(t), bottom + 16, tick_text(t) + " s", "middle");
  }
  for (std::size_t k = 0; k < bars.size(); ++k) {
    const Bar &b = bars[k];
    const double y = top + row * static_cast<double>(k);
    out += text_at(label_room - 6, y + 14, b.label, "end");
    out += "<rect class=\"pt bar\" x=\"" + num(sx(b.start)) + "\" y=\"" + num(y + 3) + "\" width=\"" +
           num(std::max(1.5, sx(b.end) - sx(b.start))) + "\" height=\"" + num(row - 6) + "\" fill=\"" +
           palette(b.colour) + "\"><title>" + escape(b.title) + "</title></rect>\n";
  }
  return out + "</svg>\n";
}

}  // namespace edl::report
