"""NoiseNetwork with the user's neuron parameters, and its firing rates measured by a run."""

import json

import numpy as np
import pytest

from sklearn_sbs import SpikingBoltzmannMachine
from sklearn_sbs.sources import NoiseNetwork, PoissonNoise


def machine(frozen_calibrator, noise, **kw):
    return SpikingBoltzmannMachine(np.zeros((2, 2)), [0.0, 0.0], calibrator=frozen_calibrator,
                                   noise=noise, duration=1000.0, correction_rounds=0, **kw)


def test_the_run_reports_the_network_rates_and_the_neurons_are_the_users(frozen_calibrator):
    rates = {}
    for tau_m in (10.0, 20.0):          # a slower membrane integrates more: it fires more
        noise = NoiseNetwork(n_exc=400, n_inh=100, neuron_params={"tau_m": tau_m},
                             weight_exc=0.004, weight_inh=0.004)
        bm = machine(frozen_calibrator, noise, random_state=1).fit()
        bm.sample()
        assert bm.noise_rates_.shape == (1, 2)
        rates[tau_m] = bm.noise_rates_[0]
    # 500 neurons x 1.5 s at ~30 Hz: ~2e4 spikes, the rates' noise is far below their gap
    assert np.all(rates[10.0] > 5.0) and np.all(rates[20.0] > 1.3 * rates[10.0]), rates


def test_without_a_network_no_rates(frozen_calibrator):
    bm = machine(frozen_calibrator, PoissonNoise(), random_state=1).fit()
    bm.sample(duration=100.0)
    assert bm.noise_rates_.shape == (0, 2)


def test_bad_neuron_parameters_are_named(frozen_calibrator, monkeypatch):
    from sklearn_sbs._machine import _network

    monkeypatch.setattr(_network, "run_tasks", lambda *a, **k: pytest.fail("simulated"))
    with pytest.raises(ValueError, match=r"noise__neuron_params: 'tau_x' is not a parameter of IF_curr_exp"):
        machine(frozen_calibrator, NoiseNetwork(neuron_params={"tau_x": 1.0})).fit()
    with pytest.raises(ValueError, match=r"noise__neuron_params: .*v_reset"):
        machine(frozen_calibrator, NoiseNetwork(neuron_params={"v_reset": -50.0})).fit()


def test_documents_written_before_neuron_params_load(frozen_calibrator):
    bm = machine(frozen_calibrator, NoiseNetwork(), random_state=1)
    doc = json.loads(bm.to_json())
    del doc["params"]["noise"]["params"]["neuron_params"]
    assert SpikingBoltzmannMachine.from_json(json.dumps(doc)).noise.neuron_params is None
