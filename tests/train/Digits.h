// Real digits (data/digits) at 16x16, gray, loaded once per test binary:
// the training tests' shared data. Its training split is also the labeling
// tests' pool, its validation split their held-out samples.
#pragma once

#include "TestSupport.h"

#include "runtime/data/Dataset.h"

#include <catch2/catch.hpp>

#include <filesystem>

namespace edl::test {

inline const data::LoadedDataset &digits16() {
  static const data::LoadedDataset d = [] {
    data::DatasetSpec spec;
    spec.name = "digits";
    spec.path = source_dir() + "/data/digits";
    if (!std::filesystem::exists(spec.path + "/.complete")) FAIL("data/digits is missing: run scripts/fetch-data.sh");
    spec.width = spec.height = 16;
    spec.channels = 1;
    return data::load_dataset(spec, {false});
  }();
  return d;
}

}  // namespace edl::test
