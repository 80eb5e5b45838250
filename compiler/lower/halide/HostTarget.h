// The Halide target for this machine. Halide 14 calls a CPU with AVX-VNNI
// and AVX512-BF16 "sapphirerapids" and lets LLVM use AVX512-FP16 there,
// which AMD's AVX-512 CPUs (Zen 4/5) lack: kernels died with SIGILL on
// `vmovsh`. Include only from files that already include Halide.h.
#pragma once

#include <Halide.h>

#include <cpuid.h>

namespace edl::lower {

inline bool cpu_has_avx512_fp16() {
#if defined(__x86_64__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (d >> 23) & 1u;  // CPUID.(EAX=7,ECX=0):EDX[23] AVX512_FP16
#else
  return false;
#endif
}

// `target` (the host's, or HL_JIT_TARGET's) without the features this CPU
// cannot run.
inline Halide::Target runnable(Halide::Target target) {
  if (target.has_feature(Halide::Target::AVX512_SapphireRapids) && !cpu_has_avx512_fp16())
    target = target.without_feature(Halide::Target::AVX512_SapphireRapids);
  return target;
}

}  // namespace edl::lower
