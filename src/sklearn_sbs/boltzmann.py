"""Exact Boltzmann distributions and a reference Gibbs sampler.

The distribution over binary states z in {0, 1}^n is

    p(z) = exp(1/2 z^T W z + b^T z) / Z,

with W symmetric and zero on the diagonal.  Joint distributions are arrays of
shape ``(2,) * n`` whose axis i is unit i.  Every function accepts ``clamped``:
units held at given values, giving the conditional distribution of the others
(the clamped units keep their values with probability one).

Everything is enumerated exactly by a compiled kernel working in log space, so
weights and biases of several hundred in magnitude are fine; machines whose
energies float64 cannot hold with their differences (``sum(|b|) + sum(|W|) / 2``
above 1e12) are refused with a ValueError naming the argument.  The joint is
limited to 24 units (2**24 probabilities, 128 MiB); the log partition function,
marginals and second moments to 30 free units.
"""

import os
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._kernels import _enumeration, _gibbs
from ._validation import (
    RANDOM_STATE_OR_GENERATOR, Number, check_boltzmann, check_joint_size,
)

__all__ = [
    "make_random_network",
    "log_partition",
    "joint_distribution",
    "marginals",
    "second_moments",
    "gibbs_sample",
    "empirical_distribution",
]

MAX_ENUMERATED_UNITS = 30
_LOW_BITS = 11          # units enumerated as a block per Gray step (see the kernel)
_CHUNKS_PER_THREAD = 8  # independent pieces of the enumeration, for load balance
_PARALLEL_FROM = 23     # below, one thread is as fast and safe from a busy second core


_MACHINE = {"weights": ["array-like"], "biases": ["array-like"]}
_CLAMPED_MACHINE = {**_MACHINE, "clamped": [None, dict, "array-like"]}


def _generator(random_state):
    """A ``numpy.random.Generator`` from a valid ``random_state``; a RandomState
    seeds a new Generator with one draw."""
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(np.iinfo(np.int32).max))
    return np.random.default_rng(random_state)


def _n_threads(n_free):
    if n_free < _PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _check_clamped(clamped, n):
    """``clamped`` as a float array of length n: NaN where free, else 0.0 or 1.0.

    Accepts None, a dict {unit: 0 or 1}, or an array with NaN for free units.
    """
    values = np.full(n, np.nan)
    if clamped is None:
        return values
    if isinstance(clamped, dict):
        for unit, value in clamped.items():
            if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < n:
                raise ValueError(f"clamped keys must be unit indices in [0, {n}), got {unit!r}")
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                    or value not in (0, 1):
                raise ValueError(f"clamped values must be 0 or 1, got {value!r} for unit {unit}")
            values[unit] = value
    else:
        try:
            values = np.asarray(clamped, dtype=np.float64).copy()
        except (TypeError, ValueError) as exc:
            raise ValueError("clamped values must be 0 or 1 (NaN for free units)") from exc
        if values.shape != (n,):
            raise ValueError(
                f"clamped must have shape ({n},) with NaN for free units, got shape {values.shape}"
            )
    set_ = ~np.isnan(values)
    if not np.all((values[set_] == 0) | (values[set_] == 1)):
        raise ValueError(
            f"clamped values must be 0 or 1 (NaN for free units), got {np.unique(values[set_])}"
        )
    return values


def _reduce(weights, biases, clamped):
    """Validate and fold clamped units into the biases of the free ones.

    Returns (W_free, b_free, energy of the clamped part, free mask, clamped values).
    """
    W, b = check_boltzmann(weights, biases)
    values = _check_clamped(clamped, b.shape[0])
    free = np.isnan(values)
    zc = values[~free]
    W_fc = W[np.ix_(free, ~free)]
    b_free = b[free] + W_fc @ zc
    const = 0.5 * zc @ W[np.ix_(~free, ~free)] @ zc + b[~free] @ zc
    W_free = np.ascontiguousarray(W[np.ix_(free, free)])
    return W_free, np.ascontiguousarray(b_free), float(const), free, values


