#include "compiler/frontend/CompileProject.h"

#include "compiler/resolve/Resolve.h"
#include "compiler/resolve/VerifySpecs.h"
#include "compiler/support/InternalError.h"

namespace edl {
namespace {

// What resolve made is checked before anything uses it (it costs
// microseconds): a broken invariant stops here, not in the runtime.
void verify_or_stop(const spec::Specs &specs) {
  std::vector<std::string> broken = spec::verify(specs);
  if (broken.empty()) return;
  std::string all;
  for (const std::string &b : broken) all += (all.empty() ? "" : "; ") + b;
  internal_error("resolve made specs that break their invariants: " + all);
}

}  // namespace

CompiledProject compile_project(const std::string &path, SourceManager &sm, DiagnosticEngine &diags,
                                const std::optional<std::string> &text) {
  CompiledProject out;
  out.project = load_project(path, sm, diags, text);
  if (out.project.complete) {
    out.checked = check_project(out.project, sm, diags);
    if (!diags.has_errors()) {
      spec::Specs specs = resolve_project(out.checked, sm, diags);
      if (!diags.has_errors()) {
        verify_or_stop(specs);
        out.specs = std::move(specs);
      }
    }
    return out;
  }
  bool any_tree = false;
  for (const SourceFile &f : out.project.files) any_tree = any_tree || f.ast.has_value();
  if (any_tree) {
    DiagnosticEngine follow_on;  // what follows from a broken file is not shown
    out.checked = check_project(out.project, sm, follow_on);
  }
  return out;
}

}  // namespace edl
