"""Display objects of sklearn_sbs.plotting, drawn from a real (short) calibration."""

import doctest
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import (  # noqa: E402
    LIFSamplerCalibrator,
    SpikingBoltzmannMachine,
    metrics,
    neurons,
    theory,
)
from sklearn_sbs._calibrator import logistic  # noqa: E402
from sklearn_sbs.plotting import _activation, _distributions, _membrane, _weights  # noqa: E402
from sklearn_sbs.plotting import (  # noqa: E402
    ActivationDisplay,
    ActivationResidualsDisplay,
    FreeMembraneDisplay,
    JointDistributionDisplay,
    MarginalsDisplay,
    MembraneAutocorrelationDisplay,
    WeightsDisplay,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def cal(short_calibrator):
    return short_calibrator


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
    np.testing.assert_allclose(_membrane._autocorrelation(v, 40), direct, atol=1e-12)


def test_autocorrelation_display_from_trace(cal, trace):
    display = MembraneAutocorrelationDisplay.from_trace(trace, cal, max_lag=30.0)
    dt = trace.times[1] - trace.times[0]
    lags, acf = display.line_.get_data()
    np.testing.assert_allclose(np.diff(lags), dt)
    assert lags[0] == 0.0 and lags[-1] == pytest.approx(30.0)
    np.testing.assert_allclose(acf, _membrane._autocorrelation(trace.v, lags.size))
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
    acf = _membrane._autocorrelation(trace.v, trace.v.size // 2)
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


@pytest.mark.parametrize("module", [_activation, _membrane, _distributions, _weights])
def test_docstring_examples(module):
    failures, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0
    assert failures == 0


# --- Boltzmann machine displays ------------------------------------------------------

W3 = np.array([[0.0, 0.5, -0.3], [0.5, 0.0, 0.2], [-0.3, 0.2, 0.0]])
B3 = np.array([-0.5, 0.3, 0.0])


def _machine(cal, duration=5000.0):
    return SpikingBoltzmannMachine(W3, B3, calibrator=FrozenEstimator(cal), duration=duration,
                                   random_state=1)


@pytest.fixture(scope="module")
def bm(cal):
    machine = _machine(cal).fit()
    machine.sample()
    return machine


def bar_heights(container):
    return np.array([patch.get_height() for patch in container.patches])


def bar_centers(container):
    return np.array([patch.get_x() + 0.5 * patch.get_width() for patch in container.patches])


def tick_labels(ax):
    return [t.get_text() for t in ax.get_xticklabels()]


# joint, from arrays


def test_joint_display_bars_labels_and_log_scale():
    rng = np.random.default_rng(0)
    target = rng.random((2, 2, 2))
    target /= target.sum()
    sampled = rng.random(8)
    sampled /= sampled.sum()
    display = JointDistributionDisplay(target=target, sampled=sampled, units=[4, 1, 7]).plot()
    assert tick_labels(display.ax_) == ["000", "001", "010", "011", "100", "101", "110", "111"]
    np.testing.assert_array_equal(bar_heights(display.target_bars_), target.ravel())
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_), sampled)
    # the bar labelled "010" is z = (0, 1, 0), the first unit's digit first
    ticks = display.ax_.get_xticks()
    at_010 = ticks[tick_labels(display.ax_).index("010")]
    k = int(np.argmin(np.abs(bar_centers(display.target_bars_) - at_010)))
    assert bar_heights(display.target_bars_)[k] == target[0, 1, 0]
    assert np.all(bar_centers(display.target_bars_) < ticks)
    assert np.all(bar_centers(display.sampled_bars_) > ticks)

    assert display.ax_.get_yscale() == "log"
    low, high = display.ax_.get_ylim()
    assert 0 < low < min(target.min(), sampled.min()) and high > max(target.max(), sampled.max())
    assert display.ax_.get_xlabel() == "state (z_4 z_1 z_7)"
    assert display.dkl_ == pytest.approx(metrics.dkl(target.ravel(), sampled))
    assert f"{display.dkl_:.3g} nats" in display.ax_.get_title()
    legend = [t.get_text() for t in display.ax_.get_legend().get_texts()]
    assert legend == ["target", "sampled"]


