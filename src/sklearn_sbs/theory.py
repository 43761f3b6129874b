"""Free-membrane theory of LIF samplers and translation between units.

A LIF neuron bombarded by Poisson noise has a membrane potential that, without
a threshold, fluctuates around a mean; in the high-conductance state (HCS) the
fluctuations are those of a linear filter of shot noise.  This module computes
those statistics, the activation function they predict, and the translation of
theoretical Boltzmann biases and weights into resting potentials and synaptic
weights.  Everything follows

    M. A. Petrovici, J. Bill, I. Bytschok, J. Schemmel, K. Meier, "Stochastic
    inference with spiking neurons in the high-conductance state",
    Phys. Rev. E 94, 042312 (2016)

(P16 below).  The formulas are standard; this is numpy only, no simulator.

Units are PyNN's: potentials in mV, times in ms, rates in Hz, capacitance in
nF, conductances in µS, currents in nA.  Synaptic weights are in µS for
conductance-based neurons and in nA for current-based ones.

Conventions
-----------
- ``alpha`` (the logistic width) is in units of the *resting potential*, as the
  calibrator measures it: p_on(v_rest) = 1 / (1 + exp(-(v_rest - v_p05) / alpha)).
  In units of the mean membrane potential it is ``alpha * g_leak / g_tot``.
- ``weights[i, j]`` is the weight from unit i to unit j; it is translated with
  the receiving unit j's parameters.  Positive theoretical weights use the
  excitatory receptor, negative ones the inhibitory receptor; biological weights
  are signed (negative = inhibitory, the magnitude is the synaptic weight).
"""

from dataclasses import dataclass
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params

from ._validation import ArrayOf, Number, as_float_array, validate_items
from .neurons import NEURON_MODELS, check_neuron_params, get_model, on_time
from .sources import default_noise

__all__ = [
    "FreeMembraneStats",
    "free_membrane_stats",
    "free_membrane_autocovariance",
    "predicted_activation",
    "bias_to_v_rest",
    "v_rest_to_bias",
    "psp_mean_per_weight",
    "weights_to_bio",
    "weights_to_theo",
]

# slope of a Gaussian CDF at its centre, 1 / (sigma sqrt(2 pi)), equals that of
# a logistic, 1 / (4 alpha), for alpha = sigma sqrt(2 pi) / 4 (P16)
_GAUSS_TO_LOGISTIC = np.sqrt(2.0 * np.pi) / 4.0
_RECEPTORS = ("excitatory", "inhibitory")
_SERIES_BELOW = 1e-2  # |x| below which (e^x - 1 - x) / x^2 is summed as a series

# parameter constraints (validate_params); numbers are finite: open bounds refuse inf
_NUMBER = Number(Real, None, None, closed="neither")
_VALUES = [_NUMBER, ArrayOf(Real, None, None, closed="neither", ndim=None, min_length=0)]
_POSITIVE = [Number(Real, 0, None, closed="neither"),
             ArrayOf(Real, 0, None, closed="neither", ndim=None, min_length=0)]
_PARAMS = [dict, None]
_NOISE = [HasMethods("inputs"), None]
_MEMBRANE = {"neuron_model": [StrOptions(set(NEURON_MODELS))], "neuron_params": _PARAMS,
             "noise": _NOISE}
_TRANSLATION = {           # weights_to_bio and weights_to_theo: parameters shared or per unit
    "v_rest": _VALUES, "alpha": _POSITIVE, "neuron_model": _MEMBRANE["neuron_model"],
    "neuron_params": _PARAMS + [list, tuple], "noise": _NOISE + [list, tuple],
}


# ---------------------------------------------------------------------------
# unit-weight PSP shapes.  The membrane filter of the HCS is exp(-t b), b =
# 1/tau_eff; the synaptic kernel exp(-t a) or PyNN's alpha (a t) e^(1 - a t),
# a = 1/tau_syn.  psi(t) is the PSP for a drive of 1 (mV/ms per unit weight).

