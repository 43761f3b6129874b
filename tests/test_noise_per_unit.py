"""A separate sampling noise per unit: SpikingBoltzmannMachine(noise=[source, ...])."""

import numpy as np
import pytest

from sklearn_sbs import SpikingBoltzmannMachine
from sklearn_sbs.sources import PoissonNoise, SpikeTrainNoise

W0 = np.zeros((3, 3))
B0 = np.zeros(3)


def per_unit(frozen_calibrator, noise, **kw):
    return SpikingBoltzmannMachine(W0, B0, calibrator=frozen_calibrator, noise=noise,
                                   correction_rounds=0, **kw)


def test_each_unit_samples_with_its_own_noise(frozen_calibrator):
    # more excitation, more activity: at bias 0 the default noise gives p ~ 0.5
    noise = [PoissonNoise(rate_exc=3300.0), PoissonNoise(), PoissonNoise(rate_exc=2700.0)]
    bm = per_unit(frozen_calibrator, noise, duration=5000.0, random_state=1).fit()
    bm.sample()
    m = bm.sampled_marginals()
    # ~250 independent states each: SE <= 0.032, the gaps are ~0.2 by theory
    assert m[0] > m[1] + 0.1 > m[2] + 0.2, m
    assert abs(m[1] - 0.5) < 0.13




def test_a_list_survives_json_and_clone(frozen_calibrator):
    from sklearn.base import clone

    noise = [PoissonNoise(rate_exc=3100.0), PoissonNoise(), PoissonNoise(rate_inh=2900.0)]
    bm = per_unit(frozen_calibrator, noise, duration=500.0, random_state=3).fit()
    again = SpikingBoltzmannMachine.from_json(bm.to_json())
    assert [n.get_params() for n in again.noise] == [n.get_params() for n in noise]
    assert [n.get_params() for n in clone(bm).noise] == [n.get_params() for n in noise]


@pytest.mark.parametrize("noise, error, message", [
    ([PoissonNoise(), PoissonNoise()], ValueError, "noise holds 2 sources, but the machine has 3 units"),
    ([PoissonNoise(), "loud", PoissonNoise()], TypeError, r"noise\[1\] must be a noise source instance"),
    ([PoissonNoise(), PoissonNoise(rate_exc=0.0), PoissonNoise()], ValueError,
     r"noise\[1\]__rate_exc=0.0 leaves the excitatory receptor without background"),
    ([PoissonNoise(), PoissonNoise(rate_exc=-1.0), PoissonNoise()], ValueError,
     r"noise\[1\]__rate_exc"),
])
def test_bad_lists_are_refused_before_any_simulation(frozen_calibrator, noise, error, message,
                                                      monkeypatch):
    from sklearn_sbs._machine import _network

    monkeypatch.setattr(_network, "run_tasks", lambda *a, **k: pytest.fail("simulated"))
    with pytest.raises(error, match=message):
        per_unit(frozen_calibrator, noise, duration=500.0).fit()


def poisson_trains(seed, rate=3000.0, duration=1600.0):
    """Fixed trains as dense as the calibration's Poisson background (3 kHz each)."""
    rng = np.random.default_rng(seed)
    return [np.sort(rng.uniform(0.1, duration, rng.poisson(rate * duration / 1e3))).round(1).tolist()
            for _ in range(2)]


def test_per_unit_spike_trains(frozen_calibrator):
    """Identical neurons under identical fixed trains spike identically; each unit's own
    trains make them differ."""
    def spikes_of(noise):
        bm = SpikingBoltzmannMachine(np.zeros((2, 2)), [0.0, 0.0], calibrator=frozen_calibrator,
                                     noise=noise, duration=1000.0, correction_rounds=0,
                                     random_state=4).fit()
        bm.sample()
        s, = bm.spikes_
        return [np.round(s.times[s.ids == u] / 0.1).astype(int) for u in range(2)]

    def source(seed):
        exc, inh = poisson_trains(seed)
        return SpikeTrainNoise([exc], [inh])

    same = spikes_of(source(1))                        # one source for every unit
    assert same[0].size > 20 and np.array_equal(same[0], same[1])
    own = spikes_of([source(1), source(2)])            # one per unit
    assert np.array_equal(own[0], same[0])             # unit 0 kept its trains
    assert not np.array_equal(own[1], own[0])
