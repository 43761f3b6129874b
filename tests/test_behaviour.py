"""Behaviour pinned across restructuring: fixed seeds give the recorded spikes.

``tests/data/behaviour.npz`` holds what the library produced for fixed seeds
(a calibration, a 5-unit network with renewing synapses, a correction run, a
``transform`` and a few spiking learning steps).  Spike times lie on the
simulation grid, so they are compared in whole time steps (exactly); values
computed from them in floating point are compared to rounding only, as their
last bits may depend on the CPU's vector code.

Re-record (only when a change of behaviour is intended) with
``python tests/test_behaviour.py``.
"""

import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import make_random_network

DATA = Path(__file__).with_name("data") / "behaviour.npz"
DT = 0.1


def _steps(times):
    return np.rint(np.asarray(times) / DT).astype(np.int64)


def _spikes(prefix, trains):
    return {f"{prefix}_steps": _steps(trains.times), f"{prefix}_ids": np.asarray(trains.ids)}


def record():
    """Everything pinned, as a dict of arrays: spikes (grid steps, ids) and values."""
    out = {}
    cal = LIFSamplerCalibrator(duration=2000.0, n_points=12, random_state=3).fit()
    out["cal_p_on"] = cal.p_on_
    out["cal_fit"] = np.array([cal.v_p05_, cal.alpha_])
    frozen = FrozenEstimator(cal)

    W, b = make_random_network(5, random_state=2)
    bm = SpikingBoltzmannMachine(W, b, calibrator=frozen, synapse="renewing", duration=3000.0,
                                 random_state=4).fit()
    bm.sample()
    out.update(_spikes("net", bm.spikes_[0]))
    out["net_v_rest"] = bm.v_rest_
    out["net_weights_bio"] = bm.weights_bio_

    corrected = SpikingBoltzmannMachine(W, b, calibrator=frozen, correction_rounds=2,
                                        correction_duration=2000.0, duration=2000.0,
                                        random_state=5).fit()
    out["corr_weights"] = corrected.weights_effective_
    out["corr_biases"] = corrected.biases_effective_
    out["corr_errors"] = np.asarray(corrected.correction_errors_)
    corrected.sample()
    out.update(_spikes("corr", corrected.spikes_[0]))

    inferred = SpikingBoltzmannMachine(W, b, calibrator=frozen, inference_duration=2000.0,
                                       random_state=6).fit()
    out["transform"] = inferred.transform([[1.0, np.nan, 0.0, np.nan, np.nan],
                                           [np.nan, 0.0, np.nan, 1.0, np.nan]])

    X = (np.random.RandomState(7).rand(20, 4) < [0.2, 0.7, 0.5, 0.4]).astype(float)
    learner = SpikingBoltzmannMachine(calibrator=frozen, n_hidden=2, learning="spiking",
                                      n_iter=1, batch_size=10, step_duration=200.0,
                                      random_state=8).fit(X)
    out["learn_weights"] = learner.weights_theo_
    out["learn_biases"] = learner.biases_theo_
    return out


@pytest.fixture(scope="module")
def recorded():
    with np.load(DATA, allow_pickle=False) as data:
        return dict(data)


@pytest.fixture(scope="module")
def current():
    return record()


def test_everything_pinned_is_recorded(recorded, current):
    assert set(current) == set(recorded)


@pytest.mark.parametrize("prefix", ["net", "corr"])
def test_spikes_are_the_recorded_ones(recorded, current, prefix):
    for key in (f"{prefix}_steps", f"{prefix}_ids"):
        np.testing.assert_array_equal(current[key], recorded[key])


@pytest.mark.parametrize("key", ["cal_p_on", "cal_fit", "net_v_rest", "net_weights_bio",
                                 "corr_weights", "corr_biases", "corr_errors", "transform",
                                 "learn_weights", "learn_biases"])
def test_values_are_the_recorded_ones(recorded, current, key):
    np.testing.assert_allclose(current[key], recorded[key], rtol=1e-9, atol=1e-12)


if __name__ == "__main__":
    DATA.parent.mkdir(exist_ok=True)
    np.savez_compressed(DATA, **record())
    print(f"recorded {DATA}", file=sys.stderr)