def _enumerate(W, b, want_joint, want_moments):
    """Run the kernel; returns (log Z, joint or None, second moments or None)."""
    n = b.shape[0]
    L = min(n, _LOW_BITS)
    H = n - L
    threads = _n_threads(n)
    # chunks only serve the threads (each has its own accumulators to combine)
    n_chunks = 1 if threads == 1 else min(1 << H, _CHUNKS_PER_THREAD * threads)
    NL = 1 << L
    chunk_m = np.empty(n_chunks)
    chunk_s = np.empty(n_chunks)
    chunk_a = np.zeros((n_chunks, NL if want_moments else 1))
    chunk_x = np.zeros((n_chunks, max(H * L, 1)))
    chunk_y = np.zeros((n_chunks, max(H * H, 1)))
    work = np.empty((n_chunks, NL + 2 * L + H))
    work_z = np.zeros((n_chunks, max(H, 1)), dtype=np.int8)
    joint = np.empty(1 << n if want_joint else 1)
    block_m = np.empty(1 << H if want_joint else 1)
    _enumeration.enumerate_chunks(
        W, b, L, joint, block_m, want_joint, want_moments, chunk_m, chunk_s,
        chunk_a, chunk_x, chunk_y, work, work_z, threads,
    )
    # combine the chunks, each relative to its own reference energy
    m_max = chunk_m.max()
    scale = np.exp(chunk_m - m_max)
    total = scale @ chunk_s
    log_z = m_max + np.log(total)
    moments = None
    if want_joint:
        _enumeration.scale_blocks(joint.reshape(1 << H, NL), block_m, log_z, threads)
        joint = joint.reshape((2,) * n)
    else:
        joint = None
    if want_moments:
        weight = scale / total
        low_p = weight @ chunk_a                  # probability of each low pattern
        bits = (np.arange(NL)[:, None] >> (L - 1 - np.arange(L))) & 1
        bits = bits.astype(np.float64)
        # one triangle, mirrored: symmetric by construction, whatever CPU-specific
        # code (BLAS, glibc's vector exp) rounded the sums
        moments = np.zeros((n, n))
        moments[H:, H:] = np.triu(bits.T @ (low_p[:, None] * bits))
        if H:
            moments[:H, :H] = np.triu((weight @ chunk_y).reshape(H, H))
            moments[:H, H:] = (weight @ chunk_x).reshape(H, L)
        moments += np.triu(moments, 1).T
    return float(log_z), joint, moments


def _check_size(n_free, limit, what):
    if n_free > limit:
        raise ValueError(
            f"{what} is enumerated exactly for at most {limit} units, got {n_free}; "
            "clamp units, or use marginals/second_moments (up to "
            f"{MAX_ENUMERATED_UNITS} units) or gibbs_sample"
        )


@validate_params(_CLAMPED_MACHINE, prefer_skip_nested_validation=True)
def log_partition(weights, biases, clamped=None):
    """Log partition function ``log Z`` of a Boltzmann machine.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric weights with a zero diagonal.
    biases : array-like of shape (n_units,)
        Biases.
    clamped : None, dict or array-like of shape (n_units,), default=None
        Units held fixed: ``{unit: 0 or 1}``, or an array with 0/1 for clamped
        and NaN for free units.  Then the sum runs over the states agreeing with
        the clamped values, so ``exp(log_partition(W, b, c) - log_partition(W, b))``
        is the probability of the clamped configuration.

    Returns
    -------
    log_z : float

    Raises
    ------
    ValueError
        For weights that are not symmetric with a zero diagonal, shapes that do
        not match, or energies beyond float64 (``sum(|biases|) + sum(|weights|) / 2
        > 1e12``), naming the argument.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.boltzmann import log_partition
    >>> round(log_partition(np.zeros((2, 2)), np.zeros(2)), 6)   # log 4
    1.386294
    """
    W, b, const, free, _ = _reduce(weights, biases, clamped)
    n_free = int(free.sum())
    if n_free == 0:
        return const
    _check_size(n_free, MAX_ENUMERATED_UNITS, "log_partition")
    return const + _enumerate(W, b, False, False)[0]


