/* The hot loop of the exact enumeration: dst[i] = exp(lin[i] + e_lo[i] + shift),
 * returning the sum.  Compiled with -ffast-math, gcc vectorises exp() through
 * glibc's libmvec; on x86-64 Linux a second, AVX2 version (4 doubles per call
 * instead of 2) is chosen at load time when the CPU has it. */
#include <math.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
__attribute__((target_clones("avx2", "default")))
#endif
static double sbs_exp_block(double *restrict dst, const double *restrict lin,
                            const double *restrict e_lo, double shift, long long n)
{
    double sum = 0.0;
    for (long long i = 0; i < n; i++) {
        double w = exp(lin[i] + e_lo[i] + shift);
        dst[i] = w;
        sum += w;
    }
    return sum;
}
