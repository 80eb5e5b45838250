// One run of the store gathered into the JSON document a report is drawn
// from (and embeds, so what the page shows can be checked against the
// store): the run, the plan it carried out, its tasks' timings, each train
// job's metrics per epoch, each search's trials, each evaluation with
// per-class precision, recall and F1 and its most confused pairs, label
// learning curves, and deploy packages. Reads the store only. No torch.
#pragma once

#include "runtime/store/Store.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <vector>

namespace edl::report {

// Throws store::StoreError; an unknown run is a std::out_of_range.
nlohmann::json run_data(store::Store &store, std::int64_t run);

// A store column's JSON text (outputs, params, meta, plan) parsed, or an
// empty object when it is not JSON.
nlohmann::json stored_json(const std::string &text);

// j[key] when j is an object that has it, else an empty object: safe to
// iterate with items(), unlike the temporary that j.value() returns.
const nlohmann::json &member(const nlohmann::json &j, const std::string &key);

// Per class of a confusion matrix (rows: true class, columns: predicted):
// [{class, precision, recall, f1, support}]; a class never predicted has
// precision 0, one never present recall 0.
nlohmann::json per_class_scores(const nlohmann::json &classes, const nlohmann::json &confusion);

}  // namespace edl::report
