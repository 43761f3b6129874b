"""Kernels against vectorised numpy brute force, measured side by side in one run.

    python benchmarks/kernels.py [--quick] [--report PATH]

Prints one table of best wall times, numpy reference against the project's kernel, and
their ratio (what to compare across machines).  The numpy references live here, not in
the package.  Methodology: benchmarks/RESULTS.md.
"""

import numpy as np

import _harness as H
from _harness import best_time
from sklearn_sbs import boltzmann
from sklearn_sbs.spikes import SpikeTrains


# --- numpy references ------------------------------------------------------------

def numpy_joint(W, b):
    n = b.shape[0]
    states = ((np.arange(2 ** n)[:, None] >> (n - 1 - np.arange(n))) & 1).astype(np.float64)
    energy = 0.5 * np.einsum("si,ij,sj->s", states, W, states, optimize=True) + states @ b
    energy -= energy.max()
    p = np.exp(energy)
    return (p / p.sum()).reshape((2,) * n), states


def numpy_marginals(W, b):
    p, states = numpy_joint(W, b)
    return p.ravel() @ states


def numpy_windows(times, ids, tau):
    """Merged on-windows of every unit: (on times, off times, units)."""
    order = np.lexsort((times, ids))
    t, u = times[order], ids[order]
    new_unit = np.r_[True, u[1:] != u[:-1]]
    # with restarts, a spike opens a new window iff the previous one (same unit) has closed
    start = new_unit | np.r_[True, (t[1:] - t[:-1]) >= tau]
    first = np.flatnonzero(start)
    last = np.r_[first[1:] - 1, t.size - 1]
    return t[first], t[last] + tau, u[first]


def numpy_timeline(times, ids, n_units, tau):
    """Segments of constant state: (start times, durations, state codes)."""
    on, off, unit = numpy_windows(times, ids, tau)
    when = np.r_[on, off]
    code = np.r_[1 << (n_units - 1 - unit), -(1 << (n_units - 1 - unit))]
    is_on = np.r_[np.ones(on.size), np.zeros(off.size)]
    order = np.lexsort((is_on, when))           # offs before ons at equal times
    when, state = when[order], np.cumsum(code[order])
    return when[:-1], np.diff(when), state[:-1]


def numpy_spike_joint(times, ids, n_units, tau, t_start, t_stop):
    start, dur, state = numpy_timeline(times, ids, n_units, tau)
    lo = np.clip(start, t_start, t_stop)
    hi = np.clip(start + dur, t_start, t_stop)
    hist = np.bincount(state, weights=hi - lo, minlength=2 ** n_units)
    hist[0] += (t_stop - t_start) - hist.sum()     # before the first and after the last event
    return (hist / (t_stop - t_start)).reshape((2,) * n_units)


def numpy_coactivation(times, ids, n_units, tau, t_start, t_stop):
    on, off, unit = numpy_windows(times, ids, tau)
    when = np.r_[on, off]
    delta = np.r_[np.ones(on.size), -np.ones(off.size)]
    order = np.lexsort((delta, when))
    when, delta, unit = when[order], delta[order], np.r_[unit, unit][order]
    # state matrix of every segment: (segments, n_units), built by a cumulative sum
    changes = np.zeros((when.size, n_units))
    changes[np.arange(when.size), unit] = delta
    z = np.cumsum(changes, axis=0)[:-1]
    dur = np.diff(np.clip(when, t_start, t_stop))
    return z.T @ (z * dur[:, None]) / (t_stop - t_start)


# --- inputs ------------------------------------------------------------------------

