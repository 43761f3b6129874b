"""Correction of the translation in the loop: every unit's realised response, measured.

The analytic translation (Petrovici et al., Phys. Rev. E 94, 042312, 2016)
predicts each PSP from the free-membrane theory of one input at a time.  In a
network a unit receives many at once: conductance synapses raise its total
conductance and move its operating point, so the log-odds it realises deviate
from ``b_j + sum_i W_ij z_i`` -- couplings come out about 1.3x too strong in
small networks, and biases drift under load in large ones.

Each round samples the network with the current effective values and measures,
on the sampled states, every unit's conditional log-odds as a function of the
others' states: a logistic regression of z_j on its inputs (the
pseudo-likelihood fit of a Boltzmann machine, Besag 1975), with a Gaussian
prior at the target values so that inputs the run hardly varied stay where they
are.  The measured values are the machine the network realised; the effective
values move by the difference to the target, column by column (unit j's
inputs), divided by how strongly the network scales that unit's weights
through the receptor (a Newton step), which is the synapse-by-synapse
translation measured under the load the network really has.  The target's
moments are never needed, so any number of units works.

The first two rounds are short (half of ``correction_duration`` each) and take
full steps: they bring the network near the target.  The later rounds are long
(twice ``correction_duration``) and are averaged with the rounds before them from
the second on, each weighted by its duration (Robbins & Monro 1951): the final
values carry the noise of all the averaged samples, not of the last round's.  For
2.5 ``sample()`` runs instead of 2 (four rounds of ``duration / 2``), the error of
the visible marginals went from 1.62x to 1.04x Gibbs's on a digits RBM with 100
hidden units and from 1.55x to 1.44x on a sparse 100-unit machine; a 64+32 RBM
kept an offset, 1.75x.  That offset is the iteration's, not the samples' noise:
on that RBM, 4 rounds with twice the samples (5 runs) gave 1.45x, 6 rounds with
less (4.5 runs) 1.22x, 6 rounds of ``duration / 4`` (2.25 runs) 1.23x -- but
that made the 64+100 RBM, whose rounds are noise-limited (100 inputs per unit),
go from 1.04x to 1.59x.  Five rounds of ``duration / 3`` (2.33 runs, the
default) meet both: 1.28x and 1.21x (benchmarks/RESULTS.md).
"""

import numpy as np
from scipy.special import expit

# per weight, in 1/(theoretical unit)^2: std 0.1 per round.  The rounds' weight estimates
# are noise-limited (64-100 inputs per unit add their noise up in the unit's field), so a
# prior this firm is worth its slower convergence: on a sparse 100-unit machine it took
# the visible-marginal error from 2.0x to 1.6x Gibbs's (two fits each, against 30).
PRIOR_PRECISION = 100.0
BIAS_PRECISION = 1.0         # keeps a unit that never (or always) fires finite
MAX_STEP = 2.0               # per round and value, theoretical units: no runaway
MIN_SLOPE, MAX_SLOPE = 0.25, 4.0   # how strongly a network may scale its weights
_NEWTON_STEPS = 12
_TOLERANCE = 1e-4               # theoretical units: far below a round's noise
#: Rounds of SHORT_ROUND x correction_duration (full steps), then LONG_ROUND x (averaged).
SHORT_ROUNDS, SHORT_ROUND, LONG_ROUND = 2, 0.5, 2.0
#: correction_duration=None: this share of ``duration``.  With the default 5 rounds the
#: correction samples 2.33 ``sample()`` runs: two of duration/6, three of 2 duration/3.
DURATION_SHARE = 1.0 / 3.0


def _fit_logistic(X, y, prior, precision):
    """MAP logistic regression of y on X with the prior N(prior, 1/precision);
    damped Newton steps (separable data must not run away)."""
    w = prior.copy()
    for _ in range(_NEWTON_STEPS):
        p = expit(X @ w)
        gradient = X.T @ (y - p) - precision * (w - prior)
        hessian = (X * (p * (1.0 - p))[:, None]).T @ X + np.diag(precision)
        step = np.linalg.solve(hessian, gradient)
        largest = np.abs(step).max()
        if largest > 1.0:
            step /= largest
        w += step
        if largest < _TOLERANCE:
            break
    return w


