"""LIFSamplerCalibrator with real NEST runs (short durations, fixed seeds)."""

import json
import os
import pickle

import joblib
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from sklearn_sbs import LIFSamplerCalibrator, SimulationError
from sklearn_sbs import neurons
from sklearn_sbs._simulation import run_tasks
from sklearn_sbs._simulation._tasks import NetworkTask, PoissonSpec, params_tuple
from sklearn_sbs.sources import PoissonNoise

FAST = dict(duration=2000.0, n_points=20, burn_in=100.0)


@pytest.fixture
def fitted(short_calibrator):
    """``LIFSamplerCalibrator(random_state=0, **FAST).fit()``, fitted once per session
    (tests/conftest.py); the bounds below were set for this fit."""
    return short_calibrator


def normalised_residuals(cal):
    fitted_p = cal.predict(cal.v_rest_[:, None])
    return (cal.p_on_ - fitted_p) / cal.p_on_std_


@pytest.mark.parametrize("model", neurons.NEURON_MODELS)
def test_fit_reproduces_measured_activation(model):
    cal = LIFSamplerCalibrator(model, random_state=1, **FAST).fit()
    v_thresh = neurons.check_neuron_params(model, None)["v_thresh"]
    # the measured activation spans 0.05..0.95 of the fit
    assert cal.p_on_.min() < 0.05 and cal.p_on_.max() > 0.95
    # residuals are within their (binomial) statistical error: chi2 per point ~ 1;
    # 20 points, a generous bound that a wrong width or centre exceeds by far
    chi2 = np.mean(normalised_residuals(cal) ** 2)
    assert chi2 < 4.0, chi2
    assert abs(cal.v_p05_ - v_thresh) < 3 * cal.alpha_
    # the theory's bracket was right: no widening needed
    assert cal.n_rounds_ == 1
    assert 0.5 < cal.alpha_ / cal.theory_alpha_ < 2.0
    # a clearly wrong logistic is clearly rejected by the same statistic
    wrong = np.mean(((cal.p_on_ - cal.predict(cal.v_rest_[:, None] + cal.alpha_)) / cal.p_on_std_) ** 2)
    assert wrong > 10 * chi2


def test_fitted_attributes(fitted):
    assert fitted.n_features_in_ == 1
    assert fitted.v_rest_.shape == fitted.p_on_.shape == fitted.p_on_std_.shape == (20,)
    assert fitted.tau_on_ == 10.0
    assert np.all(np.diff(fitted.v_rest_) > 0)
    # p_on rises with the resting potential
    assert np.corrcoef(fitted.v_rest_, fitted.p_on_)[0, 1] > 0.95
    assert 0 < fitted.v_p05_err_ < 0.2 and 0 < fitted.alpha_err_ < 0.2
    assert -0.05 < fitted.score() <= 0


def test_predict_and_unit_translation(fitted):
    assert fitted.predict([[fitted.v_p05_]])[0] == pytest.approx(0.5)
    p = fitted.predict([[fitted.v_p05_ + fitted.alpha_]])[0]
    assert p == pytest.approx(1 / (1 + np.exp(-1)))
    b = np.array([-1.5, 0.0, 2.0])
    v = fitted.bias_to_v_rest(b)
    np.testing.assert_allclose(v, fitted.v_p05_ + fitted.alpha_ * b)
    np.testing.assert_allclose(fitted.v_rest_to_bias(v), b)
    W = np.array([[0.0, 0.5, -1.0], [0.5, 0.0, 0.2], [-1.0, 0.2, 0.0]])
    w_bio = fitted.weights_to_bio(W, b)
    assert np.all(np.sign(w_bio) == np.sign(W))
    np.testing.assert_allclose(fitted.weights_to_theo(w_bio, b), W, atol=1e-12)
    # conductance synapses: the receiving unit's bias changes its factor
    assert w_bio[0, 1] / W[0, 1] != pytest.approx(w_bio[1, 0] / W[1, 0])


