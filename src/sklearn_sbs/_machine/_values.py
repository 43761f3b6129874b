"""The machine's starting values, checked against its structure and data."""

import numbers
import warnings

import numpy as np
from scipy.special import expit

from .. import neurons, theory
from .._validation import as_float_array, check_boltzmann
from ..boltzmann import gibbs_sample
from . import _learning


def check_unit_interval(X, name="X"):
    """Refuse values outside [0, 1] (states or probabilities)."""
    if X.size and (X.min() < 0 or X.max() > 1):
        raise ValueError(
            f"{name} must hold states (0/1) or probabilities in [0, 1], got values in "
            f"[{X.min():.4g}, {X.max():.4g}]"
        )


def check_states(X):
    """Refuse anything but binary states."""
    if not np.all((X == 0) | (X == 1)):
        raise ValueError("X must hold binary states (0 or 1)")


def check_initial_v(initial_v, n_units):
    """Initial membrane potentials: None, or one finite potential per unit."""
    if initial_v is None:
        return None
    initial_v = as_float_array(initial_v, "initial_v", 1)
    if initial_v.shape != (n_units,):
        raise ValueError(f"initial_v must hold one potential per unit ({n_units}), "
                         f"got shape {initial_v.shape}")
    return initial_v


def initial_values(weights, biases, weights_unit, n_hidden, X, rng, learn):
    """(W, b) in ``weights_unit`` to start from, checked: given ones against each
    other, the structure and X's width (before any calibration runs); none given:
    small random weights, if the machine learns them.  rng is used only then."""
    if (weights is None) != (biases is None):
        given, missing = ("weights", "biases") if biases is None else ("biases", "weights")
        raise ValueError(f"{given} was given but {missing} is None: give both, or neither "
                         "to learn them from data")
    if weights is None:
        if X is None or not learn:
            raise ValueError(
                "weights and biases are needed unless fit learns them from data "
                "(pass X and set learning)"
            )
        if weights_unit != "theo":
            raise ValueError("weights_unit='bio' needs weights and biases to start from")
        return _learning.initial_parameters(X.shape[1], n_hidden, rng)
    b = as_float_array(biases, "biases", 1)
    n = b.shape[0]
    if n == 0:
        raise ValueError("biases must hold at least one unit")
    W = as_float_array(weights, "weights", 2)
    if W.shape != (n, n):
        raise ValueError(f"weights must have shape ({n}, {n}) to match biases, got {W.shape}")
    if n_hidden >= n:
        raise ValueError(f"n_hidden must be below the number of units ({n}), got {n_hidden}")
    if X is not None and X.shape[1] != n - n_hidden:
        raise ValueError(
            f"X must have one column per visible unit ({n - n_hidden} = {n} units - "
            f"n_hidden {n_hidden}), got {X.shape[1]} columns"
        )
    if np.any(np.diag(W) != 0):
        raise ValueError("weights must have a zero diagonal (no self-connections)")
    allowed = _learning.connection_mask(n - n_hidden, n_hidden)
    if n_hidden and np.any(W[~allowed]):
        raise ValueError(
            "with n_hidden > 0 the machine is restricted: weights within the visible "
            "and within the hidden layer must be 0"
        )
    # theoretical ones are a Boltzmann machine (symmetric, energies representable)
    return check_boltzmann(W, b) if weights_unit == "theo" else (W, b)


def resting_potential_limits(calibrator):
    """Resting potentials (low, high) of a fitted calibrator's neuron within which its
    inhibitory and excitatory synapses keep their sign: beyond, the mean membrane
    potential passes the reversal potential (conductance-based neurons only)."""
    if not neurons.get_model(calibrator.neuron_model).conductance_based:
        return -np.inf, np.inf
    # the mean membrane potential is affine in v_rest, rising
    mu0, mu1 = theory.free_membrane_stats(calibrator.neuron_model, calibrator.neuron_params_,
                                          calibrator.noise_, v_rest=[0.0, 1.0]).mean
    params = calibrator.neuron_params_
    return (params["e_rev_I"] - mu0) / (mu1 - mu0), (params["e_rev_E"] - mu0) / (mu1 - mu0)


