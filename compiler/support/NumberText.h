// A number as people write it in messages: 0.5, 0.001, 1e+06.
#pragma once

#include <string>

namespace edl {

std::string number_text(double v);

}  // namespace edl
