#include "Commands.h"
#include "tools/edlc/Errors.h"
#include "Report.h"

#include "compiler/ast/Dump.h"
#include "compiler/support/AtomicWrite.h"
#include "compiler/format/Formatter.h"
#include "compiler/format/UnifiedDiff.h"

#include <algorithm>
#include <filesystem>
#include <iostream>

namespace edl::cli {
namespace {

namespace fs = std::filesystem;

// The files named, with a folder standing for every .edl file under it; a
// folder without one is an error, not a silent success.
std::vector<std::string> expand(const std::vector<std::string> &args, int &rc) {
  std::vector<std::string> out;
  for (const std::string &arg : args) {
    std::error_code ec;
    if (!fs::is_directory(arg, ec)) {
      out.push_back(arg);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(arg, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->path().extension() == ".edl" && it->is_regular_file(ec) && !it->is_symlink(ec))
        found.push_back(it->path().string());  // a link inside is its target's second name
    std::sort(found.begin(), found.end());
    if (found.empty()) {
      report_error() << "no .edl file under '" << arg << "'";
      rc = kUserError;
    }
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace

int run_fmt(const FmtOptions &opts) {
  int rc = kOk;
  for (const std::string &file : expand(opts.files, rc)) {
    SourceManager sm;
    DiagnosticEngine diags;
    ReadFailure why;
    std::optional<FileId> id = sm.load(file, &why);
    if (!id) {
      report_error() << "cannot read file '" << file << "': " << note_text(read_failure_note(why));
      rc = kUserError;
      continue;
    }
    ParseResult parsed = parse_file(*id, sm, diags);
    if (!parsed.file) {
      print_diagnostics(diags.diagnostics(), sm, OutputFormat::Text, ColorMode::Auto, diags.error_count(), 0);
      rc = kUserError;
      continue;
    }
    std::string formatted = format_file(*parsed.file, parsed.comments, sm.text(*id));
    // Never write text that means something else: reparse and compare.
    SourceManager check_sm;
    DiagnosticEngine check_diags;
    FileId again = check_sm.add(file, formatted);
    ParseResult reparsed = parse_file(again, check_sm, check_diags);
    if (!reparsed.file || ast::dump(*reparsed.file) != ast::dump(*parsed.file)) {
      report_internal_error("formatting '" + file + "' would change its meaning; file left as is");
      return kInternal;
    }
    const std::string &original = sm.text(*id);
    if (opts.stdout_only) {
      std::cout << formatted;
    } else if (opts.check) {
      if (formatted != original) {
        std::cout << unified_diff(original, formatted, file);
        std::cerr << file << ": not formatted (run 'edlc fmt " << file << "')\n";
        rc = kUserError;
      }
    } else if (formatted != original && !write_atomically(file, formatted)) {
      report_error() << "cannot write '" << file << "'";
      rc = kUserError;
    }
  }
  return rc;
}

}  // namespace edl::cli