def check_resting_potentials(W, b, v_rest, calibrators, weights_unit):
    """Refuse a unit whose resting potential ``v_rest[j]`` (its bias ``b[j]``
    translated, or given in mV) lets the mean membrane potential pass the reversal
    potential of a receptor its incoming weights (column j of W) use: the
    translation, and the synapse, would reverse their sign."""
    limits = {}
    for cal in calibrators:        # once per distinct calibrator: learning checks every step
        if id(cal) not in limits:
            limits[id(cal)] = resting_potential_limits(cal)
    low, high = np.array([limits[id(cal)] for cal in calibrators]).T
    v_rest = np.asarray(v_rest, dtype=float)
    excitatory_past = (v_rest >= high) & np.any(W > 0, axis=0)
    inhibitory_past = (v_rest <= low) & np.any(W < 0, axis=0)
    refused = np.flatnonzero(excitatory_past | inhibitory_past)
    if refused.size:                    # the first unit past a reversal is named
        j = refused[0]
        cal = calibrators[j]
        for receptor, sign, past, bound in (("excitatory", "positive", excitatory_past, high[j]),
                                            ("inhibitory", "negative", inhibitory_past, low[j])):
            if not past[j]:
                continue
            side = "below" if receptor == "excitatory" else "above"
            reversal = cal.neuron_params_["e_rev_E" if receptor == "excitatory" else "e_rev_I"]
            if weights_unit == "theo":
                given = (f"biases[{j}] = {float(b[j])!r} translates to a resting potential of "
                         f"{float(v_rest[j]):.1f} mV (unit {j}'s v_p05 + alpha * bias), which puts")
                allowed = f"{float(cal.v_rest_to_bias(bound)):.4g}"
            else:
                given = (f"biases[{j}] = {float(v_rest[j])!r} mV (a resting potential, "
                         "weights_unit='bio') puts")
                allowed = f"{float(bound):.4g} mV"
            raise ValueError(
                f"{given} unit {j}'s mean membrane potential past the {receptor} "
                f"reversal potential ({reversal:g} mV): the {sign} weights onto unit {j} "
                f"(column {j} of weights) would act with the opposite sign; with them, "
                f"biases[{j}] must be {side} {allowed}"
            )


_CAPPED_P_ON = 0.005     # expected p_on lost to the ceiling that is worth a warning


def warn_unreachable(W, b, tau_on, dt):
    """Warn about units whose conditional p_on exceeds, in the target's typical
    states, the ceiling tau_on / (tau_on + dt) of a sampler on a dt grid (0.990
    at the tutorial's 10 ms and 0.1 ms) by more than _CAPPED_P_ON on average:
    they sample a capped distribution.  The typical states are a short Gibbs run
    of the target (its own seed: the check draws nothing from the machine's)."""
    ceiling = np.asarray(tau_on, dtype=float) / (np.asarray(tau_on, dtype=float) + dt)
    states = gibbs_sample(W, b, 2000, burn_in=200, random_state=0)
    lost = np.clip(expit(states @ W + b) - ceiling, 0.0, None).mean(axis=0)
    units = np.flatnonzero(lost > _CAPPED_P_ON)
    if units.size:
        warnings.warn(
            f"units {units.tolist()} need p_on above what a sampler reaches at dt = {dt:g} ms "
            f"(tau_on / (tau_on + dt) = {ceiling.min():.3f}) in many of the target's states, "
            f"losing up to {lost.max():.3f} of their marginal: lower their biases or weights, "
            "or use a smaller dt", UserWarning, stacklevel=3,
        )


def check_clamp(clamp, n_units, duration):
    """Clamping windows ``[(t_start, t_stop, {unit: 0 or 1, ...}), ...]``, times in
    ms from the start of the sampled window: each checked (``clamp[k]`` named),
    as a list of (float, float, {int: int})."""
    if clamp is None:
        return []
    if isinstance(clamp, (str, bytes, dict)) or not hasattr(clamp, "__iter__"):
        raise TypeError(f"clamp must be a list of (t_start, t_stop, {{unit: 0 or 1}}) windows, "
                        f"got {clamp!r}")
    windows = []
    for k, window in enumerate(clamp):
        where = f"clamp[{k}]"
        if not isinstance(window, (tuple, list)) or len(window) != 3 \
                or not isinstance(window[2], dict):
            raise TypeError(f"{where} must be (t_start, t_stop, {{unit: 0 or 1, ...}}), got {window!r}")
        t_start, t_stop, units = window
        times = []
        for name, t in (("t_start", t_start), ("t_stop", t_stop)):
            if isinstance(t, bool) or not isinstance(t, numbers.Real) or not np.isfinite(t):
                raise TypeError(f"{where}: {name} must be a finite number of ms, got {t!r}")
            times.append(float(t))
        if not 0.0 <= times[0] < times[1] <= duration:
            raise ValueError(f"{where}: the window ({times[0]:g}, {times[1]:g}) ms must satisfy "
                             f"0 <= t_start < t_stop <= duration ({duration:g} ms)")
        if not units:
            raise ValueError(f"{where}: no units to clamp")
        states = {}
        for unit, value in units.items():
            if isinstance(unit, bool) or not isinstance(unit, numbers.Integral) \
                    or not 0 <= unit < n_units:
                raise ValueError(f"{where}: unit {unit!r} is not a unit index in [0, {n_units})")
            if isinstance(value, bool) or value in (0, 1):
                states[int(unit)] = int(value)
            else:
                raise ValueError(f"{where}: unit {unit} must be clamped to 0 or 1, got {value!r}")
        windows.append((times[0], times[1], states))
    return windows
