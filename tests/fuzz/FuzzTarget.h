// One fuzz input through parse, check, plan and format. Crashes, hangs and
// sanitizer reports are the failures; besides, formatting a file that
// parses must give text that parses to the same tree and is a fixed point.
#pragma once

#include <cstddef>
#include <cstdint>

namespace edl::fuzz {

void run_one(const std::uint8_t *data, std::size_t size);

}  // namespace edl::fuzz
