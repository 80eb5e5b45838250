#include "compiler/frontend/CompileProject.h"

#include "compiler/resolve/Resolve.h"

namespace edl {

CompiledProject compile_project(const std::string &path, SourceManager &sm, DiagnosticEngine &diags,
                                const std::optional<std::string> &text) {
  CompiledProject out;
  out.project = load_project(path, sm, diags, text);
  if (out.project.complete) {
    out.checked = check_project(out.project, sm, diags);
    if (!diags.has_errors()) {
      spec::Specs specs = resolve_project(out.checked, sm, diags);
      if (!diags.has_errors()) out.specs = std::move(specs);
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
