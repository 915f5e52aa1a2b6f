// Eigen for the native build: every native file includes Eigen through this header, never <Eigen/Core> directly.
//
// GCC 12's AVX-512 intrinsic headers write _mm512_undefined_ps() and friends as a self-initialised variable
// (`__m512 __Y = __Y;`). Once Eigen's AVX-512 packets inline them, -Wmaybe-uninitialized reports a false positive
// inside the compiler's own avx512fintrin.h, and -Werror turns it into a failed build on any -march with
// AVX-512 (icelake-server, sapphirerapids, or native on such a CPU). The warning is silenced for Eigen's headers
// and the intrinsics they pull in, and nowhere else: GCC checks the pragma at the warning's location, which lies
// inside this push/pop. tools/test.sh compiles the tree for AVX-512 targets so that this stays true.
#ifndef VITRINE_NATIVE_EIGEN_CORE_H_
#define VITRINE_NATIVE_EIGEN_CORE_H_

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Cholesky>  // LDLT, for the trainer's Newton steps (models/train/conversion_fit.cc)
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#endif  // VITRINE_NATIVE_EIGEN_CORE_H_