def random_bm(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    W = (A + A.T) / 2
    np.fill_diagonal(W, 0.0)
    return W, rng.normal(size=n)


def poisson_spikes(n_units, n_spikes, rate_hz, seed):
    """Independent Poisson trains, returned in time order as a simulator records them."""
    rng = np.random.default_rng(seed)
    duration = n_spikes / (n_units * rate_hz / 1000.0)
    ids = rng.integers(0, n_units, size=n_spikes)
    times = np.sort(rng.uniform(0.0, duration, size=n_spikes))
    return times, ids, duration


def sampler_spikes(n_units, n_spikes, tau_on, seed):
    """Trains as LIF samplers fire them: silent for tau_on after each spike (no
    restarts), then Poisson; mean ISI 2 tau_on, i.e. p_on = 0.5."""
    rng = np.random.default_rng(seed)
    per_unit = n_spikes // n_units
    t = np.cumsum(tau_on + rng.exponential(tau_on, size=(n_units, per_unit)), axis=1)
    duration = t[:, -1].min()
    times, ids = t.ravel(), np.repeat(np.arange(n_units), per_unit)
    order = np.argsort(times)
    return times[order], ids[order], duration


def main():
    args = H.parse(__doc__)
    report = H.Report("kernels", args)
    repeat = 1 if args.quick else 5
    rows = []

    def row(task, ref, ours, note=""):
        rows.append([task, "-" if ref is None else f"{ref * 1e3:.1f}", f"{ours * 1e3:.2f}",
                     "" if ref is None else f"{ref / ours:.1f}x", note])
        print(f"  {task}", flush=True)

    sizes = (12, 14, 16) if args.quick else (16, 18, 20)
    joint_ms = {}
    for n in sizes:
        W, b = random_bm(n, n)
        ref = best_time(lambda: numpy_joint(W, b), max(1, repeat // 2))
        ours = best_time(lambda: boltzmann.joint_distribution(W, b), repeat)
        assert np.allclose(numpy_joint(W, b)[0], boltzmann.joint_distribution(W, b), atol=1e-12)
        joint_ms[n] = ours
        row(f"exact joint, n={n}", ref, ours)
    for n in (sizes[0], sizes[-1]):
        W, b = random_bm(n, n)
        ref = best_time(lambda: numpy_marginals(W, b), max(1, repeat // 2))
        ours = best_time(lambda: boltzmann.marginals(W, b), repeat)
        assert np.allclose(numpy_marginals(W, b), boltzmann.marginals(W, b), atol=1e-12)
        row(f"exact marginals, n={n}", ref, ours,
            f"{ours / joint_ms[n]:.2f} x the joint at n={n}")

    n_spikes = 200_000 if args.quick else 2_000_000
    tau = 10.0
    times, ids, duration = poisson_spikes(10, n_spikes, 70.0, 0)
    ref = best_time(lambda: numpy_spike_joint(times, ids, 10, tau, 0.0, duration), max(1, repeat // 2))
    st = SpikeTrains(times, ids, 10, tau)
    ours = best_time(lambda: st.joint(0.0, duration), repeat)
    assert np.allclose(st.joint(0.0, duration), numpy_spike_joint(times, ids, 10, tau, 0.0, duration),
                       atol=1e-9)
    row(f"spikes->joint, 10 units, {n_spikes:.0e} sp", ref, ours,
        f"{n_spikes / ours / 1e6:.0f} M spikes/s, Poisson trains (half restart)")
    s_times, s_ids, s_duration = sampler_spikes(10, n_spikes, tau, 3)
    s_ref = best_time(lambda: numpy_spike_joint(s_times, s_ids, 10, tau, 0.0, s_duration),
                      max(1, repeat // 2))
    s_st = SpikeTrains(s_times, s_ids, 10, tau)
    s_ours = best_time(lambda: s_st.joint(0.0, s_duration), repeat)
    assert np.allclose(s_st.joint(0.0, s_duration),
                       numpy_spike_joint(s_times, s_ids, 10, tau, 0.0, s_duration), atol=1e-9)
    row("  same, sampler-like trains", s_ref, s_ours,
        f"{n_spikes / s_ours / 1e6:.0f} M spikes/s, refractory (no restarts)")
    shuffled = np.random.default_rng(1).permutation(n_spikes)
    ours = best_time(lambda: SpikeTrains(times[shuffled], ids[shuffled], 10, tau).joint(0.0, duration),
                     repeat)
    row("  same, unsorted input (incl. sort)", ref, ours, f"{n_spikes / ours / 1e6:.0f} M spikes/s")
    per_unit = np.lexsort((times, ids))            # as PyNN returns them: unit by unit
    ours = best_time(lambda: SpikeTrains(times[per_unit], ids[per_unit], 10, tau).joint(0.0, duration),
                     repeat)
    row("  same, unit-by-unit input (incl. sort)", ref, ours, f"{n_spikes / ours / 1e6:.0f} M spikes/s")

    n_co = 100_000 if args.quick else 1_000_000
    times, ids, duration = poisson_spikes(100, n_co, 70.0, 2)
    ref = best_time(lambda: numpy_coactivation(times, ids, 100, tau, 0.0, duration), max(1, repeat // 2))
    st = SpikeTrains(times, ids, 100, tau)
    ours = best_time(lambda: st.coactivation(0.0, duration), repeat)
    assert np.allclose(st.coactivation(0.0, duration),
                       numpy_coactivation(times, ids, 100, tau, 0.0, duration), atol=1e-9)
    row(f"spikes->coactivation, 100 units, {n_co:.0e} sp", ref, ours, f"{n_co / ours / 1e6:.0f} M spikes/s")

    # last: the multi-threaded runs, whose idle OpenMP threads would disturb the rest
    for n in (24, 30) if not args.quick else (20,):
        W, b = random_bm(n, n)
        ours = best_time(lambda: boltzmann.second_moments(W, b), 1)
        row(f"exact second moments, n={n}", None, ours, f"{2 ** n / ours / 1e6:.0f} M states/s")
    report.section("Kernels against numpy")
    report.table(["task", "numpy ms", "kernel ms", "ratio", "note"], rows)
    report.close()


if __name__ == "__main__":
    main()
