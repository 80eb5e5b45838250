// "Did you mean" suggestions: the closest candidate by edit distance, when
// it is close enough to be a plausible typo.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace edl {

std::size_t edit_distance(std::string_view a, std::string_view b);

// The best candidate within max(1, len/3) edits and fewer edits than the
// word has letters (ties keep the first), or none.
std::optional<std::string> closest_match(std::string_view word,
                                         const std::vector<std::string> &candidates);

}  // namespace edl
