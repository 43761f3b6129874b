"""Inference (transform), learning from data and hidden units, with real NEST runs."""

import pickle

import numpy as np
import pytest
from scipy.special import expit
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import BernoulliRBM
from sklearn.pipeline import Pipeline

import sklearn_sbs._machine._state as state_module
import sklearn_sbs._machine._network as network_module
from sklearn_sbs import SimulationError, SpikingBoltzmannMachine
from sklearn_sbs._machine._learning import WEIGHT_TOLERANCE, free_energy
from sklearn_sbs._simulation import NetworkSession, NetworkTask, SynapseSpec
from sklearn_sbs.boltzmann import (
    empirical_distribution, gibbs_sample, joint_distribution, marginals,
)
from sklearn_sbs.metrics import dkl

# strongly coupled, so that conditioning moves the marginals far
W4 = np.array([[0.0, 1.5, -1.2, 0.0], [1.5, 0.0, 0.8, -1.0],
               [-1.2, 0.8, 0.0, 1.3], [0.0, -1.0, 1.3, 0.0]])
B4 = np.array([-0.4, 0.2, -0.3, 0.5])


@pytest.fixture(scope="module")
def corrected(frozen_calibrator):
    return SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator, correction_rounds=3,
                                   correction_duration=2e4, inference_duration=2e4,
                                   random_state=0).fit()


@pytest.fixture
def simulations(monkeypatch):
    """The number of tasks of each run_tasks call the machine makes (real runs)."""
    calls = []
    real_run = network_module.run_tasks
    monkeypatch.setattr(network_module, "run_tasks",
                        lambda tasks, *a, **k: calls.append(len(tasks)) or real_run(tasks, *a, **k))
    return calls


def test_transform_matches_exact_conditionals(corrected, simulations):
    rng = np.random.default_rng(0)
    rows = gibbs_sample(W4, B4, 12, thin=5, random_state=1).astype(float)
    rows[rng.random(rows.shape) < 0.5] = np.nan
    rows[0] = np.nan                                 # nothing observed
    rows[1] = [1.0, 0.0, 1.0, 1.0]                   # everything observed
    free = np.isnan(rows)
    p_on = corrected.transform(rows)
    assert simulations == [1]                       # all rows in one simulation, as copies
    exact = np.array([marginals(W4, B4, clamped=r) for r in rows])
    np.testing.assert_array_equal(p_on[~free], rows[~free])
    # 2e4 ms per row: a marginal's standard error is at most ~0.03 (10 ms on-time,
    # correlations over ~2 on-times); the corrected translation adds ~0.02
    errors = np.abs(p_on - exact)[free]
    assert errors.mean() < 0.05 and errors.max() < 0.15
    # the conditioning matters: the unconditional marginals are much further off
    unconditional = np.abs(marginals(W4, B4)[None, :] - exact)[free]
    assert errors.mean() < 0.5 * unconditional.mean()


def test_transform_refuses_clamping_probabilities(corrected):
    with pytest.raises(ValueError, match="0, 1 or NaN"):
        corrected.transform([[0.5, np.nan, 1.0, 0.0]])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        corrected.transform([[2.0, np.nan, 1.0, 0.0]])
    with pytest.raises(ValueError, match="4 features"):
        corrected.transform([[1.0, 0.0]])


RBM_W = np.zeros((5, 5))
RBM_W[:3, 3:] = [[1.2, -0.8], [0.6, 1.0], [-1.1, 0.4]]
RBM_W[3:, :3] = RBM_W[:3, 3:].T
RBM_B = np.array([0.1, -0.2, 0.3, -0.5, 0.2])


def test_hidden_units_transform_as_bernoulli_rbm(frozen_calibrator):
    bm = SpikingBoltzmannMachine(RBM_W, RBM_B, n_hidden=2, calibrator=frozen_calibrator,
                                 inference_duration=2e4, random_state=0).fit()
    assert bm.n_features_in_ == 3 and bm.n_units_ == 5
    V = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    exact = expit(V @ RBM_W[:3, 3:] + RBM_B[3:])
    np.testing.assert_allclose(bm.transform(V), exact)          # activation, no sampling
    np.testing.assert_array_equal(bm.get_feature_names_out(),
                                  ["spikingboltzmannmachine0", "spikingboltzmannmachine1"])
    # sampled with the visible units clamped: the plain translation realises the
    # weights ~1.3x too strong, so allow that on top of the sampling error
    sampled = bm.set_params(inference="sampling").transform(V)
    assert np.abs(sampled - exact).max() < 0.12
    # partially observed visible rows are always sampled
    partial = bm.transform([[1.0, np.nan, 0.0]])
    exact_partial = marginals(RBM_W, RBM_B, clamped=[1.0, np.nan, 0.0, np.nan, np.nan])[3:]
    assert np.abs(partial[0] - exact_partial).max() < 0.12


