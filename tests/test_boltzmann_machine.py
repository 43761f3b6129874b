"""SpikingBoltzmannMachine with real NEST runs (modest durations, fixed seeds)."""

import pickle
import warnings

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

import sklearn_sbs._machine._network as network_module
import sklearn_sbs._machine._state as machine_state
from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import gibbs_sample, joint_distribution, marginals
from sklearn_sbs.metrics import dkl
from sklearn_sbs.sources import PoissonNoise
from sklearn_sbs.synapses import StaticSynapse, TsodyksMarkramSynapse

W3 = np.array([[0.0, 0.8, -0.6], [0.8, 0.0, 0.4], [-0.6, 0.4, 0.0]])
B3 = np.array([-0.3, 0.2, 0.1])


@pytest.fixture(scope="module")
def sampled(frozen_calibrator):
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=frozen_calibrator, duration=5e4,
                                 random_state=1)
    states = bm.fit().sample()
    return bm, states


def ideal_dkl_bound(n_states, n_samples, quantile_factor=4.0):
    """Bias of the plug-in DKL of an ideal sampler, ~ (n_states - 1) / (2 N), with
    margin; N = independent samples (one per tau_on)."""
    return quantile_factor * (n_states - 1) / (2.0 * n_samples)


def test_three_units_sample_the_target(sampled):
    bm, states = sampled
    # 5e4 ms / 10 ms = 5e3 samples (correlated over ~1-2 tau_on): an ideal sampler
    # reaches about 7e-4; the translation's systematic error (~1e-2 per the design
    # notes) dominates, so the bound is the sum
    assert -bm.score() < 0.02 + ideal_dkl_bound(8, 2500)
    # a clearly different target is clearly worse
    other = joint_distribution(-W3, -B3)
    assert dkl(other, bm.sampled_joint(), eps=1e-9) > 5 * -bm.score()
    assert states.shape == (5000, 3) and states.dtype == np.uint8


def test_spike_marginals_agree_with_grid_states(sampled):
    bm, states = sampled
    # the grid samples the same trajectory every tau_on: 5e3 correlated samples
    np.testing.assert_allclose(states.mean(axis=0), bm.sampled_marginals(), atol=0.03)
    np.testing.assert_allclose(bm.sampled_joint().sum(axis=(1, 2))[1], bm.sampled_marginals()[0])
    # a subset's joint is the marginal of the full one, axes in the asked order
    sub = bm.sampled_joint(units=[2, 0])
    np.testing.assert_allclose(sub, bm.sampled_joint().sum(axis=1).T, atol=1e-12)
    np.testing.assert_allclose(bm.target_joint(units=[2, 0]), bm.target_joint().sum(axis=1).T)


def test_on_demand_results_are_cached_and_dropped(sampled, frozen_calibrator):
    bm, _ = sampled
    bm = clone(bm).set_params(calibrator=frozen_calibrator).fit()
    t1 = bm.target_joint()
    assert bm.target_joint() is t1                       # cached
    bm.set_params(biases=np.zeros(3))
    t2 = bm.target_joint()                               # dropped: computed anew
    assert t2 is not t1
    np.testing.assert_allclose(t2, joint_distribution(W3, np.zeros(3)))
    bm.fit()
    bm.sample(duration=2000.0)
    s1 = bm.sampled_marginals()
    assert bm.sampled_marginals() is s1
    bm.sample(duration=2000.0, random_state=5)
    assert bm.sampled_marginals() is not s1


def test_weight_translation_round_trip(frozen_calibrator):
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=frozen_calibrator, correction_rounds=0).fit()
    assert np.all(np.sign(bm.weights_bio_) == np.sign(W3))
    np.testing.assert_allclose(bm.v_rest_, frozen_calibrator.bias_to_v_rest(B3))
    back = SpikingBoltzmannMachine(bm.weights_bio_, bm.v_rest_, weights_unit="bio",
                                   calibrator=frozen_calibrator).fit()
    np.testing.assert_allclose(back.weights_theo_, W3, atol=1e-10)
    np.testing.assert_allclose(back.biases_theo_, B3, atol=1e-10)


