// A catalogue default as a typed value, parsed once from its EDL text, so
// the resolve stage, the docs and the editor read one definition. Prose
// defaults ("all cores", "from the data") are Described: the value is
// computed where it is resolved, and the text says how.
#pragma once

#include <string>
#include <vector>

namespace edl::stdlib {

struct DefaultValue {
  enum Kind { Unset, Described, Number, Bool, Name, String, List, Call } kind = Unset;
  double number = 0;            // Number (a duration in seconds)
  bool boolean = false;         // Bool
  std::string text;             // Name, String, Call's callee, Described's prose
  std::vector<double> numbers;  // List of numbers
};

// `text` as written in the catalogue: "0.9", "1s", "100_000_000", "true",
// "none", "[0.9, 0.999]", "constant()", or prose. Empty text is Unset.
DefaultValue parse_default(const std::string &text);

}  // namespace edl::stdlib
