// What identifies a task's work when it runs: the semantics version, the
// plan's hash of its resolved inputs, the identities of the tasks it depends on, and for a
// dataset load a fingerprint of the files it reads (paths, sizes,
// modification times), so adding or changing a file reruns exactly what
// reads it. `edlc plan` and `edlc run` compute the same identities; the
// store keys finished work by them.
#pragma once

#include "compiler/plan/Plan.h"

#include <map>
#include <string>

namespace edl::workflow {

// What this edlc means by running a task, as a number in every identity:
// bumped whenever a runtime meaning changes (a default, what a task
// computes or writes), so work an older edlc finished under other meanings
// is run again instead of reused. 2: the augmentation a search adopts, the
// final model taken from the best trial, checkpoint.keep, formula functions
// as stdlib::formula_reference defines them, label rounds never done.
// 3: identities hash resolved specs (defaults filled from the catalogue).
inline constexpr int kSemanticsVersion = 3;

// Task id -> identity (32 hex digits).
std::map<std::string, std::string> task_identities(const Plan &plan);

// A file's or a folder's (recursively) names, sizes and modification times,
// hashed; a path that does not exist hashes as such.
std::string data_fingerprint(const std::string &path);

}  // namespace edl::workflow