def test_restricted_structure_is_enforced(frozen_calibrator):
    W = RBM_W.copy()
    W[0, 1] = W[1, 0] = 0.5
    with pytest.raises(ValueError, match="restricted"):
        SpikingBoltzmannMachine(W, RBM_B, n_hidden=2, calibrator=frozen_calibrator).fit()
    with pytest.raises(ValueError, match="n_hidden"):
        SpikingBoltzmannMachine(RBM_W, RBM_B, n_hidden=5, calibrator=frozen_calibrator).fit()


def test_score_samples_is_bernoulli_rbms_pseudo_likelihood(frozen_calibrator):
    bm = SpikingBoltzmannMachine(RBM_W, RBM_B, n_hidden=2, calibrator=frozen_calibrator,
                                 random_state=3).fit()
    rbm = BernoulliRBM(n_components=2)
    rbm.components_ = RBM_W[:3, 3:].T
    rbm.intercept_hidden_, rbm.intercept_visible_ = RBM_B[3:], RBM_B[:3]
    V = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    np.testing.assert_allclose(free_energy(V, RBM_W, RBM_B, 3), rbm._free_energy(V))
    scores = bm.score_samples(V)
    assert scores.shape == (3,) and np.all(scores < 0)
    np.testing.assert_array_equal(scores, bm.score_samples(V))     # seeded by random_state
    # the pseudo-likelihood of a fully visible machine flips one unit: it is the
    # exact conditional log-probability of that unit, times n_visible
    full = SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator, random_state=0).fit()
    v = np.array([[1.0, 1.0, 0.0, 0.0]])
    unit = np.random.RandomState(0).randint(0, 4)
    p = marginals(W4, B4, clamped=np.where(np.arange(4) == unit, np.nan, v[0]))[unit]
    np.testing.assert_allclose(full.score_samples(v), 4 * np.log(p if v[0, unit] else 1 - p))


@pytest.fixture(scope="module")
def data():
    """Samples of W4, B4: the distribution to learn."""
    return gibbs_sample(W4, B4, 3000, thin=5, random_state=0).astype(float)


def test_exact_and_gibbs_learning_recover_the_distribution(frozen_calibrator, data):
    target = empirical_distribution(data)
    floor = dkl(target, joint_distribution(W4, B4))          # the truth against its samples
    start = dkl(target, joint_distribution(np.zeros((4, 4)), np.zeros(4)))
    steps = dict(learning_rate=0.5, batch_size=300, n_iter=40, random_state=0)
    exact = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="exact",
                                    correction_rounds=0, **steps).fit(data)
    learned = dkl(target, joint_distribution(exact.weights_theo_, exact.biases_theo_))
    assert learned < floor + 0.01 and learned < 0.1 * start
    # maximum likelihood recovers the weights up to the sampling error of 3000 rows
    np.testing.assert_allclose(exact.weights_theo_, W4, atol=0.3)
    assert exact.learning_steps_ == 400
    gibbs = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="gibbs", n_chains=20,
                                    correction_rounds=0, **steps).fit(data)
    assert dkl(target, joint_distribution(gibbs.weights_theo_, gibbs.biases_theo_)) < floor + 0.03
    # the translation follows the learned values
    np.testing.assert_allclose(exact.v_rest_, [c.bias_to_v_rest(b) for c, b in
                                               zip(exact.calibrators_, exact.biases_effective_)])


def test_spiking_learning_makes_the_network_sample_the_data(frozen_calibrator, data):
    target = empirical_distribution(data)
    bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking",
                                 learning_rate=0.5, batch_size=300, n_iter=4, n_chains=4,
                                 step_duration=200.0, duration=2e4, random_state=0).fit(data)
    assert bm.learning_steps_ == 40
    untrained = dkl(target, joint_distribution(np.zeros((4, 4)), np.zeros(4)))
    # 2e4 ms sampled: ~2e3 samples, plug-in bias ~ 15 / 4e3; learning noise on top
    assert -bm.score(data) < 0.25 * untrained
    strong = np.abs(W4) > 1.0
    assert np.all(np.sign(bm.weights_effective_[strong]) == np.sign(W4[strong]))