def _kernel_integral(kernel, tau_syn, t=None):
    """Integral of the synaptic kernel over [0, t] (ms; t=None: over [0, inf))."""
    if t is None:
        return tau_syn if kernel == "exp" else np.e * tau_syn
    y = t / tau_syn
    if kernel == "exp":
        return -tau_syn * np.expm1(-y)
    return np.e * tau_syn * y**2 * _chi(y)  # 1 - e^-y (1 + y), without cancellation


def _phi2(x):
    """(e^x - 1 - x) / x^2, accurate at small |x| (x <= 0 here, so no overflow)."""
    x = np.asarray(x, dtype=float)
    small = np.abs(x) < _SERIES_BELOW
    safe = np.where(small, 1.0, x)
    direct = (np.expm1(safe) - safe) / safe**2
    series = 1 / 2 + x * (1 / 6 + x * (1 / 24 + x * (1 / 120 + x * (1 / 720 + x / 5040))))
    return np.where(small, series, direct)


def _chi(y):
    """(1 - e^-y (1 + y)) / y^2 = e^-y phi2(y) for y >= 0, overflow-free at large y."""
    y = np.asarray(y, dtype=float)
    small = y < _SERIES_BELOW
    safe = np.where(small, 1.0, y)
    direct = (-np.expm1(-safe) - safe * np.exp(-safe)) / safe**2
    return np.where(small, np.exp(-y) * _phi2(np.where(small, y, 0.0)), direct)


def _decay_ratio(y):
    """(1 - e^-y) / y for y >= 0, 1 at y = 0."""
    return np.where(y > 0, -np.expm1(-y) / np.where(y > 0, y, 1.0), 1.0)


def _alpha_tail(a, b, t):
    """e^-at phi2((a - b) t), overflow-free for either sign of a - b."""
    x = (a - b) * t
    return np.where(x > 0, np.exp(-b * t) * _chi(np.maximum(x, 0.0)),
                    np.exp(-a * t) * _phi2(np.minimum(x, 0.0)))


def _psp_shape(kernel, tau_syn, tau_eff, t):
    """psi(t) in ms: the PSP for unit drive, evaluated without cancellation."""
    a, b = 1.0 / tau_syn, 1.0 / tau_eff
    t = np.asarray(t, dtype=float)
    if kernel == "exp":
        # (e^-at - e^-bt) / (b - a), symmetric in a and b
        slow, gap = np.minimum(a, b), np.abs(a - b)
        return np.exp(-slow * t) * t * _decay_ratio(gap * t)
    # e a [e^-bt - e^-at (1 + d t)] / d^2, d = a - b
    return np.e * a * t**2 * _alpha_tail(a, b, t)


def _psp_square_integral(kernel, tau_syn, tau_eff):
    """Integral of psi(t)^2 over [0, inf), in ms^3 (closed forms, smooth at a == b)."""
    a, b = 1.0 / tau_syn, 1.0 / tau_eff
    if kernel == "exp":
        return 1.0 / (2.0 * a * b * (a + b))
    return np.e**2 * a**2 * (2.0 * a + b) / (4.0 * a**3 * b * (a + b) ** 2)


def _psp_autocorrelation(kernel, tau_syn, tau_eff, lags):
    """int psi(t) psi(t + lag) dt / int psi(t)^2 dt: exactly 1 at lag 0, even in lag.

    From the power spectrum |K(w)|^2 tau_eff^2 / (1 + w^2 tau_eff^2) by partial
    fractions, rearranged so that no terms cancel where the time constants meet.
    With u = lag / tau_syn:
    exp kernel, slow rate c = min(a, b):
        e^-c lag (1 + c lag (1 - e^-y) / y),          y = |a - b| lag;
    alpha kernel, q = tau_eff / tau_syn:
        e^-u (1 + u) + 2 q u^2 / (1 + 2 q) e^-u phi2((a - b) lag).
    """
    a, b = 1.0 / tau_syn, 1.0 / tau_eff
    t = np.abs(np.asarray(lags, dtype=float))
    if kernel == "exp":
        slow = np.minimum(a, b)
        return np.exp(-slow * t) * (1.0 + slow * t * _decay_ratio(np.abs(a - b) * t))
    u, q = a * t, a / b
    return np.exp(-u) * (1.0 + u) + 2.0 * q * u**2 / (1.0 + 2.0 * q) * _alpha_tail(a, b, t)


