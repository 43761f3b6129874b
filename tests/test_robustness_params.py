"""Bad parameters are refused before anything is simulated, naming what the user passed.

Every parameter of SpikingBoltzmannMachine (from its ``_parameter_constraints``)
and every parameter of its noise sources and synapses (from their
``get_params``) gets a value of the wrong type and one out of range; the
refusal must be a ValueError or TypeError whose message names the parameter by
its full path (``noise__rate_exc``, ``calibrator__noise__times[0]``).  Times off
the grid of dt, dt against the refractory period, a sampling noise the units
were not calibrated for, seeds, spike-train shapes, classes given for objects,
and the divergence and partition function at the edges of float64 complete it.

The fixture ``no_simulation`` replaces every entry point to the simulator (the
task runner of the machine and of the calibrator, the persistent network session)
by one that fails the test: a refusal that comes from a worker, or after a
simulation, does not count.  Machines use the session's frozen calibrator, so
nothing is calibrated either.
"""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

import sklearn_sbs._calibrator as calibrator_module
import sklearn_sbs._machine._network as network_module
import sklearn_sbs._simulation as simulation
from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine, boltzmann, sources
from sklearn_sbs._validation import MAX_ENERGY, check_time_grid
from sklearn_sbs.metrics import dkl
from sklearn_sbs.synapses import StaticSynapse, TsodyksMarkramSynapse

W3 = np.array([[0.0, 0.8, -0.6], [0.8, 0.0, 0.4], [-0.6, 0.4, 0.0]])
B3 = np.array([-0.3, 0.2, 0.1])


class SimulationStarted(AssertionError):
    """A simulation was asked for: the check came too late (or the input passed)."""


@pytest.fixture
def no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise SimulationStarted("a simulation was started")

    monkeypatch.setattr(network_module, "run_tasks", refuse)
    monkeypatch.setattr(calibrator_module, "run_tasks", refuse)
    monkeypatch.setattr(simulation, "NetworkSession", refuse)


@pytest.fixture
def machine(frozen_calibrator, no_simulation):
    """``machine(**params)``: a 3-unit machine on the frozen tutorial calibration."""
    def make(**params):
        base = dict(weights=W3, biases=B3, calibrator=frozen_calibrator, duration=200.0,
                    burn_in=10.0, correction_rounds=0, random_state=0)
        return SpikingBoltzmannMachine(**{**base, **params})
    return make


def refused(call, *names):
    """``call()`` must raise ValueError or TypeError naming each of ``names``."""
    with pytest.raises((ValueError, TypeError)) as info:
        call()
    for name in names:
        assert name in str(info.value), f"{name!r} not in: {info.value}"
    return str(info.value)


# --------------------------------------------------------------------------- #
# every parameter of the machine: (wrong type, out of range)
# --------------------------------------------------------------------------- #
MACHINE_BAD = {
    "weights": ("abc", np.full((3, 3), np.nan)),
    "biases": ("abc", [0.0, np.inf, 0.0]),
    "n_hidden": ("abc", -1),
    "weights_unit": (3, "si"),
    "calibrator": (3.0, LIFSamplerCalibrator),            # the class, not an instance
    "synapse": (1.0, "plastic"),
    "delay": ("abc", 0.05),                                # off the 0.1 ms grid
    "spike_precision": (3, "exact"),
    "duration": ("abc", -1.0),
    "burn_in": ("abc", -1.0),
    "dt": ("abc", 20.0),                                   # longer than tau_refrac
    "noise": ("abc", sources.PoissonNoise),                # the class, not an instance
    "n_chains": (1.5, 0),
    "correction_rounds": ("abc", -1),
    "correction_duration": ("abc", 0.0),
    "learning": (3, "hebbian"),
    "learning_rate": ("abc", 0.0),
    "batch_size": (2.5, 0),
    "n_iter": ("abc", -1),
    "step_duration": ("abc", 10.05),
    "inference": (3, "exact"),
    "inference_duration": ("abc", float("inf")),
    "random_state": ("abc", -1),
    "n_jobs": (1.5, 0),
    "memory": (3.5, object()),
    "verbose": ("abc", -1),
}


def test_the_table_covers_every_parameter():
    assert set(MACHINE_BAD) == set(SpikingBoltzmannMachine._parameter_constraints)
    assert set(MACHINE_BAD) == set(SpikingBoltzmannMachine().get_params(deep=False))


