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

// A record-valued property or parameter (`split`, `image`, `proxy`,
// `early_stop`, `workflow`, ...), with what it belongs to.
struct RecordEntry {
  std::string owner;  // "dataset", "random(...)", ...
  const Field *field;
  const Type *record;
};
std::vector<RecordEntry> record_entries();
std::string describe(const RecordEntry &r);     // its fields, types, ranges and defaults

}  // namespace edl::stdlib