@validate_params(_CLAMPED_MACHINE, prefer_skip_nested_validation=True)
def joint_distribution(weights, biases, clamped=None):
    """Exact joint distribution, an array of shape ``(2,) * n_units``.

    ``p[z_0, z_1, ..., z_{n-1}]`` is the probability of that state; with
    ``clamped``, the conditional distribution given the clamped values (zero
    wherever a state disagrees with them).  At most 24 units.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric weights with a zero diagonal.
    biases : array-like of shape (n_units,)
        Biases.
    clamped : None, dict or array-like of shape (n_units,), default=None
        See :func:`log_partition`.

    Returns
    -------
    p : ndarray of shape (2,) * n_units

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.boltzmann import joint_distribution
    >>> W = np.array([[0.0, 2.0], [2.0, 0.0]])
    >>> p = joint_distribution(W, [-1.0, -1.0])
    >>> p.shape, bool(np.isclose(p.sum(), 1.0))
    ((2, 2), True)
    >>> float(np.round(p[1, 1] / p[0, 0], 6))           # exp(2 - 1 - 1)
    1.0
    """
    W, b, const, free, values = _reduce(weights, biases, clamped)
    n = free.shape[0]
    check_joint_size(n, "joint_distribution")
    if free.all():
        return _enumerate(W, b, True, False)[1]
    out = np.zeros((2,) * n)
    index = tuple(slice(None) if f else int(v) for f, v in zip(free, values))
    out[index] = _enumerate(W, b, True, False)[1] if free.any() else 1.0
    return out


def _moments(weights, biases, clamped, what):
    W, b, _, free, values = _reduce(weights, biases, clamped)
    n_free = int(free.sum())
    _check_size(n_free, MAX_ENUMERATED_UNITS, what)
    clamped_values = np.nan_to_num(values)
    out = np.outer(clamped_values, clamped_values)
    if n_free:
        m_free = _enumerate(W, b, False, True)[2]
        idx = np.flatnonzero(free)
        out[np.ix_(idx, idx)] = m_free
        p = np.diag(m_free)
        c_idx = np.flatnonzero(~free)
        cross = np.outer(p, clamped_values[c_idx])
        out[np.ix_(idx, c_idx)] = cross
        out[np.ix_(c_idx, idx)] = cross.T
    return out


@validate_params(_CLAMPED_MACHINE, prefer_skip_nested_validation=True)
def marginals(weights, biases, clamped=None):
    """Marginal probabilities ``p(z_i = 1)`` of all units (one pass, up to 30 units).

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric weights with a zero diagonal.
    biases : array-like of shape (n_units,)
        Biases.
    clamped : None, dict or array-like of shape (n_units,), default=None
        See :func:`log_partition`; clamped units return their clamped value.

    Returns
    -------
    p_on : ndarray of shape (n_units,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.boltzmann import marginals
    >>> np.round(marginals(np.zeros((2, 2)), [0.0, np.log(3.0)]), 6)
    array([0.5 , 0.75])
    >>> W = np.array([[0.0, 50.0], [50.0, 0.0]])
    >>> np.round(marginals(W, [-25.0, 0.0], clamped={0: 1}), 6)
    array([1., 1.])
    """
    return np.diag(_moments(weights, biases, clamped, "marginals")).copy()


@validate_params(_CLAMPED_MACHINE, prefer_skip_nested_validation=True)
def second_moments(weights, biases, clamped=None):
    """Second moments ``<z_i z_j>``, an (n_units, n_units) matrix.

    The diagonal holds the marginals.  One pass over the states, up to 30 free
    units.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric weights with a zero diagonal.
    biases : array-like of shape (n_units,)
        Biases.
    clamped : None, dict or array-like of shape (n_units,), default=None
        See :func:`log_partition`.

    Returns
    -------
    moments : ndarray of shape (n_units, n_units)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.boltzmann import second_moments
    >>> np.round(second_moments(np.zeros((2, 2)), np.zeros(2)), 6)
    array([[0.5 , 0.25],
           [0.25, 0.5 ]])
    """
    return _moments(weights, biases, clamped, "second_moments")


@validate_params(
    {"n_units": [Number(Integral, 1, None, closed="left")],
     "random_state": RANDOM_STATE_OR_GENERATOR},
    prefer_skip_nested_validation=True,
)
def make_random_network(n_units, random_state=None):
    """The sbs tutorial's random Boltzmann machine.

    ``W = (A + A.T) / 2`` with ``A ~ N(0, 1)`` and a zero diagonal, ``b ~ N(0, 1)``
    (A drawn first, then b, from ``numpy.random.default_rng(random_state)``).

    Parameters
    ----------
    n_units : int
        Number of units.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seed.

    Returns
    -------
    weights : ndarray of shape (n_units, n_units)
    biases : ndarray of shape (n_units,)

    Examples
    --------
    >>> from sklearn_sbs.boltzmann import make_random_network
    >>> W, b = make_random_network(3, random_state=0)
    >>> bool((W == W.T).all()), W.diagonal().tolist(), b.shape
    (True, [0.0, 0.0, 0.0], (3,))
    """
    n_units = int(n_units)
    rng = _generator(random_state)
    a = rng.normal(size=(n_units, n_units))
    weights = (a + a.T) / 2
    np.fill_diagonal(weights, 0.0)
    return weights, rng.normal(size=n_units)


