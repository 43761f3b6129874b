"""Display objects of sklearn_sbs.plotting, drawn from a real (short) calibration."""

import doctest
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy.integrate import quad  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, neurons, plotting, theory  # noqa: E402
from sklearn_sbs._calibrator import logistic  # noqa: E402
from sklearn_sbs.plotting import (  # noqa: E402
    ActivationDisplay,
    ActivationResidualsDisplay,
    FreeMembraneDisplay,
    MembraneAutocorrelationDisplay,
)
from sklearn_sbs.sources import PoissonNoise  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cal():
    return LIFSamplerCalibrator(duration=1000.0, n_points=12, random_state=0).fit()


@pytest.fixture(scope="module")
def trace(cal):
    return cal.measure_free_membrane(duration=500.0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def errorbar_data(container):
    """x, y and error-bar half lengths of an ErrorbarContainer."""
    data_line, _, barcols = container.lines
    xy = data_line.get_xydata()
    segments = barcols[0].get_segments()
    half = np.array([abs(seg[1][1] - seg[0][1]) / 2 for seg in segments])
    return xy[:, 0], xy[:, 1], half


# --- import boundary -----------------------------------------------------------------


def test_import_does_not_load_matplotlib():
    code = (
        "import sys\n"
        "import sklearn_sbs.plotting\n"
        "from sklearn_sbs.plotting import ActivationDisplay\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_missing_matplotlib_says_how_to_install(monkeypatch):
    class NoSimulation:
        neuron_model, neuron_params, noise = "IF_cond_exp", None, None

        def measure_free_membrane(self, *args, **kwargs):
            raise AssertionError("simulated before checking for matplotlib")

    monkeypatch.setitem(sys.modules, "matplotlib", None)   # import matplotlib fails
    display = ActivationDisplay(v_rest=[-51.0, -50.0], p_on=[0.2, 0.8], v_p05=-50.5, alpha=0.7)
    message = r'pip install "sklearn-sbs\[plot\]"'
    with pytest.raises(ImportError, match=message):
        display.plot()
    with pytest.raises(ImportError, match=message):
        ActivationDisplay.from_estimator(LIFSamplerCalibrator())
    for cls in (FreeMembraneDisplay, MembraneAutocorrelationDisplay):
        with pytest.raises(ImportError, match=message):
            cls.from_estimator(NoSimulation(), duration=100.0)


# --- activation ----------------------------------------------------------------------


def test_activation_display_matches_calibrator(cal):
    display = ActivationDisplay.from_estimator(cal)
    x, y, half = errorbar_data(display.errorbar_)
    np.testing.assert_array_equal(x, cal.v_rest_)
    np.testing.assert_array_equal(y, cal.p_on_)
    np.testing.assert_allclose(half, cal.p_on_std_, rtol=1e-9, atol=1e-12)

    fit_x, fit_y = display.fit_line_.get_data()
    np.testing.assert_allclose(fit_y, logistic(fit_x, cal.v_p05_, cal.alpha_))
    assert fit_x.min() <= cal.v_rest_.min() and fit_x.max() >= cal.v_rest_.max()
    theory_x, theory_y = display.theory_line_.get_data()
    np.testing.assert_allclose(theory_y, logistic(theory_x, cal.theory_v_p05_, cal.theory_alpha_))

    v_thresh = neurons.check_neuron_params(cal.neuron_model, cal.neuron_params)["v_thresh"]
    assert display.v_thresh_line_.get_xdata()[0] == v_thresh
    assert display.v_p05_line_.get_xdata()[0] == cal.v_p05_

    assert "(mV)" in display.ax_.get_xlabel() and display.ax_.get_ylabel()
    labels = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert labels[0] == "measured"
    assert any(label.startswith("fitted logistic") and "mV" in label for label in labels)
    assert any(label.startswith("theory") for label in labels)
    assert display.figure_ is display.ax_.figure


def test_activation_display_draws_into_given_axes(cal):
    fig, (left, right) = plt.subplots(1, 2)
    display = ActivationDisplay.from_estimator(cal, ax=left, name="cal",
                                               plot_theory=False, color="red", fit_kw={"lw": 3})
    assert display.ax_ is left and display.figure_ is fig
    assert display.theory_line_ is None
    assert display.fit_line_.get_linewidth() == 3
    assert matplotlib.colors.same_color(display.errorbar_.lines[0].get_color(), "red")
    assert display.errorbar_.get_label() == "cal: measured"
    assert len(right.lines) == 0 and len(left.lines) > 0
    display.plot(ax=right)
    assert display.ax_ is right and display.theory_line_ is not None
    with pytest.raises(TypeError, match="alias"):
        display.plot(fit_kw={"lw": 1, "linewidth": 2})


def test_residuals_display_matches_calibrator(cal):
    display = ActivationResidualsDisplay.from_estimator(cal)
    expected = cal.p_on_ - cal.predict(cal.v_rest_[:, None])
    np.testing.assert_allclose(display.residuals, expected, atol=1e-12)
    x, y, half = errorbar_data(display.errorbar_)
    np.testing.assert_array_equal(x, cal.v_rest_)
    np.testing.assert_allclose(y, expected, atol=1e-12)
    np.testing.assert_allclose(half, cal.p_on_std_, rtol=1e-9, atol=1e-12)
    assert np.all(np.asarray(display.zero_line_.get_ydata()) == 0)
    assert "(mV)" in display.ax_.get_xlabel()
    # the short calibration is still a logistic within its statistical error
    assert np.mean((expected / cal.p_on_std_) ** 2) < 5.0

    fig, ax = plt.subplots()
    assert ActivationResidualsDisplay.from_estimator(cal, ax=ax).ax_ is ax


@pytest.mark.parametrize("cls", [ActivationDisplay, ActivationResidualsDisplay])
def test_unfitted_calibrator_raises(cls):
    with pytest.raises(NotFittedError):
        cls.from_estimator(LIFSamplerCalibrator())


# --- free membrane -------------------------------------------------------------------


def test_free_membrane_display_from_trace(trace):
    display = FreeMembraneDisplay.from_trace(trace)
    np.testing.assert_array_equal(display.v, trace.v)
    widths = np.diff(display.bin_edges_)
    assert np.sum(display.density_ * widths) == pytest.approx(1.0)
    assert display.bin_edges_[0] == trace.v.min() and display.bin_edges_[-1] == trace.v.max()

    mean, std = trace.theory.mean, trace.theory.std
    x, y = display.theory_line_.get_data()
    np.testing.assert_allclose(y, np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi)))
    assert x.min() <= mean - 4 * std and x.max() >= mean + 4 * std
    assert display.v_thresh_line_ is None
    assert "(mV)" in display.ax_.get_xlabel() and "1/mV" in display.ax_.get_ylabel()
    # the recording agrees with the theory (500 ms, about 50 correlation times)
    assert abs(trace.v.mean() - mean) < 0.5 * std
    assert 0.7 < trace.v.std() / std < 1.3


