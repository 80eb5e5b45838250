// A unified diff of two texts, line by line, in the form `diff -u` and
// `git diff` print, so `edlc fmt --check` shows what it would change.
#pragma once

#include <string>

namespace edl {

// Empty when the texts are equal. `name` labels both sides (`--- a/NAME`,
// `+++ b/NAME`); hunks carry three lines of context.
std::string unified_diff(const std::string &before, const std::string &after, const std::string &name);

}  // namespace edl
