"""Tests of sklearn_sbs.spikes.SpikeTrains (the spike-statistics kernels).

The reference here is written from the definition: with the restart rule, a unit
is on at time x exactly when one of its spikes s has s <= x < s + tau_on (the
window restarted by the last spike ends at last spike + tau_on, which is the
union of the windows of all spikes).  All spike times and window ends split the
time axis into pieces on which every state is constant (the state of a half-open
piece [a, b) is the state at a); the statistics are integrals over these pieces.
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from sklearn_sbs.spikes import SpikeTrains

MAX_EXAMPLES = int(os.environ.get("SBS_MAX_EXAMPLES", "50"))
HYP = settings(max_examples=MAX_EXAMPLES, deadline=None,
               suppress_health_check=[HealthCheck.too_slow])


# --------------------------------------------------------------------------- #
# reference
# --------------------------------------------------------------------------- #
def per_unit_tau(tau_on, n_units):
    tau = np.asarray(tau_on, dtype=np.float64)
    return np.full(n_units, float(tau)) if tau.ndim == 0 else tau


def state_at(times, ids, n_units, tau_on, x):
    """States (len(x), n_units) from the definition: on iff some s <= x < s + tau."""
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    tau = per_unit_tau(tau_on, n_units)
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros((x.size, n_units), dtype=np.uint8)
    for u in range(n_units):
        s = np.sort(times[ids == u])
        if s.size == 0:
            continue
        # the last spike at or before x decides (its window ends last)
        last = np.searchsorted(s, x, side="right") - 1
        ok = last >= 0
        out[ok, u] = x[ok] < s[last[ok]] + tau[u]
    return out


def pieces(times, ids, n_units, tau_on, t_start, t_stop):
    """Boundaries a_0 < a_1 < ... of the constant pieces inside [t_start, t_stop),
    their durations and the state on each."""
    times = np.asarray(times, dtype=np.float64)
    ids = np.asarray(ids, dtype=np.int64)
    tau = per_unit_tau(tau_on, n_units)
    events = np.concatenate([times, times + tau[ids], [t_start, t_stop]])
    events = np.unique(events[(events >= t_start) & (events <= t_stop)])
    left, right = events[:-1], events[1:]
    return right - left, state_at(times, ids, n_units, tau_on, left)


def reference_stats(times, ids, n_units, tau_on, t_start, t_stop, units=None):
    duration, z = pieces(times, ids, n_units, tau_on, t_start, t_stop)
    T = t_stop - t_start
    zf = z.astype(np.float64)
    marg = duration @ zf / T
    co = zf.T @ (duration[:, None] * zf) / T
    units = np.arange(n_units) if units is None else np.asarray(units)
    m = units.size
    index = z[:, units].astype(np.int64) @ (1 << (m - 1 - np.arange(m)))
    joint = np.bincount(index, weights=duration, minlength=2**m).reshape((2,) * m) / T
    return marg, co, joint


def reference_grid(t_start, t_stop, step):
    """The grid t_start + k*step (as computed in floating point) for values < t_stop."""
    k = 0
    out = []
    while t_start + k * step < t_stop:
        out.append(t_start + k * step)
        k += 1
    return np.array(out)


def test_reference_sanity():
    # the docstring example: unit 0 on during [1, 18), unit 1 during [5, 15)
    times, ids = [5.0, 1.0, 8.0], [1, 0, 0]
    np.testing.assert_array_equal(
        state_at(times, ids, 2, 10.0, [0.0, 1.0, 5.0, 15.0, 17.9, 18.0]),
        [[0, 0], [1, 0], [1, 1], [1, 0], [1, 0], [0, 0]],
    )
    marg, co, joint = reference_stats(times, ids, 2, 10.0, 0.0, 20.0)
    np.testing.assert_allclose(marg, [0.85, 0.5])
    np.testing.assert_allclose(co, [[0.85, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(joint, [[0.15, 0.0], [0.35, 0.5]])
    _, _, joint10 = reference_stats(times, ids, 2, 10.0, 0.0, 20.0, units=[1, 0])
    np.testing.assert_allclose(joint10, joint.T)


# --------------------------------------------------------------------------- #
# strategies
# --------------------------------------------------------------------------- #
# times on a quarter grid collide a lot: equal spike times within and across units,
# spikes exactly at the end of a window, at t_start and at t_stop
grid_times = st.integers(-20, 200).map(lambda k: k / 4.0)
float_times = st.floats(-10.0, 60.0, allow_nan=False, allow_infinity=False)
grid_taus = st.sampled_from([0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
float_taus = st.floats(0.01, 20.0, allow_nan=False, allow_infinity=False)


@st.composite
def spike_trains(draw, max_units=6, max_spikes=40):
    n_units = draw(st.integers(1, max_units))
    on_grid = draw(st.booleans())
    time_st = grid_times if on_grid else st.one_of(grid_times, float_times)
    tau_st = grid_taus if on_grid else st.one_of(grid_taus, float_taus)
    n_spikes = draw(st.integers(0, max_spikes))
    times = draw(st.lists(time_st, min_size=n_spikes, max_size=n_spikes))
    ids = draw(st.lists(st.integers(0, n_units - 1), min_size=n_spikes, max_size=n_spikes))
    if draw(st.booleans()):
        tau_on = draw(tau_st)                       # one for all
    else:
        tau_on = np.array(draw(st.lists(tau_st, min_size=n_units, max_size=n_units)))
    start = draw(time_st)
    length = draw(st.one_of(grid_taus, float_taus, st.integers(1, 50).map(float)))
    t_start, t_stop = float(start), float(start + length)
    if not t_stop > t_start:
        t_stop = t_start + 1.0
    return times, ids, n_units, tau_on, t_start, t_stop


def scale_of(times, tau_on, t_start, t_stop):
    return max([abs(t_start), abs(t_stop), 1.0] + [abs(t) for t in times]) + float(np.max(tau_on))


def tol(times, tau_on, t_start, t_stop):
    """Absolute tolerance on a time fraction: rounding of sums of durations."""
    return 1e-12 * scale_of(times, tau_on, t_start, t_stop) / (t_stop - t_start) * (len(times) + 2)


# --------------------------------------------------------------------------- #
# property tests against the reference
# --------------------------------------------------------------------------- #
@HYP
@given(spike_trains())
def test_marginals_and_coactivation(data):
    times, ids, n_units, tau_on, t_start, t_stop = data
    st_ = SpikeTrains(times, ids, n_units, tau_on)
    marg, co, _ = reference_stats(times, ids, n_units, tau_on, t_start, t_stop)
    atol = tol(times, tau_on, t_start, t_stop)
    got = st_.marginals(t_start, t_stop)
    assert got.shape == (n_units,)
    np.testing.assert_allclose(got, marg, rtol=0, atol=atol)
    got_co = st_.coactivation(t_start, t_stop)
    assert got_co.shape == (n_units, n_units)
    np.testing.assert_allclose(got_co, co, rtol=0, atol=atol)
    np.testing.assert_allclose(got_co, got_co.T, rtol=0, atol=atol)
    np.testing.assert_allclose(np.diag(got_co), got, rtol=0, atol=atol)


@HYP
@given(spike_trains(), st.randoms(use_true_random=False))
def test_joint(data, rnd):
    times, ids, n_units, tau_on, t_start, t_stop = data
    st_ = SpikeTrains(times, ids, n_units, tau_on)
    atol = tol(times, tau_on, t_start, t_stop)
    _, _, joint = reference_stats(times, ids, n_units, tau_on, t_start, t_stop)
    got = st_.joint(t_start, t_stop)
    assert got.shape == (2,) * n_units
    assert np.all(got >= -atol)
    np.testing.assert_allclose(got.sum(), 1.0, atol=atol)
    np.testing.assert_allclose(got, joint, rtol=0, atol=atol)
    # a shuffled subset: axis k is units[k]
    units = list(range(n_units))
    rnd.shuffle(units)
    units = units[:rnd.randint(1, n_units)]
    _, _, joint_sub = reference_stats(times, ids, n_units, tau_on, t_start, t_stop, units=units)
    got_sub = st_.joint(t_start, t_stop, units=units)
    assert got_sub.shape == (2,) * len(units)
    np.testing.assert_allclose(got_sub, joint_sub, rtol=0, atol=atol)
    # consistent with the full joint, with axes permuted
    others = tuple(u for u in range(n_units) if u not in units)
    np.testing.assert_allclose(got_sub, np.transpose(got.sum(axis=others), np.argsort(np.argsort(units))),
                               rtol=0, atol=atol)


@HYP
@given(spike_trains(), st.one_of(st.sampled_from([0.25, 0.5, 1.0, 0.75, 3.0]),
                                  st.floats(0.05, 10.0, allow_nan=False)))
def test_states_on_grid(data, step):
    times, ids, n_units, tau_on, t_start, t_stop = data
    st_ = SpikeTrains(times, ids, n_units, tau_on)
    got = st_.states(t_start, t_stop, step)
    grid = reference_grid(t_start, t_stop, step)
    assert got.dtype == np.uint8
    assert got.ndim == 2 and got.shape[1] == n_units
    # the number of rows is checked exactly in test_states_number_of_samples; here the
    # rows returned must be the states at the first grid times
    assert grid.size - 1 <= got.shape[0] <= grid.size
    expected = state_at(times, ids, n_units, tau_on, grid[:got.shape[0]])
    np.testing.assert_array_equal(got, expected)


@HYP
@given(spike_trains())
def test_intervals_and_sorting(data):
    times, ids, n_units, tau_on, _, _ = data
    st_ = SpikeTrains(times, ids, n_units, tau_on)
    # sorted by time; the order among equal times is unspecified, so compare the
    # (time, id) pairs as multisets
    assert np.all(np.diff(st_.times) >= 0)
    given_pairs = np.asarray(times, dtype=float), np.asarray(ids, dtype=np.int64)
    order_in = np.lexsort((given_pairs[1], given_pairs[0]))
    order_out = np.lexsort((st_.ids, st_.times))
    np.testing.assert_array_equal(st_.times[order_out], given_pairs[0][order_in])
    np.testing.assert_array_equal(st_.ids[order_out], given_pairs[1][order_in])
    np.testing.assert_array_equal(st_.tau_on, per_unit_tau(tau_on, n_units))
    assert st_.n_spikes == len(times)
    is_start, ends = st_.intervals()
    tau = per_unit_tau(tau_on, n_units)
    for u in range(n_units):
        s = st_.times[st_.ids == u]
        starts = st_.times[(st_.ids == u) & (is_start == 1)]
        got_ends = ends[(st_.ids == u) & (is_start == 1)]
        # expected: maximal runs where the next spike comes before the window ends
        exp_starts, exp_ends = [], []
        for t in s:
            if exp_ends and t < exp_ends[-1]:
                exp_ends[-1] = t + tau[u]
            else:
                exp_starts.append(t)
                exp_ends.append(t + tau[u])
        np.testing.assert_array_equal(starts, exp_starts)
        np.testing.assert_array_equal(got_ends, exp_ends)


def test_many_spikes_against_reference():
    rng = np.random.default_rng(0)
    n_units, n_spikes = 8, 3000
    times = np.round(rng.uniform(-20, 1000, n_spikes), 1)      # many exact collisions
    ids = rng.integers(0, n_units, n_spikes)
    tau_on = rng.choice([2.0, 3.5, 10.0], n_units)
    st_ = SpikeTrains(times, ids, n_units, tau_on)
    for t_start, t_stop in [(0.0, 1000.0), (13.3, 517.2), (-50.0, 2000.0)]:
        marg, co, joint = reference_stats(times, ids, n_units, tau_on, t_start, t_stop)
        np.testing.assert_allclose(st_.marginals(t_start, t_stop), marg, atol=1e-10)
        np.testing.assert_allclose(st_.coactivation(t_start, t_stop), co, atol=1e-10)
        np.testing.assert_allclose(st_.joint(t_start, t_stop), joint, atol=1e-10)
        units = [6, 1, 3]
        _, _, joint_sub = reference_stats(times, ids, n_units, tau_on, t_start, t_stop, units)
        np.testing.assert_allclose(st_.joint(t_start, t_stop, units), joint_sub, atol=1e-10)
    got = st_.states(0.0, 1000.0, 0.1)
    grid = reference_grid(0.0, 1000.0, 0.1)
    n = min(got.shape[0], grid.size)
    np.testing.assert_array_equal(got[:n], state_at(times, ids, n_units, tau_on, grid[:n]))


# --------------------------------------------------------------------------- #
# specific cases
# --------------------------------------------------------------------------- #
def test_docstring_example():
    st_ = SpikeTrains(times=[5.0, 1.0, 8.0], ids=[1, 0, 0], n_units=2, tau_on=10.0)
    np.testing.assert_allclose(st_.marginals(0.0, 20.0), [0.85, 0.5])
    np.testing.assert_allclose(st_.joint(0.0, 20.0), [[0.15, 0.0], [0.35, 0.5]])
    np.testing.assert_array_equal(st_.states(0.0, 20.0, step=10.0), [[0, 0], [1, 1]])
    np.testing.assert_allclose(st_.coactivation(0.0, 20.0), [[0.85, 0.5], [0.5, 0.5]])
    np.testing.assert_allclose(st_.joint(0.0, 20.0, units=[1, 0]), [[0.15, 0.35], [0.0, 0.5]])


def test_half_open_windows():
    # unit 0: [0, 2) then a spike exactly at 2 opens [2, 4); unit 1: [2, 4)
    st_ = SpikeTrains([0.0, 2.0, 2.0], [0, 0, 1], 2, 2.0)
    np.testing.assert_array_equal(st_.states(0.0, 5.0, 1.0),
                                  [[1, 0], [1, 0], [1, 1], [1, 1], [0, 0]])
    np.testing.assert_allclose(st_.marginals(0.0, 5.0), [0.8, 0.4])
    # a window ending at t is off at t
    st_ = SpikeTrains([0.0], [0], 1, 2.0)
    np.testing.assert_array_equal(st_.states(0.0, 3.0, 1.0), [[1], [1], [0]])
    np.testing.assert_array_equal(st_.states(2.0, 3.0, 0.5), [[0], [0]])
    # a spike at t_stop does not count, a spike at t_start does
    st_ = SpikeTrains([5.0, 1.0], [0, 1], 2, 3.0)
    np.testing.assert_allclose(st_.marginals(1.0, 5.0), [0.0, 0.75])
    np.testing.assert_allclose(st_.joint(1.0, 5.0), [[0.25, 0.75], [0.0, 0.0]])
    np.testing.assert_array_equal(st_.states(1.0, 5.0, 2.0), [[0, 1], [0, 1]])
    np.testing.assert_array_equal(st_.states(1.0, 5.0, 3.0), [[0, 1], [0, 0]])


def test_restart_extends_window():
    # spikes at 0, 1.5, 3 with tau 2: on during [0, 5); the spike at 5.0 starts anew
    st_ = SpikeTrains([3.0, 0.0, 1.5, 5.0], [0, 0, 0, 0], 1, 2.0)
    np.testing.assert_allclose(st_.marginals(0.0, 10.0), [0.7])
    np.testing.assert_allclose(st_.joint(0.0, 10.0), [0.3, 0.7])
    np.testing.assert_array_equal(st_.states(0.0, 10.0, 1.0)[:, 0], [1, 1, 1, 1, 1, 1, 1, 0, 0, 0])
    is_start, ends = st_.intervals()
    np.testing.assert_array_equal(is_start, [1, 0, 0, 1])
    np.testing.assert_array_equal(ends[is_start == 1], [5.0, 7.0])


def test_equal_spike_times_within_a_unit():
    st_ = SpikeTrains([1.0, 1.0, 1.0, 4.0], [0, 0, 0, 0], 1, 2.0)
    np.testing.assert_allclose(st_.marginals(0.0, 10.0), [0.4])
    np.testing.assert_allclose(st_.joint(0.0, 10.0), [0.6, 0.4])


def test_different_tau_windows_cross():
    # unit 0 (tau 10) spikes at 0 and 5 -> [0, 15); unit 1 (tau 3) at 1, 6, 9 -> [1, 4), [6, 12)
    st_ = SpikeTrains([0.0, 5.0, 1.0, 6.0, 9.0], [0, 0, 1, 1, 1], 2, [10.0, 3.0])
    j = st_.joint(0.0, 20.0)
    # 00: [15, 20) = 5; 10: [0,1) + [4,6) + [12,15) = 6; 11: [1,4) + [6,12) = 9; 01: 0
    np.testing.assert_allclose(j, [[0.25, 0.0], [0.3, 0.45]])
    np.testing.assert_allclose(st_.joint(0.0, 20.0, units=[1, 0]), [[0.25, 0.3], [0.0, 0.45]])
    np.testing.assert_allclose(st_.coactivation(0.0, 20.0), [[0.75, 0.45], [0.45, 0.45]])


def test_spikes_outside_window():
    # unit 0 on during [-5, 3) and [50, 60); window [0, 10)
    st_ = SpikeTrains([-5.0, 50.0, -100.0], [0, 0, 1], 2, [8.0, 10.0])
    np.testing.assert_allclose(st_.marginals(0.0, 10.0), [0.3, 0.0])
    np.testing.assert_allclose(st_.joint(0.0, 10.0), [[0.7, 0.0], [0.3, 0.0]])
    np.testing.assert_allclose(st_.coactivation(0.0, 10.0), [[0.3, 0.0], [0.0, 0.0]])
    np.testing.assert_array_equal(st_.states(0.0, 10.0, 2.5), [[1, 0], [1, 0], [0, 0], [0, 0]])


@pytest.mark.parametrize("n_units", [1, 3])
def test_empty_spike_trains(n_units):
    for times, ids in [([], []), (np.array([]), np.array([], dtype=np.int64))]:
        st_ = SpikeTrains(times, ids, n_units, 2.0)
        np.testing.assert_array_equal(st_.marginals(0.0, 10.0), np.zeros(n_units))
        np.testing.assert_array_equal(st_.coactivation(0.0, 10.0), np.zeros((n_units, n_units)))
        j = st_.joint(0.0, 10.0)
        expected = np.zeros((2,) * n_units)
        expected[(0,) * n_units] = 1.0
        np.testing.assert_array_equal(j, expected)
        s = st_.states(0.0, 10.0, 1.0)
        assert s.shape == (10, n_units)
        assert not s.any()


def test_units_without_spikes_and_all_spikes_before_window():
    st_ = SpikeTrains([1.0, 2.0], [1, 1], 3, 1.5)
    np.testing.assert_allclose(st_.marginals(10.0, 20.0), [0.0, 0.0, 0.0])
    j = st_.joint(10.0, 20.0, units=[2, 1])
    assert j[0, 0] == pytest.approx(1.0)


def test_single_unit():
    st_ = SpikeTrains([2.0, 7.0], [0, 0], 1, 1.0)
    np.testing.assert_allclose(st_.marginals(0.0, 10.0), [0.2])
    np.testing.assert_allclose(st_.coactivation(0.0, 10.0), [[0.2]])
    np.testing.assert_allclose(st_.joint(0.0, 10.0), [0.8, 0.2])
    np.testing.assert_allclose(st_.joint(0.0, 10.0, units=[0]), [0.8, 0.2])
    np.testing.assert_array_equal(st_.states(0.0, 10.0, 0.5)[:, 0],
                                  [0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0])


def test_accepts_float_integral_ids_and_numpy_scalars():
    a = SpikeTrains([1.0, 2.0], [0.0, 1.0], np.int64(2), np.float64(1.0))
    b = SpikeTrains([1.0, 2.0], [0, 1], 2, 1.0)
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.marginals(0.0, 4.0), b.marginals(0.0, 4.0))


def test_many_units_subset_joint():
    rng = np.random.default_rng(3)
    n_units = 30
    times = rng.uniform(0, 100, 400)
    ids = rng.integers(0, n_units, 400)
    st_ = SpikeTrains(times, ids, n_units, 5.0)
    units = [29, 0, 17, 3]
    _, _, ref = reference_stats(times, ids, n_units, 5.0, 10.0, 90.0, units)
    np.testing.assert_allclose(st_.joint(10.0, 90.0, units=units), ref, atol=1e-12)
    j24 = st_.joint(10.0, 90.0, units=list(range(24)))
    assert j24.shape == (2,) * 24
    assert j24.sum() == pytest.approx(1.0)
    marg, _, _ = reference_stats(times, ids, n_units, 5.0, 10.0, 90.0, units=[0])
    np.testing.assert_allclose(j24.sum(axis=tuple(range(1, 24)))[1], marg[0], atol=1e-12)


@pytest.mark.parametrize("t_start, t_stop, step, n_expected", [
    (0.0, 10.0, 1.0, 10),
    (0.0, 10.5, 1.0, 11),
    (0.0, 1.0, 0.25, 4),
    (-3.0, 3.0, 2.0, 3),
    (0.0, 0.9000000000000001, 0.1, 10),     # 9 * 0.1 = 0.9 < t_stop, exactly and in floats
    (0.0, 0.36000000000000004, 0.01, 37),   # 36 * 0.01 = 0.36 < t_stop
])
def test_states_number_of_samples(t_start, t_stop, step, n_expected):
    """One row per grid time t_start + k * step < t_stop."""
    assert reference_grid(t_start, t_stop, step).size == n_expected
    st_ = SpikeTrains([0.0], [0], 1, 1000.0)
    got = st_.states(t_start, t_stop, step)
    assert got.shape == (n_expected, 1)


# --------------------------------------------------------------------------- #
# invalid input
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("times, ids, n_units, tau_on, match", [
    ([1.0, 2.0], [0, 3], 3, 1.0, "ids"),
    ([1.0, 2.0], [0, -1], 3, 1.0, "ids"),
    ([1.0, 2.0], [0], 3, 1.0, "ids"),
    ([1.0], [0, 1], 3, 1.0, "ids"),
    ([1.0, 2.0], [[0, 1]], 3, 1.0, "ids"),
    ([1.0, 2.0], [0.5, 1.0], 3, 1.0, "ids"),
    ([1.0, 2.0], ["a", "b"], 3, 1.0, "ids"),
    ([1.0, 2.0], [0.0, np.nan], 3, 1.0, "ids"),
    ([1.0, 2.0], [0.0, np.inf], 3, 1.0, "ids"),
    ([1.0, np.nan], [0, 1], 3, 1.0, "times"),
    ([1.0, np.inf], [0, 1], 3, 1.0, "times"),
    ([[1.0, 2.0]], [0, 1], 3, 1.0, "times"),
    (["a", "b"], [0, 1], 3, 1.0, "times"),
    ([1.0, 2.0], [0, 1], 3, 0.0, "tau_on"),
    ([1.0, 2.0], [0, 1], 3, -1.0, "tau_on"),
    ([1.0, 2.0], [0, 1], 3, np.nan, "tau_on"),
    ([1.0, 2.0], [0, 1], 3, np.inf, "tau_on"),
    ([1.0, 2.0], [0, 1], 3, "1.0", "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [1.0, 2.0], "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [1.0, 2.0, 3.0, 4.0], "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [1.0, 0.0, 2.0], "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [1.0, -2.0, 2.0], "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [1.0, np.nan, 2.0], "tau_on"),
    ([1.0, 2.0], [0, 1], 3, [[1.0, 1.0, 2.0]], "tau_on"),
    ([1.0, 2.0], [0, 1], 0, 1.0, "n_units"),
    ([1.0, 2.0], [0, 1], 2.5, 1.0, "n_units"),
    ([1.0, 2.0], [0, 1], "3", 1.0, "n_units"),
])
@pytest.mark.filterwarnings("ignore:invalid value encountered in cast:RuntimeWarning")
def test_invalid_construction(times, ids, n_units, tau_on, match):
    with pytest.raises((ValueError, TypeError), match=match):
        SpikeTrains(times, ids, n_units, tau_on)


def _all_window_methods(st_):
    return [
        ("marginals", st_.marginals),
        ("coactivation", st_.coactivation),
        ("joint", st_.joint),
        ("states", lambda a, b: st_.states(a, b, 1.0)),
    ]


@pytest.mark.parametrize("t_start, t_stop, match", [
    (5.0, 5.0, "t_stop"),
    (5.0, 4.0, "t_stop"),
    (np.nan, 4.0, "t_start"),
    (0.0, np.nan, "t_stop"),
    (0.0, np.inf, "t_stop"),
    (-np.inf, 1.0, "t_start"),
    ("0", 1.0, "t_start"),
    (0.0, None, "t_stop"),
])
def test_invalid_window(t_start, t_stop, match):
    st_ = SpikeTrains([1.0, 2.0], [0, 1], 2, 1.0)
    for name, method in _all_window_methods(st_):
        with pytest.raises((ValueError, TypeError), match=match):
            method(t_start, t_stop)


@pytest.mark.parametrize("units", [
    [0, 0], [1, 2, 1], [3], [-1], [0, 5], [], [0.0, 1.0], [[0, 1]], [True, False], "01",
])
def test_invalid_units(units):
    st_ = SpikeTrains([1.0, 2.0], [0, 1], 3, 1.0)
    with pytest.raises((ValueError, TypeError), match="units"):
        st_.joint(0.0, 5.0, units=units)


def test_too_many_units_for_joint():
    st_ = SpikeTrains([1.0, 2.0], [0, 1], 25, 1.0)
    with pytest.raises(ValueError, match="units"):
        st_.joint(0.0, 5.0)
    with pytest.raises(ValueError, match="units"):
        st_.joint(0.0, 5.0, units=list(range(25)))
    assert st_.joint(0.0, 5.0, units=[0, 1]).shape == (2, 2)


@pytest.mark.parametrize("step, exc", [
    (0.0, ValueError), (-1.0, ValueError), (np.nan, ValueError), (np.inf, ValueError),
    ("1", TypeError), (None, TypeError),
])
def test_invalid_step(step, exc):
    st_ = SpikeTrains([1.0], [0], 1, 1.0)
    with pytest.raises(exc, match="step"):
        st_.states(0.0, 10.0, step)


@pytest.mark.parametrize("t_start, t_stop, step", [
    (0.0, 1.0, 1e-12),          # 1e12 samples
    (0.0, 1.0, 1e-310),         # 1e310 samples: the count overflows a float
    (-1e308, 1e308, 1.0),       # the window length overflows a float
])
def test_states_too_many_samples(t_start, t_stop, step):
    st_ = SpikeTrains([1.0], [0], 1, 1.0)
    with pytest.raises(ValueError, match="step"):
        st_.states(t_start, t_stop, step)


def test_windows_shorter_than_rounding_are_empty_everywhere():
    """If t + tau_on rounds to t (tau_on below half an ulp of the spike time), the
    window [t, t + tau_on) is empty: every statistic must agree that the unit is off
    (marginals, states and intervals() do; the joint must too)."""
    t0 = 1e7                                   # ulp(1e7) ~ 1.9e-9
    st_ = SpikeTrains([t0, t0 + 1.0], [0, 0], 1, 1e-10)
    assert t0 + 1e-10 == t0
    np.testing.assert_array_equal(st_.marginals(0.0, 2e7), [0.0])
    assert not st_.states(t0 - 2.0, t0 + 2.0, 0.5).any()
    np.testing.assert_allclose(st_.joint(0.0, 2e7), [1.0, 0.0])
    # the same with two on-times (the other kernel path)
    st_ = SpikeTrains([t0, t0 + 1.0, 5.0], [0, 0, 1], 2, [1e-10, 1.0])
    np.testing.assert_allclose(st_.marginals(0.0, 2e7), [0.0, 0.5e-7])
    np.testing.assert_allclose(st_.joint(0.0, 2e7), [[1.0 - 0.5e-7, 0.5e-7], [0.0, 0.0]],
                               rtol=0, atol=1e-15)
