"""Clamping in time windows: sample(clamp=[(t_start, t_stop, {unit: value}), ...])."""

import numpy as np
import pytest

from sklearn_sbs import SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import joint_distribution

W = np.array([[0.0, 1.2, -0.8], [1.2, 0.0, 0.6], [-0.8, 0.6, 0.0]])
B = np.array([-0.4, -0.3, 0.2])
WINDOW = 4000.0          # ms per phase: ~200 independent states of tau_on = 10 ms


@pytest.fixture(scope="module")
def machine(frozen_calibrator):
    return SpikingBoltzmannMachine(W, B, calibrator=frozen_calibrator, duration=3 * WINDOW,
                                   random_state=5).fit()


def conditional_marginals(clamped):
    """Exact p(z_i = 1 | the clamped units) of every unit."""
    joint = joint_distribution(W, B)
    states = np.array(np.unravel_index(np.arange(joint.size), joint.shape)).T    # (8, 3)
    p = joint.ravel() * np.all([states[:, u] == v for u, v in clamped.items()] or [True], axis=0)
    return states.T @ p / p.sum()


def phase_marginals(bm, t0, t1):
    spikes, = bm.spikes_
    start = bm.sampled_window_[0]
    return spikes.marginals(start + t0, start + t1)


def test_clamped_windows_sample_the_conditionals_and_release(machine):
    clamps = [(WINDOW, 2 * WINDOW, {0: 1}), (2 * WINDOW, 3 * WINDOW, {0: 0, 2: 1})]
    machine.sample(clamp=clamps)
    # ~200 independent states per phase (sampling SE <= 0.035) plus the
    # translation's own error (<= 0.03 on 3-unit nets after the correction)
    tolerance = 4 * 0.035 + 0.03
    m = phase_marginals(machine, 0.0, WINDOW)
    np.testing.assert_allclose(m, conditional_marginals({}), atol=tolerance)
    for t0, t1, clamped in clamps:
        m = phase_marginals(machine, t0 + 20.0, t1)     # the membranes settle within ~2 tau_syn
        for unit, value in clamped.items():             # held: at the ceiling, or silent
            assert abs(m[unit] - value) < 0.02, (clamped, m)
        np.testing.assert_allclose(m, conditional_marginals(clamped), atol=tolerance)


def test_without_windows_clamp_changes_nothing(machine):
    a = machine.sample(duration=500.0, random_state=3)
    b = machine.sample(duration=500.0, random_state=3, clamp=[])
    np.testing.assert_array_equal(a, b)


def test_a_window_starts_and_ends_on_time(machine):
    states = machine.sample(duration=1000.0, random_state=4, clamp=[(400.0, 600.0, {1: 0})])
    step = float(machine.tau_on_.min())
    t = np.arange(len(states)) * step
    inside = (t >= 420.0) & (t < 600.0)
    assert states[inside, 1].max() == 0                 # silent while held off
    assert states[t < 400.0, 1].max() == 1 and states[t >= 620.0, 1].max() == 1


def test_overlapping_windows_combine(machine):
    machine.sample(duration=2000.0, random_state=6,
                   clamp=[(0.0, 2000.0, {0: 1}), (1000.0, 2000.0, {2: 0})])
    m = phase_marginals(machine, 1020.0, 2000.0)
    assert m[0] > 0.98 and m[2] < 0.02


@pytest.mark.parametrize("clamp, error, message", [
    ({0: 1}, TypeError, "The 'clamp' parameter of SpikingBoltzmannMachine.sample must be"),
    ([(0.0, 100.0)], TypeError, r"clamp\[0\] must be \(t_start, t_stop"),
    ([(0.0, 100.0, {0: 1}), (50.0, 10.0, {1: 0})], ValueError, r"clamp\[1\]: the window \(50, 10\)"),
    ([(0.0, 1e9, {0: 1})], ValueError, r"t_stop <= duration \(1000 ms\)"),
    ([(-1.0, 10.0, {0: 1})], ValueError, r"0 <= t_start"),
    ([(0.0, float("nan"), {0: 1})], TypeError, r"t_stop must be a finite number"),
    ([(0.0, 10.0, {3: 1})], ValueError, r"unit 3 is not a unit index in \[0, 3\)"),
    ([(0.0, 10.0, {0: 0.5})], ValueError, r"unit 0 must be clamped to 0 or 1, got 0.5"),
    ([(0.0, 10.0, {})], ValueError, r"clamp\[0\]: no units to clamp"),
    ([(0.0, 10.0, {0: 1}), (5.0, 20.0, {0: 0})], ValueError, r"clamp\[1\] clamps unit 0 to 0 while"),
])
def test_bad_windows_are_refused_before_any_simulation(machine, clamp, error, message, monkeypatch):
    from sklearn_sbs._machine import _network

    def no_simulation(*args, **kwargs):
        raise AssertionError("simulated")

    monkeypatch.setattr(_network, "run_tasks", no_simulation)
    with pytest.raises(error, match=message):
        machine.sample(duration=1000.0, clamp=clamp)