def test_heterogeneous_calibrators(frozen_calibrator):
    current = LIFSamplerCalibrator("IF_curr_exp", duration=3000.0, n_points=20, random_state=2).fit()
    cals = [frozen_calibrator, FrozenEstimator(current), frozen_calibrator]
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=cals, duration=3e4, random_state=3).fit()
    assert bm.calibrators_[1].neuron_model == "IF_curr_exp"
    # each unit's resting potential is its own calibration of its (corrected) bias
    np.testing.assert_allclose(bm.v_rest_[1], current.bias_to_v_rest(bm.biases_effective_[1]))
    bm.sample()
    # two models in one network, each with its own calibration, sample the target
    assert -bm.score() < 0.05


def test_renewing_synapses_do_not_add_up(frozen_calibrator):
    # unit 0 fires often into unit 1; with renewing synapses, spikes within tau_on
    # renew the PSP rather than sum, so unit 1 is pushed up less than with static
    # (by ~0.20 in p_on, with this calibration as with a 3e3 ms one of its own)
    W = np.array([[0.0, 1.5], [1.5, 0.0]])
    b = np.array([3.0, -1.0])
    p = {}
    for name, synapse in (("static", StaticSynapse()),
                          ("renewing", TsodyksMarkramSynapse(tau_rec=10.0))):
        bm = SpikingBoltzmannMachine(W, b, calibrator=frozen_calibrator, synapse=synapse,
                                     correction_rounds=0,     # the synapses' own effect
                                     duration=2e4, random_state=5).fit()
        bm.sample()
        p[name] = bm.sampled_marginals()[1]
    assert p["renewing"] < p["static"] - 0.02


def test_one_chain_on_two_cores_runs_on_threads_reproducibly(frozen_calibrator):
    kw = dict(calibrator=frozen_calibrator, duration=1e4, correction_rounds=0, random_state=7)
    two = SpikingBoltzmannMachine(W3, B3, n_jobs=2, **kw).fit()
    a, b = two.sample(), two.sample()
    np.testing.assert_array_equal(a, b)                # the same seed and cores: the same
    one = SpikingBoltzmannMachine(W3, B3, n_jobs=1, **kw).fit().sample()
    # two NEST threads draw other streams: other spikes, the same distribution
    assert not np.array_equal(a, one)
    assert np.abs(a.mean(axis=0) - one.mean(axis=0)).max() < 0.15   # 1000 states each


def test_cores_go_to_processes_first_then_threads():
    from sklearn_sbs._simulation._runner import threads_per_task

    assert [threads_per_task(n_jobs, n_tasks) for n_jobs, n_tasks in
            ((None, 1), (1, 1), (2, 1), (2, 2), (2, 5), (4, 3), (8, 3), (6, 2))] == \
        [1, 1, 2, 1, 1, 1, 2, 3]


def test_reproducible_and_chains_pool(frozen_calibrator):
    kw = dict(calibrator=frozen_calibrator, duration=5000.0, random_state=7)
    a = SpikingBoltzmannMachine(W3, B3, **kw).fit().sample()
    b = SpikingBoltzmannMachine(W3, B3, **kw).fit().sample()
    np.testing.assert_array_equal(a, b)
    two = SpikingBoltzmannMachine(W3, B3, n_chains=2, n_jobs=2, **kw).fit()
    states = two.sample()
    one = SpikingBoltzmannMachine(W3, B3, n_chains=2, n_jobs=1, **kw).fit()
    np.testing.assert_array_equal(states, one.sample())
    assert states.shape == (1000, 3)
    np.testing.assert_allclose(
        two.sampled_marginals(), np.mean([s.marginals(500.0, 5500.0) for s in two.spikes_], axis=0)
    )


def test_score_against_data(sampled):
    bm, _ = sampled
    data = gibbs_sample(W3, B3, 20000, random_state=0)
    assert bm.score(data) > -0.03
    with pytest.raises(ValueError, match="binary"):
        bm.score(np.full((4, 3), 0.5))
    with pytest.raises(ValueError):
        bm.score(np.zeros((4, 2)))


def test_pickle_keeps_spikes(sampled, tmp_path):
    bm, _ = sampled
    again = pickle.loads(pickle.dumps(bm))
    np.testing.assert_array_equal(again.spikes_[0].times, bm.spikes_[0].times)
    assert again.score() == pytest.approx(bm.score())
    joblib.dump(bm, tmp_path / "bm.joblib")
    np.testing.assert_array_equal(joblib.load(tmp_path / "bm.joblib").weights_bio_, bm.weights_bio_)