def test_the_learning_network_runs_on_the_cores_given(frozen_calibrator, data):
    def learned(n_jobs):
        bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking", n_iter=1,
                                     batch_size=100, step_duration=50.0, n_jobs=n_jobs,
                                     random_state=0).fit(data[:200])
        return bm.weights_effective_

    two = learned(2)                       # one network on two NEST threads
    np.testing.assert_array_equal(two, learned(2))
    assert not np.array_equal(two, learned(1))      # other streams: other spikes


def test_partial_fit_keeps_the_network_alive(frozen_calibrator, data):
    bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking",
                                 step_duration=50.0, random_state=0)
    bm.partial_fit(data[:100])
    session = bm._live_learning[1].session
    pid = session._server[0].pid
    before = bm.weights_effective_.copy()
    bm.partial_fit(data[100:200])
    assert bm._live_learning[1].session is session and session._server[0].pid == pid
    assert bm.learning_steps_ == 2 and not np.allclose(before, bm.weights_effective_)
    # where a step's time goes: every part measured, the simulation among them
    breakdown = bm._live_learning[1].breakdown()
    assert set(breakdown) == {"translate", "update", "simulate", "read", "transfer", "statistics"}
    assert breakdown["simulate"] > 0 and all(seconds >= 0 for seconds in breakdown.values())
    copy = pickle.loads(pickle.dumps(bm))          # without the live network
    assert not hasattr(copy, "_live_learning") and copy.learning_steps_ == 2
    assert bm._live_learning[1].session is session          # which the original keeps
    copy.partial_fit(data[200:300])
    assert copy.learning_steps_ == 3
    with pytest.raises(ValueError, match="3 features"):
        bm.partial_fit(data[:10, :3])
    bm._end_learning()
    copy._end_learning()


def test_learning_network_holds_every_weight_within_the_tolerance(frozen_calibrator, data):
    bm = SpikingBoltzmannMachine(n_hidden=3, calibrator=frozen_calibrator, learning="spiking",
                                 learning_rate=0.02, step_duration=50.0, random_state=0)
    for start in range(0, 300, 20):
        bm.partial_fit(data[start:start + 20])
    moments = bm._live_learning[1]
    W, b = bm.weights_effective_, bm.biases_effective_
    moments(W, b)                       # one more step at the learned values
    wanted = moments.translate(W, b)[0]
    held = moments.weight
    # synapses are set again only when they drift past the tolerance: some lag...
    assert not np.allclose(held, wanted, rtol=1e-9, atol=0)
    # ...but every one realises the learned weight to within it
    assert moments.weight_error(held, W, b).max() <= WEIGHT_TOLERANCE
    assert moments.weight_error(wanted, W, b).max() < 1e-9
    bm._end_learning()


def test_session_sets_the_given_connections_only():
    # three neurons driven above threshold, unit 0 exciting 1 and inhibiting 2
    def task(weight):
        return NetworkTask(groups=(("IF_curr_exp", (), (0, 1, 2)),), v_rest=(-40.0,) * 3,
                           noise=((),) * 3, pre=(0, 0, 1), post=(1, 2, 2), weight=weight,
                           synapse=SynapseSpec("StaticSynapse"), connection_params=(),
                           delay=0.1, dt=0.1, t_stop=10.0, seed=1)

    def spikes(initial, **update):
        with NetworkSession(task(initial)) as session:
            out = session.run(200.0, **update)
        return np.rint(out["times"] / 0.1).astype(np.int64), out["ids"]   # in time steps

    new = np.array([1.0, -2.0, 0.0])
    everything = spikes((1.0, 0.0, 0.0), weight=new)
    np.testing.assert_array_equal(everything[0], spikes((0.0, 0.0, 0.0), weight=new)[0])
    some = spikes((1.0, 0.0, 0.0), weight=new[[1]], connections=np.array([1]))
    np.testing.assert_array_equal(some[0], everything[0])
    np.testing.assert_array_equal(some[1], everything[1])
    unchanged = spikes((1.0, 0.0, 0.0))
    assert not np.array_equal(unchanged[1], everything[1])     # the update mattered


