// The inference preprocessing of a deploy package compiled ahead of time by
// Halide into a static library for the SDK: an interleaved uint8 image of
// any size (as a decoder gives it) is resized bilinearly to the model's
// width x height and normalised per channel ((x / 255 - mean) / std) into
// planar float32, the model's input layout. No random steps. Halide types
// stay in the .cpp.
#pragma once

#include <string>
#include <vector>

namespace edl::lower {

struct PreprocessSpec {
  int width = 0, height = 0, channels = 0;
  std::vector<float> mean, std;  // per channel
};

// Writes `<dir>/edl_preprocess.a` and `<dir>/edl_preprocess.h` declaring
//   int edl_preprocess(halide_buffer_t *input, halide_buffer_t *output);
// input: uint8, dims (channel, x, y) with the channel innermost;
// output: float32, dims (x, y, channel), width x height x channels.
// False with `error`.
bool compile_preprocess(const PreprocessSpec &spec, const std::string &dir, std::string &error);

}  // namespace edl::lower