def _psp_autocovariance(kernel, tau_syn, tau_eff, lags):
    """Integral of psi(t) psi(t + lag) dt over t >= 0, in ms^3.

    The lag-0 value is :func:`_psp_square_integral` itself, so the
    autocovariance of the membrane equals its variance there to the last bit.
    """
    return (_psp_square_integral(kernel, tau_syn, tau_eff)
            * _psp_autocorrelation(kernel, tau_syn, tau_eff, lags))


def _psp_window_mean(kernel, tau_syn, tau_eff, tau_on):
    """Mean of psi over [0, tau_on], in ms.

    Integrating tau_eff psi' = -psi + tau_eff kernel gives
    int_0^T psi = tau_eff (int_0^T kernel - psi(T)).
    """
    integral = tau_eff * (_kernel_integral(kernel, tau_syn, tau_on)
                          - _psp_shape(kernel, tau_syn, tau_eff, tau_on))
    return integral / tau_on


# ---------------------------------------------------------------------------
# the membrane: model, parameters and noise together

@dataclass(frozen=True)
class _Membrane:
    conductance_based: bool
    kernel: str
    params: dict
    inputs: tuple       # PoissonInput

    @property
    def g_leak(self):
        return self.params["cm"] / self.params["tau_m"]

    def tau_syn(self, receptor):
        return self.params["tau_syn_E" if receptor == "excitatory" else "tau_syn_I"]

    def syn_mean(self, receptor):
        """Mean total conductance (µS) or current magnitude (nA) of a receptor."""
        area = _kernel_integral(self.kernel, self.tau_syn(receptor))
        return sum(i.weight * i.rate * 1e-3 * area for i in self.inputs if i.receptor == receptor)

    @property
    def g_tot(self):
        if not self.conductance_based:
            return self.g_leak
        return self.g_leak + self.syn_mean("excitatory") + self.syn_mean("inhibitory")

    @property
    def tau_eff(self):
        return self.params["cm"] / self.g_tot

    def mu(self, v_rest):
        """Mean free membrane potential (mV) for resting potential(s) v_rest."""
        exc, inh = self.syn_mean("excitatory"), self.syn_mean("inhibitory")
        p = self.params
        if self.conductance_based:
            current = exc * p["e_rev_E"] + inh * p["e_rev_I"] + p["i_offset"]
            return (self.g_leak * v_rest + current) / self.g_tot
        return v_rest + (p["i_offset"] + exc - inh) / self.g_leak

    def v_rest_for_mu(self, mu):
        """Inverse of :meth:`mu` (it is affine in v_rest)."""
        offset = self.mu(0.0)
        return (mu - offset) * self.g_tot / self.g_leak

    def drive(self, receptor, mu):
        """PSP drive per unit weight, mV/ms per µS (or per nA), signed.

        HCS: the driving force is frozen at E - mu (P16); a current has the
        sign of its receptor.
        """
        if self.conductance_based:
            reversal = self.params["e_rev_E" if receptor == "excitatory" else "e_rev_I"]
            return (reversal - mu) / self.params["cm"]
        return (1.0 if receptor == "excitatory" else -1.0) / self.params["cm"]

    def psp_mean(self, receptor, mu, tau_on):
        """Mean PSP over [0, tau_on] per unit weight (mV per µS or nA), signed."""
        shape = _psp_window_mean(self.kernel, self.tau_syn(receptor), self.tau_eff, tau_on)
        return self.drive(receptor, mu) * shape

    def autocovariance(self, mu, lags):
        """Campbell's theorem, mV^2 (mu and lags broadcast):
        C(lag) = sum_k nu_k w_k^2 drive_k^2 int psi_k(t) psi_k(t + lag) dt."""
        cov = np.zeros(np.broadcast_shapes(np.shape(mu), np.shape(lags)))
        for i in self.inputs:
            shape = _psp_autocovariance(self.kernel, self.tau_syn(i.receptor), self.tau_eff, lags)
            cov = cov + i.rate * 1e-3 * (i.weight * self.drive(i.receptor, mu)) ** 2 * shape
        return cov

    def variance(self, mu):
        """Var = C(0) = sum_k nu_k w_k^2 drive_k^2 int psi_k^2 (mV^2)."""
        return self.autocovariance(mu, 0.0)