def test_joint_display_zero_probabilities_on_log_axis(tmp_path):
    target = np.full(16, 1 / 16)
    sampled = np.zeros(16)
    sampled[:4] = 0.25
    display = JointDistributionDisplay(target=target, sampled=sampled).plot()
    heights = bar_heights(display.sampled_bars_)
    np.testing.assert_array_equal(heights, sampled)            # zero bars are kept, not clipped
    assert display.ax_.get_yscale() == "log"
    assert 0 < display.ax_.get_ylim()[0] < 1 / 16
    assert np.isinf(display.dkl_) and "inf nats" in display.ax_.get_title()
    assert tick_labels(display.ax_)[5] == "0101"
    path = tmp_path / "zeros.png"
    display.figure_.savefig(path)                               # draws without error
    assert path.read_bytes()[:8] == PNG_MAGIC

    # a given divergence is shown as it is; a linear axis starts at 0
    display = JointDistributionDisplay(target=target, sampled=sampled, dkl=0.25,
                                       name="run").plot(log=False)
    assert display.ax_.get_yscale() == "linear" and display.ax_.get_ylim()[0] == 0
    assert display.ax_.get_title() == "run: DKL(target ‖ sampled) = 0.25 nats"
    assert display.sampled_bars_.get_label() == "run: sampled"


def test_joint_display_style_and_axes():
    fig, (left, right) = plt.subplots(1, 2)
    display = JointDistributionDisplay(target=[0.5, 0.5], sampled=[0.4, 0.6])
    display.plot(ax=left, color="red", target_kw={"fc": "k"})
    assert display.ax_ is left and display.figure_ is fig
    assert matplotlib.colors.same_color(display.sampled_bars_.patches[0].get_facecolor(), "red")
    assert matplotlib.colors.same_color(display.target_bars_.patches[0].get_facecolor(), "k")
    assert tick_labels(left) == ["0", "1"] and not right.patches
    display.plot(ax=right)
    assert display.ax_ is right and len(right.patches) == 4


@pytest.mark.parametrize("target, sampled, kwargs, match", [
    ([0.5, 0.5], [0.2, 0.3, 0.5], {}, "same shape"),
    ([0.2, 0.3, 0.5], [0.2, 0.3, 0.5], {}, "2\\*\\*m"),
    (np.full((2, 3), 1 / 6), np.full((2, 3), 1 / 6), {}, "shape \\(2,\\) \\* m"),
    ([0.5, 0.5], [1.5, -0.5], {}, "non-negative"),
    ([0.5, 0.5], [np.nan, 0.5], {}, "finite"),
    ([0.5, 0.5], [0.5, 0.6], {}, "distributions"),
    ([0.25] * 4, [0.25] * 4, {"units": [0]}, "units"),
    ([0.25] * 4, [0.25] * 4, {"units": [1, 1]}, "units"),
    (np.full(2**11, 2.0**-11), np.full(2**11, 2.0**-11), {}, "at most 10 units"),
])
def test_joint_display_rejects_bad_input(target, sampled, kwargs, match):
    with pytest.raises(ValueError, match=match):
        JointDistributionDisplay(target=target, sampled=sampled, **kwargs).plot()


# joint, from a sampled machine


def test_joint_display_from_estimator(bm):
    display = JointDistributionDisplay.from_estimator(bm)
    np.testing.assert_array_equal(bar_heights(display.target_bars_), bm.target_joint().ravel())
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_), bm.sampled_joint().ravel())
    assert tick_labels(display.ax_)[3] == "011"
    assert display.ax_.get_yscale() == "log"
    # smoothed as in score: the legend's divergence is the machine's
    assert display.dkl_ == pytest.approx(-bm.score(), rel=1e-12)
    assert display.ax_.get_xlabel() == "state (z_0 z_1 z_2)"

    fig, ax = plt.subplots()
    display = JointDistributionDisplay.from_estimator(bm, units=[2, 0], ax=ax, log=False)
    assert display.ax_ is ax and display.figure_ is fig
    np.testing.assert_array_equal(bar_heights(display.target_bars_),
                                  bm.target_joint([2, 0]).ravel())
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_),
                                  bm.sampled_joint([2, 0]).ravel())
    assert display.ax_.get_xlabel() == "state (z_2 z_0)"
    assert tick_labels(ax) == ["00", "01", "10", "11"]


