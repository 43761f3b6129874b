"""Input checks shared by the public wrappers: each raises ``ValueError`` (or
``TypeError``) naming the parameter, the offending value and what is allowed."""

import numbers

import numpy as np


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


def as_real(value, name, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """``value`` as a finite float within the given bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {_describe(value)}")
    value = float(value)
    bounds = (
        ("[" if low_inclusive else "(") + ("-inf" if low is None else f"{low:g}")
        + ", " + ("inf" if high is None else f"{high:g}") + ("]" if high_inclusive else ")")
    )
    ok = np.isfinite(value)
    if low is not None:
        ok &= value >= low if low_inclusive else value > low
    if high is not None:
        ok &= value <= high if high_inclusive else value < high
    if not ok:
        raise ValueError(f"{name} must be a finite number in {bounds}, got {value!r}")
    return value


def as_int(value, name, low=None, high=None):
    """``value`` as an int within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {_describe(value)}")
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        lo = "-inf" if low is None else low
        hi = "inf" if high is None else high
        raise ValueError(f"{name} must be an integer in [{lo}, {hi}], got {value}")
    return value


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
    return np.ascontiguousarray(0.5 * (W + W.T)), b


def as_generator(random_state):
    """A ``numpy.random.Generator`` from None, an int, a Generator or a RandomState."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    if random_state is None or isinstance(random_state, (np.random.Generator, numbers.Integral)):
        if isinstance(random_state, bool):
            raise TypeError("random_state must be None, an int or a numpy random generator, got a bool")
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int or a numpy random generator, got {_describe(random_state)}"
    )
