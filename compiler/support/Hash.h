// Content hashes for plan tasks: 128-bit XXH3 as 32 hex digits. A task's
// identity is the hash of its resolved inputs, so it must be stable across
// runs, machines and formatting.
#pragma once

#include <string>
#include <string_view>

namespace edl {

std::string content_hash(std::string_view data);

}  // namespace edl