def test_distribution_displays_sample_when_nothing_was_sampled(cal):
    machine = _machine(cal, duration=1000.0).fit()
    assert not hasattr(machine, "spikes_")
    display = MarginalsDisplay.from_estimator(machine)
    assert hasattr(machine, "spikes_")
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_), machine.sampled_marginals())
    display = JointDistributionDisplay.from_estimator(machine)
    assert np.isfinite(display.dkl_)


@pytest.mark.parametrize("cls", [JointDistributionDisplay, MarginalsDisplay, WeightsDisplay])
def test_boltzmann_displays_unfitted_machine_raises(cls):
    with pytest.raises(NotFittedError):
        cls.from_estimator(SpikingBoltzmannMachine(W3, B3))


# marginals


def test_marginals_display_from_arrays():
    display = MarginalsDisplay(target=[0.3, 0.5, 0.8], sampled=[0.32, 0.45, 0.8],
                               units=[5, 2, 9], name="bm").plot()
    np.testing.assert_array_equal(bar_heights(display.target_bars_), [0.3, 0.5, 0.8])
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_), [0.32, 0.45, 0.8])
    assert tick_labels(display.ax_) == ["5", "2", "9"]
    assert display.ax_.get_title() == "bm: max |sampled - target| = 0.05"
    assert display.target_bars_.get_label() == "bm: target"
    low, high = display.ax_.get_ylim()
    assert low == 0 and high >= 1
    for bad in ([0.3, 0.5], [0.3, 0.5, 1.2], [0.3, np.nan, 0.5]):
        with pytest.raises(ValueError, match="sampled"):
            MarginalsDisplay(target=[0.3, 0.5, 0.8], sampled=bad).plot()


def test_marginals_display_from_estimator(bm):
    fig, ax = plt.subplots()
    display = MarginalsDisplay.from_estimator(bm, ax=ax, color="green")
    assert display.ax_ is ax and display.figure_ is fig
    np.testing.assert_array_equal(bar_heights(display.target_bars_), bm.target_marginals())
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_), bm.sampled_marginals())
    assert tick_labels(ax) == ["0", "1", "2"]
    assert matplotlib.colors.same_color(display.sampled_bars_.patches[0].get_facecolor(), "green")

    display = MarginalsDisplay.from_estimator(bm, units=[2, 0])
    np.testing.assert_array_equal(bar_heights(display.sampled_bars_),
                                  bm.sampled_marginals()[[2, 0]])
    assert tick_labels(display.ax_) == ["2", "0"]
    for bad in ([3], [0, 0], [-1], [0.5]):
        with pytest.raises(ValueError, match="units"):
            MarginalsDisplay.from_estimator(bm, units=bad)


# weights


def test_weights_display_from_arrays():
    W = np.array([[0.0, 0.002, -0.004], [0.002, 0.0, 0.001], [-0.004, 0.001, 0.0]])
    display = WeightsDisplay(W, label="synaptic weight (µS)", title="W").plot()
    np.testing.assert_array_equal(display.im_.get_array(), W)
    assert display.im_.get_clim() == (-0.004, 0.004)               # centred on zero
    assert display.im_.get_cmap().name == "RdBu_r"
    assert display.colorbar_ is not None
    assert display.colorbar_.ax.get_ylabel() == "synaptic weight (µS)"
    assert display.ax_.get_title() == "W" and display.text_ is None
    assert "presynaptic" in display.ax_.get_ylabel()
    assert "postsynaptic" in display.ax_.get_xlabel()

    fig, ax = plt.subplots()
    display.plot(ax=ax, colorbar=False, include_values=True, values_format=".1e",
                 cmap="coolwarm")
    assert display.ax_ is ax and display.figure_ is fig and display.colorbar_ is None
    assert display.text_.shape == (3, 3) and display.text_[0, 2].get_text() == "-4.0e-03"
    assert display.im_.get_cmap().name == "coolwarm"

    zeros = WeightsDisplay(np.zeros((2, 2))).plot()
    assert zeros.im_.get_clim() == (-1.0, 1.0)
    norm = matplotlib.colors.TwoSlopeNorm(0.0, -0.004, 0.002)
    assert WeightsDisplay(W).plot(im_kw={"norm": norm}).im_.norm is norm
    for bad in (np.zeros((2, 3)), np.zeros(3), [[np.inf, 0.0], [0.0, 0.0]]):
        with pytest.raises(ValueError, match="weights"):
            WeightsDisplay(bad).plot()


