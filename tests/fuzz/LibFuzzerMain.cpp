// libFuzzer entry point (built with clang when EDL_FUZZ is on).
#include "FuzzTarget.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size) {
  edl::fuzz::run_one(data, size);
  return 0;
}
