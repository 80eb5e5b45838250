// `edlc check --verify`: compares the diagnostics of a run with the
// expectations written in the sources, clang-style:
//   // expected-error[E0301]@+1 {{unknown augmentation op 'rotat'}}
// The code in brackets is optional; @+N / @-N shift the line; the text in
// braces must occur in the message.
#pragma once

#include "compiler/support/Diagnostics.h"
#include "compiler/support/SourceManager.h"

#include <string>
#include <vector>

namespace edl {

struct Expectation {
  FileId file;
  std::uint32_t line;
  Severity severity;
  std::string code;  // empty: any code
  std::string text;
};

struct VerifyResult {
  bool ok = true;
  std::string report;  // what did not match, for people
  std::size_t expected = 0;
};

std::vector<Expectation> parse_expectations(const SourceManager &sm, FileId file, std::vector<std::string> &errors);
VerifyResult verify_diagnostics(const std::vector<Diagnostic> &diags, const SourceManager &sm);

}  // namespace edl