def test_learned_machine_round_trips_through_json(frozen_calibrator, data):
    bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="exact", n_iter=2,
                                 batch_size=1000, random_state=0).fit(data)
    back = SpikingBoltzmannMachine.from_json(bm.to_json())
    assert back.weights is None and back.learning_steps_ == 6
    np.testing.assert_allclose(back.weights_theo_, bm.weights_theo_)
    np.testing.assert_allclose(back.target_marginals(), bm.target_marginals())


def test_learning_errors(frozen_calibrator, data):
    with pytest.raises(ValueError, match="weights and biases are needed"):
        SpikingBoltzmannMachine(calibrator=frozen_calibrator).fit()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="exact").fit(data * 2)
    with pytest.raises(ValueError, match="limited to 20 units"):
        SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="exact",
                                n_hidden=20).fit(data)
    with pytest.raises(ValueError, match="one column per visible unit"):
        SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator,
                                learning="exact").fit(data[:, :3])
    # values learned on the spiking network are effective already: no correction
    spiking = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking", n_iter=1,
                                      batch_size=3000, correction_rounds=1).fit(data)
    assert spiking.correction_errors_ == []
    with pytest.raises(ValueError, match="learning must be"):
        SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator,
                                learning=None).partial_fit(data)
    with pytest.raises(ValueError, match="learning"):
        SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="hebb").fit(data)
    # learning=None: fit only calibrates and translates, X is not used
    fixed = SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator, learning=None).fit(data)
    np.testing.assert_array_equal(fixed.weights_theo_, W4)


def test_spiking_rbm_in_a_pipeline(frozen_calibrator):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X, y = (X[:300] > 7).astype(float), y[:300]
    pipe = Pipeline([
        ("sbm", SpikingBoltzmannMachine(n_hidden=16, calibrator=frozen_calibrator, batch_size=50,
                                        n_iter=2, learning_rate=0.1, random_state=0)),
        ("lr", LogisticRegression(C=100.0, max_iter=2000)),
    ])
    pipe.fit(X, y)
    assert pipe.named_steps["sbm"].learning_steps_ == 12
    assert pipe[:-1].transform(X[:5]).shape == (5, 16)
    assert pipe.score(X, y) > 0.5                      # ten classes: chance is 0.1
    clone(pipe)                                        # parameters stay plain


def test_failed_session_is_a_clear_error_and_the_caller_keeps_working(frozen_calibrator):
    bad = NetworkTask(groups=(("NoSuchModel", (), (0,)),), v_rest=(-65.0,), noise=((),),
                      pre=(), post=(), weight=(), synapse=SynapseSpec("StaticSynapse"),
                      connection_params=(), delay=0.1, dt=0.1,
                      t_stop=10.0, seed=1)
    with pytest.raises(SimulationError, match="NoSuchModel"):
        NetworkSession(bad)
    good = NetworkTask(groups=(("IF_curr_exp", (), (0,)),), v_rest=(-40.0,), noise=((),),
                       pre=(), post=(), weight=(), synapse=SynapseSpec("StaticSynapse"),
                      connection_params=(), delay=0.1, dt=0.1,
                       t_stop=10.0, seed=1)
    with NetworkSession(good) as session:
        spikes = session.run(100.0)
        assert spikes["times"].size > 0 and set(spikes["ids"]) == {0}   # above threshold
        assert session.run(50.0)["times"].min() >= 100.0               # only the new step
    dying = NetworkSession(good)
    dying._server[0].kill()
    dying._server[0].wait()
    with pytest.raises(SimulationError, match="server process died"):
        dying.run(10.0)
    with NetworkSession(good) as session:                              # a fresh server
        assert session.run(20.0)["times"].size > 0


def test_gibbs_learning_of_a_restricted_machine(frozen_calibrator):
    # visible data of the RBM above: learn it back with two hidden units
    V = gibbs_sample(RBM_W, RBM_B, 3000, thin=3, random_state=0)[:, :3].astype(float)
    target = empirical_distribution(V)

    def visible_dkl(W, b):
        return dkl(target, joint_distribution(W, b).sum(axis=(3, 4)))

    start = visible_dkl(np.zeros((5, 5)), np.zeros(5))
    bm = SpikingBoltzmannMachine(n_hidden=2, calibrator=frozen_calibrator, learning="gibbs",
                                 correction_rounds=0,      # learning alone is tested here
                                 n_chains=20, learning_rate=0.2, batch_size=100, n_iter=10,
                                 random_state=0).fit(V)
    assert np.all(bm.weights_theo_[:3, :3] == 0) and np.all(bm.weights_theo_[3:, 3:] == 0)
    assert visible_dkl(bm.weights_theo_, bm.biases_theo_) < 0.3 * start