def realised_values(states, W, b, mask):
    """The Boltzmann machine the sampled ``states`` realise, unit by unit.

    Parameters
    ----------
    states : ndarray of shape (n_samples, n_units)
        Binary states sampled from the network.
    W, b : ndarray
        The target; also the prior's mean.
    mask : ndarray of bool, shape (n_units, n_units)
        The connections that exist (``mask[i, j]``: unit i feeds unit j).

    Returns
    -------
    W_real, b_real : ndarray
        Column j of ``W_real`` holds the realised weights onto unit j (not
        symmetric: each direction is measured on its receiving unit).
    """
    Z = np.asarray(states, dtype=float)
    W_real, b_real = W.copy(), b.copy()
    ones = np.ones((Z.shape[0], 1))
    for j in range(b.shape[0]):
        inputs = np.flatnonzero(mask[:, j])
        X = np.hstack([Z[:, inputs], ones])
        precision = np.append(np.full(inputs.size, PRIOR_PRECISION), BIAS_PRECISION)
        w = _fit_logistic(X, Z[:, j], np.append(W[inputs, j], b[j]), precision)
        W_real[inputs, j], b_real[j] = w[:-1], w[-1]
    return W_real, b_real


def receptor_slopes(W_real, w_eff, mask):
    """For every connection, the factor by which the network scales the effective
    weights onto its receiving unit through the same receptor: the least-squares
    slope of realised on effective weights, column by column and sign by sign.
    It is about 1.3 with the analytic translation of exponential synapses, and
    can be several times that (alpha synapses), where plain steps of the gap
    would overshoot and oscillate."""
    slopes = np.ones_like(w_eff)
    for receptor in (mask & (w_eff > 0), mask & (w_eff < 0)):
        num = np.where(receptor, W_real * w_eff, 0.0).sum(axis=0)
        den = np.where(receptor, w_eff * w_eff, 0.0).sum(axis=0)
        slope = np.clip(np.divide(num, den, out=np.ones_like(num), where=den > 0),
                        MIN_SLOPE, MAX_SLOPE)
        slopes = np.where(receptor, slope[None, :], slopes)
    return slopes


def default_base(duration):
    """``correction_duration`` when None: DURATION_SHARE of ``duration``."""
    return DURATION_SHARE * duration


def round_durations(base, rounds, dt):
    """Sampled ms of each round: the first ``SHORT_ROUNDS`` take ``SHORT_ROUND x
    base``, later ones ``LONG_ROUND x base``, on the grid of ``dt`` (at least a step)."""
    parts = [SHORT_ROUND if k < SHORT_ROUNDS else LONG_ROUND for k in range(rounds)]
    return [max(1, round(part * base / dt)) * dt for part in parts]


def round_gains(durations):
    """The step of each round: full for the short ones; from the last short round
    on, the duration-weighted average of the rounds' estimates (Robbins-Monro)."""
    gains, pooled = [], 0.0
    for k, duration in enumerate(durations, 1):
        pooled = duration if k <= SHORT_ROUNDS else pooled + duration
        gains.append(duration / pooled)
    return gains


def correct(W, b, mask, durations, sample_states, report=None):
    """Effective (W, b) whose network realises the target (W, b).

    Parameters
    ----------
    W, b : ndarray
        The target's theoretical weights and biases.
    mask : ndarray of bool
        The weights the structure allows.
    durations : list of float
        Sampled ms of each round (see :func:`round_durations`).
    sample_states : callable
        ``sample_states(W_eff, b_eff, duration)`` -> binary states sampled from the
        network translated from the effective values.
    report : callable, default=None
        ``report(round, error, gain)`` after each round (progress).

    Returns
    -------
    W_eff, b_eff : ndarray
    errors : list of float
        RMS of (realised - target) over the weights and biases, before each step.
    """
    w_eff, b_eff = W.copy(), b.copy()
    errors = []
    for k, (duration, gain) in enumerate(zip(durations, round_gains(durations)), 1):
        W_real, b_real = realised_values(sample_states(w_eff, b_eff, duration), W, b, mask)
        gap_w, gap_b = np.where(mask, W - W_real, 0.0), b - b_real
        errors.append(float(np.sqrt(np.mean(np.concatenate([gap_w[mask], gap_b]) ** 2))))
        # a Newton step: the weights' gap over how strongly the network scales them
        gap_w = gap_w / receptor_slopes(W_real, w_eff, mask)
        w_eff = w_eff + np.clip(gain * gap_w, -MAX_STEP, MAX_STEP)
        b_eff = b_eff + np.clip(gain * gap_b, -MAX_STEP, MAX_STEP)
        if report is not None:
            report(k, errors[-1], gain)
    return w_eff, b_eff, errors
