#include "compiler/support/Explanations.h"

namespace edl {

std::optional<std::string> explanation(const std::string &code) {
  for (const Explanation &e : explanation_table())
    if (code == e.code) return std::string(e.text);
  return std::nullopt;
}

}  // namespace edl
