#include "compiler/support/NumberText.h"

#include <sstream>

namespace edl {

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace edl