def test_weights_display_from_estimator(bm):
    display = WeightsDisplay.from_estimator(bm)
    np.testing.assert_array_equal(display.im_.get_array(), bm.weights_theo_)
    assert "theoretical" in display.ax_.get_title()
    assert "theoretical" in display.colorbar_.ax.get_ylabel()
    assert display.im_.get_clim() == (-0.5, 0.5)

    fig, ax = plt.subplots()
    display = WeightsDisplay.from_estimator(bm, kind="bio", ax=ax)
    assert display.ax_ is ax and display.figure_ is fig
    np.testing.assert_array_equal(display.im_.get_array(), bm.weights_bio_)
    assert neurons.get_model(bm.calibrators_[0].neuron_model).conductance_based
    assert "µS" in display.ax_.get_title() and "µS" in display.colorbar_.ax.get_ylabel()
    vmin, vmax = display.im_.get_clim()
    assert vmin == -vmax == -np.abs(bm.weights_bio_).max()
    with pytest.raises(ValueError, match="'synaptic'"):
        WeightsDisplay.from_estimator(bm, kind="synaptic")


@pytest.mark.parametrize("models, unit", [
    (["IF_curr_exp"] * 3, "nA"),
    (["IF_cond_alpha", "IF_cond_exp", "IF_cond_exp"], "µS"),
    (["IF_cond_exp", "IF_curr_alpha", "IF_cond_exp"], "µS or nA"),
])
def test_weights_display_units_follow_neuron_models(models, unit):
    machine = SpikingBoltzmannMachine(W3, B3)      # fitted attributes set by hand: no simulation
    machine.calibrators_ = [LIFSamplerCalibrator(neuron_model=m) for m in models]
    machine.weights_theo_ = W3
    machine.weights_bio_ = W3 * 1e-3
    display = WeightsDisplay.from_estimator(machine, kind="bio")
    assert display.ax_.get_title() == f"synaptic weights ({unit}" + (
        ", as unit j's neuron)" if " or " in unit else ")")
    other = {"nA": "µS", "µS": "nA"}.get(unit)
    if other:
        assert other not in display.colorbar_.ax.get_ylabel()


BOLTZMANN_BUILDERS = {
    "joint": lambda bm: JointDistributionDisplay.from_estimator(bm),
    "marginals": lambda bm: MarginalsDisplay.from_estimator(bm),
    "weights_theo": lambda bm: WeightsDisplay.from_estimator(bm, include_values=True),
    "weights_bio": lambda bm: WeightsDisplay.from_estimator(bm, kind="bio"),
}


@pytest.mark.parametrize("kind", BOLTZMANN_BUILDERS)
def test_boltzmann_display_saves_png(kind, bm, tmp_path):
    display = BOLTZMANN_BUILDERS[kind](bm)
    path = tmp_path / f"{kind}.png"
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == PNG_MAGIC


def test_boltzmann_displays_missing_matplotlib(monkeypatch):
    class NoSimulation:
        def __getattr__(self, name):
            raise AssertionError("used the machine before checking for matplotlib")

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = r'pip install "sklearn-sbs\[plot\]"'
    for cls in (JointDistributionDisplay, MarginalsDisplay, WeightsDisplay):
        with pytest.raises(ImportError, match=message):
            cls.from_estimator(NoSimulation())
    with pytest.raises(ImportError, match=message):
        WeightsDisplay(np.zeros((2, 2))).plot()


def test_measured_points_take_a_marker_without_warnings(cal):
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")          # no "marker redundantly defined"
        display = ActivationDisplay.from_estimator(cal, marker="s")
        residuals = ActivationResidualsDisplay.from_estimator(cal, marker="^")
    assert display.errorbar_.lines[0].get_marker() == "s"
    assert residuals.errorbar_.lines[0].get_marker() == "^"
    assert display.errorbar_.lines[0].get_linestyle() == "None"      # points, not a line


# --- states as images ----------------------------------------------------------------

from sklearn_sbs.plotting import StatesImageDisplay, _images  # noqa: E402