def test_fit_at_given_resting_potentials(fitted):
    X = np.linspace(fitted.v_p05_ - 3, fitted.v_p05_ + 3, 9)[:, None]
    cal = LIFSamplerCalibrator(random_state=3, **FAST).fit(X)
    np.testing.assert_array_equal(cal.v_rest_, X[:, 0])
    assert cal.n_rounds_ == 1
    assert abs(cal.v_p05_ - fitted.v_p05_) < 0.3
    with pytest.warns(UserWarning, match="do not cover"):
        LIFSamplerCalibrator(random_state=3, **FAST).fit([[-70.0], [-69.0], [-68.0]])


def test_score_on_new_points_and_given_activation(fitted):
    X = np.linspace(fitted.v_p05_ - 2, fitted.v_p05_ + 2, 5)[:, None]
    measured = fitted.score(X)
    assert -0.05 < measured <= 0
    assert fitted.score(X, fitted.predict(X)) == pytest.approx(0.0, abs=1e-12)
    assert fitted.score(X, 1 - fitted.predict(X)) < -0.1
    with pytest.raises(ValueError, match="y must hold"):
        fitted.score(X, [0.5, 0.5])


def test_bracket_widens_when_theory_is_off(monkeypatch):
    from sklearn_sbs import theory

    real = theory.predicted_activation
    monkeypatch.setattr(theory, "predicted_activation",
                        lambda *a: (real(*a)[0] + 4.0, real(*a)[1]))   # a wrong guess
    cal = LIFSamplerCalibrator(random_state=2, **FAST).fit()
    assert cal.n_rounds_ >= 2
    assert cal.p_on_.min() < 0.05 and cal.p_on_.max() > 0.95
    assert abs(cal.v_p05_ - (-50.6)) < 0.3


def test_reproducible_and_independent_of_n_jobs():
    X = np.linspace(-53, -48, 40)[:, None]          # three tasks
    a = LIFSamplerCalibrator(random_state=7, **FAST).fit(X)
    b = LIFSamplerCalibrator(random_state=7, **FAST).fit(X)
    c = LIFSamplerCalibrator(random_state=7, n_jobs=2, **FAST).fit(X)
    d = LIFSamplerCalibrator(random_state=8, **FAST).fit(X)
    np.testing.assert_array_equal(a.p_on_, b.p_on_)
    np.testing.assert_array_equal(a.p_on_, c.p_on_)
    assert a.v_p05_ == c.v_p05_ and a.alpha_ == c.alpha_
    assert not np.array_equal(a.p_on_, d.p_on_)
    # one simulation and two cores: still one NEST thread, the same result
    X1 = X[::4]
    np.testing.assert_array_equal(LIFSamplerCalibrator(random_state=7, **FAST).fit(X1).p_on_,
                                  LIFSamplerCalibrator(random_state=7, n_jobs=2, **FAST).fit(X1).p_on_)


def test_free_membrane_matches_theory():
    cal = LIFSamplerCalibrator(random_state=4, burn_in=100.0)
    trace = cal.measure_free_membrane(duration=10000.0, v_rest=-50.0)
    assert trace.v.shape == trace.times.shape
    assert trace.times[0] >= 100.0
    # 1e4 ms with tau_eff ~ 0.8 ms and tau_syn 10 ms: ~500 independent samples,
    # the std is known to a few percent
    assert abs(trace.v.mean() - trace.theory.mean) < 0.3
    assert abs(trace.v.std() / trace.theory.std - 1) < 0.10


def test_json_round_trip_is_exact(fitted, tmp_path):
    text = fitted.to_json()
    again = LIFSamplerCalibrator.from_json(text)
    assert again.get_params() == fitted.get_params()
    for name in ("v_p05_", "alpha_", "theory_v_p05_", "tau_on_", "v_p05_err_"):
        assert getattr(again, name) == getattr(fitted, name)
    np.testing.assert_array_equal(again.v_rest_, fitted.v_rest_)
    np.testing.assert_array_equal(again.p_on_, fitted.p_on_)
    assert again.to_json() == text
    path = tmp_path / "neuron.json"
    fitted.save(path)
    loaded = LIFSamplerCalibrator.load(path)
    assert loaded.v_p05_ == fitted.v_p05_
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.json"]       # no temp files
    # noise objects survive
    cal = LIFSamplerCalibrator(noise=PoissonNoise(rate_exc=[1000.0, 2000.0], weight_exc=0.002))
    assert LIFSamplerCalibrator.from_json(cal.to_json()).noise.get_params() == cal.noise.get_params()
    # unfitted calibrators load unfitted
    with pytest.raises(NotFittedError):
        LIFSamplerCalibrator.from_json(cal.to_json()).predict([[0.0]])


