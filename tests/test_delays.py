"""Per-pair delay matrices: SpikingBoltzmannMachine(delay=D), D[i, j] from unit i to unit j."""

import numpy as np
import pytest

from sklearn_sbs import SpikingBoltzmannMachine

W = np.array([[0.0, 1.5, 0.0], [1.5, 0.0, -1.0], [0.0, -1.0, 0.0]])
B = np.array([-0.5, -0.4, 0.3])


def machine(frozen_calibrator, delay, **kw):
    return SpikingBoltzmannMachine(W, B, calibrator=frozen_calibrator, delay=delay,
                                   correction_rounds=0, **kw)


def test_a_uniform_matrix_is_the_scalar_delay(frozen_calibrator):
    scalar = machine(frozen_calibrator, 1.0, duration=1000.0, random_state=2).fit()
    matrix = machine(frozen_calibrator, np.full((3, 3), 1.0), duration=1000.0, random_state=2).fit()
    np.testing.assert_array_equal(scalar.sample(), matrix.sample())


def test_each_pair_gets_its_delay(frozen_calibrator):
    """Unit 0 driven hard onto unit 1 with a long delay: unit 1's spikes follow unit 0's
    after that delay (the cross-correlation of the trains peaks there)."""
    D = np.full((3, 3), 0.1)
    D[0, 1] = 8.0
    Wd = np.zeros((3, 3))
    Wd[0, 1] = Wd[1, 0] = 4.0
    bm = SpikingBoltzmannMachine(Wd, [0.0, -4.0, 0.0], calibrator=frozen_calibrator, delay=D,
                                 correction_rounds=0, synapse="static", duration=5000.0,
                                 random_state=3).fit()
    bm.sample()
    spikes, = bm.spikes_
    t0, t1 = spikes.times[spikes.ids == 0], spikes.times[spikes.ids == 1]
    lags = (t1[None, :] - t0[:, None]).ravel()
    counts, edges = np.histogram(lags[(lags > 0) & (lags < 20)], bins=np.arange(0.0, 20.5, 1.0))
    peak = edges[np.argmax(counts)]
    assert 8.0 <= peak <= 11.0, (peak, counts)     # the delay plus the rise of the membrane


def test_a_matrix_survives_json(frozen_calibrator):
    D = np.full((3, 3), 0.5)
    D[2, 1] = 2.0
    bm = machine(frozen_calibrator, D, duration=200.0, random_state=1).fit()
    again = SpikingBoltzmannMachine.from_json(bm.to_json())
    np.testing.assert_array_equal(np.asarray(again.delay), D)


@pytest.mark.parametrize("delay, message", [
    (np.full((2, 2), 1.0), r"shape \(n_units, n_units\) = \(3, 3\), got shape \(2, 2\)"),
    (np.full(3, 1.0), r"got shape \(3,\)"),
    (np.array([[0.1, 0.15, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]), r"delay\[0, 1\]=0.15 ms must be a positive multiple of dt"),
    (np.array([[0.1, 0.0, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]), r"delay\[0, 1\]=0"),
    (np.array([[0.1, np.nan, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]), r"delay\[0, 1\]=nan"),
])
def test_bad_matrices_are_refused_before_any_simulation(frozen_calibrator, delay, message, monkeypatch):
    from sklearn_sbs._machine import _network

    monkeypatch.setattr(_network, "run_tasks", lambda *a, **k: pytest.fail("simulated"))
    with pytest.raises((ValueError, TypeError), match=message):
        machine(frozen_calibrator, delay, duration=200.0).fit()