def test_memory_caches_calibrations(tmp_path):
    cal = LIFSamplerCalibrator(duration=500.0, n_points=10, random_state=0)
    kw = dict(calibrator=cal, memory=str(tmp_path))
    first = SpikingBoltzmannMachine(W3, B3, **kw).fit()
    second = SpikingBoltzmannMachine(W3, B3, **kw).fit()
    assert first.calibrators_[0].v_p05_ == second.calibrators_[0].v_p05_
    assert any(tmp_path.rglob("output.pkl"))


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(weights=W3 + np.triu(np.ones((3, 3)), 1)), "symmetric"),
        (dict(weights=W3 + np.eye(3)), "diagonal"),
        (dict(weights=np.zeros((2, 2))), "shape"),
        (dict(biases=[0.0, np.nan, 0.0]), "biases"),
        (dict(weights=np.where(np.eye(3) == 1, 0, np.nan)), "weights"),
        (dict(calibrator=[LIFSamplerCalibrator()] * 2), "list of n_units = 3"),
        (dict(calibrator="neuron"), "calibrator"),
        (dict(synapse="plastic"), "synapse"),
        (dict(duration=-1.0), "duration"),
        (dict(burn_in=-1.0), "burn_in"),
        (dict(weights_unit="si"), "weights_unit"),
        (dict(n_chains=0), "n_chains"),
    ],
)
def test_bad_input(params, match, frozen_calibrator):
    kw = dict(weights=W3, biases=B3, calibrator=frozen_calibrator)
    kw.update(params)
    with pytest.raises(ValueError, match=match):
        SpikingBoltzmannMachine(**kw).fit()


def test_unfitted_and_too_large(frozen_calibrator):
    with pytest.raises(NotFittedError):
        SpikingBoltzmannMachine(W3, B3).sample()
    n = 25
    bm = SpikingBoltzmannMachine(np.zeros((n, n)), np.zeros(n), calibrator=frozen_calibrator,
                                 correction_rounds=0).fit()
    with pytest.raises(ValueError, match="24 units"):
        bm.target_joint()
    with pytest.raises(ValueError, match="marginals"):
        bm.sampled_joint()


def test_json_export_round_trip(sampled, tmp_path):
    bm, _ = sampled
    text = bm.to_json()
    again = SpikingBoltzmannMachine.from_json(text)
    np.testing.assert_array_equal(again.weights, bm.weights)
    np.testing.assert_array_equal(again.weights_bio_, bm.weights_bio_)
    np.testing.assert_array_equal(again.v_rest_, bm.v_rest_)
    assert again.calibrators_[0].v_p05_ == bm.calibrators_[0].v_p05_
    assert again.synapse == bm.synapse and again.duration == bm.duration
    assert again.to_json() == text
    # loaded calibrations are used as they are: fitting again translates identically
    refit = SpikingBoltzmannMachine.from_json(text).fit()
    np.testing.assert_allclose(refit.weights_bio_, bm.weights_bio_)
    bm.save(tmp_path / "machine.json")
    assert SpikingBoltzmannMachine.load(tmp_path / "machine.json").v_rest_[0] == bm.v_rest_[0]
    with pytest.raises(ValueError, match="format"):
        SpikingBoltzmannMachine.from_json(bm.calibrators_[0].to_json())
    unfitted = SpikingBoltzmannMachine(W3, B3, calibrator=LIFSamplerCalibrator(duration=500.0))
    back = SpikingBoltzmannMachine.from_json(unfitted.to_json())
    assert isinstance(back.calibrator, LIFSamplerCalibrator) and back.calibrator.duration == 500.0


def test_renewing_default_uses_the_receiving_synapse_time_constant(frozen_calibrator):
    slow = LIFSamplerCalibrator(neuron_params={"tau_syn_I": 20.0}, duration=500.0, n_points=10,
                                random_state=0).fit()
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=[frozen_calibrator] * 2
                                 + [FrozenEstimator(slow)]).fit()
    network = machine_state.network(bm.get_params(deep=False), bm.calibrators_)
    task = network.task(bm.weights_bio_, bm.v_rest_, 100.0, 1)
    assert task.synapse.model == "TsodyksMarkramSynapse"
    tau_rec = dict(zip(zip(task.pre, task.post), dict(task.connection_params)["tau_rec"]))
    assert tau_rec[(0, 1)] == 10.0            # excitatory onto a tau_syn_E = 10 ms unit
    assert tau_rec[(0, 2)] == 20.0            # inhibitory onto unit 2's tau_syn_I = 20 ms
    assert tau_rec[(1, 2)] == 10.0            # excitatory onto unit 2
    bm.set_params(synapse=TsodyksMarkramSynapse())
    for name, bad in (("U", 1.5), ("U", 0.0), ("tau_rec", -1.0), ("tau_facil", float("nan")),
                      ("U", "one")):
        with pytest.raises(ValueError, match=f"'synapse__{name}' parameter"):
            bm.set_params(**{f"synapse__{name}": bad}).fit()
        bm.set_params(synapse=TsodyksMarkramSynapse())
    with pytest.raises(ValueError, match="tau_x"):
        bm.set_params(synapse__tau_x=1.0)