@pytest.mark.parametrize("kind", [0, 1], ids=["wrong-type", "out-of-range"])
@pytest.mark.parametrize("name", sorted(MACHINE_BAD))
def test_every_machine_parameter_is_refused_by_name(machine, name, kind):
    value = MACHINE_BAD[name][kind]
    bm = machine(**{name: value})
    refused(bm.fit, name)
    assert not hasattr(bm, "calibrators_")


def _synapse_bad():
    out = []
    for name in TsodyksMarkramSynapse().get_params():
        out += [(name, "abc"), (name, {"U": 1.5, "tau_rec": -1.0, "tau_facil": -1.0}[name])]
    return out


@pytest.mark.parametrize("name, value", _synapse_bad())
def test_every_synapse_parameter_is_refused_by_its_path(machine, name, value):
    synapse = TsodyksMarkramSynapse(**{name: value})
    refused(machine(synapse=synapse).fit, f"synapse__{name}")


def test_static_synapse_has_no_parameters():
    assert StaticSynapse().get_params() == {} and StaticSynapse._parameter_constraints == {}


PIECEWISE = dict(times=[1.0, 2.0], rates_exc=[3000.0, 3000.0], rates_inh=[3000.0, 3000.0])
NOISES = [sources.PoissonNoise, sources.SinusoidalPoissonNoise, sources.PiecewisePoissonNoise,
          sources.SpikeTrainNoise, sources.PoissonPoolNoise, sources.NoiseNetwork]


def _noise(cls, **params):
    base = PIECEWISE if cls is sources.PiecewisePoissonNoise else {}
    return cls(**{**base, **params})


def _noise_bad():
    out = []
    for cls in NOISES:
        for name in _noise(cls).get_params():
            out.append((cls, name, "abc"))
            # phase may be any finite angle: NaN is its out-of-range value
            out.append((cls, name, float("nan") if name.startswith("phase") else -1.0))
    return out


@pytest.mark.parametrize("cls, name, value", _noise_bad(),
                         ids=lambda v: getattr(v, "__name__", repr(v)))
def test_every_noise_parameter_is_refused_by_its_path(machine, cls, name, value):
    noise = _noise(cls, **{name: value})
    # as the machine's sampling noise, and as the noise of a calibrator it fits
    refused(machine(noise=noise).fit, f"'noise__{name}'")
    refused(machine(calibrator=LIFSamplerCalibrator(noise=noise)).fit,
            f"'calibrator__noise__{name}'")
    refused(machine(calibrator=[LIFSamplerCalibrator(noise=noise)] * 3).fit,
            f"calibrator[0]__noise__{name}")


def _noise_huge():
    """Every rate, weight, amplitude and phase of every noise source at 1e300: finite,
    and far beyond any physical value (a typo), refused by name, not overflowing."""
    out = []
    for cls in NOISES:
        for name in _noise(cls).get_params():
            if name.startswith(("rate", "weight", "amplitude", "phase")):
                out.append((cls, name))
    return out


@pytest.mark.parametrize("cls, name", _noise_huge(), ids=lambda v: getattr(v, "__name__", v))
def test_huge_noise_values_are_refused_by_their_path(machine, cls, name):
    value = [1e300, 1e300] if name in ("rates_exc", "rates_inh") else 1e300
    noise = _noise(cls, **{name: value})
    refused(machine(noise=noise).fit, f"'noise__{name}'", "range")
    refused(machine(calibrator=LIFSamplerCalibrator(noise=noise)).fit,
            f"'calibrator__noise__{name}'")


@pytest.mark.parametrize("params, names", [
    (dict(learning_rate=1e300), ["learning_rate", "(0.0, 100.0]"]),
    (dict(synapse=TsodyksMarkramSynapse(tau_rec=1e300)), ["synapse__tau_rec", "1000000.0"]),
    (dict(synapse=TsodyksMarkramSynapse(tau_facil=1e300)), ["synapse__tau_facil", "1000000.0"]),
    # a modulation faster than the grid resolves aliases: 1 / (2 dt) = 5 kHz at dt = 0.1 ms
    (dict(noise=sources.SinusoidalPoissonNoise(frequency=1e300)),
     ["noise__frequency=1e+300 Hz", "5000 Hz"]),
    (dict(calibrator=LIFSamplerCalibrator(noise=sources.SinusoidalPoissonNoise(frequency=6e3))),
     ["calibrator__noise__frequency=6000.0 Hz", "5000 Hz"]),
])
def test_values_beyond_any_physical_range_are_refused_by_name(machine, params, names):
    refused(machine(**params).fit, *names)


