// A train job's search, resolved (compiler/resolve/Spec.h): objective,
// proxy, pruner, parallelism, wall-clock budget, PBT's settings and the
// searched dimensions.
#pragma once

#include "compiler/resolve/Spec.h"
#include "runtime/search/Pruner.h"

#include <memory>

namespace edl::search {

using SearchSpec = spec::Search;

// The search's pruner, or null when it prunes nothing.
std::unique_ptr<Pruner> make_pruner(const SearchSpec &spec);

}  // namespace edl::search
