# Systematic-scan Gibbs sampling of p(z) ~ exp(1/2 z'Wz + b'z).  The random numbers
# come from the caller (a numpy Generator), so results are reproducible and the
# loop needs no Python.

from libc.math cimport exp


def gibbs_sweeps(const double[:, ::1] W, const double[::1] b,
                 unsigned char[::1] z, const double[:, ::1] uniforms,
                 unsigned char[:, ::1] out, int thin):
    """Run ``uniforms.shape[0]`` sweeps from state ``z`` (updated in place).

    Sweep s updates units 0..n-1 in turn with p(z_i = 1 | rest) = sigmoid(field_i),
    using ``uniforms[s, i]``.  After every ``thin``-th sweep the state is copied to
    the next row of ``out`` (``out`` may have zero rows: burn-in).
    """
    cdef Py_ssize_t n = W.shape[0], n_sweeps = uniforms.shape[0]
    cdef Py_ssize_t n_out = out.shape[0], row = 0, s, i, j
    cdef double[::1] field = b.copy()
    cdef double p, delta
    cdef unsigned char new
    with nogil:
        for i in range(n):
            if z[i]:
                for j in range(n):
                    field[j] += W[j, i]
        for s in range(n_sweeps):
            for i in range(n):
                p = 1.0 / (1.0 + exp(-field[i]))
                new = uniforms[s, i] < p
                if new != z[i]:
                    z[i] = new
                    delta = 1.0 if new else -1.0
                    for j in range(n):
                        field[j] += delta * W[j, i]
            if row < n_out and (s + 1) % thin == 0:
                for i in range(n):
                    out[row, i] = z[i]
                row += 1