def test_a_learning_step_to_values_the_network_cannot_simulate_names_the_learning_rate():
    from sklearn_sbs._machine import _learning

    def moments(W, b):          # as the spiking network's translation refuses a bias
        raise ValueError("biases[0] = 85.2 translates to a resting potential of 15.7 mV")

    with pytest.raises(ValueError, match=r"learning diverged in iteration 1, step 1 "
                                         r"\(learning_rate=0.5\), the values learned so far: "
                                         r"biases\[0\] = 85.2 .*a smaller learning_rate"):
        _learning.learn(np.zeros((2, 2)), np.zeros(2), np.ones((4, 2)), moments, 2, 0.5, 4, 1)


def test_learning_rate_is_checked_before_learning(machine):
    X = np.array([[0, 1, 1], [1, 0, 1]], dtype=float)
    refused(lambda: machine(weights=None, biases=None, learning="exact",
                            learning_rate=1e300).fit(X), "learning_rate")


@pytest.mark.parametrize("name", sorted(LIFSamplerCalibrator().get_params(deep=False)))
def test_every_calibrator_parameter_is_refused_by_its_path(machine, name):
    refused(machine(calibrator=LIFSamplerCalibrator(**{name: 2.5j})).fit, f"calibrator__{name}")


def test_valid_parameters_reach_the_simulation(machine):
    # the fixture refuses simulations: a valid machine gets as far as one, no further
    with pytest.raises(SimulationStarted):
        machine(noise=sources.PoissonNoise(rate_exc=2000.0)).fit().sample()
    with pytest.raises(SimulationStarted):
        machine(calibrator=LIFSamplerCalibrator(duration=200.0)).fit()


# --------------------------------------------------------------------------- #
# the time grid of dt
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("params, name, value", [
    (dict(delay=0.05), "delay", "0.05"),
    (dict(delay=0.15), "delay", "0.15"),
    (dict(delay=0.25), "delay", "0.25"),
    (dict(duration=200.05), "duration", "200.05"),
    (dict(duration=1e300), "duration", "1e+300"),
    (dict(burn_in=10.05), "burn_in", "10.05"),
    (dict(correction_rounds=1, correction_duration=100.05), "correction_duration", "100.05"),
    (dict(step_duration=10.05), "step_duration", "10.05"),
    (dict(inference_duration=100.05), "inference_duration", "100.05"),
    (dict(dt=0.2, delay=0.3), "delay", "0.3"),
    (dict(noise=sources.PiecewisePoissonNoise([0.15, 100.0], [3000.0] * 2, [3000.0] * 2)),
     "noise__times[0]", "0.15"),
])
def test_times_off_the_grid_name_value_and_dt(machine, params, name, value):
    message = refused(machine(**params).fit, f"{name}={value}", "dt=0.1 ms" if "dt" not in params
                      else "dt=0.2 ms", "multiple")
    assert "nearest allowed" in message


def test_the_calibrators_noise_is_checked_on_both_grids(machine):
    noise = sources.PiecewisePoissonNoise([0.15, 100.0], [3000.0] * 2, [3000.0] * 2)
    # calibrated on its own grid (dt=0.1): refused before the calibration
    refused(machine(calibrator=LIFSamplerCalibrator(noise=noise)).fit,
            "calibrator__noise__times[0]=0.15", "calibrator__dt")
    # on the calibration's grid, off the machine's (dt=0.2)
    noise = sources.PiecewisePoissonNoise([0.1, 100.0], [3000.0] * 2, [3000.0] * 2)
    refused(machine(calibrator=LIFSamplerCalibrator(noise=noise), dt=0.2).fit,
            "calibrator__noise__times[0]=0.1", "dt=0.2")


def test_dt_against_the_refractory_period(machine):
    refused(machine(dt=20.0).fit, "dt=20.0 ms", "tau_refrac=10.0", "at most tau_refrac")
    refused(machine(dt=0.3).fit, "dt=0.3 ms", "must divide", "tau_refrac=10.0")
    slow = LIFSamplerCalibrator(neuron_params={"tau_refrac": 0.5}, dt=0.1)
    refused(machine(calibrator=slow, dt=1.0).fit, "dt=1.0", "tau_refrac=0.5")


