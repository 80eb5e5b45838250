// Writing a whole file so that a crash never leaves half of it: the text
// goes to a temporary file beside the target, which then replaces it.
#pragma once

#include <string>

namespace edl {

// An existing file keeps its permissions, and a link is followed (its
// target is rewritten, the link stays); a new file gets the default ones.
// False when the text could not be written, with nothing left behind.
bool write_atomically(const std::string &path, const std::string &text);

}  // namespace edl
