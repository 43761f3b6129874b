"""NEST's spike precision: spike_precision="off_grid" runs the current-based models
with NEST's precise versions (spike times between the steps)."""

import json

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

W = np.array([[0.0, 0.5], [0.5, 0.0]])


@pytest.fixture(scope="module")
def calibrations():
    """IF_curr_exp calibrated on and off the grid (short: only the precision is checked)."""
    return {p: LIFSamplerCalibrator("IF_curr_exp", spike_precision=p, duration=1000.0, n_points=12,
                                    random_state=0).fit() for p in ("on_grid", "off_grid")}


def steps_off_grid(times, dt=0.1):
    """How many spike times lie away from the grid of dt (by more than rounding)."""
    steps = np.asarray(times) / dt
    return int(np.sum(np.abs(steps - np.round(steps)) > 1e-6))


@pytest.mark.parametrize("precision", ["off_grid", "on_grid", "off_grid"])   # and back
def test_the_machine_samples_with_its_calibrators_precision(calibrations, precision):
    cal = calibrations[precision]
    bm = SpikingBoltzmannMachine(W, [0.0, 0.0], calibrator=FrozenEstimator(cal), duration=1000.0,
                                 correction_rounds=0, random_state=1).fit()
    bm.sample()
    times = bm.spikes_[0].times
    assert times.size > 50
    if precision == "off_grid":
        assert steps_off_grid(times) > 0.9 * times.size     # precise: almost none on the grid
    else:
        assert steps_off_grid(times) == 0
    # the activation hardly depends on the precision: both calibrations agree
    assert abs(calibrations["on_grid"].v_p05_ - calibrations["off_grid"].v_p05_) < 0.3


def test_the_machine_parameter_overrides_the_calibrators(calibrations):
    bm = SpikingBoltzmannMachine(W, [0.0, 0.0], calibrator=FrozenEstimator(calibrations["on_grid"]),
                                 spike_precision="off_grid", duration=500.0, correction_rounds=0,
                                 random_state=1).fit()
    bm.sample()
    assert steps_off_grid(bm.spikes_[0].times) > 0


def test_documents_written_before_the_parameter_load_with_its_default(calibrations):
    doc = json.loads(calibrations["off_grid"].to_json())
    assert doc["params"].pop("spike_precision") == "off_grid"
    assert LIFSamplerCalibrator.from_json(json.dumps(doc)).spike_precision == "on_grid"
    bm = SpikingBoltzmannMachine(W, [0.0, 0.0], calibrator=FrozenEstimator(calibrations["on_grid"]),
                                 duration=100.0, correction_rounds=0).fit()
    doc = json.loads(bm.to_json())
    del doc["params"]["spike_precision"]
    assert SpikingBoltzmannMachine.from_json(json.dumps(doc)).spike_precision is None


def test_a_bad_precision_is_refused():
    with pytest.raises(ValueError, match="spike_precision"):
        LIFSamplerCalibrator(spike_precision="exact").fit()