# 4 visible + 2 hidden units: only visible-hidden weights, as an RBM
W_RBM = np.zeros((6, 6))
W_RBM[:4, 4:] = [[1.0, -1.0], [-1.0, 1.0], [-1.0, 1.0], [1.0, -1.0]]
W_RBM[4:, :4] = W_RBM[:4, 4:].T
B_RBM = np.array([0.0, 0.0, 0.0, 0.0, -0.5, 0.5])


def _rbm_machine(cal):
    return SpikingBoltzmannMachine(W_RBM, B_RBM, n_hidden=2, calibrator=FrozenEstimator(cal),
                                   duration=1000.0, correction_rounds=0, random_state=3).fit()


def test_states_image_display_from_arrays():
    rng = np.random.default_rng(0)
    states = rng.integers(0, 2, size=(5, 6)).astype(np.uint8)        # five 2×3 images
    display = StatesImageDisplay(states, (2, 3), name="run").plot(n_cols=3)
    mosaic = display.image_.get_array()
    assert mosaic.shape == (2 * 2 + 1, 3 * 3 + 2)                    # 2 rows, 3 columns, gaps
    for k in range(5):
        r, c = divmod(k, 3)
        tile = mosaic[r * 3:r * 3 + 2, c * 4:c * 4 + 3]
        assert not np.ma.is_masked(tile)
        np.testing.assert_array_equal(tile, states[k].reshape(2, 3))
    assert mosaic.mask[2].all() and mosaic.mask[:, 3].all()          # the gaps
    assert mosaic.mask[3:, 8:].all()                                 # the empty sixth tile
    assert display.image_.get_cmap().name == "gray_r"
    assert display.image_.get_clim() == (0.0, 1.0)
    assert matplotlib.colors.same_color(display.image_.get_cmap().get_bad(), "0.6")
    assert display.ax_.get_title() == "run"
    assert list(display.ax_.get_xticks()) == [] and list(display.ax_.get_yticks()) == []
    assert display.figure_ is display.ax_.figure

    # default grid: ceil(sqrt(n)) columns; a given axes, no gap, the user's imshow keywords
    fig, ax = plt.subplots()
    display = StatesImageDisplay(states[:4] * 0.5, (2, 3)).plot(
        ax=ax, gap=0, gap_color="red", cmap="viridis", vmax=0.5)
    assert display.ax_ is ax and display.figure_ is fig and len(ax.images) == 1
    assert display.image_.get_array().shape == (4, 6)
    assert display.image_.get_cmap().name.startswith("viridis")
    assert display.image_.get_clim() == (0.0, 0.5) and ax.get_title() == ""
    assert matplotlib.colors.same_color(display.image_.get_cmap().get_bad(), "red")
    # more columns than images: one row; a norm replaces the default limits
    norm = matplotlib.colors.Normalize(0.2, 0.8)
    display = StatesImageDisplay(states[:2], (3, 2)).plot(n_cols=10, norm=norm)
    assert display.image_.get_array().shape == (3, 5) and display.image_.norm is norm