def _membrane(neuron_model, neuron_params, noise):
    model = get_model(neuron_model)
    params = check_neuron_params(neuron_model, neuron_params)
    if noise is None:
        noise = default_noise(neuron_model)
    return _Membrane(model.conductance_based, model.kernel, params, tuple(noise.inputs()))


def _as_values(value):
    """A validated number as a float, numbers as a float array."""
    return float(value) if np.ndim(value) == 0 else np.asarray(value, dtype=np.float64)


# ---------------------------------------------------------------------------
# public API

@dataclass(frozen=True)
class FreeMembraneStats:
    """Statistics of the free (threshold-less) membrane potential.

    Attributes
    ----------
    mean : float or ndarray
        Mean membrane potential in mV.
    std : float or ndarray
        Standard deviation of the membrane potential in mV.
    g_tot : float
        Total mean conductance in µS: leak plus mean synaptic conductances for
        conductance-based neurons, the leak conductance cm / tau_m for
        current-based ones.
    tau_eff : float
        Effective membrane time constant cm / g_tot in ms.
    syn_exc, syn_inh : float
        Mean total synaptic conductance (µS) or current magnitude (nA) of the
        excitatory and inhibitory receptor.
    """

    mean: float | np.ndarray
    std: float | np.ndarray
    g_tot: float
    tau_eff: float
    syn_exc: float
    syn_inh: float


@validate_params({**_MEMBRANE, "v_rest": _VALUES + [None]}, prefer_skip_nested_validation=True)
def free_membrane_stats(neuron_model, neuron_params, noise, v_rest=None):
    """Mean and standard deviation of the free membrane potential in the HCS.

    The mean conductance of one Poisson input of rate nu and weight w is
    w nu tau_syn (exp kernel) or w nu e tau_syn (PyNN's alpha kernel
    w (t/tau) e^(1 - t/tau)).  The mean potential balances leak, synaptic and
    offset currents; the variance follows from Campbell's theorem with the PSP of
    one spike computed with the driving force frozen at E - mean and the
    effective time constant tau_eff = cm / g_tot (P16).  For current-based
    neurons the same holds exactly with tau_eff = tau_m.

    Parameters
    ----------
    neuron_model : str
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.
    neuron_params : dict or None
        Neuron parameters (see :func:`sklearn_sbs.neurons.check_neuron_params`).
    noise : PoissonNoise or None
        The background; None means :func:`~sklearn_sbs.sources.default_noise` of the model.
    v_rest : float or array-like, optional
        Resting potential(s) in mV; overrides ``neuron_params["v_rest"]``.

    Returns
    -------
    FreeMembraneStats
        ``mean`` and ``std`` have the shape of ``v_rest``.

    Examples
    --------
    >>> from sklearn_sbs.sources import PoissonNoise
    >>> from sklearn_sbs.theory import free_membrane_stats
    >>> stats = free_membrane_stats("IF_cond_exp", None, PoissonNoise())
    >>> round(stats.g_tot, 6), round(stats.mean, 6), round(stats.tau_eff, 4)
    (0.26, -50.0, 0.7692)
    >>> round(stats.std, 3)
    1.015
    >>> free_membrane_stats("IF_curr_exp", None, PoissonNoise(rate_inh=0.0), v_rest=-60).mean
    -59.85
    """
    membrane = _membrane(neuron_model, neuron_params, noise)
    v_rest = membrane.params["v_rest"] if v_rest is None else _as_values(v_rest)
    mu = membrane.mu(v_rest)
    std = np.sqrt(membrane.variance(mu))
    return FreeMembraneStats(
        mean=_result(mu),
        std=_result(std),
        g_tot=float(membrane.g_tot),
        tau_eff=float(membrane.tau_eff),
        syn_exc=float(membrane.syn_mean("excitatory")),
        syn_inh=float(membrane.syn_mean("inhibitory")),
    )


