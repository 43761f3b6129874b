# Spike trains -> binary states.  A unit is on during [t, t + tau_on) after each of
# its spikes; a spike while it is on restarts the window.  All functions take the
# spikes sorted by time (the wrapper sorts once) and run in O(spikes) plus the size
# of their output.

import numpy as np

from libc.math cimport INFINITY


def on_intervals(const double[::1] times, const long long[::1] ids,
                 const double[::1] tau_on, Py_ssize_t n_units):
    """Merge each unit's spikes into maximal on-intervals.

    Returns ``is_start`` (1 where a spike opens an interval) and ``ends`` (the end
    of the interval a spike opens; undefined elsewhere).  Intervals come out in
    the order of their starts, i.e. in spike order.
    """
    cdef Py_ssize_t S = times.shape[0], k, u
    is_start_arr = np.zeros(S, dtype=np.uint8)
    ends_arr = np.empty(S, dtype=np.float64)
    cur_arr = np.full(n_units, -1, dtype=np.int64)
    cdef unsigned char[::1] is_start = is_start_arr
    cdef double[::1] ends = ends_arr
    cdef long long[::1] cur = cur_arr
    cdef double t
    with nogil:
        for k in range(S):
            u = ids[k]
            t = times[k]
            if cur[u] >= 0 and t < ends[cur[u]]:
                ends[cur[u]] = t + tau_on[u]       # restart inside the window
            else:
                cur[u] = k
                is_start[k] = 1
                ends[k] = t + tau_on[u]
    return is_start_arr, ends_arr


def on_time(const double[::1] times, const long long[::1] ids,
            const unsigned char[::1] is_start, const double[::1] ends,
            Py_ssize_t n_units, double t_start, double t_stop):
    """Total on-time of each unit inside [t_start, t_stop)."""
    cdef Py_ssize_t S = times.shape[0], k
    out_arr = np.zeros(n_units, dtype=np.float64)
    cdef double[::1] out = out_arr
    cdef double lo, hi
    with nogil:
        for k in range(S):
            if is_start[k]:
                lo = times[k] if times[k] > t_start else t_start
                hi = ends[k] if ends[k] < t_stop else t_stop
                if hi > lo:
                    out[ids[k]] += hi - lo
    return out_arr


def co_on_time(const double[::1] times, const long long[::1] ids,
               const unsigned char[::1] is_start, const double[::1] ends,
               Py_ssize_t n_units, double t_start, double t_stop):
    """Time both units of each pair are on inside [t_start, t_stop), an (n, n) matrix.

    Each pair of overlapping intervals is counted once, when the later one starts,
    against the list of intervals still open then: O(spikes x mean number of units
    on), not O(spikes x n^2).
    """
    cdef Py_ssize_t S = times.shape[0], k, a, n_active = 0, u, w
    out_arr = np.zeros((n_units, n_units), dtype=np.float64)
    active_arr = np.empty(n_units, dtype=np.int64)
    active_end_arr = np.empty(n_units, dtype=np.float64)
    cdef double[:, ::1] out = out_arr
    cdef long long[::1] active = active_arr
    cdef double[::1] active_end = active_end_arr
    cdef double lo, hi, e
    with nogil:
        for k in range(S):
            if not is_start[k]:
                continue
            lo = times[k] if times[k] > t_start else t_start
            hi = ends[k] if ends[k] < t_stop else t_stop
            if lo >= t_stop:
                break
            if hi <= lo:
                continue
            u = ids[k]
            out[u, u] += hi - lo
            a = 0
            while a < n_active:
                e = active_end[a]
                if e <= lo:                 # closed: drop it (swap with the last)
                    n_active -= 1
                    active[a] = active[n_active]
                    active_end[a] = active_end[n_active]
                    continue
                w = active[a]
                e = (e if e < hi else hi) - lo
                out[u, w] += e
                out[w, u] += e
                a += 1
            active[n_active] = u
            active_end[n_active] = hi
            n_active += 1
    return out_arr


