#include "tools/edlc/StoredRuns.h"

#include "tools/edlc/Errors.h"

#include "runtime/report/RunData.h"
#include "runtime/store/Store.h"

namespace edl::cli {

bool read_stored_runs(const std::string &path, std::vector<long long> ids, std::vector<nlohmann::json> &out) {
  try {
    store::Store store(path);
    if (ids.empty()) {
      const std::vector<store::RunRow> all = store.runs();
      if (all.empty()) {
        report_error() << "no runs in " << path << " yet: 'edlc run' makes one";
        return false;
      }
      ids.push_back(all.back().id);
    }
    for (long long id : ids) {
      if (!store.run(id)) {
        report_error() << "no run " << id << " in " << path << " ('edlc runs' lists them)";
        return false;
      }
      out.push_back(report::run_data(store, id));
    }
  } catch (const store::StoreError &e) {
    report_error() << e.what();
    return false;
  }
  return true;
}

}  // namespace edl::cli
