"""Free-membrane theory and unit translation, against numerics and against NEST."""

import doctest
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy.integrate import quad

import sklearn_sbs.theory as theory
from sklearn_sbs.neurons import NEURON_MODELS, check_neuron_params, get_model
from sklearn_sbs.sources import PoissonNoise
from sklearn_sbs.theory import (
    bias_to_v_rest,
    free_membrane_autocovariance,
    free_membrane_stats,
    predicted_activation,
    psp_mean_per_weight,
    v_rest_to_bias,
    weights_to_bio,
    weights_to_theo,
)

COND = ["IF_cond_exp", "IF_cond_alpha"]
CURR = ["IF_curr_exp", "IF_curr_alpha"]


# ---------------------------------------------------------------------------
# independent numerics: the PSP as a fine-grid convolution (trapezoid rule, FFT)

def kernel_samples(kernel, tau_syn, t):
    if kernel == "exp":
        return np.exp(-t / tau_syn)
    return t / tau_syn * np.exp(1.0 - t / tau_syn)


def numeric_psp(kernel, tau_syn, tau_eff, dt=1e-3):
    """Grid t and psi(t) = int_0^t kernel(s) exp(-(t - s) / tau_eff) ds."""
    t = np.arange(0.0, 40.0 * max(tau_syn, tau_eff), dt)
    g, m = kernel_samples(kernel, tau_syn, t), np.exp(-t / tau_eff)
    size = 1 << int(np.ceil(np.log2(2 * t.size)))
    conv = np.fft.irfft(np.fft.rfft(g, size) * np.fft.rfft(m, size), size)[: t.size]
    return t, dt * (conv - 0.5 * (g[0] * m + g * m[0]))


def trapezoid(y, dt):
    return dt * (y.sum() - 0.5 * (y[0] + y[-1]))


def numeric_window_mean(t, psi, tau_on):
    k = int(round(tau_on / (t[1] - t[0])))
    return trapezoid(psi[: k + 1], t[1] - t[0]) / tau_on


TIME_CONSTANTS = [(10.0, 0.2 / 0.26), (0.5, 5.0), (2.0, 2.0), (2.0, 2.0 * (1 + 1e-7)),
                  (2.0, 2.002), (3.0, 1.5), (0.2, 8.0)]


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
@pytest.mark.parametrize("tau_syn, tau_eff", TIME_CONSTANTS)
def test_psp_closed_forms_match_numeric_convolution(kernel, tau_syn, tau_eff):
    t, psi = numeric_psp(kernel, tau_syn, tau_eff)
    dt = t[1] - t[0]
    np.testing.assert_allclose(theory._psp_shape(kernel, tau_syn, tau_eff, t), psi,
                               rtol=1e-5, atol=1e-6 * psi.max())
    assert theory._psp_square_integral(kernel, tau_syn, tau_eff) == pytest.approx(
        trapezoid(psi**2, dt), rel=1e-5)
    for tau_on in (0.5, 1.0, 10.0, 37.3):
        assert theory._psp_window_mean(kernel, tau_syn, tau_eff, tau_on) == pytest.approx(
            numeric_window_mean(t, psi, tau_on), rel=1e-5)
    # a short window sees the PSP's onset: psi ~ t (exp) or e t^2 / (2 tau_syn) (alpha)
    short = 1e-4 * min(tau_syn, tau_eff)
    onset = short / 2 if kernel == "exp" else np.e * short**2 / (6 * tau_syn)
    assert theory._psp_window_mean(kernel, tau_syn, tau_eff, short) == pytest.approx(onset, rel=1e-3)


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
def test_psp_shape_is_continuous_where_time_constants_meet(kernel):
    t = np.linspace(0.0, 30.0, 301)
    exact = theory._psp_shape(kernel, 2.0, 2.0, t)
    for eps in (1e-12, 1e-9, 1e-6, -1e-9, -1e-6):
        np.testing.assert_allclose(theory._psp_shape(kernel, 2.0, 2.0 * (1 + eps), t), exact,
                                   rtol=50 * abs(eps) + 1e-12, atol=1e-14)


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
@pytest.mark.parametrize("tau_syn, tau_eff", [(0.01, 100.0), (100.0, 0.01)])
def test_psp_shape_survives_extreme_time_constants(kernel, tau_syn, tau_eff):
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        psi = theory._psp_shape(kernel, tau_syn, tau_eff, np.array([0.0, 1e-3, 1.0, 50.0, 1e4]))
        window = theory._psp_window_mean(kernel, tau_syn, tau_eff, 10.0)
    assert np.all(np.isfinite(psi)) and np.all(psi >= 0) and psi[0] == 0
    assert np.isfinite(window) and window > 0


