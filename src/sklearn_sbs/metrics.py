"""Divergences between distributions over binary states."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._validation import ArrayOf, Number

__all__ = ["dkl", "marginal_dkl", "bernoulli_dkl"]

_SUM_TOLERANCE = 1e-6
_DISTRIBUTION = [ArrayOf(Real, 0, None, closed="left", ndim=None)]     # finite, >= 0
_PROBABILITY = [Number(Real, 0, 1, closed="both"), ArrayOf(Real, 0, 1, closed="both", ndim=None,
                                                           min_length=0)]
_BERNOULLI_EPS = [Number(Real, 0, 0.5, closed="neither"), None]


def _distribution(values, name):
    """``values`` flat and normalised, once they sum to 1 within the tolerance: a
    divergence of distributions off by rounding would be off too (even negative)."""
    p = np.asarray(values, dtype=np.float64).ravel()
    total = p.sum()
    if abs(total - 1.0) > _SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1 (within {_SUM_TOLERANCE:g}), got {total:.9g}")
    return p / total


@validate_params(
    {"p": _DISTRIBUTION, "q": _DISTRIBUTION, "eps": [Number(Real, 0, None, closed="neither"), None]},
    prefer_skip_nested_validation=True,
)
def dkl(p, q, eps=None):
    """Kullback-Leibler divergence ``sum p log(p / q)`` in nats.

    Terms with ``p = 0`` contribute nothing.  Where ``q = 0`` but ``p > 0`` the
    divergence is infinite, unless ``eps`` is given: then ``q + eps`` is
    renormalised before comparing (a common smoothing for sampled distributions).

    Parameters
    ----------
    p, q : array-like of the same shape
        Probability distributions, e.g. joints of shape ``(2,) * n_units``; each
        must sum to 1 within 1e-6 and is normalised to sum to 1 exactly.
    eps : float, optional
        Pseudo-probability added to every state of ``q``.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_sbs.metrics import dkl
    >>> round(dkl([0.5, 0.5], [0.25, 0.75]), 6)
    0.143841
    >>> dkl([0.5, 0.5], [1.0, 0.0])
    inf
    >>> round(dkl([0.5, 0.5], [1.0, 0.0], eps=1e-3), 3)
    2.762
    >>> bool(dkl([0.5, 0.5 - 1e-7], [0.5, 0.5]) >= 0)      # p is normalised first
    True
    """
    if np.shape(p) != np.shape(q):
        raise ValueError(f"p and q must have the same shape, got {np.shape(p)} and {np.shape(q)}")
    p = _distribution(p, "p")
    q = _distribution(q, "q")
    if eps is not None:
        eps = float(eps)
        q = (q + eps) / (1.0 + eps * q.size)
    support = p > 0
    if np.any(q[support] == 0):
        return float("inf")
    return float(np.sum(p[support] * (np.log(p[support]) - np.log(q[support]))))


@validate_params(
    {"p": _PROBABILITY, "q": _PROBABILITY, "eps": _BERNOULLI_EPS},
    prefer_skip_nested_validation=True,
)
def bernoulli_dkl(p, q, eps=None):
    """Element-wise KL divergence between Bernoulli distributions with P(1) = p, q.

    Parameters
    ----------
    p, q : array-like of the same shape, values in [0, 1]
    eps : float in (0, 0.5), optional
        Clip ``q`` into ``[eps, 1 - eps]`` first, so that q = 0 or 1 stays finite.

    Returns
    -------
    ndarray of the broadcast shape

    Examples
    --------
    >>> from sklearn_sbs.metrics import bernoulli_dkl
    >>> bernoulli_dkl([0.5, 1.0], [0.5, 0.5]).round(6)
    array([0.      , 0.693147])
    """
    p_arr = np.asarray(p, dtype=np.float64)
    q_arr = np.asarray(q, dtype=np.float64)
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q must have the same shape, got {p_arr.shape} and {q_arr.shape}")
    if eps is not None:
        q_arr = np.clip(q_arr, eps, 1.0 - eps)
    with np.errstate(divide="ignore", invalid="ignore"):
        on = np.where(p_arr > 0, p_arr * (np.log(p_arr) - np.log(q_arr)), 0.0)
        off = np.where(p_arr < 1, (1 - p_arr) * (np.log1p(-p_arr) - np.log1p(-q_arr)), 0.0)
    return on + off


@validate_params(
    {"p_on": _PROBABILITY, "q_on": _PROBABILITY, "eps": _BERNOULLI_EPS},
    prefer_skip_nested_validation=True,
)
def marginal_dkl(p_on, q_on, eps=None):
    """Sum over units of the Bernoulli divergences of their marginals.

    Parameters
    ----------
    p_on, q_on : array-like of shape (n_units,)
        Probabilities ``p(z_i = 1)`` of the reference and of the approximation.
    eps : float, optional
        See :func:`bernoulli_dkl`.

    Returns
    -------
    float

    Examples
    --------
    >>> from sklearn_sbs.metrics import marginal_dkl
    >>> round(marginal_dkl([0.5, 0.5], [0.5, 0.25]), 6)
    0.143841
    """
    return float(np.sum(bernoulli_dkl(p_on, q_on, eps)))