@validate_params({"lags": _VALUES, **_MEMBRANE, "v_rest": [_NUMBER, None]},
                 prefer_skip_nested_validation=True)
def free_membrane_autocovariance(lags, neuron_model, neuron_params, noise, v_rest=None):
    """Autocovariance of the free membrane potential in the HCS, in mV^2.

    In the high-conductance state the free membrane potential is shot noise:
    every input spike adds a PSP ``w drive psi(t)``, the synaptic kernel
    filtered by the membrane with ``tau_eff = cm / g_tot`` and the driving
    force frozen at ``E - mean`` (P16).  Campbell's theorem gives

        C(lag) = sum_k rate_k (w_k drive_k)^2 int psi_k(t) psi_k(t + lag) dt,

    a mix of ``exp(-lag / tau_syn)`` and ``exp(-lag / tau_eff)`` (with a
    ``lag exp(-lag / tau_syn)`` term for alpha synapses).  With the slow
    synapses of a sampler (tau_syn >> tau_eff) it decays with tau_syn, not
    tau_eff.  At lag 0 it is the variance ``std**2`` of
    :func:`free_membrane_stats` (the same sum, so equal to rounding).

    Parameters
    ----------
    lags : float or array-like
        Lags in ms; the autocovariance is even, so the sign does not matter.
    neuron_model : str
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.
    neuron_params : dict or None
        Neuron parameters (see :func:`sklearn_sbs.neurons.check_neuron_params`).
    noise : PoissonNoise or None
        The background; None means :func:`~sklearn_sbs.sources.default_noise` of the model.
    v_rest : float, optional
        Resting potential in mV; overrides ``neuron_params["v_rest"]``.  It
        matters for conductance-based synapses only (the driving force).

    Returns
    -------
    float or ndarray
        The autocovariance at ``lags``, mV^2, of the shape of ``lags``.

    See Also
    --------
    free_membrane_stats : Mean and standard deviation of the same membrane.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.theory import free_membrane_autocovariance, free_membrane_stats
    >>> cov = free_membrane_autocovariance([0.0, 1.0, 10.0], "IF_cond_exp", None, None)
    >>> bool(np.isclose(cov[0], free_membrane_stats("IF_cond_exp", None, None).std ** 2))
    True
    >>> (cov / cov[0]).round(3)      # tau_syn = 10 ms, tau_eff = 0.77 ms
    array([1.   , 0.958, 0.399])
    """
    membrane = _membrane(neuron_model, neuron_params, noise)
    v_rest = membrane.params["v_rest"] if v_rest is None else float(v_rest)
    lags = _as_values(lags)
    return _result(membrane.autocovariance(membrane.mu(v_rest), lags))


