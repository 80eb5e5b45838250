// An AugmentProgram lowered to one fused Halide pipeline over a batch:
// every geometric step in one affine warp with one bilinear resampling,
// pixel steps and custom ops in the same loop. Halide types stay in the
// .cpp; callers see plain buffers.
#pragma once

#include "compiler/lower/halide/AugmentProgram.h"

#include <cstdint>
#include <memory>
#include <string>

namespace edl::lower {

class CompiledAugment {
 public:
  ~CompiledAugment();
  // Compiles the program for the host. With a cache folder, the kernel is
  // compiled ahead of time into a shared library there, named by a hash of
  // the program and the target, and a later compile of the same program
  // just loads it; without one (or without a system C++ compiler to link
  // the library) it is JIT-compiled. Empty on failure, with `error` set.
  static std::unique_ptr<CompiledAugment> compile(const AugmentProgram &program, std::string &error,
                                                  const std::string &cache_dir = "");

  // input: n x in_h x in_w x channels uint8 (interleaved, as loaded);
  // params: n rows of program.slots floats (AugmentProgram::sample);
  // output: n x out_h x out_w x channels uint8.
  void run(const std::uint8_t *input, int n, const float *params, std::uint8_t *output) const;

  const AugmentProgram &program() const;
  double compile_seconds() const;
  bool from_cache() const;

 private:
  struct Impl;
  explicit CompiledAugment(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace edl::lower
