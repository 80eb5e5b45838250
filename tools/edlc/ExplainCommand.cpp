#include "Commands.h"
#include "tools/edlc/Errors.h"

#include "compiler/support/Diagnostics.h"
#include "compiler/support/EditDistance.h"
#include "compiler/support/Explanations.h"
#include "stdlib/Reference.h"

#include <iostream>

namespace edl::cli {

int run_explain(const std::string &what, bool reference) {
  if (reference) {
    std::cout << stdlib::reference_markdown();
    return kOk;
  }
  std::string code = what;
  for (char &c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (diagnostic_by_code(code)) {
    if (auto text = explanation(code)) {
      std::cout << *text;
      return kOk;
    }
  }
  // A catalogue name: every function of that name, or a block kind.
  const stdlib::Catalogue &cat = stdlib::catalogue();
  bool found = false;
  for (const stdlib::Function &f : cat.all()) {
    if (f.name != what) continue;
    std::cout << (found ? "\n" : "") << stdlib::describe(f);
    found = true;
  }
  for (const stdlib::BlockSchema &b : cat.blocks_) {
    if (what != ast::to_string(b.kind)) continue;
    std::cout << (found ? "\n" : "") << stdlib::describe(b);
    found = true;
  }
  for (const stdlib::RecordEntry &r : stdlib::record_entries()) {  // split, image, proxy, early_stop, ...
    if (r.field->name != what) continue;
    std::cout << (found ? "\n" : "") << stdlib::describe(r);
    found = true;
  }
  if (found) return kOk;
  std::vector<std::string> names;
  for (const stdlib::Function &f : cat.all()) names.push_back(f.name);
  for (const stdlib::RecordEntry &r : stdlib::record_entries()) names.push_back(r.field->name);
  report_error() << "'" << what << "' is neither a diagnostic code (like E0301) nor a name of the catalogue";
  if (auto best = closest_match(what, names)) std::cerr << "  = help: did you mean '" << *best << "'?\n";
  return kUserError;
}

}  // namespace edl::cli