def test_json_bad_documents(fitted, tmp_path):
    doc = json.loads(fitted.to_json())
    with pytest.raises(ValueError, match="not a valid"):
        LIFSamplerCalibrator.from_json("{not json")
    with pytest.raises(ValueError, match="format"):
        LIFSamplerCalibrator.from_json(json.dumps({"format": "other", "version": 1}))
    with pytest.raises(ValueError, match="version 99"):
        LIFSamplerCalibrator.from_json(json.dumps(dict(doc, version=99)))
    bad = dict(doc, params=dict(doc["params"], noise={"class": "os.system", "params": {}}))
    with pytest.raises(ValueError, match="field 'params.noise.class': expected one of"):
        LIFSamplerCalibrator.from_json(json.dumps(bad))
    bad = dict(doc, calibration=dict(doc["calibration"], evil_=1))
    with pytest.raises(ValueError, match="field 'calibration.evil_': unknown field"):
        LIFSamplerCalibrator.from_json(json.dumps(bad))
    bad = dict(doc, params=dict(doc["params"], dt=-1))
    with pytest.raises(ValueError, match="dt"):
        LIFSamplerCalibrator.from_json(json.dumps(bad))
    path = tmp_path / "corrupt.json"
    path.write_text(fitted.to_json()[:50])
    with pytest.raises(ValueError):
        LIFSamplerCalibrator.load(path)


def test_save_is_atomic_on_failure(fitted, tmp_path, monkeypatch):
    path = tmp_path / "neuron.json"
    fitted.save(path)
    before = path.read_text()

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        fitted.save(path)
    assert path.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["neuron.json"]


def test_pickle_and_joblib(fitted, tmp_path):
    again = pickle.loads(pickle.dumps(fitted))
    assert again.v_p05_ == fitted.v_p05_
    joblib.dump(fitted, tmp_path / "cal.joblib")
    assert joblib.load(tmp_path / "cal.joblib").alpha_ == fitted.alpha_
    assert clone(fitted).get_params() == fitted.get_params()


def test_nested_noise_params():
    cal = LIFSamplerCalibrator(noise=PoissonNoise())
    cal.set_params(noise__rate_exc=2000.0)
    assert cal.get_params()["noise__rate_exc"] == 2000.0


@pytest.mark.parametrize(
    "params, match",
    [
        (dict(neuron_model="IF_bogus"), "neuron_model"),
        (dict(neuron_params={"tau_x": 1.0}), "tau_x"),
        (dict(neuron_params={"cm": -0.2}), "cm"),
        (dict(neuron_params={"cm": float("nan")}), "cm"),
        (dict(neuron_params={"v_reset": -40.0}), "v_reset"),
        (dict(neuron_params={"e_rev_E": 0.0}, neuron_model="IF_curr_exp"), "e_rev_E"),
        (dict(duration=-1.0), "duration"),
        (dict(duration=0.0), "duration"),
        (dict(duration=float("nan")), "duration"),
        (dict(dt=0.0), "dt"),
        (dict(burn_in=-5.0), "burn_in"),
        (dict(dt=0.3, duration=1000.0), "dt"),
        (dict(n_points=2), "n_points"),
        (dict(noise=PoissonNoise(rate_exc=-1.0)), "rate_exc"),
        (dict(noise=PoissonNoise(weight_inh=float("nan"))), "weight_inh"),
        (dict(noise=PoissonNoise(rate_exc=[1.0, 2.0], weight_exc=[1e-3, 1e-3, 1e-3])), "same length"),
        (dict(noise="loud"), "noise"),
        (dict(noise=PoissonNoise(weight_exc=1e-7, weight_inh=1e-7)), "too weak.*raise"),
        (dict(noise=PoissonNoise(rate_exc=3e5, rate_inh=1.0, weight_exc=0.05)), "too strong.*lower"),
    ],
)
def test_bad_input(params, match):
    with pytest.raises(ValueError, match=match):
        LIFSamplerCalibrator(**params).fit()