def test_initial_membrane_potentials(frozen_calibrator):
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=frozen_calibrator, burn_in=0.0,
                                 duration=50.0, random_state=0).fit()
    # started far below threshold no unit fires in the first milliseconds (tau_m =
    # 1 ms); started above threshold every unit fires at once
    bm.sample(initial_v=[-90.0, -90.0, -90.0])
    assert not np.any(bm.spikes_[0].times < 2.0)
    bm.sample(initial_v=[-40.0, -40.0, -40.0])
    first = bm.spikes_[0]
    assert set(first.ids[first.times < 0.5]) == {0, 1, 2}
    with pytest.raises(ValueError, match="initial_v"):
        bm.sample(initial_v=[-60.0, -60.0])
    with pytest.raises(ValueError, match="initial_v"):
        bm.sample(initial_v=[-60.0, np.nan, -60.0])


def test_default_fit_corrects_the_translation(frozen_calibrator):
    rng = np.random.default_rng(2)                    # the tutorial's network of seed 2
    A = rng.normal(size=(5, 5))
    W = (A + A.T) / 2
    np.fill_diagonal(W, 0.0)
    b = rng.normal(size=5)
    kw = dict(calibrator=frozen_calibrator, duration=3e4, random_state=2)
    plain = SpikingBoltzmannMachine(W, b, correction_rounds=0, **kw).fit()     # analytic only
    plain.sample()
    assert plain.correction_errors_ == []
    np.testing.assert_array_equal(plain.weights_effective_, W)
    corrected = SpikingBoltzmannMachine(W, b, **kw).fit()              # the default: 5 rounds
    assert len(corrected.correction_errors_) == 5
    assert not hasattr(corrected, "spikes_")          # nothing sampled with stale values
    assert not np.allclose(corrected.weights_effective_, W)
    np.testing.assert_array_equal(corrected.weights_theo_, W)      # the target is unchanged
    corrected.sample()
    # 3e4 ms: the statistical floor is ~3e-3; uncorrected this network is at ~1.5e-2
    assert -corrected.score() < 0.6 * -plain.score()
    # the corrected values are what later samples start from, and they survive JSON
    again = SpikingBoltzmannMachine.from_json(corrected.to_json())
    np.testing.assert_allclose(again.weights_bio_, corrected.weights_bio_)


def test_the_default_correction_duration_needs_no_grid_of_its_own(frozen_calibrator):
    # duration / 3 = 66.7 ms is off the 0.1 ms grid: each round is rounded to it
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=frozen_calibrator, duration=200.1,
                                 correction_rounds=3, random_state=0).fit()
    assert len(bm.correction_errors_) == 3


def test_correction_parameters(frozen_calibrator):
    with pytest.raises(ValueError, match="correction_rounds"):
        SpikingBoltzmannMachine(W3, B3, correction_rounds=-1,
                                calibrator=frozen_calibrator).fit()


def test_nested_parameters_of_unset_objects_name_what_to_pass(frozen_calibrator):
    # calibrator=None and noise=None mean defaults: there is no object to set on
    for est, key, owner in [
        (SpikingBoltzmannMachine(W3, B3), "calibrator__noise__rate_exc", "'calibrator'"),
        (SpikingBoltzmannMachine(W3, B3), "noise__rate_exc", "'noise'"),
        (SpikingBoltzmannMachine(W3, B3, calibrator=LIFSamplerCalibrator()),
         "calibrator__noise__rate_exc", "'calibrator__noise'"),
        (LIFSamplerCalibrator(), "noise__weight_exc", "'noise'"),
    ]:
        with pytest.raises(ValueError, match=f"{owner} is None.*pass"):
            est.set_params(**{key: 1000.0})
    # with the objects given, the same names set them, and bad values are refused
    # by fit before any simulation, with their full path
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=LIFSamplerCalibrator(noise=PoissonNoise()),
                                 synapse=TsodyksMarkramSynapse())
    bm.set_params(calibrator__noise__rate_exc=-5.0)
    assert bm.calibrator.noise.rate_exc == -5.0
    with pytest.raises(ValueError, match="'calibrator__noise__rate_exc' parameter of "
                                         "SpikingBoltzmannMachine"):
        bm.fit()
    bm.set_params(calibrator__noise__rate_exc=3000.0, synapse__U=0.0)
    with pytest.raises(ValueError, match="'synapse__U' parameter of SpikingBoltzmannMachine"):
        bm.fit()
    assert not hasattr(bm, "calibrators_")


