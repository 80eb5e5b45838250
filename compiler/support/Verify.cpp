#include "compiler/support/Verify.h"

#include <regex>

namespace edl {

std::vector<Expectation> parse_expectations(const SourceManager &sm, FileId file, std::vector<std::string> &errors) {
  static const std::regex kPattern(R"(expected-(error|warning)(?:\[([EW]\d{4})\])?(?:@([+-]?)(\d+))?\s*\{\{(.*?)\}\})");
  std::vector<Expectation> out;
  for (std::uint32_t line = 1; line <= sm.line_count(file); ++line) {
    std::string text(sm.line(file, line));
    std::size_t comment = text.find("//");
    if (comment == std::string::npos) continue;
    std::string rest = text.substr(comment);
    if (rest.find("expected-") == std::string::npos) continue;
    bool any = false;
    for (std::sregex_iterator it(rest.begin(), rest.end(), kPattern), end; it != end; ++it) {
      const std::smatch &m = *it;
      any = true;
      Expectation e{file, line, m[1] == "error" ? Severity::Error : Severity::Warning, m[2], m[5]};
      if (m[4].matched) {
        long n = std::stol(m[4]);
        if (m[3] == "+") e.line = line + static_cast<std::uint32_t>(n);
        else if (m[3] == "-") e.line = line - static_cast<std::uint32_t>(std::min<long>(n, line - 1));
        else e.line = static_cast<std::uint32_t>(n);
      }
      out.push_back(e);
    }
    if (!any) errors.push_back(sm.path(file) + ":" + std::to_string(line) + ": malformed expectation");
  }
  return out;
}

VerifyResult verify_diagnostics(const std::vector<Diagnostic> &diags, const SourceManager &sm) {
  VerifyResult result;
  std::vector<std::string> malformed;
  std::vector<Expectation> expected;
  for (FileId f = 0; f < sm.file_count(); ++f) {
    auto e = parse_expectations(sm, f, malformed);
    expected.insert(expected.end(), e.begin(), e.end());
  }
  result.expected = expected.size();
  std::vector<bool> matched(diags.size(), false);
  std::vector<const Expectation *> missing;
  for (const Expectation &e : expected) {
    bool found = false;
    for (std::size_t i = 0; i < diags.size() && !found; ++i) {
      const Diagnostic &d = diags[i];
      if (matched[i] || d.severity != e.severity || !d.range.valid() || d.range.file != e.file) continue;
      if (sm.begin(d.range).line != e.line) continue;
      if (!e.code.empty() && e.code != d.code) continue;
      if (d.message.find(e.text) == std::string::npos) continue;
      matched[i] = found = true;
    }
    if (!found) missing.push_back(&e);
  }
  auto severity = [](Severity s) { return s == Severity::Error ? "error" : "warning"; };
  for (const std::string &m : malformed) result.report += m + "\n";
  for (const Expectation *e : missing)
    result.report += sm.path(e->file) + ":" + std::to_string(e->line) + ": expected " + severity(e->severity) +
                     (e->code.empty() ? "" : "[" + e->code + "]") + " {{" + e->text + "}} was not reported\n";
  for (std::size_t i = 0; i < diags.size(); ++i) {
    if (matched[i]) continue;
    const Diagnostic &d = diags[i];
    std::string where = d.range.valid() ? sm.path(d.range.file) + ":" + std::to_string(sm.begin(d.range).line) +
                                              ":" + std::to_string(sm.begin(d.range).column)
                                        : "<no location>";
    result.report += where + ": unexpected " + severity(d.severity) + "[" + d.code + "]: " + d.message + "\n";
  }
  result.ok = malformed.empty() && missing.empty() &&
              std::all_of(matched.begin(), matched.end(), [](bool b) { return b; });
  return result;
}

}  // namespace edl
