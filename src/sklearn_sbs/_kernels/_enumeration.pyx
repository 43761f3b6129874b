# Exact enumeration of a Boltzmann distribution p(z) ~ exp(1/2 z'Wz + b'z), z in {0,1}^n.
#
# The state index is the C-order flat index of an array of shape (2,)*n: unit i is
# bit (n-1-i).  The units are split into H "high" units (0..H-1) and L "low" units
# (H..n-1).  The high part is enumerated in reflected Gray-code order, so one unit
# flips per step and the energy and the fields update in O(n).  For each high state
# the 2**L low states form a block whose energies are
#     E = E_hi + E_lo[lo] + c . z_lo,
# with E_lo precomputed once and c (the field of the high units on the low units)
# updated by the Gray step; the linear term of a whole block is built by doubling,
# so a state costs O(1) plus one exp.
#
# Weights are accumulated relative to a reference energy M (per chunk); whenever a
# block holds an energy more than RESCALE above M, the accumulators are rescaled
# and M moves up.  exp() therefore never overflows, and states far below the
# largest energy underflow to zero, where they are negligible anyway.
#
# Moments need no per-unit work per state either: the block's weight per low
# pattern is added to a low-pattern histogram A (low/low moments come from A at the
# end), and "folding" the block in halves gives the block's low marginals in O(1)
# per state (high/low and high/high moments are then O(n^2) per block).
#
# Chunks of consecutive Gray positions are independent and run in parallel; the
# Python wrapper combines their accumulators in log space.
#
# This file is compiled with -ffast-math so that exp() vectorises (glibc's libmvec):
# nothing here may rely on inf or NaN (finite-math-only), hence the explicit flags.

import numpy as np

from cython.parallel cimport prange
from libc.math cimport exp


cdef extern from "_exp_block.h" nogil:
    double sbs_exp_block(double* dst, const double* lin, const double* e_lo, double shift,
                         long long n)

cdef double RESCALE = 600.0


cdef inline void _flip_high(int i, int H, int L, const double* W, int n,
                            const double* b, char* zh, double* e_hi,
                            double* hfield, double* c) noexcept nogil:
    """Flip high unit i and update the high energy and all fields."""
    cdef int k
    cdef double s
    if zh[i]:
        s = -1.0
        zh[i] = 0
        e_hi[0] -= b[i] + hfield[i]
    else:
        s = 1.0
        zh[i] = 1
        e_hi[0] += b[i] + hfield[i]
    for k in range(H):
        hfield[k] += s * W[k * n + i]
    for k in range(L):
        c[k] += s * W[(H + k) * n + i]


cdef void _run_chunk(const double* W, const double* b, int n, int L,
                     const double* e_lo, double e_lo_max, long long p0, long long p1,
                     double* joint, double* block_m, bint want_joint, bint want_moments,
                     double* out_m, double* out_s, double* A, double* X, double* Y,
                     double* buf, double* v, char* zh, double* hfield, double* c
                     ) noexcept nogil:
    cdef int H = n - L
    cdef long long NL = 1LL << L
    cdef long long p, g, lo, m, half, size
    cdef int i, k, j, bit
    cdef double e_hi = 0.0, emax, sb, scale, M = 0.0, S = 0.0, x
    cdef bint have_m = False
    cdef double* dst

    # initial high state: Gray code of position p0
    g = p0 ^ (p0 >> 1)
    for i in range(H):
        zh[i] = (g >> (H - 1 - i)) & 1
    for i in range(H):
        x = 0.0
        for k in range(H):
            if zh[k]:
                x += W[i * n + k]
        hfield[i] = x
        if zh[i]:
            e_hi += b[i] + 0.5 * x
    for j in range(L):
        x = 0.0                  # the low biases are in e_lo already
        for k in range(H):
            if zh[k]:
                x += W[(H + j) * n + k]
        c[j] = x

    for p in range(p0, p1):
        if p > p0:
            # the Gray step from p-1 to p flips the bit ctz(p) of the high index
            bit = 0
            while not ((p >> bit) & 1):
                bit += 1
            _flip_high(H - 1 - bit, H, L, W, n, b, zh, &e_hi, hfield, c)
            g = p ^ (p >> 1)

        # linear part of the block's energies: buf[lo] = c . z_lo (the energy is
        # e_hi + e_lo[lo] + buf[lo])
        buf[0] = 0.0
        size = 1
        for k in range(L):
            x = c[L - 1 - k]         # low bit k belongs to low unit L-1-k
            for m in range(size):
                buf[size + m] = buf[m] + x
            size *= 2
        # An upper bound of the block's energies decides whether exp() could come
        # near overflow; only then (and for the first block) is the exact maximum
        # needed, so usually energy, exp and sum are one pass.
        emax = e_hi + e_lo_max
        for j in range(L):
            if c[j] > 0:
                emax += c[j]
        if not have_m or emax > M + RESCALE:
            emax = buf[0] + e_hi + e_lo[0]
            for lo in range(NL):
                x = buf[lo] + e_hi + e_lo[lo]
                if x > emax:
                    emax = x
            if not have_m:
                M = emax
                have_m = True
            elif emax > M + RESCALE:
                scale = exp(M - emax)
                S *= scale
                if want_moments:
                    for lo in range(NL):
                        A[lo] *= scale
                    for i in range(H * L):
                        X[i] *= scale
                    for i in range(H * H):
                        Y[i] *= scale
                M = emax

        dst = buf
        if want_joint:
            # weights relative to this block's reference; the wrapper rescales rows
            block_m[g] = M
            dst = joint + g * NL
        sb = sbs_exp_block(dst, buf, e_lo, e_hi - M, NL)
        S += sb
        if want_moments and want_joint:
            for lo in range(NL):
                buf[lo] = dst[lo]

        if want_moments:
            for lo in range(NL):
                A[lo] += buf[lo]
            # fold in halves: the upper half of the current range is where the top
            # remaining low bit is set
            size = NL
            for k in range(L - 1, -1, -1):
                half = size >> 1
                x = 0.0
                for m in range(half):
                    x += buf[half + m]
                    buf[m] += buf[half + m]
                v[L - 1 - k] = x
                size = half
            for i in range(H):
                if zh[i]:
                    for k in range(i, H):
                        if zh[k]:
                            Y[i * H + k] += sb
                    for j in range(L):
                        X[i * L + j] += v[j]
    out_m[0] = M
    out_s[0] = S


