#include "Commands.h"

#include "compiler/support/Diagnostics.h"
#include "compiler/support/Explanations.h"

#include <iostream>

namespace edl::cli {

int run_explain(const std::string &raw) {
  std::string code = raw;
  for (char &c : code) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto id = diagnostic_by_code(code);
  auto text = explanation(code);
  if (!id || !text) {
    std::cerr << "edlc: error: no diagnostic has the code '" << raw << "'; codes look like E0301 or W0101\n";
    return kUserError;
  }
  std::cout << *text;
  return kOk;
}

}  // namespace edl::cli