def test_states_image_display_from_states_spaces_images():
    states = np.zeros((100, 4))
    states[np.arange(100), np.arange(100) % 4] = 1.0               # state k: pixel k % 4 on

    def shown(d):                                   # the tiles of a 3-column mosaic, flat
        mosaic = d.image_.get_array()
        return np.array([mosaic[3 * (k // 3):3 * (k // 3) + 2, 3 * (k % 3):3 * (k % 3) + 2]
                         .ravel() for k in range(len(d.states))])

    display = StatesImageDisplay.from_states(states, (2, 2), n_images=9, every=5, name="s")
    np.testing.assert_array_equal(display.states, states[0:45:5])
    np.testing.assert_array_equal(shown(display), states[0:45:5])
    assert display.ax_.get_title() == "s"
    display = StatesImageDisplay.from_states(states, (2, 2), n_images=4)     # spread evenly
    np.testing.assert_array_equal(display.states, states[[0, 33, 66, 99]])
    display = StatesImageDisplay.from_states(states[:3], (2, 2))              # fewer than 16
    assert len(display.states) == 3
    display = StatesImageDisplay.from_states(states, (2, 2), n_images=30, every=40)
    np.testing.assert_array_equal(display.states, states[[0, 40, 80]])


@pytest.mark.parametrize("states, shape, kwargs, match", [
    (np.zeros(4), (2, 2), {}, "states"),
    (np.zeros((2, 2, 2)), (2, 2), {}, "states"),
    (np.zeros((0, 4)), (2, 2), {}, "states"),
    (np.full((2, 4), 1.5), (2, 2), {}, "states"),
    (np.full((2, 4), -0.1), (2, 2), {}, "states"),
    ([[0.0, np.nan, 0.0, 1.0]], (2, 2), {}, "states"),
    (np.zeros((2, 4)), (2, 3), {}, "image_shape"),
    (np.zeros((2, 4)), (4,), {}, "image_shape"),
    (np.zeros((2, 4)), 4, {}, "image_shape"),
    (np.zeros((2, 4)), (2.0, 2.0), {}, "image_shape"),
    (np.zeros((2, 4)), (2, 2), {"n_images": 0}, "n_images"),
    (np.zeros((2, 4)), (2, 2), {"n_images": 2.5}, "n_images"),
    (np.zeros((2, 4)), (2, 2), {"every": 0}, "every"),
    (np.zeros((2, 4)), (2, 2), {"n_cols": 0}, "n_cols"),
    (np.zeros((2, 4)), (2, 2), {"gap": -1}, "gap"),
])
def test_states_image_display_rejects_bad_input(states, shape, kwargs, match):
    with pytest.raises(ValueError, match=match):
        StatesImageDisplay.from_states(states, shape, **kwargs)
    assert not plt.get_fignums()                                     # before any figure
    if not {"n_images", "every"} & set(kwargs):
        with pytest.raises(ValueError, match=match):
            StatesImageDisplay(states, shape).plot(**kwargs)
        assert not plt.get_fignums()


def test_states_image_display_from_estimator(cal, tmp_path):
    machine = _rbm_machine(cal)
    assert machine.n_features_in_ == 4 and machine.n_units_ == 6
    for bad, match in (((3, 2), "image_shape"), ((2, 2, 1), "image_shape"), ((6, 1), "pixels")):
        with pytest.raises(ValueError, match=match):
            StatesImageDisplay.from_estimator(machine, bad)
    for kwargs in ({"n_images": 0}, {"every": -2}):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            StatesImageDisplay.from_estimator(machine, (2, 2), **kwargs)
    assert not hasattr(machine, "sampled_run_") and not plt.get_fignums()    # nothing ran

    fig, ax = plt.subplots()
    display = StatesImageDisplay.from_estimator(machine, (2, 2), n_images=6, every=10,
                                                duration=500.0, random_state=7, ax=ax,
                                                name="spiking")
    states = machine.sampled_run_.states()                           # the run just drawn from
    assert states.shape == (50, 6)
    np.testing.assert_array_equal(display.states, states[0:60:10, :4])
    assert display.ax_ is ax and display.figure_ is fig and ax.get_title() == "spiking"
    assert display.image_.get_array().shape == (2 * 2 + 1, 3 * 2 + 2)
    path = tmp_path / "states.png"
    display.figure_.savefig(path)
    assert path.read_bytes()[:8] == PNG_MAGIC

    display = StatesImageDisplay.from_estimator(machine, (2, 2), n_images=4)   # duration 1000
    states = machine.sampled_run_.states()
    assert states.shape == (100, 6)
    np.testing.assert_array_equal(display.states, states[[0, 33, 66, 99], :4])


def test_states_image_display_unfitted_machine_and_missing_matplotlib(monkeypatch):
    with pytest.raises(NotFittedError):
        StatesImageDisplay.from_estimator(SpikingBoltzmannMachine(W_RBM, B_RBM, n_hidden=2),
                                          (2, 2))
    with pytest.raises(TypeError, match="SpikingBoltzmannMachine"):
        StatesImageDisplay.from_estimator(object(), (2, 2))

    class NoSimulation:
        def __getattr__(self, name):
            raise AssertionError("used the machine before checking for matplotlib")

    monkeypatch.setitem(sys.modules, "matplotlib", None)
    message = r'pip install "sklearn-sbs\[plot\]"'
    with pytest.raises(ImportError, match=message):
        StatesImageDisplay.from_estimator(NoSimulation(), (2, 2))
    with pytest.raises(ImportError, match=message):
        StatesImageDisplay(np.zeros((1, 4)), (2, 2)).plot()


def test_states_image_display_docstring_examples():
    failures, attempted = doctest.testmod(_images, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0
    assert failures == 0