def test_partial_fit_state_follows_the_parameters(frozen_calibrator, data):
    # after exact learning and a correction, exact steps continue from the learned
    # (model) values, not from the corrected effective ones
    bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="exact", learning_rate=0.5,
                                 batch_size=300, n_iter=10, correction_rounds=1,
                                 correction_duration=1e4, random_state=0).fit(data)
    learned = bm.weights_theo_.copy()
    assert not np.allclose(bm.weights_effective_, learned)
    bm.set_params(learning_rate=1e-9).partial_fit(data[:50])
    np.testing.assert_allclose(bm.weights_theo_, learned, atol=1e-6)
    assert bm.correction_errors_ == []          # that correction was for other weights
    # a parameter change rebuilds the learning state; bad values are refused
    bm.set_params(learning="gibbs").partial_fit(data[:50])
    assert type(bm._live_learning[1]).__name__ == "GibbsMoments"
    with pytest.raises(ValueError, match="learning_rate"):
        bm.set_params(learning_rate=-1.0).partial_fit(data[:50])
    # a machine loaded from JSON learns on
    back = SpikingBoltzmannMachine.from_json(bm.set_params(learning_rate=0.1).to_json())
    back.partial_fit(data[:50])
    assert back.learning_steps_ == bm.learning_steps_ + 1


def test_spiking_learning_recovers_from_a_dead_network(frozen_calibrator, data):
    bm = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking",
                                 step_duration=50.0, synapse="static", random_state=0)
    bm.partial_fit(data[:100])                  # static synapses: no tau_rec to set
    bm._live_learning[1].session._server[0].kill()
    with pytest.raises(SimulationError, match="died"):
        bm.partial_fit(data[100:200])
    bm.partial_fit(data[100:200])               # a new network, from the current weights
    assert bm.learning_steps_ == 2
    bm._end_learning()
    # one visible unit: a network without synapses
    one = SpikingBoltzmannMachine(calibrator=frozen_calibrator, learning="spiking", n_iter=2,
                                  batch_size=1000, random_state=0).fit(data[:, :1])
    assert one.weights_theo_.shape == (1, 1) and abs(one.biases_theo_[0]) > 0


def test_fit_refuses_inconsistent_input(frozen_calibrator, data):
    with pytest.raises(ValueError, match="one column per visible unit"):
        SpikingBoltzmannMachine(W4, B4, calibrator=frozen_calibrator,
                                learning=None).fit(data[:, :2])
    with pytest.raises(ValueError, match="biases was given but weights is None"):
        SpikingBoltzmannMachine(biases=B4, calibrator=frozen_calibrator,
                                learning="exact").fit(data)


def test_learner_pickles_with_its_transform(frozen_calibrator):
    X = gibbs_sample(RBM_W, RBM_B, 500, random_state=0)[:, :3]
    bm = SpikingBoltzmannMachine(n_hidden=2, calibrator=frozen_calibrator, learning="exact",
                                 n_iter=2, batch_size=100, random_state=0).fit(X)
    back = pickle.loads(pickle.dumps(bm))
    np.testing.assert_array_equal(back.transform(X[:20]), bm.transform(X[:20]))
    np.testing.assert_array_equal(back.score_samples(X[:20]), bm.score_samples(X[:20]))


def test_transform_splits_large_batches_over_simulations(corrected, simulations, monkeypatch):
    monkeypatch.setattr(state_module, "MAX_UNITS_PER_RUN", 8)     # two rows per run
    rows = np.array([[1.0, np.nan, np.nan, 0.0]] * 5)
    p_on = corrected.set_params(inference_duration=5e3).transform(rows)
    assert simulations == [3]
    exact = marginals(W4, B4, clamped=rows[0])
    # 5e3 ms per row: standard error up to ~0.045 per entry
    assert np.abs(p_on[:, 1:3] - exact[1:3]).max() < 0.2
    assert np.abs(p_on[:, 1:3].mean(axis=0) - exact[1:3]).max() < 0.1
    corrected.set_params(inference_duration=2e4)