# ---------------------------------------------------------------------------
# the membrane statistics of whole neurons, recomputed independently

VARIED = {"cm": 0.5, "tau_m": 8.0, "tau_syn_E": 2.0, "tau_syn_I": 6.0, "i_offset": 0.1,
          "v_rest": -60.0}
VARIED_NOISE = PoissonNoise(rate_exc=[2000.0, 500.0], weight_exc=[0.002, 0.004],
                            rate_inh=1500.0, weight_inh=0.003)
SCENARIOS = [(None, PoissonNoise()), (VARIED, VARIED_NOISE)]


def numeric_stats(model_name, params, noise, tau_on):
    """mean, std and windowed PSP per weight from numeric integrals only."""
    model, p = get_model(model_name), check_neuron_params(model_name, params)
    g_leak = p["cm"] / p["tau_m"]
    tau = {"excitatory": p["tau_syn_E"], "inhibitory": p["tau_syn_I"]}
    sign = {"excitatory": 1.0, "inhibitory": -1.0}
    syn = {"excitatory": 0.0, "inhibitory": 0.0}
    for i in noise.inputs():
        t = np.arange(0.0, 60.0 * tau[i.receptor], 1e-3)
        syn[i.receptor] += i.weight * i.rate * 1e-3 * trapezoid(kernel_samples(model.kernel, tau[i.receptor], t), 1e-3)
    if model.conductance_based:
        g_tot = g_leak + sum(syn.values())
        rev = {"excitatory": p["e_rev_E"], "inhibitory": p["e_rev_I"]}
        mean = (g_leak * p["v_rest"] + sum(syn[r] * rev[r] for r in syn) + p["i_offset"]) / g_tot
        drive = {r: (rev[r] - mean) / p["cm"] for r in syn}
    else:
        g_tot = g_leak
        mean = p["v_rest"] + (p["i_offset"] + syn["excitatory"] - syn["inhibitory"]) / g_leak
        drive = {r: sign[r] / p["cm"] for r in syn}
    tau_eff = p["cm"] / g_tot
    var, window = 0.0, {}
    for r in syn:
        t, psi = numeric_psp(model.kernel, tau[r], tau_eff)
        window[r] = drive[r] * numeric_window_mean(t, psi, tau_on)
        var += sum(i.rate * 1e-3 * (i.weight * drive[r]) ** 2 for i in noise.inputs()
                   if i.receptor == r) * trapezoid(psi**2, t[1] - t[0])
    return mean, np.sqrt(var), g_tot, tau_eff, syn, window


@pytest.mark.parametrize("params, noise", SCENARIOS)
@pytest.mark.parametrize("model", NEURON_MODELS)
def test_stats_match_numeric_campbell(model, params, noise):
    mean, std, g_tot, tau_eff, syn, window = numeric_stats(model, params, noise, tau_on=7.5)
    stats = free_membrane_stats(model, params, noise)
    assert stats.mean == pytest.approx(mean, rel=1e-6)
    assert stats.std == pytest.approx(std, rel=1e-5)
    assert stats.g_tot == pytest.approx(g_tot, rel=1e-7)
    assert stats.tau_eff == pytest.approx(tau_eff, rel=1e-7)
    assert stats.syn_exc == pytest.approx(syn["excitatory"], rel=1e-6)
    assert stats.syn_inh == pytest.approx(syn["inhibitory"], rel=1e-6)
    for receptor, value in window.items():
        assert psp_mean_per_weight(model, params, noise, receptor, tau_on=7.5) == pytest.approx(value, rel=1e-5)