@validate_params(_MEMBRANE, prefer_skip_nested_validation=True)
def predicted_activation(neuron_model, neuron_params, noise):
    """The logistic activation function predicted by the free-membrane theory.

    The neuron is half on when its mean free membrane potential sits at the
    threshold; the Gaussian membrane distribution there, slope-matched to a
    logistic, gives the width (P16).  Both are expressed in terms of the
    resting potential, which is what the calibrator varies.

    Parameters
    ----------
    neuron_model : str
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.
    neuron_params : dict or None
        Neuron parameters; ``v_rest`` is ignored.
    noise : PoissonNoise or None
        The background; None means :func:`~sklearn_sbs.sources.default_noise` of the model.

    Returns
    -------
    v_p05 : float
        Resting potential (mV) at which the mean membrane potential equals
        ``v_thresh``.
    alpha : float
        Logistic width in mV of resting potential:
        std * sqrt(2 pi) / 4 * g_tot / g_leak, std evaluated at the threshold.

    Examples
    --------
    >>> from sklearn_sbs.theory import predicted_activation
    >>> v_p05, alpha = predicted_activation("IF_cond_exp", None, None)
    >>> round(v_p05, 6), round(alpha, 3)
    (-50.0, 0.827)
    """
    membrane = _membrane(neuron_model, neuron_params, noise)
    v_p05 = membrane.v_rest_for_mu(membrane.params["v_thresh"])
    std = np.sqrt(membrane.variance(membrane.params["v_thresh"]))
    alpha = std * _GAUSS_TO_LOGISTIC * membrane.g_tot / membrane.g_leak
    return float(v_p05), float(alpha)


def _result(value):
    return float(value) if np.ndim(value) == 0 else value


@validate_params({"bias": _VALUES, "v_p05": _VALUES, "alpha": _POSITIVE},
                 prefer_skip_nested_validation=True)
def bias_to_v_rest(bias, v_p05, alpha):
    """Resting potential (mV) that gives a unit the Boltzmann bias ``bias``.

    ``v_rest = v_p05 + alpha * bias``; arrays broadcast.

    Parameters
    ----------
    bias : float or array-like
        Theoretical bias(es), dimensionless.
    v_p05 : float or array-like
        Resting potential(s) of half activation, mV.
    alpha : float or array-like
        Logistic width(s) in mV of resting potential, > 0.

    Returns
    -------
    float or ndarray

    Examples
    --------
    >>> from sklearn_sbs.theory import bias_to_v_rest
    >>> bias_to_v_rest([-1.0, 0.0, 2.0], -50.5, 0.8)
    array([-51.3, -50.5, -48.9])
    """
    return _result(_as_values(v_p05) + _as_values(alpha) * _as_values(bias))


@validate_params({"v_rest": _VALUES, "v_p05": _VALUES, "alpha": _POSITIVE},
                 prefer_skip_nested_validation=True)
def v_rest_to_bias(v_rest, v_p05, alpha):
    """Boltzmann bias of a unit with resting potential ``v_rest`` (mV).

    The inverse of :func:`bias_to_v_rest`: ``(v_rest - v_p05) / alpha``;
    arrays broadcast.

    Parameters
    ----------
    v_rest : float or array-like
        Resting potential(s), mV.
    v_p05 : float or array-like
        Resting potential(s) of half activation, mV.
    alpha : float or array-like
        Logistic width(s) in mV of resting potential, > 0.

    Returns
    -------
    float or ndarray
        Theoretical bias(es), dimensionless.

    Examples
    --------
    >>> from sklearn_sbs.theory import v_rest_to_bias
    >>> v_rest_to_bias([-51.3, -48.9], -50.5, 0.8).round(12)
    array([-1.,  2.])
    """
    return _result((_as_values(v_rest) - _as_values(v_p05)) / _as_values(alpha))