def enumerate_chunks(const double[:, ::1] W, const double[::1] b, int L,
                     double[::1] joint, double[::1] block_m, bint want_joint,
                     bint want_moments, double[::1] chunk_m, double[::1] chunk_s,
                     double[:, ::1] chunk_a, double[:, ::1] chunk_x,
                     double[:, ::1] chunk_y, double[:, ::1] work,
                     char[:, ::1] work_z, int n_threads):
    """Run the enumeration in ``chunk_m.shape[0]`` chunks (see module comment).

    Per chunk c it writes the reference energy ``chunk_m[c]``, the summed weight
    ``chunk_s[c]`` and, if ``want_moments``, the low-pattern histogram
    ``chunk_a[c]`` (2**L), the high/low sums ``chunk_x[c]`` (H*L) and the high/high
    sums ``chunk_y[c]`` (H*H, upper triangle), all relative to ``exp(chunk_m[c])``.
    With ``want_joint``, block g (2**L states, high index g) of ``joint`` gets the
    weights relative to ``exp(block_m[g])``.  ``work`` holds 2**L + 2L + H doubles
    per chunk, ``work_z`` H chars.
    """
    cdef int n = W.shape[0]
    cdef int H = n - L
    cdef long long NL = 1LL << L
    cdef long long n_blocks = 1LL << H
    cdef int n_chunks = chunk_m.shape[0]
    cdef int ci
    cdef long long p0, p1
    cdef double[::1] e_lo = _low_energies(W, b, L)
    cdef const double* e_lo_ptr = &e_lo[0]
    cdef double e_lo_max = e_lo[0]
    cdef long long lo
    for lo in range(NL):
        if e_lo[lo] > e_lo_max:
            e_lo_max = e_lo[lo]
    cdef double* jp = &joint[0]
    cdef double* bm = &block_m[0]
    cdef double* wrk
    for ci in prange(n_chunks, nogil=True, num_threads=n_threads, schedule="dynamic"):
        p0 = (n_blocks * ci) // n_chunks
        p1 = (n_blocks * (ci + 1)) // n_chunks
        wrk = &work[ci, 0]
        _run_chunk(&W[0, 0], &b[0], n, L, e_lo_ptr, e_lo_max, p0, p1, jp, bm, want_joint,
                   want_moments, &chunk_m[ci], &chunk_s[ci], &chunk_a[ci, 0],
                   &chunk_x[ci, 0], &chunk_y[ci, 0], wrk, wrk + NL,
                   &work_z[ci, 0], wrk + NL + L, wrk + NL + L + H)


cdef double[::1] _low_energies(const double[:, ::1] W, const double[::1] b, int L):
    """Energy 1/2 z'W z + b'z of the low units alone, for every low pattern.

    Built by doubling: adding low bit k (unit j = L-1-k) to the patterns of the
    bits below adds b_j plus the field f_j of those patterns on unit j, which is
    itself built by doubling.  O(2**L) in all.
    """
    cdef int n = W.shape[0]
    cdef int H = n - L
    cdef long long NL = 1LL << L
    cdef long long m, size, size2
    cdef int k, k2, j
    out_arr = np.empty(NL, dtype=np.float64)
    field_arr = np.empty(NL, dtype=np.float64)
    cdef double[::1] out = out_arr
    cdef double[::1] field = field_arr
    with nogil:
        out[0] = 0.0
        size = 1
        for k in range(L):
            j = H + L - 1 - k
            field[0] = b[j]
            size2 = 1
            for k2 in range(k):
                for m in range(size2):
                    field[size2 + m] = field[m] + W[j, H + L - 1 - k2]
                size2 *= 2
            for m in range(size):
                out[size + m] = out[m] + field[m]
            size *= 2
    return out


def scale_blocks(double[:, ::1] joint, const double[::1] block_m, double log_z,
                 int n_threads):
    """In place: block g of the joint times exp(block_m[g] - log_z), i.e. normalised."""
    cdef Py_ssize_t g, lo, n_blocks = joint.shape[0], NL = joint.shape[1]
    cdef double factor
    for g in prange(n_blocks, nogil=True, num_threads=n_threads, schedule="static"):
        factor = exp(block_m[g] - log_z)
        for lo in range(NL):
            joint[g, lo] = joint[g, lo] * factor