def test_tutorial_neuron_by_hand():
    stats = free_membrane_stats("IF_cond_exp", None, PoissonNoise())
    # g_l = 0.2 µS; each input 0.001 µS * 3 /ms * 10 ms = 0.03 µS
    assert stats.syn_exc == pytest.approx(0.03) and stats.syn_inh == pytest.approx(0.03)
    assert stats.g_tot == pytest.approx(0.26)
    assert stats.tau_eff == pytest.approx(0.2 / 0.26)
    assert stats.mean == pytest.approx((0.2 * -50 + 0.03 * 0 + 0.03 * -100) / 0.26)
    assert stats.mean == pytest.approx(-50.0)
    alpha_stats = free_membrane_stats("IF_cond_alpha", None, PoissonNoise())
    assert alpha_stats.syn_exc == pytest.approx(0.03 * np.e)


def test_current_based_by_hand():
    noise = PoissonNoise(rate_exc=3000.0, rate_inh=1000.0, weight_exc=0.01, weight_inh=0.02)
    stats = free_membrane_stats("IF_curr_exp", {"i_offset": 0.05}, noise, v_rest=-55.0)
    # 0.3 nA excitatory, 0.2 nA inhibitory, 0.05 nA offset over g_l = 0.2 µS
    assert stats.mean == pytest.approx(-55.0 + (0.05 + 0.3 - 0.2) / 0.2)
    assert stats.g_tot == pytest.approx(0.2) and stats.tau_eff == pytest.approx(1.0)
    # std of a current-based neuron does not depend on v_rest
    assert free_membrane_stats("IF_curr_exp", None, noise, v_rest=-70.0).std == pytest.approx(stats.std)


def test_v_rest_argument_and_arrays():
    noise = PoissonNoise()
    v = np.array([-55.0, -50.0, -45.0])
    stats = free_membrane_stats("IF_cond_exp", None, noise, v_rest=v)
    assert stats.mean.shape == stats.std.shape == (3,)
    for k, v_k in enumerate(v):
        single = free_membrane_stats("IF_cond_exp", {"v_rest": v_k}, noise)
        assert stats.mean[k] == pytest.approx(single.mean) and stats.std[k] == pytest.approx(single.std)
    # the mean follows v_rest with slope g_l / g_tot
    assert np.diff(stats.mean) == pytest.approx(5.0 * 0.2 / 0.26)
    # a higher mean shrinks the excitatory and grows the inhibitory driving force
    assert not np.allclose(stats.std, stats.std[0])


# ---------------------------------------------------------------------------
# predicted activation function and bias translation

def test_predicted_activation_tutorial_is_symmetric():
    v_p05, alpha = predicted_activation("IF_cond_exp", None, PoissonNoise())
    stats = free_membrane_stats("IF_cond_exp", None, PoissonNoise())
    assert v_p05 == pytest.approx(-50.0, abs=1e-12)
    assert alpha == pytest.approx(stats.std * np.sqrt(2 * np.pi) / 4 * 0.26 / 0.2)


@pytest.mark.parametrize("model", NEURON_MODELS)
def test_predicted_activation_puts_mean_at_threshold(model):
    params = {"v_thresh": -52.0, "v_reset": -53.0, "i_offset": 0.02, "v_rest": -70.0}
    noise = PoissonNoise(rate_exc=4000.0, rate_inh=2000.0)
    v_p05, alpha = predicted_activation(model, params, noise)
    stats = free_membrane_stats(model, params, noise, v_rest=v_p05)
    assert stats.mean == pytest.approx(-52.0, abs=1e-10)
    g_leak = 0.2 / 1.0
    expected = stats.std * np.sqrt(2 * np.pi) / 4 * stats.g_tot / g_leak
    assert alpha == pytest.approx(expected)
    # v_rest in params is ignored
    assert predicted_activation(model, dict(params, v_rest=0.0), noise) == pytest.approx((v_p05, alpha))


def test_predicted_activation_current_based_has_unit_slope():
    v_p05, alpha = predicted_activation("IF_curr_exp", {"i_offset": 0.1}, PoissonNoise())
    stats = free_membrane_stats("IF_curr_exp", None, PoissonNoise())
    assert v_p05 == pytest.approx(-50.0 - 0.1 / 0.2)
    assert alpha == pytest.approx(stats.std * np.sqrt(2 * np.pi) / 4)