def test_calibrators_with_different_dt_need_a_machine_dt(machine):
    cals = [LIFSamplerCalibrator(dt=0.1), LIFSamplerCalibrator(dt=0.05), LIFSamplerCalibrator()]
    refused(machine(calibrator=cals).fit, "calibrator[0]__dt=0.1", "calibrator[1]__dt=0.05",
            "set the machine's dt")


def test_float_rounding_is_on_the_grid():
    assert check_time_grid(0.1 + 0.2, "delay", 0.1) == 0.1 + 0.2
    assert check_time_grid(1e6 + 0.1, "duration", 0.1) == 1e6 + 0.1
    assert check_time_grid(0.0, "burn_in", 0.1, zero=True) == 0.0
    for value in (0.1 + 1e-6, 1e8 + 0.05, 0.0, -0.1, float("nan")):
        refused(lambda: check_time_grid(value, "duration", 0.1), "duration=")


def test_set_params_after_fit_is_checked_by_the_method(machine):
    bm = machine().fit()                       # nothing simulated: frozen, no correction
    refused(lambda: bm.sample(duration=100.05), "duration=100.05", "sample's argument")
    bm.set_params(delay=0.05)
    refused(bm.sample, "delay=0.05")
    refused(lambda: bm.transform([[1.0, np.nan, 0.0]]), "delay=0.05")
    bm.set_params(delay=None, inference_duration=100.05)
    refused(lambda: bm.transform([[1.0, np.nan, 0.0]]), "inference_duration=100.05")
    bm.set_params(inference_duration=100.0, random_state=-1)
    refused(bm.sample, "'random_state'")
    refused(lambda: bm.score_samples([[1.0, 0.0, 1.0]]), "'random_state'")
    refused(bm.score, "'random_state'")


def test_partial_fit_is_checked_like_fit(machine):
    X = np.array([[0, 1, 1], [1, 0, 1]] * 5)
    refused(lambda: machine(step_duration=10.05).partial_fit(X), "step_duration=10.05")
    refused(lambda: machine(learning="exact", n_jobs=0).partial_fit(X), "'n_jobs'")


# --------------------------------------------------------------------------- #
# the sampling noise, against the units' calibration
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("noise, names", [
    (sources.PoissonNoise(rate_exc=0.0), ["noise__rate_exc=0.0", "excitatory"]),
    (sources.PoissonNoise(weight_inh=0.0), ["noise__weight_inh=0.0", "inhibitory"]),
    (sources.PoissonNoise(rate_exc=[0.0, 0.0], weight_exc=[0.001, 0.002]),
     ["noise__rate_exc=[0.0, 0.0]"]),
    (sources.SpikeTrainNoise([[1.0, 2.0]], []), ["noise__spike_times_inh=[]", "inhibitory"]),
    (sources.PoissonPoolNoise(indegree_exc=0), ["noise__indegree_exc=0"]),
    (sources.NoiseNetwork(rate_estimate=0.0), ["noise__rate_estimate=0.0"]),
    (sources.PoissonNoise(rate_exc=1e6), ["noise=PoissonNoise(rate_exc=1000000.0)", "strong"]),
    (sources.PoissonNoise(rate_exc=1e9), ["noise__rate_exc", "[0.0, 1000000.0]"]),
    (sources.PoissonNoise(weight_exc=1e-9, weight_inh=1e-9), ["noise=", "weak"]),
])
def test_a_sampling_noise_the_calibration_does_not_allow(machine, noise, names):
    refused(machine(noise=noise).fit, *names)


def test_classes_for_objects(machine):
    message = refused(machine(noise=sources.PoissonNoise).fit, "'noise'",
                      "a noise source instance such as PoissonNoise()", "not the class")
    assert "<class 'sklearn_sbs.sources.PoissonNoise'>" in message
    refused(machine(synapse=TsodyksMarkramSynapse).fit, "'synapse'")
    refused(machine(calibrator=LIFSamplerCalibrator).fit, "calibrator",
            "the class LIFSamplerCalibrator")
    refused(machine(calibrator=[LIFSamplerCalibrator()] * 2 + ["neuron"]).fit,
            "calibrator[2]", "got str 'neuron'")
    refused(machine(calibrator=[]).fit, "calibrator", "empty list")
    calibrator = LIFSamplerCalibrator(noise=sources.PoissonPoolNoise)
    refused(machine(calibrator=calibrator).fit, "'calibrator__noise'", "not the class")


def test_unfitted_frozen_calibrator_is_refused_before_a_simulation(machine):
    from sklearn.frozen import FrozenEstimator

    with pytest.raises(NotFittedError):
        machine(calibrator=FrozenEstimator(LIFSamplerCalibrator())).fit()


