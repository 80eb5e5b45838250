// Runs read from a store as the report library's documents, for the
// commands that show several (edlc report, edlc runs compare).
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace edl::cli {

// report::run_data() of each run in `ids` (the newest run when empty), in
// that order, from the store at `path`. False, with the error reported,
// when the store cannot be read, has no runs or lacks one of `ids`.
bool read_stored_runs(const std::string &path, std::vector<long long> ids, std::vector<nlohmann::json> &out);

}  // namespace edl::cli