finite = st.floats(-1e3, 1e3, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(bias=hnp.arrays(float, st.integers(0, 6), elements=finite),
       v_p05=st.floats(-80.0, -20.0), alpha=st.floats(0.01, 10.0))
def test_bias_round_trip(bias, v_p05, alpha):
    v_rest = bias_to_v_rest(bias, v_p05, alpha)
    assert np.shape(v_rest) == bias.shape
    np.testing.assert_allclose(v_rest, v_p05 + alpha * bias)
    np.testing.assert_allclose(v_rest_to_bias(v_rest, v_p05, alpha), bias, atol=1e-9 * (1 + 80 / alpha))


def test_bias_translation_is_vectorised_per_unit():
    v = bias_to_v_rest([1.0, -2.0], [-50.0, -51.0], [0.5, 1.0])
    np.testing.assert_allclose(v, [-49.5, -53.0])
    assert isinstance(bias_to_v_rest(0.5, -50.0, 2.0), float)
    assert bias_to_v_rest(0.5, -50.0, 2.0) == -49.0
    np.testing.assert_allclose(v_rest_to_bias(v, [-50.0, -51.0], [0.5, 1.0]), [1.0, -2.0])


@pytest.mark.parametrize("func", [bias_to_v_rest, v_rest_to_bias])
def test_bias_translation_validates(func):
    positive = r"'alpha' parameter of \w+ must be a float in the range \(0.0, inf\)"
    with pytest.raises(ValueError, match=positive):
        func(1.0, -50.0, 0.0)
    with pytest.raises(ValueError, match=positive):
        func([1.0, 2.0], -50.0, [0.5, -0.5])
    with pytest.raises(ValueError, match=r"'v_p05' parameter of \w+ must be a float in the range "
                                         r"\(-inf, inf\)"):
        func(1.0, np.nan, 1.0)
    with pytest.raises(ValueError, match=r"'v_p05' parameter"):
        func(1.0, [-50.0, np.inf], 1.0)
    with pytest.raises(ValueError, match=r"'(bias|v_rest)' parameter of \w+ must be a float"):
        func("a", -50.0, 1.0)


# ---------------------------------------------------------------------------
# weight translation

def unit_factor(model, params, noise, receptor, v_rest, alpha):
    """Theoretical weight per biological weight for one receiving unit."""
    stats = free_membrane_stats(model, params, noise, v_rest=v_rest)
    p = check_neuron_params(model, params)
    alpha_mu = alpha * p["cm"] / p["tau_m"] / stats.g_tot
    return psp_mean_per_weight(model, params, noise, receptor, v_rest=v_rest) / alpha_mu


def test_psp_mean_signs_and_units():
    for model in NEURON_MODELS:
        assert psp_mean_per_weight(model, None, None, "excitatory") > 0
        assert psp_mean_per_weight(model, None, None, "inhibitory") < 0
    # current-based: exc and inh are mirror images when tau_syn_E == tau_syn_I
    assert psp_mean_per_weight("IF_curr_exp", None, None, "excitatory") == pytest.approx(
        -psp_mean_per_weight("IF_curr_exp", None, None, "inhibitory"))
    # tau_on defaults to the on-time
    params = {"tau_refrac_virtual": 4.0}
    assert psp_mean_per_weight("IF_cond_exp", params, None, "excitatory") == pytest.approx(
        psp_mean_per_weight("IF_cond_exp", None, None, "excitatory", tau_on=4.0))


def test_psp_mean_conductance_based_follows_driving_force():
    v = np.array([-60.0, -50.0, -40.0])
    exc = psp_mean_per_weight("IF_cond_exp", None, None, "excitatory", v_rest=v)
    inh = psp_mean_per_weight("IF_cond_exp", None, None, "inhibitory", v_rest=v)
    mu = free_membrane_stats("IF_cond_exp", None, None, v_rest=v).mean
    np.testing.assert_allclose(exc / (0.0 - mu), exc[0] / (0.0 - mu[0]))
    np.testing.assert_allclose(inh / (-100.0 - mu), inh[0] / (-100.0 - mu[0]))
    assert np.all(np.diff(exc) < 0) and np.all(np.diff(inh) < 0)


@pytest.mark.parametrize("kwargs, match", [
    ({"receptor": "exc"}, r"'receptor' parameter of psp_mean_per_weight must be a str among"),
    ({"tau_on": 0.0}, r"'tau_on' parameter of psp_mean_per_weight must be a float in the range "
                      r"\(0.0, inf\)"),
    ({"tau_on": [1.0, 2.0]}, r"'tau_on' parameter of psp_mean_per_weight must be a float"),
    ({"v_rest": np.nan}, r"'v_rest' parameter of psp_mean_per_weight must be a float in the range "
                         r"\(-inf, inf\)"),
])
def test_psp_mean_validates(kwargs, match):
    args = dict(receptor="excitatory", v_rest=None, tau_on=None) | kwargs
    with pytest.raises(ValueError, match=match):
        psp_mean_per_weight("IF_cond_exp", None, None, **args)


def test_noise_is_validated():
    with pytest.raises(TypeError, match="'noise' parameter of free_membrane_stats must be an object "
                                        "implementing 'inputs'"):
        free_membrane_stats("IF_cond_exp", None, {"rate_exc": 3000.0})
    with pytest.raises(ValueError, match="rate_exc"):
        free_membrane_stats("IF_cond_exp", None, PoissonNoise(rate_exc=-1.0))
    with pytest.raises(ValueError, match="neuron_model"):
        free_membrane_stats("IF_cond", None, None)


@pytest.mark.parametrize("model", NEURON_MODELS)
def test_weights_follow_the_receiving_unit(model):
    W = np.array([[0.0, 1.5, -0.7], [1.5, 0.0, 0.0], [-0.7, 0.0, 0.0]])
    v_rest, alpha = np.array([-51.0, -50.0, -48.5]), np.array([0.8, 0.7, 0.9])
    bio = weights_to_bio(W, v_rest, alpha, model, None, None)
    assert np.array_equal(np.sign(bio), np.sign(W))
    for i, j in zip(*np.nonzero(W)):
        receptor = "excitatory" if W[i, j] > 0 else "inhibitory"
        factor = unit_factor(model, None, None, receptor, v_rest[j], alpha[j])
        assert bio[i, j] == pytest.approx(W[i, j] / abs(factor))
        assert np.sign(factor) == np.sign(W[i, j])


def test_current_based_weights_do_not_depend_on_v_rest():
    W = np.array([[0.0, 1.0], [-2.0, 0.0]])
    low = weights_to_bio(W, [-70.0, -60.0], 0.8, "IF_curr_alpha", None, None)
    high = weights_to_bio(W, [-40.0, -30.0], 0.8, "IF_curr_alpha", None, None)
    np.testing.assert_allclose(low, high, rtol=1e-14)


def test_conductance_based_weights_depend_on_the_receivers_v_rest():
    W = np.array([[0.0, 1.0, -1.0], [1.0, 0.0, -1.0], [-1.0, -1.0, 0.0]])
    base = weights_to_bio(W, -50.0, 0.8, "IF_cond_exp", None, None)
    moved = weights_to_bio(W, [-45.0, -50.0, -50.0], 0.8, "IF_cond_exp", None, None)
    # only the column of the unit whose v_rest changed
    np.testing.assert_array_equal(moved[:, 1:], base[:, 1:])
    # a higher potential leaves less excitatory driving force: a larger weight is needed
    assert moved[1, 0] > base[1, 0] > 0
    assert moved[2, 0] > base[2, 0]   # more inhibitory driving force: a smaller magnitude


def test_alpha_scales_weights_per_unit():
    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    one = weights_to_bio(W, -50.0, 0.5, "IF_cond_exp", None, None)
    two = weights_to_bio(W, -50.0, [0.5, 1.0], "IF_cond_exp", None, None)
    np.testing.assert_allclose(two[:, 0], one[:, 0])
    np.testing.assert_allclose(two[:, 1], 2 * one[:, 1])


def test_per_unit_params_and_noise():
    W = np.array([[0.0, 1.0], [-1.0, 0.0]])
    params = [None, {"cm": 0.3, "tau_syn_I": 5.0}]
    noises = [PoissonNoise(), PoissonNoise(rate_exc=2000.0)]
    bio = weights_to_bio(W, [-50.0, -49.0], [0.8, 0.6], "IF_cond_alpha", params, noises)
    for j in range(2):
        alone = weights_to_bio(W, [-50.0, -49.0][j], [0.8, 0.6][j], "IF_cond_alpha", params[j], noises[j])
        np.testing.assert_allclose(bio[:, j], alone[:, j])
    np.testing.assert_allclose(weights_to_theo(bio, [-50.0, -49.0], [0.8, 0.6], "IF_cond_alpha",
                                               params, noises), W)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5), model=st.sampled_from(NEURON_MODELS), data=st.data())
