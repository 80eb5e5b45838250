// A broken invariant: something the earlier stages guarantee did not hold.
// It is a bug in edlc, never the user's doing, so it is not a diagnostic:
// the tools print "internal error", where it happened, and exit 3, instead
// of carrying on with a made-up default.
#pragma once

#include <source_location>
#include <stdexcept>
#include <string>

namespace edl {

class InternalError : public std::logic_error {
 public:
  InternalError(const std::string &what, std::source_location at)
      : std::logic_error(what), where_(std::string(at.file_name()) + ":" + std::to_string(at.line()) + " (" +
                                      at.function_name() + ")") {}
  // file:line (function) of the check that failed.
  const std::string &where() const { return where_; }

 private:
  std::string where_;
};

[[noreturn]] inline void internal_error(const std::string &what,
                                        std::source_location at = std::source_location::current()) {
  throw InternalError(what, at);
}

}  // namespace edl
