// The catalogue as text for people: `edlc explain NAME` and the generated
// language reference docs/reference.md, so the docs follow the compiler.
#pragma once

#include "stdlib/Catalogue.h"

#include <string>

namespace edl::stdlib {

std::string signature(const Function &f);       // "rotate(degrees, p = 1)"
std::string describe(const Function &f);        // signature, doc and parameters
std::string describe(const BlockSchema &b);     // a block's properties
std::string reference_markdown();               // the whole catalogue

}  // namespace edl::stdlib