@validate_params(
    {**_MEMBRANE, "receptor": [StrOptions(set(_RECEPTORS))], "v_rest": _VALUES + [None],
     "tau_on": [Number(Real, 0, None, closed="neither"), None]},
    prefer_skip_nested_validation=True,
)
def psp_mean_per_weight(neuron_model, neuron_params, noise, receptor, v_rest=None, tau_on=None):
    """Mean PSP over the on-time per unit synaptic weight.

    (1 / tau_on) times the integral over [0, tau_on] of the PSP caused by one
    spike through a synapse of weight 1 (µS or nA), in the HCS approximation
    (P16): the PSP a partner's spike adds, on average, while it is on.

    Parameters
    ----------
    neuron_model : str
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.
    neuron_params : dict or None
        Parameters of the receiving neuron.
    noise : PoissonNoise or None
        Its background; None means :func:`~sklearn_sbs.sources.default_noise` of the model.
    receptor : {"excitatory", "inhibitory"}
    v_rest : float or array-like, optional
        Resting potential(s) of the receiving neuron in mV (default: from
        ``neuron_params``); matters for conductance-based synapses only.
    tau_on : float, optional
        On-time in ms (default: :func:`sklearn_sbs.neurons.on_time`).

    Returns
    -------
    float or ndarray
        mV per µS (conductance-based) or per nA (current-based); positive for
        the excitatory receptor, negative for the inhibitory one.

    Examples
    --------
    >>> from sklearn_sbs.theory import psp_mean_per_weight
    >>> round(psp_mean_per_weight("IF_cond_exp", None, None, "excitatory"), 3)
    115.666
    >>> round(psp_mean_per_weight("IF_curr_exp", None, None, "inhibitory", v_rest=-40.0), 3)
    -2.956
    """
    membrane = _membrane(neuron_model, neuron_params, noise)
    v_rest = membrane.params["v_rest"] if v_rest is None else _as_values(v_rest)
    tau_on = on_time(membrane.params) if tau_on is None else float(tau_on)
    return _result(membrane.psp_mean(receptor, membrane.mu(v_rest), tau_on))


def _per_unit(value, n, name, caller):
    """A list of n items from one shared value or a sequence of n, each valid
    as the shared value would be."""
    if not isinstance(value, (list, tuple)):
        return [value] * n
    if len(value) != n:
        raise ValueError(f"{name} must be one value or a sequence of n_units = {n}, got {len(value)}")
    validate_items(value, name, {"neuron_params": _PARAMS, "noise": _NOISE}[name], caller)
    return list(value)


def _unit_vector(value, n, name):
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return np.full(n, float(arr))
    if arr.shape != (n,):
        raise ValueError(f"{name} must be a number or have shape (n_units,) = ({n},), got {arr.shape}")
    return arr


def _theo_per_bio(v_rest, alpha, neuron_model, neuron_params, noise, n, caller):
    """Per receiving unit: theoretical weight per unit bio weight, (exc, inh).

    W_theo = w_bio * mean PSP over the on-time / alpha_mu with the logistic
    width in membrane-potential units alpha_mu = alpha * g_leak / g_tot (P16).
    """
    alpha = _unit_vector(alpha, n, "alpha")
    params = _per_unit(neuron_params, n, "neuron_params", caller)
    noises = _per_unit(noise, n, "noise", caller)
    exc, inh = np.empty(n), np.empty(n)
    groups = {}         # units sharing their parameters and noise: one membrane, vectorised
    for j in range(n):
        groups.setdefault((id(params[j]), id(noises[j])), []).append(j)
    for units in map(np.array, groups.values()):
        membrane = _membrane(neuron_model, params[units[0]], noises[units[0]])
        mu, tau_on = membrane.mu(v_rest[units]), on_time(membrane.params)
        alpha_mu = alpha[units] * membrane.g_leak / membrane.g_tot
        exc[units] = membrane.psp_mean("excitatory", mu, tau_on) / alpha_mu
        inh[units] = membrane.psp_mean("inhibitory", mu, tau_on) / alpha_mu
    return exc, inh


def _factors(weights, name, v_rest, alpha, neuron_model, neuron_params, noise, caller):
    """|theo per bio| for every weight, checking the receptor can carry its sign."""
    weights = as_float_array(weights, name, 2)
    n = weights.shape[1]
    if weights.shape != (n, n):
        raise ValueError(f"{name} must be square (n_units, n_units), got shape {weights.shape}")
    v_rest = _unit_vector(v_rest, n, "v_rest")
    exc, inh = _theo_per_bio(v_rest, alpha, neuron_model, neuron_params, noise, n, caller)
    for receptor, bad, used in (
        ("excitatory", exc <= 0, np.any(weights > 0, axis=0)),
        ("inhibitory", inh >= 0, np.any(weights < 0, axis=0)),
    ):
        wrong = np.flatnonzero(bad & used)
        if wrong.size:
            j = wrong[0]
            raise ValueError(
                f"v_rest[{j}] = {float(v_rest[j])!r} mV puts the mean membrane "
                f"potential past the {receptor} reversal potential, so an {receptor} synapse "
                "cannot carry a weight of that sign"
            )
    factors = np.where(weights > 0, exc[None, :], inh[None, :])
    return weights, np.abs(factors)


