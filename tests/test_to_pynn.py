"""SpikingBoltzmannMachine.to_pynn: the fitted network in the user's own PyNN script
(run in a fresh interpreter: this is the one call that simulates in its caller)."""

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from sklearn_sbs import SpikingBoltzmannMachine
from sklearn_sbs.synapses import StaticSynapse

W = np.array([[0.0, 1.0, -0.7, 0.0], [1.0, 0.0, 0.5, 0.3], [-0.7, 0.5, 0.0, -0.4],
              [0.0, 0.3, -0.4, 0.0]])
B = np.array([-0.3, 0.2, -0.1, 0.4])
DURATION = 2e4           # ms: ~1000 independent states, SE of a marginal <= 0.016

SCRIPT = textwrap.dedent('''
    import json, sys
    import numpy as np
    import pyNN.nest as sim
    from sklearn_sbs import SpikingBoltzmannMachine
    from sklearn_sbs.spikes import SpikeTrains

    bm = SpikingBoltzmannMachine.load(sys.argv[1])
    sim.setup(timestep=float(sys.argv[2]), min_delay=float(sys.argv[2]), rng_seed=int(sys.argv[3]))
    units = bm.to_pynn(sim)
    other = sim.Population(3, sim.IF_cond_exp())     # a larger model around it
    units.record("spikes")
    sim.run(bm.burn_in + bm.duration)
    trains = units.get_data().segments[0].spiketrains
    times = np.concatenate([np.asarray(t.magnitude) for t in trains])
    ids = np.concatenate([np.full(len(t), i) for i, t in enumerate(trains)])
    spikes = SpikeTrains(times, ids, len(units), bm.tau_on_)
    m = spikes.marginals(bm.burn_in, bm.burn_in + bm.duration)
    print(json.dumps({"n": len(units), "marginals": m.tolist(), "labels": [p.label for p in units.populations]}))
''')


def run_in_pynn(path, dt=0.1, seed=11):
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(path), str(dt), str(seed)],
                            capture_output=True, text=True, timeout=300)
    return result, (json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None)


@pytest.mark.parametrize("synapse", ["renewing", StaticSynapse()], ids=["renewing", "static"])
def test_the_network_built_in_pynn_samples_what_sample_samples(frozen_calibrator, synapse, tmp_path):
    bm = SpikingBoltzmannMachine(W, B, calibrator=frozen_calibrator, synapse=synapse, duration=DURATION,
                                 correction_rounds=0, random_state=2).fit()
    bm.sample()
    sampled = bm.sampled_marginals()
    path = tmp_path / "machine.json"
    bm.save(path)
    result, out = run_in_pynn(path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert out["n"] == 4
    # two independent runs of the same network: the difference of two marginals
    # of ~1000 independent states each has SE <= 0.023
    np.testing.assert_allclose(out["marginals"], sampled, atol=4 * 0.023)


def test_a_session_with_another_time_step_is_refused(frozen_calibrator, tmp_path):
    bm = SpikingBoltzmannMachine(W, B, calibrator=frozen_calibrator, duration=100.0,
                                 correction_rounds=0).fit()
    path = tmp_path / "machine.json"
    bm.save(path)
    result, _ = run_in_pynn(path, dt=0.05)
    assert result.returncode != 0
    assert "time step is 0.05 ms but the machine samples at dt = 0.1 ms" in result.stderr


def test_a_machine_not_fitted_is_refused_before_pynn_is_touched():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        SpikingBoltzmannMachine(W, B).to_pynn(object())


def test_sim_must_be_pynn_nest(frozen_calibrator, tmp_path):
    bm = SpikingBoltzmannMachine(W, B, calibrator=frozen_calibrator, duration=100.0,
                                 correction_rounds=0).fit()
    with pytest.raises(TypeError, match="sim must be the pyNN.nest module"):
        bm.to_pynn(np)


def test_a_session_with_another_spike_precision_is_refused_where_it_matters(tmp_path):
    from sklearn.frozen import FrozenEstimator

    from sklearn_sbs import LIFSamplerCalibrator

    # PyNN's default is "off_grid", which gives current-based models their precise version
    cal = LIFSamplerCalibrator("IF_curr_exp", duration=1000.0, n_points=12, random_state=0).fit()
    bm = SpikingBoltzmannMachine(W, B, calibrator=FrozenEstimator(cal), duration=100.0,
                                 correction_rounds=0).fit()
    path = tmp_path / "machine.json"
    bm.save(path)
    result, _ = run_in_pynn(path)
    assert result.returncode != 0
    assert "spike_precision is 'off_grid' but the machine samples with 'on_grid'" in result.stderr