def test_weight_round_trip(n, model, data):
    W = data.draw(hnp.arrays(float, (n, n), elements=st.floats(-20.0, 20.0)))
    W[np.abs(W) < 1e-300] = 0.0  # no subnormals, whose reciprocal overflows
    v_rest = data.draw(hnp.arrays(float, n, elements=st.floats(-65.0, -35.0)))
    alpha = data.draw(hnp.arrays(float, n, elements=st.floats(0.05, 5.0)))
    bio = weights_to_bio(W, v_rest, alpha, model, None, None)
    assert np.array_equal(bio == 0, W == 0) and np.array_equal(np.sign(bio), np.sign(W))
    np.testing.assert_allclose(weights_to_theo(bio, v_rest, alpha, model, None, None), W,
                               rtol=1e-13, atol=0)


@pytest.mark.parametrize("func", [weights_to_bio, weights_to_theo])
def test_weight_translation_validates(func):
    W = np.array([[0.0, 1.0], [-1.0, 0.0]])
    with pytest.raises(ValueError, match="must be square"):
        func(np.zeros((2, 3)), -50.0, 0.8, "IF_cond_exp", None, None)
    with pytest.raises(ValueError, match="2-dimensional"):
        func(np.zeros(3), -50.0, 0.8, "IF_cond_exp", None, None)
    with pytest.raises(ValueError, match="finite"):
        func(np.full((2, 2), np.nan), -50.0, 0.8, "IF_cond_exp", None, None)
    with pytest.raises(ValueError, match=r"v_rest must be a number or have shape \(n_units,\)"):
        func(W, [-50.0, -50.0, -50.0], 0.8, "IF_cond_exp", None, None)
    with pytest.raises(ValueError, match=r"'alpha' parameter of \w+ must be a float in the range "
                                         r"\(0.0, inf\)"):
        func(W, -50.0, [0.8, 0.0], "IF_cond_exp", None, None)
    with pytest.raises(TypeError, match=r"'noise\[1\]' parameter of \w+ must be an object "
                                        "implementing 'inputs'"):
        func(W, -50.0, 0.8, "IF_cond_exp", None, [None, {"rate_exc": 1.0}])
    with pytest.raises(ValueError, match="neuron_params must be one value or a sequence of n_units = 2"):
        func(W, -50.0, 0.8, "IF_cond_exp", [None, None, None], None)
    with pytest.raises(ValueError, match="noise must be one value"):
        func(W, -50.0, 0.8, "IF_cond_exp", None, [PoissonNoise()])
    with pytest.raises(ValueError, match="is not a parameter of IF_curr_exp"):
        func(W, -50.0, 0.8, "IF_curr_exp", {"e_rev_E": 0.0}, None)


