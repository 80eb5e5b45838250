#include "Commands.h"
#include "Report.h"

#include "compiler/ast/Dump.h"
#include "compiler/format/Formatter.h"

#include <filesystem>
#include <fstream>
#include <iostream>

namespace edl::cli {
namespace {

bool write_atomically(const std::string &path, const std::string &text) {
  std::string tmp = path + ".edlfmt.tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return false;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) std::filesystem::remove(tmp, ec);
  return !ec;
}

}  // namespace

int run_fmt(const FmtOptions &opts) {
  int rc = kOk;
  for (const std::string &file : opts.files) {
    SourceManager sm;
    DiagnosticEngine diags;
    std::optional<FileId> id = sm.load(file);
    if (!id) {
      std::cerr << "edlc: error: cannot read file '" << file << "'\n";
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
      std::cerr << "edlc: internal error: formatting '" << file << "' would change its meaning; file left as is\n";
      return kInternal;
    }
    const std::string &original = sm.text(*id);
    if (opts.stdout_only) {
      std::cout << formatted;
    } else if (opts.check) {
      if (formatted != original) {
        std::cerr << file << ": not formatted (run 'edlc fmt " << file << "')\n";
        rc = kUserError;
      }
    } else if (formatted != original && !write_atomically(file, formatted)) {
      std::cerr << "edlc: error: cannot write '" << file << "'\n";
      rc = kUserError;
    }
  }
  return rc;
}

}  // namespace edl::cli
