// The one way edlc's commands report what is not a diagnostic: errors about
// files, stores and runs ("edlc: error: ..."), and internal errors, which
// are bugs in edlc ("edlc: internal error: ...", where, exit 3).
#pragma once

#include <sstream>
#include <string>

namespace edl {
class InternalError;
}

namespace edl::cli {

// One error line, written to stderr as a whole when the statement ends:
//   report_error() << "no run " << id << " in " << path;
class ErrorLine {
 public:
  ErrorLine() = default;
  ErrorLine(const ErrorLine &) = delete;
  ~ErrorLine();
  template <typename T>
  ErrorLine &operator<<(const T &part) {
    text_ << part;
    return *this;
  }

 private:
  std::ostringstream text_;
};

inline ErrorLine report_error() { return {}; }

// A broken invariant, with where it was found; returns the exit code (3).
int report_internal_error(const InternalError &e);
// An internal error known only by its message (an exception of no EDL type).
int report_internal_error(const std::string &what);

}  // namespace edl::cli
