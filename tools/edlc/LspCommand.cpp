#include "Commands.h"

#include "compiler/lsp/Server.h"

#include <iostream>

namespace edl::cli {

int run_lsp() {
  std::ios::sync_with_stdio(false);
  return lsp::run_server(std::cin, std::cout);
}

}  // namespace edl::cli