def test_bad_X(fitted):
    with pytest.raises(ValueError, match="one column"):
        LIFSamplerCalibrator(**FAST).fit(np.zeros((5, 2)))
    with pytest.raises(ValueError, match="NaN|infinity"):
        LIFSamplerCalibrator(**FAST).fit([[np.nan], [1.0], [2.0]])
    with pytest.raises(ValueError):
        fitted.predict(np.zeros((3, 2)))
    with pytest.raises(NotFittedError):
        LIFSamplerCalibrator().predict([[-50.0]])


class _CrashingTask:
    cost = 1.0

    def run(self, backend):
        os._exit(3)


class _FailingTask:
    cost = 1.0

    def run(self, backend):
        raise ArithmeticError("the worker says no")


def test_worker_errors_reach_the_caller_and_it_keeps_working():
    with pytest.raises(SimulationError, match="ArithmeticError: the worker says no"):
        run_tasks([_FailingTask()])
    with pytest.raises(SimulationError, match="worker process died"):
        run_tasks([_CrashingTask()])
    bogus = NetworkTask.unconnected("IF_cond_exp", params_tuple({"cm": -0.2}), (-50.0,),
                           (PoissonSpec(100.0, 0.001),), 0.1, 10.0, 1)
    with pytest.raises(SimulationError, match="failed in its worker"):
        run_tasks([bogus])
    cal = LIFSamplerCalibrator(random_state=0, duration=200.0, n_points=5).fit([[-51.0], [-50.0], [-49.0]])
    assert cal.p_on_.shape == (3,)


def test_fit_leaves_simulator_out_of_the_caller(modules_left_by):
    loaded, result = modules_left_by(
        "from sklearn_sbs import LIFSamplerCalibrator\n"
        "cal = LIFSamplerCalibrator(duration=200.0, random_state=0).fit([[-51.0], [-50.0], [-49.0]])\n"
        "cal.bias_to_v_rest([0.0]); cal.weights_to_bio([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0])\n"
    )
    assert loaded == []
    # nothing from PyNN's extension build or NEST's banner reaches the user
    assert "CMake" not in result.stderr and "N E S T" not in result.stdout + result.stderr


def test_fit_returns_self_and_keeps_parameters():
    # the one-column counterparts of the estimator checks that feed several features
    noise = PoissonNoise(rate_exc=3000.0)
    cal = LIFSamplerCalibrator(noise=noise, neuron_params={"tau_m": 1.0}, **FAST)
    before = cal.get_params(deep=True)
    X = np.linspace(-52.0, -49.0, 4)[:, None]
    assert cal.fit(X) is cal
    assert cal.get_params(deep=True) == before
    assert cal.neuron_params == {"tau_m": 1.0} and cal.noise is noise
    state = dict(cal.__dict__)
    cal.predict(X)
    cal.score(X, cal.predict(X))
    assert {k: v for k, v in cal.__dict__.items() if not isinstance(v, np.ndarray)} == \
        {k: v for k, v in state.items() if not isinstance(v, np.ndarray)}
    with pytest.raises(ValueError, match="features"):
        cal.predict(np.zeros((3, 2)))


def test_every_neuron_gets_independent_noise():
    # two identical neurons on the same generators: independent trains give
    # <z1 z2> = p1 p2; one shared train (PyNN's SpikeSourcePoisson trap) gives ~p
    from sklearn_sbs.spikes import SpikeTrains

    params = neurons.check_neuron_params("IF_cond_exp", None)
    fixed = params_tuple(neurons.shared_params(params))
    noise = (PoissonSpec(3000.0, 0.001), PoissonSpec(3000.0, -0.001))
    task = NetworkTask.unconnected("IF_cond_exp", fixed, (-50.6, -50.6), noise, 0.1, 10100.0, 5)
    result = run_tasks([task])[0]
    co = SpikeTrains(result["times"], result["ids"], 2, 10.0).coactivation(100.0, 10100.0)
    p1, p2 = np.diag(co)
    assert 0.3 < p1 < 0.7 and 0.3 < p2 < 0.7
    # ~1000 on-windows: the standard error of <z1 z2> is about 0.015
    assert abs(co[0, 1] - p1 * p2) < 0.06