def test_free_membrane_display_from_estimator(cal):
    fig, ax = plt.subplots()
    display = FreeMembraneDisplay.from_estimator(cal, duration=500.0, ax=ax, bins=30,
                                                 color="k")
    assert display.ax_ is ax and display.figure_ is fig
    assert len(display.density_) == 30
    v_thresh = neurons.check_neuron_params(cal.neuron_model, cal.neuron_params)["v_thresh"]
    assert display.v_thresh_line_.get_xdata()[0] == v_thresh
    # recorded at v_p05_: the mean sits below the threshold by about the noise's shift
    stats = theory.free_membrane_stats(cal.neuron_model, cal.neuron_params, cal.noise,
                                       v_rest=cal.v_p05_)
    assert np.mean(display.v) == pytest.approx(stats.mean, abs=0.5 * stats.std)


def test_free_membrane_display_rejects_bad_trace():
    with pytest.raises(TypeError, match="measure_free_membrane"):
        FreeMembraneDisplay.from_trace(np.zeros(10))
    with pytest.raises(ValueError, match="uniformly"):
        MembraneAutocorrelationDisplay.from_trace({"times": [0.0, 1.0, 3.0], "v": [1.0, 2.0, 1.0]})


# --- autocorrelation -----------------------------------------------------------------


def test_autocorrelation_matches_direct_computation():
    rng = np.random.default_rng(0)
    v = np.convolve(rng.normal(size=3000), np.exp(-np.arange(50) / 10.0), mode="valid")
    x = v - v.mean()
    direct = np.array([np.dot(x[: x.size - k], x[k:]) for k in range(40)]) / np.dot(x, x)
    np.testing.assert_allclose(plotting._autocorrelation(v, 40), direct, atol=1e-12)


@pytest.mark.parametrize("model", neurons.NEURON_MODELS)
@pytest.mark.parametrize("params", [None, {"tau_syn_E": 3.0, "tau_syn_I": 7.0}])
def test_hcs_autocovariance_at_zero_lag_is_theory_variance(model, params):
    noise = PoissonNoise(rate_exc=[2000.0, 500.0], weight_exc=[0.001, 0.003])
    stats = theory.free_membrane_stats(model, params, noise, v_rest=-52.0)
    cov = plotting._free_membrane_autocovariance(np.array([0.0, 1.0, 10.0, 50.0]), model,
                                                 params, noise, v_rest=-52.0)
    assert cov[0] == pytest.approx(stats.std**2, rel=1e-10)
    assert np.all(np.diff(cov) < 0) and cov[-1] > 0


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
def test_psp_autocovariance_against_quadrature(kernel):
    tau_syn, tau_eff = 10.0, 0.77

    def syn(u):
        return np.exp(-u / tau_syn) if kernel == "exp" else u / tau_syn * np.exp(1 - u / tau_syn)

    def psi(t):
        return quad(lambda u: syn(u) * np.exp(-(t - u) / tau_eff), 0.0, t, limit=200)[0]

    for lag in (0.0, 1.0, 5.0, 20.0):
        expected = quad(lambda t: psi(t) * psi(t + lag), 0.0, 300.0, limit=200)[0]
        got = plotting._psp_autocovariance(kernel, tau_syn, tau_eff, lag)
        assert got == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