def joint_time(const double[::1] times, const long long[::1] ids,
               const double[::1] tau_on, const long long[::1] position,
               const long long[::1] group, Py_ssize_t n_groups, int m,
               double t_start, double t_stop):
    """Time spent in each joint state of the m selected units inside [t_start, t_stop).

    ``position[u]`` is unit u's axis in the output (-1: not selected); the state
    index has axis p at bit m-1-p.  ``group[p]`` numbers the distinct tau_on values
    of the selected units: within a group, window ends are pushed in time order,
    so each group's pending ends form a FIFO queue (stale entries of restarted
    windows are skipped when popped).  At equal times a window closes before a
    spike opens one, as the windows are half-open.
    """
    cdef Py_ssize_t S = times.shape[0], k, q, g, best
    cdef long long p
    hist_arr = np.zeros(1 << m, dtype=np.float64)
    cdef double[::1] hist = hist_arr
    counts_arr = np.zeros(n_groups + 1, dtype=np.int64)
    cdef long long[::1] counts = counts_arr
    for k in range(S):
        p = position[ids[k]]
        if p >= 0:
            counts[group[p] + 1] += 1
    offsets_arr = np.cumsum(counts_arr)
    cdef long long[::1] head = offsets_arr[:-1].copy()
    cdef long long[::1] tail = offsets_arr[:-1].copy()
    cdef Py_ssize_t total = offsets_arr[-1]
    q_end_arr = np.empty(max(total, 1), dtype=np.float64)
    q_pos_arr = np.empty(max(total, 1), dtype=np.int64)
    cur_end_arr = np.full(max(m, 1), -INFINITY, dtype=np.float64)
    cdef double[::1] q_end = q_end_arr
    cdef long long[::1] q_pos = q_pos_arr
    cdef double[::1] cur_end = cur_end_arr
    cdef unsigned long long state = 0
    cdef double t, e, t_prev = t_start, lo, best_e
    cdef bint final
    with nogil:
        for k in range(S + 1):
            final = True
            t = t_stop
            if k < S and times[k] < t_stop:
                p = position[ids[k]]
                if p < 0:
                    continue
                t = times[k]
                final = False
            # close every window that ends at or before t
            while True:
                best = -1
                best_e = INFINITY
                for g in range(n_groups):
                    if head[g] < tail[g] and q_end[head[g]] < best_e:
                        best_e = q_end[head[g]]
                        best = g
                if best < 0 or best_e > t:
                    break
                q = head[best]
                head[best] += 1
                if q_end[q] == cur_end[q_pos[q]]:        # not restarted since
                    if best_e > t_prev:
                        lo = t_prev if t_prev > t_start else t_start
                        if best_e > lo:
                            hist[state] += best_e - lo
                        t_prev = best_e
                    state &= ~(1ULL << (m - 1 - q_pos[q]))
            if final:
                break
            if t > t_prev:
                lo = t_prev if t_prev > t_start else t_start
                if t > lo:
                    hist[state] += t - lo
                t_prev = t
            state |= 1ULL << (m - 1 - p)
            e = t + tau_on[ids[k]]
            cur_end[p] = e
            g = group[p]
            q_end[tail[g]] = e
            q_pos[tail[g]] = p
            tail[g] += 1
        if t_stop > t_prev:
            lo = t_prev if t_prev > t_start else t_start
            if t_stop > lo:
                hist[state] += t_stop - lo
    return hist_arr


def states_on_grid(const double[::1] times, const long long[::1] ids,
                   const unsigned char[::1] is_start, const double[::1] ends,
                   Py_ssize_t n_units, double t_start, double step,
                   Py_ssize_t n_samples):
    """Binary state of every unit at t_start + i * step, i < n_samples."""
    cdef Py_ssize_t S = times.shape[0], k, i, i0, i1
    out_arr = np.zeros((n_samples, n_units), dtype=np.uint8)
    cdef unsigned char[:, ::1] out = out_arr
    cdef long long u
    with nogil:
        for k in range(S):
            if not is_start[k]:
                continue
            if times[k] >= t_start + n_samples * step:
                break
            u = ids[k]
            # grid points inside [times[k], ends[k]); the while loops fix rounding
            i0 = <Py_ssize_t>((times[k] - t_start) / step)
            if i0 < 0:
                i0 = 0
            while i0 > 0 and t_start + (i0 - 1) * step >= times[k]:
                i0 -= 1
            while i0 < n_samples and t_start + i0 * step < times[k]:
                i0 += 1
            i1 = i0
            while i1 < n_samples and t_start + i1 * step < ends[k]:
                out[i1, u] = 1
                i1 += 1
    return out_arr
