// Specs as JSON, every property resolved and defaults filled: what
// `edlc plan --format json` shows, and (without names and source ranges)
// the canonical form a task's identity hashes. render_spec_text is the
// readable form of `edlc plan --specs`, one `key: value` per line, nested
// by indentation, for tests (FileCheck) and people.
#pragma once

#include "compiler/resolve/Spec.h"

#include <nlohmann/json.hpp>

#include <string>

namespace edl::spec {

nlohmann::json to_json(const Project &p);
nlohmann::json to_json(const Dataset &d);
nlohmann::json to_json(const Train &t);
nlohmann::json to_json(const Label &l);
nlohmann::json to_json(const Deploy &d);
nlohmann::json to_json(const Augment &a);
nlohmann::json to_json(const Scalar &s);

// What a spec means, for identities: its JSON without the names it goes by
// (a renamed block is the same work) and without paths that only say where
// results go. Sorted keys, so equal specs print equal.
std::string canonical(const nlohmann::json &spec);

std::string render_spec_text(const nlohmann::json &spec, int indent = 0);

}  // namespace edl::spec