def test_psp_autocovariance_is_continuous_where_time_constants_meet(kernel):
    lags = np.array([0.0, 0.5, 3.0])
    at = plotting._psp_autocovariance(kernel, 1.0, 1.0, lags)
    for tau_eff in (1 - 1e-3, 1 - 1e-5, 1 - 1e-8, 1 + 1e-8, 1 + 1e-5, 1 + 1e-3):
        near = plotting._psp_autocovariance(kernel, 1.0, tau_eff, lags)
        np.testing.assert_allclose(near, at, rtol=5 * abs(1 - tau_eff) + 1e-9)


def test_autocorrelation_display_from_trace(cal, trace):
    display = MembraneAutocorrelationDisplay.from_trace(trace, cal, max_lag=30.0)
    dt = trace.times[1] - trace.times[0]
    lags, acf = display.line_.get_data()
    np.testing.assert_allclose(np.diff(lags), dt)
    assert lags[0] == 0.0 and lags[-1] == pytest.approx(30.0)
    np.testing.assert_allclose(acf, plotting._autocorrelation(trace.v, lags.size))
    assert acf[0] == pytest.approx(1.0)

    ref_lags, ref = display.theory_line_.get_data()
    np.testing.assert_array_equal(ref_lags, lags)
    stats = trace.theory
    params = neurons.check_neuron_params(cal.neuron_model, cal.neuron_params)
    tau_syn = params["tau_syn_E"]
    assert params["tau_syn_I"] == tau_syn
    # exponential synapses of equal time constants: the exact HCS form
    expected = ((tau_syn * np.exp(-lags / tau_syn) - stats.tau_eff * np.exp(-lags / stats.tau_eff))
                / (tau_syn - stats.tau_eff))
    np.testing.assert_allclose(ref, expected, rtol=1e-9, atol=1e-12)
    assert display.theory_line_.get_label().startswith("HCS theory")
    # the recording follows it at short lags; exp(-lag / tau_eff) would not
    at_2ms = int(round(2.0 / dt))
    assert acf[at_2ms] == pytest.approx(ref[at_2ms], abs=0.05)
    assert acf[at_2ms] > 5 * np.exp(-2.0 / stats.tau_eff)
    assert display.ax_.get_xlabel() == "lag (ms)"


def test_autocorrelation_display_rough_reference_and_default_lag(trace):
    fig, ax = plt.subplots()
    display = MembraneAutocorrelationDisplay.from_trace(trace, ax=ax, name="trace")
    assert display.ax_ is ax and display.figure_ is fig
    lags, ref = display.theory_line_.get_data()
    np.testing.assert_allclose(ref, np.exp(-lags / trace.theory.tau_eff))
    assert "rough" in display.theory_line_.get_label()
    assert display.line_.get_label() == "trace: measured"
    # default: twice the first lag where the measured autocorrelation drops below 0.05
    acf = plotting._autocorrelation(trace.v, trace.v.size // 2)
    first = np.flatnonzero(acf < 0.05)[0]
    assert lags.size == 2 * first + 1
    for bad in (0.0, -1.0, 1e6, "10"):
        with pytest.raises(ValueError, match="max_lag"):
            MembraneAutocorrelationDisplay.from_trace(trace, max_lag=bad)


def test_autocorrelation_display_from_estimator(cal):
    display = MembraneAutocorrelationDisplay.from_estimator(cal, duration=500.0, max_lag=20.0,
                                                            theory_kw={"color": "k"})
    lags = display.line_.get_xdata()
    assert lags[-1] == pytest.approx(20.0)
    assert display.theory_line_.get_label().startswith("HCS theory")
    assert matplotlib.colors.same_color(display.theory_line_.get_color(), "k")


# --- all displays --------------------------------------------------------------------


BUILDERS = {
    "activation": lambda cal, trace: ActivationDisplay.from_estimator(cal),
    "residuals": lambda cal, trace: ActivationResidualsDisplay.from_estimator(cal),
    "free_membrane": lambda cal, trace: FreeMembraneDisplay.from_trace(trace, v_thresh=-50.0),
    "autocorrelation": lambda cal, trace: MembraneAutocorrelationDisplay.from_trace(trace, cal),
}


@pytest.mark.parametrize("kind", BUILDERS)
def test_display_saves_png(kind, cal, trace, tmp_path):
    display = BUILDERS[kind](cal, trace)
    assert display.ax_.get_legend() is not None
    path = tmp_path / f"{kind}.png"
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_docstring_examples():
    failures, attempted = doctest.testmod(plotting, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0
    assert failures == 0