# --------------------------------------------------------------------------- #
# biases and weights the translation cannot carry
# --------------------------------------------------------------------------- #
def test_huge_biases_name_the_bias(machine):
    message = refused(machine(biases=[3e4, 0.0, 0.0]).fit, "biases[0] = 30000.0",
                      "resting potential of", "excitatory reversal potential", "must be below")
    assert "v_rest[" not in message
    refused(machine(biases=[0.0, 0.0, -3e4]).fit, "biases[2] = -30000.0", "inhibitory",
            "must be above")
    refused(machine(biases=[1.7e308, 0.0, 0.0]).fit, "biases must keep the energies")
    refused(machine(weights=W3 * 1e300).fit, "weights must keep the energies")
    # in resting potentials (mV): the bound is given in mV
    bio = machine(weights=W3 * 1e-3, biases=[30.0, -50.0, -50.0], weights_unit="bio")
    refused(bio.fit, "biases[0] = 30.0 mV", "weights_unit='bio'", "mV")


def test_a_huge_bias_without_partners_of_that_sign_is_allowed(machine):
    W = np.array([[0.0, -0.5, 0.0], [-0.5, 0.0, 0.0], [0.0, 0.0, 0.0]])
    with pytest.warns(UserWarning, match="units \\[0\\]"):      # beyond the sampler's ceiling
        bm = machine(weights=W, biases=[200.0, 0.0, 0.0]).fit()
    assert bm.v_rest_[0] > 0.0


# --------------------------------------------------------------------------- #
# seeds, spike trains, functions at the edges of float64
# --------------------------------------------------------------------------- #
def test_seeds(machine):
    refused(machine(random_state=-1).fit, "'random_state'")
    refused(machine(random_state=2**40).fit, "'random_state'")
    bm = machine().fit()
    refused(lambda: bm.sample(random_state=-1), "'random_state'")
    refused(lambda: boltzmann.gibbs_sample(W3, B3, 10, random_state=-1), "'random_state'")
    refused(lambda: boltzmann.make_random_network(3, random_state=-1), "'random_state'")


@pytest.mark.parametrize("times", [
    [[1.0, [2.0]]], np.ones((2, 2, 2)), [[1.0, np.nan]], [1.0, -2.0], "abc", [["a"]],
    np.array([[1.0, [2.0]]], dtype=object),
])
def test_spike_train_shapes_refused_by_name(machine, times):
    noise = sources.SpikeTrainNoise(times, [[1.5]])
    refused(noise.simulation_specs, "'spike_times_exc'", "sequence of sequences")
    refused(machine(noise=noise).fit, "'noise__spike_times_exc'")


@pytest.mark.parametrize("times", [
    [1.0, 2.0], [[1.0, 2.0], [3.0]], np.array([[1.0, 2.0], [3.0, 4.0]]),
    np.array([np.array([1.0]), np.array([2.0, 3.0])], dtype=object),
])
def test_spike_train_shapes_accepted(machine, times):
    noise = sources.SpikeTrainNoise(times, [1.5, 2.5])
    assert len(noise.simulation_specs()) >= 2
    with pytest.raises(SimulationStarted):            # through every check
        machine(noise=noise).fit().sample()


def test_dkl_of_distributions_off_by_rounding_is_not_negative():
    p = np.array([0.5, 0.5 + 1e-9, 0.0, 0.0])
    assert dkl(p, [0.25] * 4) >= 0.0
    short = np.array([0.5, 0.5 - 9e-7])
    assert dkl(short, short / short.sum()) == pytest.approx(0.0, abs=1e-15)
    refused(lambda: dkl([0.5, 0.5 - 2e-6], [0.5, 0.5]), "p must sum to 1")
    refused(lambda: dkl([0.5, 0.5], [1.5, -0.5]), "'q'")


def test_log_partition_refuses_unrepresentable_energies():
    W = np.zeros((3, 3))
    refused(lambda: boltzmann.log_partition(W, [1.7e308, 1.7e308, 0.0]), "biases")
    refused(lambda: boltzmann.joint_distribution(W, [1e13, 0.0, 0.0]), "biases", "1e+12")
    refused(lambda: boltzmann.marginals(W3 * 1e12, B3), "weights")
    assert np.isfinite(boltzmann.log_partition(W, [MAX_ENERGY / 2, 0.0, 0.0]))