def test_correction_of_a_restricted_machine_under_load(frozen_calibrator):
    # 12 visible + 8 hidden units: every unit has 8 or 12 partners, and the analytic
    # translation drifts under that load; the exact marginals are known
    rng = np.random.default_rng(11)
    nv, nh = 12, 8
    W = np.zeros((nv + nh, nv + nh))
    W[:nv, nv:] = rng.normal(0.0, 0.6, size=(nv, nh))
    W[nv:, :nv] = W[:nv, nv:].T
    b = rng.normal(0.0, 0.3, size=nv + nh) - 0.5 * W.sum(axis=0)     # units in range
    exact = marginals(W, b)
    kw = dict(n_hidden=nh, calibrator=frozen_calibrator, duration=2e4, random_state=4)
    errors = {}
    for name, rounds in (("analytic", 0), ("default", 4)):
        bm = SpikingBoltzmannMachine(W, b, correction_rounds=rounds, **kw).fit()
        errors[name] = np.sqrt(np.mean((bm.sampled_marginals() - exact) ** 2))
    # 2e4 ms = 2e3 samples, correlated over ~2 tau_on: each marginal's standard
    # error is about 0.015, an ideal sampler's RMS error as much; the analytic
    # translation's drift is about four times that (0.06 here)
    assert errors["default"] < 0.035
    assert errors["default"] < 0.6 * errors["analytic"]


def test_units_beyond_the_ceiling_are_named(frozen_calibrator):
    # at dt = 0.1 ms a unit is on at most 10 / 10.1 of the time: a bias of 7 asks for
    # p_on = 0.999, which unit 1 cannot give; units 0 and 2 are fine
    kw = dict(calibrator=frozen_calibrator, correction_rounds=0)
    with pytest.warns(UserWarning, match=r"units \[1\] need p_on above"):
        SpikingBoltzmannMachine(np.zeros((3, 3)), np.array([0.0, 7.0, -2.0]), **kw).fit()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        SpikingBoltzmannMachine(W3, B3, **kw).fit()


def test_machine_from_a_bernoulli_rbm(frozen_calibrator):
    from sklearn.neural_network import BernoulliRBM

    X = (np.random.default_rng(0).random((200, 4)) < [0.2, 0.8, 0.5, 0.5]).astype(float)
    rbm = BernoulliRBM(n_components=2, n_iter=5, random_state=0).fit(X)
    bm = SpikingBoltzmannMachine.from_bernoulli_rbm(rbm, calibrator=frozen_calibrator,
                                                     correction_rounds=0, duration=1e3)
    assert bm.n_hidden == 2
    np.testing.assert_array_equal(bm.weights[:4, 4:], rbm.components_.T)
    np.testing.assert_array_equal(bm.weights[4:, :4], rbm.components_)
    assert not bm.weights[:4, :4].any() and not bm.weights[4:, 4:].any()
    np.testing.assert_array_equal(bm.biases, np.r_[rbm.intercept_visible_, rbm.intercept_hidden_])
    assert bm.fit().transform(X[:3]).shape == (3, 2)
    with pytest.raises(NotFittedError):
        SpikingBoltzmannMachine.from_bernoulli_rbm(BernoulliRBM())


def test_correction_never_reuses_the_seeds_of_the_next_sample(frozen_calibrator, monkeypatch):
    seeds = []
    real_task = network_module.SamplerNetwork.task

    def spy(self, weights_bio, v_rest, duration, seed, *args, **kwargs):
        seeds.append(int(seed))
        return real_task(self, weights_bio, v_rest, duration, seed, *args, **kwargs)

    monkeypatch.setattr(network_module.SamplerNetwork, "task", spy)
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=frozen_calibrator, n_chains=2,
                                 correction_rounds=2, duration=2e3, random_state=5).fit()
    correction = set(seeds)
    seeds.clear()
    bm.sample()
    assert len(correction) == 4 and not correction & set(seeds)
