# Spike trains -> binary states.  A unit is on during [t, t + tau_on) after each of
# its spikes; a spike while it is on restarts the window.  All functions take the
# spikes sorted by time (the wrapper sorts once) and run in O(spikes) plus the size
# of their output.

import numpy as np

from libc.math cimport INFINITY
from libc.stdlib cimport free, malloc


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


def joint_time(const double[::1] times, const long long[::1] pos,
               const long long[::1] group,
               const double[::1] group_tau, int m, double t_start, double t_stop):
    """Time spent in each joint state of m units inside [t_start, t_stop).

    Every spike's unit must be selected: ``pos[k]`` is its axis
    (0..m-1), and the state index has axis p at bit m-1-p.  ``group[p]`` numbers
    the distinct on-times ``group_tau`` of the units.  Within a group, the window
    ends are the group's spike times shifted by its tau_on, so they come in time
    order: a pointer per group walks the same spike array, and merging it with
    the spikes needs no queue.  A window end is real only if its unit has not
    spiked again since (restart).  At equal times a window closes before a spike
    opens one (the windows are half-open).
    """
    hist_arr = np.zeros(1 << m, dtype=np.float64)
    cur_end_arr = np.full(max(m, 1), -INFINITY, dtype=np.float64)
    cdef double[::1] hist = hist_arr
    cdef double[::1] cur_end = cur_end_arr
    with nogil:
        if group_tau.shape[0] == 1:
            _joint_one_tau(times, pos, group_tau[0], m, t_start, t_stop, hist, cur_end)
        else:
            _joint_many_tau(times, pos, group, group_tau, m, t_start, t_stop,
                            hist, cur_end)
    return hist_arr


cdef void _joint_one_tau(const double[::1] times, const long long[::1] pos,
                         double tau, int m,
                         double t_start, double t_stop, double[::1] hist,
                         double[::1] cur_end) noexcept nogil:
    """The common case, one tau_on for all: a plain two-pointer merge.  Times
    before t_start add max(t - t_prev, 0) = 0 and leave t_prev at t_start."""
    cdef Py_ssize_t S = times.shape[0], i = 0, j = 0
    cdef long long p
    cdef unsigned long long state = 0
    cdef double t_on, t_off, dt, t_prev = t_start
    if S == 0:
        hist[0] += t_stop - t_start
        return
    t_on = times[0]
    t_off = times[0] + tau
    while True:
        if t_off <= t_on:                          # ends first at equal times
            if t_off >= t_stop:
                break
            p = pos[j]
            if t_off == cur_end[p]:                # else restarted since: no event
                dt = t_off - t_prev
                hist[state] += dt if dt > 0 else 0.0
                t_prev = t_off if t_off > t_prev else t_prev
                state &= ~((<unsigned long long> 1) << (m - 1 - p))
            j += 1
            t_off = times[j] + tau if j < S else INFINITY
        else:
            if t_on >= t_stop:
                t_on = INFINITY                    # later spikes do not matter
                continue
            p = pos[i]
            dt = t_on - t_prev
            hist[state] += dt if dt > 0 else 0.0
            t_prev = t_on if t_on > t_prev else t_prev
            # a window too short to survive rounding (t + tau == t) is empty: off
            if t_on + tau > t_on:
                state |= (<unsigned long long> 1) << (m - 1 - p)
            else:
                state &= ~((<unsigned long long> 1) << (m - 1 - p))
            cur_end[p] = t_on + tau
            i += 1
            t_on = times[i] if i < S else INFINITY
    hist[state] += t_stop - t_prev


cdef void _joint_many_tau(const double[::1] times, const long long[::1] pos,
                          const long long[::1] group, const double[::1] group_tau,
                          int m, double t_start, double t_stop, double[::1] hist,
                          double[::1] cur_end) noexcept nogil:
    """Several on-times: one window-end pointer per group, the earliest wins."""
    cdef Py_ssize_t S = times.shape[0], n_groups = group_tau.shape[0], k, g, best
    cdef long long p
    cdef unsigned long long state = 0
    cdef double t, e, t_prev = t_start, lo, best_e, dt
    cdef bint final
    cdef Py_ssize_t* off = <Py_ssize_t*> malloc(n_groups * sizeof(Py_ssize_t))
    for g in range(n_groups):
        off[g] = _next_in_group(pos, group, g, 0)
    for k in range(S + 1):
        final = k == S or times[k] >= t_stop
        t = t_stop if final else times[k]
        while True:                       # close every window ending at or before t
            best = -1
            best_e = INFINITY
            for g in range(n_groups):
                if off[g] < S:
                    e = times[off[g]] + group_tau[g]
                    if e < best_e:
                        best_e = e
                        best = g
            if best_e > t:
                break
            p = pos[off[best]]
            off[best] = _next_in_group(pos, group, best, off[best] + 1)
            if best_e == cur_end[p]:            # not restarted since
                lo = t_prev if t_prev > t_start else t_start
                dt = best_e - lo
                if dt > 0:
                    hist[state] += dt
                t_prev = best_e
                state &= ~(1ULL << (m - 1 - p))
        if final:
            break
        p = pos[k]
        lo = t_prev if t_prev > t_start else t_start
        dt = t - lo
        if dt > 0:
            hist[state] += dt
        t_prev = t
        e = t + group_tau[group[p]]
        if e > t:                            # else an empty window (rounding): off
            state |= 1ULL << (m - 1 - p)
        else:
            state &= ~(1ULL << (m - 1 - p))
        cur_end[p] = e
    free(off)
    lo = t_prev if t_prev > t_start else t_start
    if t_stop > lo:
        hist[state] += t_stop - lo


cdef inline Py_ssize_t _next_in_group(const long long[::1] pos, const long long[::1] group,
                                      Py_ssize_t g, Py_ssize_t k) noexcept nogil:
    """Index of the first spike at or after k of a unit in group g (len(pos) if none)."""
    cdef Py_ssize_t S = pos.shape[0]
    while k < S and group[pos[k]] != g:
        k += 1
    return k


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