@validate_params({"weights": ["array-like"], **_TRANSLATION}, prefer_skip_nested_validation=True)
def weights_to_bio(weights, v_rest, alpha, neuron_model, neuron_params, noise):
    """Translate theoretical Boltzmann weights into signed synaptic weights.

    ``w_bio[i, j] = W[i, j] * alpha_mu[j] / |mean PSP per weight of j|``, the
    PSP of the receptor matching the sign of W[i, j], averaged over unit j's
    on-time, and ``alpha_mu[j] = alpha[j] * g_leak / g_tot`` (P16).

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Theoretical weights; ``weights[i, j]`` is from unit i to unit j.
    v_rest : float or array-like of shape (n_units,)
        Resting potential(s) of the units in mV (they set the driving force of
        conductance-based synapses).
    alpha : float or array-like of shape (n_units,)
        Logistic width(s) in mV of resting potential, as calibrated.
    neuron_model : str
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.
    neuron_params : dict, None or sequence of n_units dicts
        Shared or per-unit neuron parameters.
    noise : PoissonNoise, None or sequence of n_units of them
        Shared or per-unit background.

    Returns
    -------
    ndarray of shape (n_units, n_units)
        Synaptic weights, µS or nA; negative ones go to the inhibitory receptor.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.theory import weights_to_bio, weights_to_theo
    >>> W = np.array([[0.0, 1.0], [-1.0, 0.0]])
    >>> bio = weights_to_bio(W, [-50.5, -49.0], 0.8, "IF_cond_exp", None, None)
    >>> np.round(bio * 1e3, 3)  # nS
    array([[ 0.   ,  5.403],
           [-5.362,  0.   ]])
    >>> np.allclose(weights_to_theo(bio, [-50.5, -49.0], 0.8, "IF_cond_exp", None, None), W)
    True
    """
    weights, factors = _factors(weights, "weights", v_rest, alpha, neuron_model, neuron_params,
                                noise, "weights_to_bio")
    return np.divide(weights, factors, out=np.zeros_like(weights), where=weights != 0)


@validate_params({"weights_bio": ["array-like"], **_TRANSLATION},
                 prefer_skip_nested_validation=True)
def weights_to_theo(weights_bio, v_rest, alpha, neuron_model, neuron_params, noise):
    """Translate signed synaptic weights into theoretical Boltzmann weights.

    The inverse of :func:`weights_to_bio`, with the same parameters:
    ``W[i, j] = w_bio[i, j] * |mean PSP per weight of j| / alpha_mu[j]``.

    Parameters
    ----------
    weights_bio : array-like of shape (n_units, n_units)
        Signed synaptic weights in µS or nA, negative for inhibitory synapses;
        ``weights_bio[i, j]`` is from unit i to unit j.
    v_rest, alpha, neuron_model, neuron_params, noise
        As in :func:`weights_to_bio`.

    Returns
    -------
    ndarray of shape (n_units, n_units)
        Theoretical weights, dimensionless.

    Examples
    --------
    >>> from sklearn_sbs.theory import weights_to_theo
    >>> weights_to_theo([[0.0, 0.1], [-0.1, 0.0]], -50.0, 0.8, "IF_curr_exp", None, None).round(4)
    array([[ 0.    ,  0.3695],
           [-0.3695,  0.    ]])
    """
    weights, factors = _factors(weights_bio, "weights_bio", v_rest, alpha, neuron_model,
                                neuron_params, noise, "weights_to_theo")
    return weights * factors
