"""What scikit-learn's parameter validation does not cover.

Parameter objects (noise sources, synapses, calibrators) declare
``_parameter_constraints``, public functions and methods use
``sklearn.utils._param_validation.validate_params``: every such error is an
``InvalidParameterError`` (a ValueError and a TypeError) saying "The 'x'
parameter of f must be ... Got ... instead.".  This module adds the
constraints scikit-learn lacks -- :class:`Number` (an Interval refusing bools),
:class:`ArrayOf` (sequences and arrays of numbers), :data:`RANDOM_STATE_OR_GENERATOR`
-- and :func:`validate_nested`, which checks an object and the objects it holds
under their full ``a__b__c`` names.

Checks no constraint can express (array shapes and finiteness, a Boltzmann
machine's symmetry and energy scale, times on the grid of dt, a logistic
activation a calibration can find, unit indices, sizes of joint distributions)
are the small helpers below; each raises ``ValueError`` naming the parameter.

Note that an Interval with an open bound (``closed="neither"``, or ``"left"``
for the upper bound) refuses infinity there, and every Interval refuses NaN:
``Number(Real, None, None, closed="neither")`` is a finite number.
"""

import math
import numbers

import numpy as np
from sklearn.utils._param_validation import Interval, validate_parameter_constraints
from sklearn.utils.validation import _is_arraylike_not_scalar


