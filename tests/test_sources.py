"""Noise sources: validation, the theory's view, simulation specs, real runs."""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs import sources as S
from sklearn_sbs._simulation import GeneratorSpec, NoiseNetworkSpec, PoissonSpec, PoolSpec

FAST = dict(duration=2000.0, n_points=20, random_state=0)

SOURCES = [
    S.PoissonNoise(),
    S.SinusoidalPoissonNoise(),
    S.PiecewisePoissonNoise([0.1, 500.0, 1000.0], [2000.0, 4000.0, 3000.0], [3000.0] * 3),
    S.PoissonPoolNoise(),
    S.NoiseNetwork(n_exc=400, n_inh=100, indegree_exc=80, indegree_inh=80),
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
    bm = SpikingBoltzmannMachine(np.zeros((2, 2)), [0.0, 0.0], calibrator=FrozenEstimator(shared),
                                 duration=1e4, random_state=0).fit()
    bm.sample()
    joint = bm.sampled_joint()
    p = bm.sampled_marginals()
    assert 0.2 < p[0] < 0.8 and 0.2 < p[1] < 0.8
    assert joint[1, 1] - p[0] * p[1] > 0.05          # independent noise would give ~0


def test_fixed_spike_trains_are_the_same_for_every_neuron():
    train = np.arange(1.0, 2000.0, 0.5)
    noise = S.SpikeTrainNoise([train], [train + 0.2], weight_exc=0.002, weight_inh=0.002)
    (exc, inh) = noise.simulation_specs()
    assert exc.model == "spike_generator" and exc.weight > 0 > inh.weight
    cal = LIFSamplerCalibrator(noise=noise, duration=1000.0, n_points=10, random_state=0)
    # deterministic input: p_on is identical for two neurons at the same v_rest
    X = np.array([[-51.0], [-51.0], [-50.0], [-49.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")               # a step, not a logistic
        cal.fit(X)
    assert cal.p_on_[0] == cal.p_on_[1]


def test_theory_views_and_specs():
    sinus = S.SinusoidalPoissonNoise(rate_exc=2000.0, amplitude_exc=500.0, frequency=5.0)
    assert [i.rate for i in sinus.inputs()] == [2000.0, 3000.0]
    spec = sinus.simulation_specs()[0]
    assert isinstance(spec, GeneratorSpec) and dict(spec.params)["amplitude"] == 500.0
    piece = S.PiecewisePoissonNoise([1.0, 3.0], [1000.0, 3000.0], [0.0, 0.0])
    assert piece.inputs()[0].rate == pytest.approx(2000.0)
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
    ],
)
def test_bad_parameters_name_themselves(noise, match):
    with pytest.raises((ValueError, TypeError), match=match):
        noise.simulation_specs()
    with pytest.raises((ValueError, TypeError), match=match):
        LIFSamplerCalibrator(noise=noise).fit()
