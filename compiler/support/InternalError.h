// A broken invariant: something the earlier stages guarantee did not hold.
// It is a bug in edlc, never the user's doing, so it is not a diagnostic:
// the tools print "internal error", where it happened, and exit 3, instead
// of carrying on with a made-up default.
#pragma once

#include <stdexcept>
#include <string>

namespace edl {

class InternalError : public std::logic_error {
 public:
  InternalError(const std::string &what, const char *file, unsigned line, const char *function)
      : std::logic_error(what),
        where_(std::string(file) + ":" + std::to_string(line) + " (" + function + ")") {}
  // file:line (function) of the check that failed.
  const std::string &where() const { return where_; }

 private:
  std::string where_;
};

// The default arguments name the caller. (GCC and clang both have these
// builtins; clang 14 with libstdc++ 12 has no std::source_location.)
[[noreturn]] inline void internal_error(const std::string &what, const char *file = __builtin_FILE(),
                                        unsigned line = __builtin_LINE(),
                                        const char *function = __builtin_FUNCTION()) {
  throw InternalError(what, file, line, function);
}

}  // namespace edl