def _describe(value):
    """A short repr for error messages (arrays by shape, not content)."""
    if isinstance(value, np.ndarray):
        return f"array of shape {value.shape} and dtype {value.dtype}"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def as_float_array(value, name, ndim, finite=True):
    """``value`` as a C-contiguous float64 array with ``ndim`` dimensions."""
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{name} must be a {ndim}-d array of numbers, got {_describe(value)}") from exc
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or arr.dtype == bool
    ) or np.issubdtype(arr.dtype, np.complexfloating):
        raise ValueError(f"{name} must be a {ndim}-d array of real numbers, got {_describe(value)}")
    if arr.ndim != ndim:
        raise ValueError(f"{name} must be {ndim}-dimensional, got shape {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def check_boltzmann(weights, biases):
    """Validate a Boltzmann machine: symmetric W with zero diagonal, b of length n.

    Returns float64 C arrays; W is symmetrised exactly (asymmetry up to rounding
    is accepted).
    """
    b = as_float_array(biases, "biases", 1)
    W = as_float_array(weights, "weights", 2)
    n = b.shape[0]
    if W.shape != (n, n):
        raise ValueError(
            f"weights must have shape (n_units, n_units) = ({n}, {n}) to match biases, "
            f"got {W.shape}"
        )
    if n == 0:
        raise ValueError("biases must hold at least one unit, got an empty array")
    scale = max(1.0, float(np.abs(W).max()))
    asym = float(np.abs(W - W.T).max())
    if asym > 1e-10 * scale:
        raise ValueError(
            f"weights must be symmetric, got max |W - W.T| = {asym:g}; "
            "a Boltzmann machine has W[i, j] == W[j, i]"
        )
    diag = float(np.abs(np.diag(W)).max())
    if diag != 0.0:
        raise ValueError(f"weights must have a zero diagonal, got max |diag(W)| = {diag:g}")
    check_energy_scale(W, b)
    return np.ascontiguousarray(0.5 * (W + W.T)), b


#: Largest energy scale sum(|b|) + sum(|W|) / 2 of a Boltzmann machine: float64
#: energies keep differences of order 1 between states up to about 1e15 (beyond,
#: a bias of 1 vanishes in the rounding of the others, and at 1e308 they overflow).
MAX_ENERGY = 1e12


def check_energy_scale(W, b):
    """Refuse (W, b) whose energies float64 cannot represent with their differences.

    Examples
    --------
    >>> check_energy_scale(np.zeros((2, 2)), np.array([1.7e308, 0.0]))
    Traceback (most recent call last):
    ...
    ValueError: biases must keep the energies ½ zᵀWz + bᵀz representable: sum(|biases|) + \
sum(|weights|) / 2 = 1.7e+308, above 1e+12 (float64 energies that large lose the differences \
between states, or overflow)
    """
    with np.errstate(over="ignore"):
        from_b = float(np.abs(b).sum())
        from_w = 0.5 * float(np.abs(W).sum())
        total = from_b + from_w
    if total <= MAX_ENERGY:
        return
    name = "biases" if from_b > MAX_ENERGY else "weights" if from_w > MAX_ENERGY \
        else "weights and biases"
    raise ValueError(
        f"{name} must keep the energies ½ zᵀWz + bᵀz representable: sum(|biases|) + "
        f"sum(|weights|) / 2 = {total:.3g}, above {MAX_ENERGY:g} (float64 energies that large "
        "lose the differences between states, or overflow)"
    )


#: Where a calibration looks for a sampler: p_on from 0.05 to 0.95 within
#: v_thresh ± SAMPLER_REACH mV of resting potential, over at least MIN_ALPHA mV
#: (narrower is a step, not a sampler).
SAMPLER_REACH = 100.0
MIN_ALPHA = 0.01
_SPAN = math.log(19.0)        # (v - v_p05) / alpha at p_on = 0.95


def activation_problem(v_p05, alpha, v_thresh):
    """Why a logistic activation is no sampler a calibration can find, or None.

    Parameters
    ----------
    v_p05, alpha : float
        The activation (predicted by the theory, or fitted), mV.
    v_thresh : float
        The neuron's threshold, mV.

    Returns
    -------
    problem : (str, bool) or None
        What is wrong, and whether the noise is too weak (else too strong).

    Examples
    --------
    >>> activation_problem(-50.6, 0.8, -50.0) is None
    True
    >>> activation_problem(-50.0, 0.0, -50.0)
    ('the activation is a step (alpha = 0 mV < 0.01 mV)', True)
    """
    if not np.isfinite(v_p05) or not np.isfinite(alpha) or alpha <= MIN_ALPHA:
        return f"the activation is a step (alpha = {alpha:.3g} mV < {MIN_ALPHA} mV)", True
    lo, hi = v_p05 - _SPAN * alpha, v_p05 + _SPAN * alpha
    if lo < v_thresh - SAMPLER_REACH or hi > v_thresh + SAMPLER_REACH:
        return (f"p_on goes from 0.05 to 0.95 over [{lo:.1f}, {hi:.1f}] mV of resting "
                f"potential, beyond v_thresh ± {SAMPLER_REACH:g} mV = "
                f"[{v_thresh - SAMPLER_REACH:.1f}, {v_thresh + SAMPLER_REACH:.1f}] mV", False)
    return None


#: Longest simulation in time steps: float64 times keep dt exact far beyond it
#: (a whole number of steps up to 1e12 is off by less than 1e-3 of a step).
MAX_STEPS = 1e12


def check_time_grid(value, name, dt, *, zero=False, why="", dt_origin=""):
    """``value`` (ms) as a float, refused unless it is a whole number of steps of ``dt``.

    A simulator on a grid of ``dt`` rounds times off it without a word (a synaptic
    delay) or refuses them deep in a worker (a duration); this says so first.
    Float rounding is forgiven (1e-9 of the value, at most 1e-3 of a step).

    Parameters
    ----------
    value : float
        A time in ms.
    name : str
        The parameter as the user gave it, e.g. ``"delay"`` or ``"noise__times[1]"``.
    dt : float
        The time step in ms.
    zero : bool, default=False
        Whether 0 is allowed (a burn-in); else at least one step.
    why : str, default=""
        Said after the value, e.g. how a default derived it.
    dt_origin : str, default=""
        Said after dt, e.g. where it came from.

    Returns
    -------
    value : float

    Examples
    --------
    >>> check_time_grid(0.30000000000000004, "delay", 0.1)
    0.30000000000000004
    >>> check_time_grid(0.05, "delay", 0.1)
    Traceback (most recent call last):
    ...
    ValueError: delay=0.05 ms must be a positive multiple of dt=0.1 ms, at most 1e+12 steps: the \
simulation runs on that grid and rounds or refuses other times; the nearest allowed value is 0.1 ms
    """
    value, dt = float(value), float(dt)
    steps = value / dt
    low = 0 if zero else 1
    if np.isfinite(steps):
        whole = round(steps)
        if abs(steps - whole) <= min(1e-9 * max(1.0, abs(steps)), 1e-3) \
                and low <= whole <= MAX_STEPS:
            return value
    kind = "multiple (0 allowed)" if zero else "positive multiple"
    nearest = sorted({k for k in (math.floor(steps), math.ceil(steps)) if low <= k <= MAX_STEPS}
                     if np.isfinite(steps) else set())
    nearest = nearest or [int(MAX_STEPS) if steps > MAX_STEPS else low]
    allowed = " or ".join(f"{k * dt:.12g} ms" for k in nearest)
    raise ValueError(
        f"{name}={value!r} ms{why} must be a {kind} of dt={dt!r} ms{dt_origin}, at most "
        f"{MAX_STEPS:g} steps: the simulation runs on that grid and rounds or refuses other "
        f"times; the nearest allowed value{'s are' if len(nearest) > 1 else ' is'} {allowed}"
    )


def check_refractory(dt, tau_refrac, owner, dt_origin=""):
    """A unit is on for tau_refrac after each spike, in whole steps of dt; ``owner``
    names the neuron (e.g. ``"calibrator's neuron"``), ``dt_origin`` where dt came from."""
    given = (f"dt={dt!r} ms{dt_origin}", f"the refractory period tau_refrac={tau_refrac!r} ms "
             f"of {owner}")
    if tau_refrac < dt * (1 - 1e-9):
        raise ValueError(f"{given[0]} is longer than {given[1]}: a unit is on for tau_refrac "
                         "after each spike, in whole steps of dt, so dt must be at most "
                         "tau_refrac (a smaller dt, or a neuron with a longer tau_refrac)")
    steps = tau_refrac / dt
    if abs(steps - round(steps)) > 1e-9 * steps:
        raise ValueError(f"{given[0]} must divide {given[1]} into whole steps: the simulator "
                         "would round the on-time after each spike, and the spikes would be "
                         "read with another on-time than the one simulated")


def check_noise_grid(noise, path, dt, dt_origin=""):
    """The noise's time points (e.g. the pieces of a PiecewisePoissonNoise) on the grid,
    and its frequencies (a modulation) resolved by it."""
    for name, times in noise.grid_times().items():
        for k, t in enumerate(times):
            check_time_grid(t, f"{path}__{name}[{k}]", dt, dt_origin=dt_origin)
    nyquist = 500.0 / float(dt)              # Hz, for dt in ms
    for name, frequency in noise.grid_frequencies().items():
        if frequency > nyquist * (1 + 1e-9):
            raise ValueError(
                f"{path}__{name}={frequency!r} Hz is above the highest frequency the "
                f"simulation's grid of dt={dt!r} ms{dt_origin} resolves, 1 / (2 dt) = "
                f"{nyquist:g} Hz: the modulation would alias; a lower frequency or a smaller dt")


class Number(Interval):
    """Constraint: a number in an interval, as scikit-learn's
    :class:`~sklearn.utils._param_validation.Interval`, but not a bool.

    ``True`` is an ``Integral`` (and a ``Real``) to Python, so an ``Interval``
    accepts it as 1; a count, a time or a seed given as a bool is a mistake.

    Examples
    --------
    >>> from numbers import Integral, Real
    >>> Number(Integral, 0, None, closed="left").is_satisfied_by(True)
    False
    >>> finite = Number(Real, None, None, closed="neither")
    >>> finite.is_satisfied_by(-1.5), finite.is_satisfied_by(float("inf")), str(finite)
    (True, False, 'a float in the range (-inf, inf)')
    """

    def is_satisfied_by(self, val):
        return not isinstance(val, (bool, np.bool_)) and super().is_satisfied_by(val)


#: ``random_state`` of functions that draw from a ``numpy.random.Generator``:
#: None, a non-negative int (any size, as ``numpy.random.default_rng`` takes),
#: a ``Generator`` or a ``RandomState`` (scikit-learn's "random_state" lacks
#: ``Generator`` and ints from 2**32 on).
RANDOM_STATE_OR_GENERATOR = [
    Number(numbers.Integral, 0, None, closed="left"),
    np.random.RandomState,
    np.random.Generator,
    None,
]


class ArrayOf(Interval):
    """Constraint: a sequence (list, tuple or array) of numbers, each within an
    :class:`~sklearn.utils._param_validation.Interval`.

    ``ndim=2`` asks for a sequence of such sequences (they may differ in
    length); ``min_length`` applies to the outer sequence.  ``ndim=None``
    asks for an array-like of any shape (a list, tuple, array or anything
    numpy converts; nested lists must be regular), and ``min_length`` counts
    its elements.  It is an Interval (of
    the elements) so that scikit-learn's parameter validation accepts it.

    Examples
    --------
    >>> from numbers import Real
    >>> rates = ArrayOf(Real, 0, None, closed="left")
    >>> rates.is_satisfied_by([1.0, 2]), rates.is_satisfied_by([-1.0]), rates.is_satisfied_by([])
    (True, False, False)
    >>> str(ArrayOf(Real, 0, None, closed="neither", min_length=0, ndim=2))
    'a sequence of sequences of floats in the range (0.0, inf)'
    >>> probabilities = ArrayOf(Real, 0, 1, closed="both", ndim=None)
    >>> probabilities.is_satisfied_by([[0.5, 1.0]]), probabilities.is_satisfied_by([0.5, float("nan")])
    (True, False)
    >>> str(probabilities)
    'a non-empty array of floats in the range [0.0, 1.0]'
    """

    def __init__(self, type, left, right, *, closed, min_length=1, ndim=1):
        super().__init__(type, left, right, closed=closed)
        self.min_length = min_length
        self.ndim = ndim

    def is_satisfied_by(self, val):
        if self.ndim is None:
            return self._array_holds(val)
        return self._holds(val, self.ndim) and len(val) >= self.min_length

    def _array_holds(self, val):
        if not (isinstance(val, np.ndarray) or _is_arraylike_not_scalar(val)):
            return False
        try:
            arr = np.asarray(val)
        except (TypeError, ValueError):         # ragged nested lists
            return False
        kinds = "iu" if self.type is numbers.Integral else "iuf"
        return arr.dtype.kind in kinds and arr.size >= self.min_length and self._bounds_hold(arr)

    def _holds(self, val, ndim):
        if not isinstance(val, (list, tuple, np.ndarray)) or getattr(val, "ndim", 1) == 0:
            return False
        if ndim > 1:
            return all(self._holds(v, ndim - 1) for v in val)
        if isinstance(val, np.ndarray) and val.dtype.kind in "iuf":
            # vectorised: spike trains can be long
            kind_ok = val.dtype.kind in "iu" or self.type is not numbers.Integral
            return val.ndim == 1 and kind_ok and self._bounds_hold(val)
        return all(Interval.is_satisfied_by(self, v) for v in val)

    def _bounds_hold(self, arr):
        left = -np.inf if self.left is None else self.left
        right = np.inf if self.right is None else self.right
        low = arr >= left if self.closed in ("left", "both") else arr > left
        high = arr <= right if self.closed in ("right", "both") else arr < right
        return bool(np.all(low & high))

    def __str__(self):
        # "a float in the range ..." -> "floats in the range ..."
        _, noun, rest = super().__str__().split(" ", 2)
        text = f"{noun}s {rest}"
        if self.ndim is None:
            return ("a non-empty array of " if self.min_length else "an array of ") + text
        for _ in range(self.ndim - 1):
            text = f"sequences of {text}"
        return ("a non-empty sequence of " if self.min_length else "a sequence of ") + text


def validate_nested(obj, path="", caller=None):
    """Validate a parameter object and, recursively, the parameter objects it holds.

    ``obj``'s parameters are checked against its ``_parameter_constraints``
    with scikit-learn's machinery, then its own cross-field check runs
    (``obj._check_consistency(prefix)``, if it has one), then every parameter
    that is itself a parameter object (anything with ``get_params``: noise,
    synapses, calibrators, a ``FrozenEstimator``) is validated the same way.
    Errors name the parameter by its full nested path, as ``set_params`` and
    ``GridSearchCV`` spell it, and the estimator it belongs to.

    Parameters
    ----------
    obj : object
        A parameter object; objects without ``get_params`` (None, numbers,
        strings) are left alone.
    path : str, default=""
        ``obj``'s parameter path within ``caller``, e.g. ``"calibrator"`` or
        ``"calibrator__noise"``; ``""`` when ``obj`` is the caller itself.
    caller : object or str, default=None
        The estimator named in messages (or its name); None: ``obj`` itself.

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        (a ValueError) "The 'calibrator__noise__rate_exc' parameter of
        SpikingBoltzmannMachine must be ... Got -1 instead."
    ValueError
        From a cross-field check: "Invalid parameters of LIFSamplerCalibrator:
        noise__rate_exc and noise__weight_exc must have the same length ...".

    Examples
    --------
    >>> from sklearn_sbs import LIFSamplerCalibrator
    >>> from sklearn_sbs.sources import PoissonNoise
    >>> cal = LIFSamplerCalibrator(noise=PoissonNoise(rate_exc=-1))
    >>> validate_nested(cal.noise, "noise", cal)
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'noise__rate_exc' parameter of \
LIFSamplerCalibrator must be a float in the range [0.0, 1000000.0] or a non-empty sequence of \
floats in the range [0.0, 1000000.0]. Got -1 instead.
    """
    if isinstance(obj, type) or not hasattr(obj, "get_params"):
        return
    caller = obj if caller is None else caller
    caller_name = caller if isinstance(caller, str) else type(caller).__name__
    prefix = f"{path}__" if path else ""
    params = obj.get_params(deep=False)
    constraints = getattr(obj, "_parameter_constraints", None)
    if constraints is not None:
        validate_parameter_constraints(
            {prefix + name: c for name, c in constraints.items()},
            {prefix + name: value for name, value in params.items()},
            caller_name=caller_name,
        )
    check = getattr(obj, "_check_consistency", None)
    if check is not None:
        try:
            check(prefix)
        except (ValueError, TypeError) as exc:
            raise type(exc)(f"Invalid parameters of {caller_name}: {exc}") from None
    for name, value in params.items():
        validate_nested(value, prefix + name, caller)


def validate_items(values, name, constraints, caller_name):
    """Validate every item of a sequence against ``constraints``, as ``name[i]``.

    For per-unit parameters given as a sequence: the items get the message a
    single value would get.

    Examples
    --------
    >>> validate_items([{}, 3], "neuron_params", [dict, None], "weights_to_bio")
    Traceback (most recent call last):
    ...
    sklearn.utils._param_validation.InvalidParameterError: The 'neuron_params[1]' parameter of \
weights_to_bio must be an instance of 'dict' or None. Got 3 instead.
    """
    names = [f"{name}[{i}]" for i in range(len(values))]
    validate_parameter_constraints(
        dict.fromkeys(names, constraints), dict(zip(names, values)), caller_name=caller_name
    )


MAX_JOINT_UNITS = 24        # a joint of 2**24 probabilities takes 128 MiB


def check_joint_size(n_units, what):
    """Refuse a joint distribution over more than MAX_JOINT_UNITS units."""
    if n_units > MAX_JOINT_UNITS:
        raise ValueError(
            f"{what} is limited to {MAX_JOINT_UNITS} units (2**{MAX_JOINT_UNITS} states), got "
            f"{n_units}; select a subset of units, or use the marginals"
        )


def check_units(units, n_units, name="units", *, size=None, joint=False):
    """``units`` (None: all ``n_units``) as a tuple of distinct unit indices.

    Parameters
    ----------
    units : array-like of int or None
    n_units : int or None
        Indices must lie in [0, n_units); None: any non-negative index (labels).
    name : str, default="units"
        The parameter named in errors.
    size : int, default=None
        The number of units required, if any.
    joint : bool, default=False
        The units span a joint distribution: at most MAX_JOINT_UNITS.

    Examples
    --------
    >>> check_units([2, 0], 3)
    (2, 0)
    >>> check_units([0, 0], 3)
    Traceback (most recent call last):
    ...
    ValueError: units must be distinct unit indices in [0, 3), got [0, 0]
    """
    if units is None:
        if n_units is None:
            units = range(size)
        else:
            units = range(n_units)
    arr = np.asarray(units)
    where = "" if n_units is None else f" in [0, {n_units})"
    count = "" if size is None else f"{size} "
    if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) \
            or (size is not None and arr.size != size) or arr.min() < 0 \
            or (n_units is not None and arr.max() >= n_units) or np.unique(arr).size != arr.size:
        raise ValueError(f"{name} must be {count}distinct unit indices{where}, "
                         f"got {_describe(units if not isinstance(units, range) else list(units))}")
    if joint:
        check_joint_size(arr.size, f"a joint distribution of {name}")
    return tuple(int(u) for u in arr)


class NestedParamsMixin:
    """``set_params`` that names the object to pass when a nested parameter's
    owner is unset: ``calibrator__noise__rate_exc`` on a machine whose
    ``calibrator`` is None would otherwise fail with
    ``AttributeError: 'NoneType' object has no attribute 'set_params'``.

    It only checks and then hands over to scikit-learn's ``set_params``
    unchanged: nothing else happens on setting a parameter.
    """

    def set_params(self, **params):
        """Set parameters, nested ones as ``owner__name`` (see scikit-learn)."""
        for key in params:
            path = key.split("__")[:-1]
            obj = self
            for depth, name in enumerate(path):
                if not hasattr(obj, "get_params") or name not in obj.get_params(deep=False):
                    break                   # scikit-learn names the invalid parameter
                obj = getattr(obj, name)
                if obj is None:
                    owner = "__".join(path[:depth + 1])
                    raise ValueError(
                        f"cannot set {key!r}: {owner!r} is None (the default is used); pass "
                        f"the object first, e.g. set_params({owner}=...) or {owner}=... in the "
                        "constructor"
                    )
        return super().set_params(**params)
