#include "compiler/support/DiagnosticRenderer.h"

#include "compiler/support/JsonText.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <sstream>

namespace edl {
namespace {

const char *severity_name(Severity s) {
  switch (s) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Note: return "note";
  }
  return "error";
}

struct Style {
  bool on;
  std::string paint(const std::string &s, const char *code) const {
    return on ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  }
};

const char *severity_color(Severity s) {
  switch (s) {
    case Severity::Error: return "1;31";
    case Severity::Warning: return "1;33";
    case Severity::Note: return "1;36";
  }
  return "1";
}

constexpr int kGutter = 5;

std::string gutter(const std::string &number) {
  std::string g(kGutter > static_cast<int>(number.size()) ? kGutter - number.size() : 0, ' ');
  return g + number + " | ";
}

// One source line with a marker under `r` (clipped to that line).
void render_snippet(std::ostringstream &out, const SourceManager &sm, SourceRange r, char head, char tail,
                    const std::string &label, const Style &st, const char *color) {
  LineColumn b = sm.begin(r);
  LineColumn e = sm.end(r);
  std::string_view text = sm.line(r.file, b.line);
  std::size_t width = 1;
  if (e.line == b.line && e.column > b.column) width = e.column - b.column;
  else if (e.line > b.line && text.size() + 1 > b.column) width = text.size() + 1 - b.column;
  std::string marker(1, head);
  if (width > 1) marker += std::string(width - 1, tail);
  // A very long line (generated input) is shown as a window around the caret.
  constexpr std::size_t kWindow = 120;
  std::size_t from = 0;
  std::string prefix;
  if (text.size() > kWindow && b.column > kWindow / 2) {
    from = b.column - kWindow / 2;
    prefix = "...";
  }
  std::string shown = prefix + std::string(text.substr(from, kWindow)) + (from + kWindow < text.size() ? "..." : "");
  std::string pad(prefix.size(), ' ');
  for (std::size_t i = from; i + 1 < b.column && i < text.size(); ++i) pad += text[i] == '\t' ? '\t' : ' ';
  width = std::min(width, kWindow);
  marker = std::string(1, head) + (width > 1 ? std::string(width - 1, tail) : "");
  out << st.paint(gutter(std::to_string(b.line)), "1;34") << shown << "\n";
  out << st.paint(gutter(""), "1;34") << pad << st.paint(marker + (label.empty() ? "" : " " + label), color)
      << "\n";
}

}  // namespace

std::string render_text(const Diagnostic &d, const SourceManager &sm, const TextRenderOptions &opts) {
  Style st{opts.color};
  std::ostringstream out;
  const char *color = severity_color(d.severity);
  std::string head = std::string(severity_name(d.severity)) + "[" + d.code + "]";
  if (d.range.valid()) {
    LineColumn lc = sm.begin(d.range);
    out << st.paint(sm.path(d.range.file) + ":" + std::to_string(lc.line) + ":" + std::to_string(lc.column) + ":",
                    "1")
        << " ";
  }
  out << st.paint(head, color) << st.paint(": " + d.message, "1") << "\n";
  if (d.range.valid()) render_snippet(out, sm, d.range, '^', '~', "", st, color);
  for (const Label &l : d.labels) {
    if (!l.range.valid()) continue;
    if (l.range.file != d.range.file) {
      LineColumn lc = sm.begin(l.range);
      out << std::string(kGutter - 1, ' ') << st.paint("--> ", "1;34") << sm.path(l.range.file) << ":" << lc.line
          << ":" << lc.column << "\n";
    }
    render_snippet(out, sm, l.range, '-', '-', l.message, st, "1;34");
  }
  std::string indent(kGutter + 1, ' ');
  for (const std::string &n : d.notes) out << indent << st.paint("= note:", "1") << " " << n << "\n";
  if (d.help) out << indent << st.paint("= help:", "1") << " " << *d.help << "\n";
  return out.str();
}

std::string render_text(const std::vector<Diagnostic> &ds, const SourceManager &sm, const TextRenderOptions &opts) {
  std::string out;
  for (const Diagnostic &d : ds) {
    if (!out.empty()) out += "\n";
    out += render_text(d, sm, opts);
  }
  return out;
}

std::string render_json(const std::vector<Diagnostic> &ds, const SourceManager &sm) {
  auto where = [&](SourceRange r, nlohmann::json &j) {
    if (!r.valid()) return;
    LineColumn b = sm.begin(r), e = sm.end(r);
    j["file"] = sm.path(r.file);
    j["line"] = b.line;
    j["column"] = b.column;
    j["end_line"] = e.line;
    j["end_column"] = e.column;
  };
  nlohmann::json all = nlohmann::json::array();
  for (const Diagnostic &d : ds) {
    nlohmann::json j;
    j["severity"] = severity_name(d.severity);
    j["code"] = d.code;
    j["message"] = d.message;
    where(d.range, j);
    j["labels"] = nlohmann::json::array();
    for (const Label &l : d.labels) {
      nlohmann::json lj;
      lj["message"] = l.message;
      where(l.range, lj);
      j["labels"].push_back(lj);
    }
    j["notes"] = d.notes;
    j["help"] = d.help ? nlohmann::json(*d.help) : nlohmann::json(nullptr);
    all.push_back(j);
  }
  return json_text(all, 2) + "\n";
}

std::string summary_line(std::size_t errors, std::size_t warnings) {
  auto plural = [](std::size_t n, const char *word) {
    return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
  };
  if (errors && warnings) return plural(errors, "error") + ", " + plural(warnings, "warning");
  if (errors) return plural(errors, "error");
  if (warnings) return plural(warnings, "warning");
  return "";
}

}  // namespace edl