def test_weight_translation_refuses_a_wrong_driving_force():
    # v_rest so high that the mean lies above e_rev_E: no excitatory PSP possible
    W = np.array([[0.0, 1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match=r"v_rest\[1\] = 50.0 mV .*excitatory"):
        weights_to_bio(W, [-50.0, 50.0], 0.8, "IF_cond_exp", None, None)
    # inhibitory weights only are fine there
    assert np.all(weights_to_bio(-W, [-50.0, 50.0], 0.8, "IF_cond_exp", None, None) <= 0)


def test_zero_weights_stay_zero():
    Z = np.zeros((3, 3))
    assert np.array_equal(weights_to_bio(Z, -50.0, 0.8, "IF_cond_exp", None, None), Z)
    assert np.array_equal(weights_to_theo(Z, -50.0, 0.8, "IF_curr_exp", None, None), Z)


# ---------------------------------------------------------------------------
# autocovariance of the free membrane

@pytest.mark.parametrize("model", NEURON_MODELS)
@pytest.mark.parametrize("params", [None, {"tau_syn_E": 3.0, "tau_syn_I": 7.0}])
def test_autocovariance_at_zero_lag_is_the_variance(model, params):
    noise = PoissonNoise(rate_exc=[2000.0, 500.0], weight_exc=[0.001, 0.003])
    stats = free_membrane_stats(model, params, noise, v_rest=-52.0)
    lags = np.array([0.0, 1.0, 10.0, 50.0])
    cov = free_membrane_autocovariance(lags, model, params, noise, v_rest=-52.0)
    assert cov.shape == lags.shape
    assert cov[0] == pytest.approx(stats.std**2, rel=1e-14)
    # even in the lag, decaying, positive
    np.testing.assert_array_equal(free_membrane_autocovariance(-lags, model, params, noise,
                                                               v_rest=-52.0), cov)
    assert np.all(np.diff(cov) < 0) and cov[-1] > 0


@pytest.mark.parametrize("model", NEURON_MODELS)
def test_autocovariance_defaults_and_scalar_lag(model):
    stats = free_membrane_stats(model, None, None)
    cov = free_membrane_autocovariance(0.0, model, None, None)
    assert isinstance(cov, float) and cov == pytest.approx(stats.std**2, rel=1e-14)
    with pytest.raises(ValueError, match="v_rest"):
        free_membrane_autocovariance([0.0, 1.0], model, None, None, v_rest=[-50.0, -51.0])
    with pytest.raises(ValueError, match="lags"):
        free_membrane_autocovariance([0.0, np.nan], model, None, None)


def test_autocovariance_decays_with_the_slow_synapse():
    # the sampler's regime, tau_syn = 10 ms >> tau_eff = 0.77 ms: exact two-exponential form
    lags = np.linspace(0.0, 40.0, 9)
    cov = free_membrane_autocovariance(lags, "IF_cond_exp", None, None)
    tau_syn, tau_eff = 10.0, free_membrane_stats("IF_cond_exp", None, None).tau_eff
    expected = (tau_syn * np.exp(-lags / tau_syn) - tau_eff * np.exp(-lags / tau_eff)) / (
        tau_syn - tau_eff)
    np.testing.assert_allclose(cov / cov[0], expected, rtol=1e-12)


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
@pytest.mark.parametrize("tau_syn, tau_eff", [(10.0, 0.77), (0.5, 5.0), (2.0, 2.0)])
def test_psp_autocovariance_against_quadrature(kernel, tau_syn, tau_eff):
    def syn(u):
        return np.exp(-u / tau_syn) if kernel == "exp" else u / tau_syn * np.exp(1 - u / tau_syn)

    def psi(t):
        return quad(lambda u: syn(u) * np.exp(-(t - u) / tau_eff), 0.0, t, limit=200)[0]

    end = 40.0 * max(tau_syn, tau_eff)
    for lag in (0.0, 1.0, 5.0, 20.0):
        expected = quad(lambda t: psi(t) * psi(t + lag), 0.0, end, limit=200)[0]
        got = theory._psp_autocovariance(kernel, tau_syn, tau_eff, lag)
        assert got == pytest.approx(expected, rel=1e-6)
    # lag 0 is the square integral that the variance uses, to the last bit
    assert theory._psp_autocovariance(kernel, tau_syn, tau_eff, 0.0) == \
        theory._psp_square_integral(kernel, tau_syn, tau_eff)


@pytest.mark.parametrize("kernel", ["exp", "alpha"])
def test_psp_autocovariance_is_continuous_where_time_constants_meet(kernel):
    lags = np.array([0.0, 0.5, 3.0])
    at = theory._psp_autocovariance(kernel, 1.0, 1.0, lags)
    for tau_eff in (1 - 1e-3, 1 - 1e-5, 1 - 1e-8, 1 + 1e-8, 1 + 1e-5, 1 + 1e-3):
        near = theory._psp_autocovariance(kernel, 1.0, tau_eff, lags)
        np.testing.assert_allclose(near, at, rtol=5 * abs(1 - tau_eff) + 1e-9)


# ---------------------------------------------------------------------------
# the calibrator's theory is this module's, with the same default noise

@pytest.mark.parametrize("model", NEURON_MODELS)
def test_predicted_activation_defaults_match_the_calibrator(model):
    from sklearn_sbs import LIFSamplerCalibrator

    # theory_* are computed before the simulation, from the resolved noise
    cal = LIFSamplerCalibrator(model, duration=500.0, n_points=8, random_state=0).fit()
    assert (cal.theory_v_p05_, cal.theory_alpha_) == predicted_activation(model, None, None)
    assert (cal.theory_v_p05_, cal.theory_alpha_) == predicted_activation(model, None, cal.noise_)


def test_docstring_examples():
    failures, attempted = doctest.testmod(theory, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failures == 0


def test_theory_never_loads_the_simulator():
    code = (
        "import sys\n"
        "from sklearn_sbs import theory, neurons\n"
        "theory.predicted_activation('IF_cond_alpha', None, None)\n"
        "theory.weights_to_bio([[0, 1], [1, 0]], -50.0, 0.8, 'IF_cond_exp', None, None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pyNN', 'nest')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


# ---------------------------------------------------------------------------
# physics: NEST through PyNN, free membranes (threshold out of reach)

def simulate_free_membrane(model, params, noise, n_neurons=10, duration=10000.0, burn_in=100.0,
                           dt=0.1, seed=12345):
    """Membrane potential samples (after burn-in) of n independent neurons."""
    # bare PyNN (independent of the package's simulation layer), imported without
    # PyNN's attempt to build its NEST extensions
    from sklearn_sbs._simulation._backend import _simulator

    sim, _ = _simulator()

    sim.setup(timestep=dt, min_delay=dt, rng_seed=seed)
    try:
        cell_params = check_neuron_params(model, params)
        del cell_params["tau_refrac_virtual"]
        cells = sim.Population(n_neurons, getattr(sim, model)(**cell_params),
                               initial_values={"v": cell_params["v_rest"]})
        for source in noise.inputs():
            # one source cell per neuron: a shared cell would give all the same train
            trains = sim.Population(n_neurons, sim.SpikeSourcePoisson(rate=source.rate))
            inhibitory_current = source.receptor == "inhibitory" and model in CURR
            weight = -source.weight if inhibitory_current else source.weight
            sim.Projection(trains, cells, sim.OneToOneConnector(),
                           sim.StaticSynapse(weight=weight, delay=dt), receptor_type=source.receptor)
        cells.record("v", sampling_interval=dt)
        sim.run(burn_in + duration)
        signal = cells.get_data().segments[0].analogsignals[0]
        return np.asarray(signal)[np.asarray(signal.times) > burn_in]
    finally:
        sim.end()


FAR = {"v_thresh": 1000.0}
PHYSICS = [
    ("IF_cond_exp", FAR, PoissonNoise()),
    # current noise of ~1 mV std, unbalanced so the mean moves by +2 mV
    ("IF_curr_exp", FAR, PoissonNoise(rate_inh=2000.0, weight_exc=0.04, weight_inh=0.04)),
    ("IF_cond_alpha", FAR, PoissonNoise()),
    ("IF_curr_alpha", dict(FAR, i_offset=-0.1), PoissonNoise(weight_exc=0.015, weight_inh=0.01)),
]


@pytest.mark.parametrize("model, params, noise", PHYSICS, ids=[p[0] for p in PHYSICS])
def test_free_membrane_matches_nest(model, params, noise):
    v = simulate_free_membrane(model, params, noise)
    stats = free_membrane_stats(model, params, noise)
    assert v.shape == (100000, 10)
    assert v.mean() == pytest.approx(stats.mean, abs=0.3)
    assert v.std() == pytest.approx(stats.std, rel=0.1)
