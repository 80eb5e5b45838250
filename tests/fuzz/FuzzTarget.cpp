#include "FuzzTarget.h"

#include "compiler/ast/Dump.h"
#include "compiler/format/Formatter.h"
#include "compiler/plan/Plan.h"
#include "compiler/resolve/Resolve.h"
#include "compiler/sema/Checker.h"
#include "compiler/support/DiagnosticRenderer.h"

#include <cstdio>
#include <cstdlib>
#include <string>

namespace edl::fuzz {

namespace {

[[noreturn]] void fail(const char *what, const std::string &input) {
  std::fprintf(stderr, "fuzz: %s\n--- input ---\n%s\n--- end ---\n", what, input.c_str());
  std::abort();
}

}  // namespace

void run_one(const std::uint8_t *data, std::size_t size) {
  std::string text(reinterpret_cast<const char *>(data), size);
  SourceManager sm;
  DiagnosticEngine diags;
  // The text is checked as one file: imports are not followed.
  FileId id = sm.add("fuzz.edl", text);
  ParseResult parsed = parse_file(id, sm, diags);
  if (parsed.file) {
    LoadedProject project;
    project.files.push_back({id, std::move(parsed.file), parsed.comments});
    project.complete = diags.error_count() == 0;
    CheckedProject checked = check_project(project, sm, diags);
    if (!diags.has_errors()) {
      spec::Specs specs = resolve_project(checked, sm, diags);
      if (!diags.has_errors()) build_plan(specs);
    }

    const ast::File &file = *project.files[0].ast;
    std::string once = format_file(file, parsed.comments, text);
    SourceManager sm2;
    DiagnosticEngine diags2;
    ParseResult again = parse_file(sm2.add("fmt.edl", once), sm2, diags2);
    if (!again.file || ast::dump(*again.file) != ast::dump(file)) fail("formatting changed the meaning", text);
    if (format_file(*again.file, again.comments, once) != once) fail("formatting is not idempotent", text);
  } else if (parsed.partial) {
    // What an editor does with a broken file: check the tree recovery built, quietly.
    LoadedProject project;
    project.files.push_back({id, std::move(parsed.partial), parsed.comments, true});
    DiagnosticEngine follow_on;
    check_project(project, sm, follow_on);
  }
  render_text(diags.diagnostics(), sm);
  render_json(diags.diagnostics(), sm);
}

}  // namespace edl::fuzz
