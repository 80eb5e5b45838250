// The sdk(lang = "cpp") target: a folder `sdk/` in the package with the
// preprocessing compiled ahead of time by Halide (lib/edl_preprocess.a), a
// small C++ API (include/edl/predictor.h: edl::Predictor p("package dir");
// p.classify(image_bytes) or p.detect(image_bytes)), a CMake config (edl-sdk-config.cmake, target
// edl::sdk) and an example program (example/). Needs libtorch and OpenCV
// where it is built, nothing of edlc. A text model's SDK has instead the
// tokenizer's source (src/runtime/data/TextEncoder.*, the file training
// used) and p.classify_text(text); it needs libtorch alone.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace edl::deploy {

// Writes `dir` (the package's sdk/ folder) for the model `manifest`
// describes. False with `error`.
bool write_sdk(const nlohmann::json &manifest, const std::string &dir, std::string &error);

// The example program the SDK builds: "classify", "detect", "segment" or "classify_text".
const char *sdk_example_program(const nlohmann::json &manifest);

}  // namespace edl::deploy