@validate_params(
    {**_MACHINE,
     "n_samples": [Number(Integral, 0, None, closed="left")],
     "burn_in": [Number(Integral, 0, None, closed="left")],
     "thin": [Number(Integral, 1, None, closed="left")],
     "random_state": RANDOM_STATE_OR_GENERATOR},
    prefer_skip_nested_validation=True,
)
def gibbs_sample(weights, biases, n_samples, *, burn_in=100, thin=1, random_state=None):
    """Draw states with a systematic-scan Gibbs sampler: the ideal-sampler baseline.

    Each sweep updates every unit in turn from its conditional
    ``p(z_i = 1 | rest) = 1 / (1 + exp(-(b_i + sum_j W_ij z_j)))``.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric weights with a zero diagonal.
    biases : array-like of shape (n_units,)
        Biases.
    n_samples : int
        Number of states returned.
    burn_in : int, default=100
        Sweeps discarded before the first sample, from a uniformly random start.
    thin : int, default=1
        Sweeps per returned sample.
    random_state : None, int, numpy.random.Generator or RandomState, default=None
        Seed; the same seed gives the same samples.

    Returns
    -------
    samples : ndarray of shape (n_samples, n_units), dtype uint8

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.boltzmann import gibbs_sample
    >>> z = gibbs_sample(np.zeros((3, 3)), [0.0, 5.0, -5.0], 2000, random_state=0)
    >>> z.shape, z.dtype.name
    ((2000, 3), 'uint8')
    >>> np.round(z.mean(axis=0), 1)
    array([0.5, 1. , 0. ])
    """
    W, b = check_boltzmann(weights, biases)
    n_samples, burn_in, thin = int(n_samples), int(burn_in), int(thin)
    rng = _generator(random_state)
    n = b.shape[0]
    z = rng.integers(0, 2, size=n, dtype=np.uint8)
    out = np.empty((n_samples, n), dtype=np.uint8)
    no_rows = np.empty((0, n), dtype=np.uint8)
    chunk = max(1, (1 << 20) // n)       # sweeps per batch of uniforms (8 MiB)
    for start in range(0, burn_in, chunk):
        sweeps = min(chunk, burn_in - start)
        _gibbs.gibbs_sweeps(W, b, z, rng.random((sweeps, n)), no_rows, 1)
    rows_per_chunk = max(1, chunk // thin)
    for start in range(0, n_samples, rows_per_chunk):
        rows = min(rows_per_chunk, n_samples - start)
        _gibbs.gibbs_sweeps(W, b, z, rng.random((rows * thin, n)), out[start:start + rows], thin)
    return out


@validate_params({"states": ["array-like"]}, prefer_skip_nested_validation=True)
def empirical_distribution(states):
    """The distribution of binary rows: the fraction of rows in each state.

    Parameters
    ----------
    states : array-like of shape (n_samples, n_units)
        Binary states (0 or 1), at most 24 units.

    Returns
    -------
    p : ndarray of shape (2,) * n_units
        Axis i is unit i, as for :func:`joint_distribution`.

    Examples
    --------
    >>> from sklearn_sbs.boltzmann import empirical_distribution
    >>> empirical_distribution([[0, 1], [0, 1], [1, 1], [0, 0]])
    array([[0.25, 0.5 ],
           [0.  , 0.25]])
    """
    z = np.asarray(states)
    if z.ndim != 2 or z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"states must be a non-empty 2-d array (n_samples, n_units), "
                         f"got shape {z.shape}")
    n = z.shape[1]
    check_joint_size(n, "an empirical joint distribution")
    if not np.all((z == 0) | (z == 1)):
        raise ValueError("states must hold binary states (0 or 1)")
    codes = z.astype(np.int64) @ (1 << np.arange(n, dtype=np.int64)[::-1])
    return (np.bincount(codes, minlength=2**n) / z.shape[0]).reshape((2,) * n)
