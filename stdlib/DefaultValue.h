// A catalogue default as a typed value, parsed once from its EDL text, so
// the resolve stage, the docs and the editor read one definition. Prose
// defaults ("all cores", "from the data") are Described: the value is
// computed where it is resolved, and the text says how.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace edl::stdlib {

struct DefaultValue {
  enum Kind { Unset, Described, Number, Bool, Name, String, List, Call, Record } kind = Unset;
  double number = 0;            // Number (a duration in seconds)
  bool boolean = false;         // Bool
  std::string text;             // Name, String, Call's callee, Described's prose
  std::vector<double> numbers;  // List of numbers
  std::vector<std::pair<std::string, double>> fields;  // Record of numbers, in written order

  // A Record's field, or `otherwise` when it has none of that name.
  double field(const std::string &name, double otherwise) const {
    for (const auto &[key, value] : fields)
      if (key == name) return value;
    return otherwise;
  }
};

// `text` as written in the catalogue: "0.9", "1s", "100_000_000", "true",
// "none", "[0.9, 0.999]", "constant()", "{ train = 80%, val = 20% }", or
// prose. Empty text is Unset.
DefaultValue parse_default(const std::string &text);

}  // namespace edl::stdlib
