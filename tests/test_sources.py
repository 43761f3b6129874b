"""Noise sources: validation, the theory's view, simulation specs, real runs."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs import sources as S
from sklearn_sbs._simulation import (
    NoiseNetworkSpec, PiecewisePoissonSpec, PoissonSpec, PoolSpec, SinusoidalPoissonSpec,
    SpikeTrainSpec,
)
from sklearn_sbs._validation import validate_nested

FAST = dict(duration=2000.0, n_points=20, random_state=0)

SOURCES = [
    S.PoissonNoise(),
    S.SinusoidalPoissonNoise(),
    S.PiecewisePoissonNoise([0.1, 500.0, 1000.0], [2000.0, 4000.0, 3000.0], [3000.0] * 3),
    S.PoissonPoolNoise(),
    S.NoiseNetwork(n_exc=400, n_inh=100, indegree_exc=80, indegree_inh=80),
    # two excitatory inputs of their own (3 kHz together), one inhibitory
    S.SinusoidalPoissonNoise(rate_exc=[2000.0, 1000.0], amplitude_exc=[500.0, 300.0],
                             frequency_exc=[5.0, 13.0], phase_exc=[0.0, 90.0]),
]


@pytest.mark.parametrize("noise", SOURCES, ids=lambda n: type(n).__name__)
def test_calibrates_into_a_logistic_sampler(noise):
    cal = LIFSamplerCalibrator(noise=noise, **FAST).fit()
    assert cal.p_on_.min() < 0.05 and cal.p_on_.max() > 0.95
    # a logistic within the statistics of 2 s per point (Bernoulli KL ~ 1e-3)
    assert cal.score() > -0.03
    assert abs(cal.v_p05_ - (-50.0)) < 3.0
    # the theory's view (mean rates) starts the bracket close enough
    assert 0.4 < cal.alpha_ / cal.theory_alpha_ < 2.5
    again = LIFSamplerCalibrator.from_json(cal.to_json())
    assert again.noise.get_params() == noise.get_params()


def test_sampling_under_other_noise_and_shared_pools():
    cal = LIFSamplerCalibrator(noise=S.SinusoidalPoissonNoise(), **FAST).fit()
    W = np.array([[0.0, 0.5], [0.5, 0.0]])
    bm = SpikingBoltzmannMachine(W, [0.2, -0.1], calibrator=FrozenEstimator(cal), duration=1e4,
                                 random_state=0).fit()
    bm.sample()
    assert bm.score() > -0.03
    # a pool small enough that both units draw all its sources: identical noise,
    # strongly correlated units although they are not connected
    pool = S.PoissonPoolNoise(n_sources=30, rate=100.0, indegree_exc=30, indegree_inh=0)
    shared = LIFSamplerCalibrator(noise=pool, **FAST).fit()
    # correction_rounds=0: the correction would see the shared noise's correlation as
    # a coupling and cancel it with weights; here the noise itself is under test
    bm = SpikingBoltzmannMachine(np.zeros((2, 2)), [0.0, 0.0], calibrator=FrozenEstimator(shared),
                                 duration=1e4, correction_rounds=0, random_state=0).fit()
    bm.sample()
    joint = bm.sampled_joint()
    p = bm.sampled_marginals()
    assert 0.2 < p[0] < 0.8 and 0.2 < p[1] < 0.8
    assert joint[1, 1] - p[0] * p[1] > 0.05          # independent noise would give ~0


def test_fixed_spike_trains_are_the_same_for_every_neuron():
    train = np.arange(1.0, 2000.0, 0.5)
    noise = S.SpikeTrainNoise([train], [train + 0.2], weight_exc=0.002, weight_inh=0.002)
    (exc, inh) = noise.simulation_specs()
    assert isinstance(exc, SpikeTrainSpec) and exc.weight > 0 > inh.weight
    assert exc.times == tuple(train)
    cal = LIFSamplerCalibrator(noise=noise, duration=1000.0, n_points=10, random_state=0)
    # deterministic input: p_on is identical for two neurons at the same v_rest
    X = np.array([[-51.0], [-51.0], [-50.0], [-49.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # a step, not a logistic
        cal.fit(X)
    assert cal.p_on_[0] == cal.p_on_[1]


def test_spike_train_weights_per_train_reach_the_simulation():
    # a current-based membrane is linear in its input: the trace under two trains with
    # their own weights is the sum of the traces under each train alone (NEST
    # integrates it exactly), and unlike the trace with one weight for both
    dense, sparse = np.arange(1.0, 1100.0, 0.5), np.arange(1.3, 1100.0, 3.7)

    def excursion(weight_exc):
        noise = S.SpikeTrainNoise([dense, sparse], [], weight_exc=weight_exc)
        cal = LIFSamplerCalibrator("IF_curr_exp", noise=noise, burn_in=100.0, random_state=0)
        trace = cal.measure_free_membrane(duration=1000.0, v_rest=-65.0)
        return trace.v - trace.v_rest

    both = excursion([0.05, 0.2])
    np.testing.assert_allclose(both, excursion([0.05, 0.0]) + excursion([0.0, 0.2]),
                               rtol=0, atol=1e-9)
    assert abs(both.mean() - excursion(0.05).mean()) > 0.5         # mV
    assert S.SpikeTrainNoise([dense, sparse], [], weight_exc=[0.05, 0.2]).inputs()[1].weight == 0.2


@pytest.mark.parametrize("times, trains", [
    ([1.0, 2.0], [(1.0, 2.0)]),                                  # one flat train
    ([[1.0, 2.0], [3.0]], [(1.0, 2.0), (3.0,)]),                 # ragged: one per input
    (np.array([[2.0, 1.0], [3.0, 4.0]]), [(1.0, 2.0), (3.0, 4.0)]),    # rows, sorted
    (np.array([3.0, 1.0]), [(1.0, 3.0)]),
    ([], []), ([[]], [()]),
])
def test_spike_train_shapes(times, trains):
    specs = S.SpikeTrainNoise(times, []).simulation_specs()
    assert [spec.times for spec in specs] == trains
    assert len(S.SpikeTrainNoise(times, []).inputs()) == len(trains)


def test_sinusoidal_defaults_give_the_specs_they_gave_before():
    exc, inh = S.SinusoidalPoissonNoise().simulation_specs()
    assert (exc, inh) == (SinusoidalPoissonSpec(3000.0, 1000.0, 10.0, 0.0, 0.001),
                          SinusoidalPoissonSpec(3000.0, 1000.0, 10.0, 0.0, -0.001))
    assert exc.individual_spike_trains is True
    # scalars given as numpy numbers or one-element sequences: the same single input
    same = S.SinusoidalPoissonNoise(rate_exc=np.float64(3000.0), amplitude_exc=[1000.0],
                                    frequency_exc=10.0, phase_inh=[0.0], weight_inh=(0.001,))
    assert same.simulation_specs() == (exc, inh)
    assert S.SinusoidalPoissonNoise().grid_frequencies() == {"frequency": 10.0}


def test_sinusoidal_inputs_per_receptor():
    noise = S.SinusoidalPoissonNoise(
        rate_exc=[2000.0, 1000.0], amplitude_exc=[500.0, 0.0], frequency_exc=[5.0, 20.0],
        phase_exc=90.0, weight_exc=[0.001, 0.002],
        rate_inh=(3000.0, 1500.0), amplitude_inh=100.0, phase=-45.0, weight_inh=0.003,
        individual_spike_trains=False)
    assert noise.simulation_specs() == (
        SinusoidalPoissonSpec(2000.0, 500.0, 5.0, 90.0, 0.001, False),
        SinusoidalPoissonSpec(1000.0, 0.0, 20.0, 90.0, 0.002, False),
        SinusoidalPoissonSpec(3000.0, 100.0, 10.0, -45.0, -0.003, False),
        SinusoidalPoissonSpec(1500.0, 100.0, 10.0, -45.0, -0.003, False),
    )
    # the theory: one Poisson input per input, at its mean rate
    assert [(i.rate, i.weight, i.receptor) for i in noise.inputs()] == [
        (2000.0, 0.001, "excitatory"), (1000.0, 0.002, "excitatory"),
        (3000.0, 0.003, "inhibitory"), (1500.0, 0.003, "inhibitory")]
    assert noise.grid_frequencies() == {"frequency_exc[0]": 5.0, "frequency_exc[1]": 20.0,
                                        "frequency": 10.0}
    # sequences are stored as given: clone, get_params and JSON keep them
    assert clone(noise).get_params() == noise.get_params()
    assert noise.get_params()["rate_inh"] == (3000.0, 1500.0)
    cal = LIFSamplerCalibrator(noise=clone(noise).set_params(rate_inh=[3000.0, 1500.0]))
    again = LIFSamplerCalibrator.from_json(cal.to_json())
    assert again.noise.get_params() == cal.noise.get_params()
    assert again.noise.simulation_specs() == noise.simulation_specs()


def test_every_input_frequency_must_be_resolved_by_the_grid():
    noise = S.SinusoidalPoissonNoise(rate_exc=[10.0, 10.0], amplitude_exc=0.0,
                                     frequency_exc=[5.0, 6000.0])
    noise.simulation_specs()                 # valid on its own: the grid is the calibration's
    with pytest.raises(ValueError, match=r"noise__frequency_exc\[1\]=6000.0 Hz is above the "
                                         r"highest frequency .* dt=0.1 ms"):
        LIFSamplerCalibrator(noise=noise, dt=0.1).fit()
    LIFSamplerCalibrator(noise=noise, dt=0.05, **FAST).fit()       # 1 / (2 dt) = 10 kHz


def _states_of_two_units(noise):
    """Two units with zero weights and only ``noise``: their states, 2000 ms."""
    cal = LIFSamplerCalibrator(noise=noise, **FAST).fit()
    bm = SpikingBoltzmannMachine(np.zeros((2, 2)), [0.0, 0.0], calibrator=FrozenEstimator(cal),
                                 duration=2000.0, correction_rounds=0, random_state=0).fit()
    return bm.sample().astype(float)


def test_one_shared_sinusoidal_train_makes_identical_units():
    # 200 states (one per tau_on = 10 ms) per unit, p_on ~ 0.5; neighbouring states are
    # correlated, so about 100 independent ones: for independent units the fraction of
    # equal states is 0.5 +- 0.05 and their correlation 0 +- 0.1; the bounds are 5 sd
    individual = _states_of_two_units(S.SinusoidalPoissonNoise())
    assert 0.2 < individual.mean() < 0.8
    assert (individual[:, 0] == individual[:, 1]).mean() < 0.75
    assert abs(np.corrcoef(individual.T)[0, 1]) < 0.5
    # one train per input for both: identical neurons at the same v_rest under the same
    # input follow the same trajectory
    shared = _states_of_two_units(S.SinusoidalPoissonNoise(individual_spike_trains=False))
    assert 0.2 < shared.mean() < 0.8
    assert (shared[:, 0] == shared[:, 1]).mean() >= 0.99
    assert np.corrcoef(shared.T)[0, 1] > 0.95


def test_theory_views_and_specs():
    sinus = S.SinusoidalPoissonNoise(rate_exc=2000.0, amplitude_exc=500.0, frequency=5.0)
    assert [i.rate for i in sinus.inputs()] == [2000.0, 3000.0]
    spec = sinus.simulation_specs()[0]
    assert spec == SinusoidalPoissonSpec(2000.0, 500.0, 5.0, 0.0, 0.001)
    piece = S.PiecewisePoissonNoise([1.0, 3.0], [1000.0, 3000.0], [0.0, 0.0])
    assert piece.inputs()[0].rate == pytest.approx(2000.0)
    assert piece.simulation_specs()[1] == PiecewisePoissonSpec((1.0, 3.0), (0.0, 0.0), -0.001)
    pool = S.PoissonPoolNoise(n_sources=50, rate=20.0, indegree_exc=10, indegree_inh=0)
    assert [i.rate for i in pool.inputs()] == [200.0, 0.0]
    assert pool.simulation_specs() == (PoolSpec(50, 20.0, 10, 0.001),)
    net = S.NoiseNetwork(indegree_exc=10, indegree_inh=20, rate_estimate=5.0)
    assert [i.rate for i in net.inputs()] == [50.0, 100.0]
    assert all(isinstance(s, NoiseNetworkSpec) for s in net.simulation_specs())
    assert S.PoissonNoise().simulation_specs() == (PoissonSpec(3000.0, 0.001), PoissonSpec(3000.0, -0.001))
    assert clone(net).get_params() == net.get_params()


@pytest.mark.parametrize(
    "noise, match",
    [
        (S.SinusoidalPoissonNoise(amplitude_exc=5000.0), "amplitude_exc"),
        (S.SinusoidalPoissonNoise(frequency=-1.0), "frequency"),
        (S.SinusoidalPoissonNoise(phase=float("nan")), "phase"),
        (S.PiecewisePoissonNoise([2.0, 1.0], [1.0, 1.0], [1.0, 1.0]), "times"),
        (S.PiecewisePoissonNoise([1.0, 2.0], [1.0], [1.0, 1.0]), "rates_exc"),
        (S.PiecewisePoissonNoise([1.0], [-1.0], [1.0]), "rates_exc"),
        (S.SpikeTrainNoise([[1.0, np.nan]]), "spike_times_exc"),
        (S.SpikeTrainNoise([[-1.0]]), "spike_times_exc"),
        (S.PoissonPoolNoise(n_sources=0), "n_sources"),
        (S.PoissonPoolNoise(n_sources=5, indegree_exc=6), "indegree_exc"),
        (S.PoissonPoolNoise(rate=float("inf")), "rate"),
        (S.NoiseNetwork(connectivity=1.5), "connectivity"),
        (S.NoiseNetwork(n_inh=10, indegree_inh=20), "indegree_inh"),
        (S.NoiseNetwork(g=-1.0), "g"),
        # inputs per receptor: lengths, amplitude per input, frequencies on the grid
        (S.SinusoidalPoissonNoise(rate_exc=[1000.0, 2000.0], amplitude_exc=[10.0, 20.0, 30.0]),
         r"amplitude_exc=\[10.0, 20.0, 30.0\] has 3 values but \S*rate_exc=\[1000.0, 2000.0\] "
         r"has 2: each of .* must be a single number or hold one value per excitatory input"),
        (S.SinusoidalPoissonNoise(rate_inh=[1000.0, 2000.0], frequency_inh=[1.0, 2.0, 3.0]),
         r"frequency_inh=\[1.0, 2.0, 3.0\] has 3 values"),
        (S.SinusoidalPoissonNoise(phase_exc=[0.0, 90.0], weight_exc=[0.1, 0.2, 0.3]),
         r"weight_exc=\[0.1, 0.2, 0.3\] has 3 values but \S*phase_exc=\[0.0, 90.0\] has 2"),
        (S.SinusoidalPoissonNoise(rate_exc=[2000.0, 500.0]),
         r"amplitude_exc=1000.0 must not exceed \S*rate_exc\[1\]=500.0"),
        (S.SinusoidalPoissonNoise(amplitude_inh=[100.0, 4000.0], frequency_inh=[1.0, 2.0]),
         r"amplitude_inh\[1\]=4000.0 must not exceed \S*rate_inh=3000.0"),
        (S.SpikeTrainNoise([[1.0], [2.0]], weight_exc=[0.001]),
         r"weight_exc=\[0.001\] has 1 weights but \S*spike_times_exc holds 2 trains"),
        (S.SpikeTrainNoise([], [1.0, 2.0], weight_inh=[0.001, 0.002]),
         r"weight_inh=\[0.001, 0.002\] has 2 weights but \S*spike_times_inh holds 1 trains"),
    ],
)
def test_bad_parameters_name_themselves(noise, match):
    with pytest.raises((ValueError, TypeError), match=match):
        noise.simulation_specs()
    with pytest.raises((ValueError, TypeError), match=match):
        LIFSamplerCalibrator(noise=noise).fit()


# one bad value per parameter of every source: (source, parameter, bad value)
BAD_VALUES = [
    *[(S.PoissonNoise, name, value) for name in ("rate_exc", "rate_inh", "weight_exc", "weight_inh")
      for value in (-1.0, float("nan"), "3000", [], [1.0, -1.0], [[1.0]])],
    *[(S.SinusoidalPoissonNoise, name, -1.0)
      for name in ("rate_exc", "rate_inh", "amplitude_exc", "amplitude_inh", "frequency",
                   "weight_exc", "weight_inh")],
    (S.SinusoidalPoissonNoise, "phase", float("inf")),
    (S.SinusoidalPoissonNoise, "frequency", None),
    *[(S.SinusoidalPoissonNoise, name, value)
      for name in ("rate_exc", "amplitude_inh", "frequency_exc", "weight_inh")
      for value in ([1.0, -1.0], [], [[1.0]], "1")],
    (S.SinusoidalPoissonNoise, "frequency_inh", [1.0, float("inf")]),
    (S.SinusoidalPoissonNoise, "phase_exc", 400.0),
    (S.SinusoidalPoissonNoise, "phase_inh", [0.0, float("nan")]),
    (S.SinusoidalPoissonNoise, "individual_spike_trains", "yes"),
    (S.SinusoidalPoissonNoise, "individual_spike_trains", 1),
    (S.SinusoidalPoissonNoise, "individual_spike_trains", None),
    (S.PiecewisePoissonNoise, "times", [0.0, 1.0]),
    (S.PiecewisePoissonNoise, "times", 1.0),
    (S.PiecewisePoissonNoise, "rates_exc", [1.0, float("nan")]),
    (S.PiecewisePoissonNoise, "rates_inh", [1.0, -1.0]),
    (S.PiecewisePoissonNoise, "weight_exc", -0.1),
    (S.PiecewisePoissonNoise, "weight_inh", [0.1]),
    (S.SpikeTrainNoise, "spike_times_exc", [[1.0, [2.0]]]),
    (S.SpikeTrainNoise, "spike_times_exc", np.ones((2, 2, 2))),
    (S.SpikeTrainNoise, "spike_times_exc", [1.0, -2.0]),
    (S.SpikeTrainNoise, "spike_times_inh", [[1.0, np.inf]]),
    (S.SpikeTrainNoise, "weight_exc", -0.1),
    (S.SpikeTrainNoise, "weight_inh", "a"),
    (S.SpikeTrainNoise, "weight_exc", [0.1, -0.1]),
    (S.SpikeTrainNoise, "weight_inh", [[0.1]]),
    (S.PoissonPoolNoise, "n_sources", 2.5),
    (S.PoissonPoolNoise, "rate", 0.0),
    (S.PoissonPoolNoise, "indegree_exc", -1),
    (S.PoissonPoolNoise, "indegree_inh", 1.0),
    (S.PoissonPoolNoise, "weight_exc", -0.1),
    (S.PoissonPoolNoise, "weight_inh", float("nan")),
    *[(S.NoiseNetwork, name, -1) for name in (
        "n_exc", "n_inh", "connectivity", "weight_ee", "g", "rate_ext", "weight_ext",
        "indegree_exc", "indegree_inh", "weight_exc", "weight_inh", "rate_estimate")],
    (S.NoiseNetwork, "connectivity", 0.0),
    (S.NoiseNetwork, "n_exc", 10.0),
]
PIECEWISE = dict(times=[1.0, 2.0], rates_exc=[1.0, 1.0], rates_inh=[1.0, 1.0])


def _source(cls, **params):
    return cls(**{**(PIECEWISE if cls is S.PiecewisePoissonNoise else {}), **params})


@pytest.mark.parametrize("cls, name, value", BAD_VALUES,
                         ids=lambda v: getattr(v, "__name__", repr(v)))
def test_every_parameter_is_validated_by_its_constraints(cls, name, value):
    noise = _source(cls, **{name: value})
    message = f"The '{name}' parameter of {cls.__name__} must be"
    for method in (noise.inputs, noise.simulation_specs):
        with pytest.raises(InvalidParameterError, match=message) as info:
            method()
        assert isinstance(info.value, ValueError) and f"Got {value!r} instead." in str(info.value)


@pytest.mark.parametrize("cls", [S.PoissonNoise, S.SinusoidalPoissonNoise, S.PiecewisePoissonNoise,
                                 S.SpikeTrainNoise, S.PoissonPoolNoise, S.NoiseNetwork])
def test_defaults_are_valid_and_constraints_cover_every_parameter(cls):
    noise = _source(cls)
    assert set(noise._parameter_constraints) == set(noise.get_params())
    validate_nested(noise)
    noise.inputs(), noise.simulation_specs()


def test_sequences_and_numbers_mix():
    noise = S.PoissonNoise(rate_exc=np.array([1000.0, 2000.0]), weight_exc=0.002, rate_inh=(5, 6),
                           weight_inh=[0.001, 0.003])
    assert [(i.rate, i.weight) for i in noise.inputs()] == [
        (1000.0, 0.002), (2000.0, 0.002), (5.0, 0.001), (6.0, 0.003)]
    with pytest.raises(ValueError, match="rate_inh and weight_inh must have the same length"):
        S.PoissonNoise(rate_inh=[1.0, 2.0], weight_inh=[1.0, 2.0, 3.0]).inputs()


def test_nested_errors_carry_the_full_path():
    cal = LIFSamplerCalibrator(noise=S.PoissonNoise(rate_exc=-1))
    # before anything is simulated: no worker, no NEST
    with pytest.raises(InvalidParameterError,
                       match=r"The 'noise__rate_exc' parameter of LIFSamplerCalibrator must be .*"
                             r"Got -1 instead\."):
        cal.fit()
    for method in (cal.measure_free_membrane, lambda: cal.score([[-50.0], [-51.0], [-52.0]])):
        cal.v_p05_ = cal.alpha_ = 1.0           # pretend fitted: score(X) simulates
        cal.v_rest_ = cal.p_on_ = np.zeros(3)
        cal.n_features_in_ = 1
        with pytest.raises(InvalidParameterError, match="'noise__rate_exc'"):
            method()
    # through a frozen calibrator, named for the estimator that holds it
    frozen = FrozenEstimator(LIFSamplerCalibrator(noise=S.PoissonPoolNoise(n_sources=0)))
    with pytest.raises(InvalidParameterError,
                       match="The 'calibrator__estimator__noise__n_sources' parameter of "
                             "SpikingBoltzmannMachine must be an int"):
        validate_nested(frozen, "calibrator", "SpikingBoltzmannMachine")
    # cross-field checks name the full path too, with the same exception class
    cal = LIFSamplerCalibrator(noise=S.PoissonPoolNoise(n_sources=5, indegree_exc=6))
    with pytest.raises(ValueError, match="Invalid parameters of SpikingBoltzmannMachine: "
                                         "calibrator__noise__indegree_exc=6 must not exceed "
                                         "calibrator__noise__n_sources=5"):
        validate_nested(cal, "calibrator", SpikingBoltzmannMachine())
    validate_nested(LIFSamplerCalibrator(), "calibrator", "SpikingBoltzmannMachine")
    # the inputs of a receptor, per input
    cal = LIFSamplerCalibrator(noise=S.SinusoidalPoissonNoise(rate_exc=[2000.0, 500.0]))
    with pytest.raises(ValueError, match=r"Invalid parameters of SpikingBoltzmannMachine: "
                                         r"calibrator__noise__amplitude_exc=1000.0 must not exceed "
                                         r"calibrator__noise__rate_exc\[1\]=500.0"):
        validate_nested(cal, "calibrator", SpikingBoltzmannMachine())
    cal = LIFSamplerCalibrator(noise=S.SpikeTrainNoise([[1.0], [2.0]], weight_exc=[1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match=r"calibrator__noise__weight_exc=\[1.0, 2.0, 3.0\] has 3 "
                                         r"weights but calibrator__noise__spike_times_exc holds 2"):
        validate_nested(cal, "calibrator", SpikingBoltzmannMachine())


def test_set_params_like_a_grid_search_then_fit_validates():
    cal = LIFSamplerCalibrator(noise=S.SinusoidalPoissonNoise(), **FAST)
    cal.set_params(noise__rate_exc=-5.0)           # stored verbatim, no error yet
    assert cal.get_params()["noise__rate_exc"] == -5.0
    with pytest.raises(InvalidParameterError, match="'noise__rate_exc' parameter of "
                                                    "LIFSamplerCalibrator"):
        cal.fit()
    cal.set_params(noise__rate_exc=500.0)          # now below amplitude_exc = 1000
    with pytest.raises(ValueError, match="noise__amplitude_exc=1000.0 must not exceed "
                                         "noise__rate_exc=500.0"):
        clone(cal).fit()
