// Long explanations of diagnostic codes, for `edlc explain`. The texts are
// docs/diagnostics/<code>.md, embedded at build time.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace edl {

struct Explanation {
  const char *code;
  const char *text;
};

const std::vector<Explanation> &explanation_table();
std::optional<std::string> explanation(const std::string &code);

}  // namespace edl
