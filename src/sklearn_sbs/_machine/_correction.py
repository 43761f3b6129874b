"""Correction of the translation in the loop, toward a target's exact moments.

The analytic translation realises coupling about 1.3x too strong with renewing
synapses.  Each round samples the network with the current effective values
and takes a Newton step on the gap between the target's exact second moments
and the sampled ones (Jacobian: the target's exact Fisher information).  The
first two rounds take full steps; later ones steps of 1/2, 1/3, ... (Robbins &
Monro 1951), which averages the rounds' sampling noise instead of keeping
that of the last one.  Above MAX_NEWTON_UNITS units (enumerating the Fisher
information gets costly) each round takes a plain gradient step of rate 1.
"""

import numpy as np

from .. import boltzmann
from . import _learning

MAX_CORRECTED_UNITS = 20


def correct(W, b, mask, rounds, sample_moments):
    """Effective (W, b) whose sampled moments match the exact ones of (W, b).

    Parameters
    ----------
    W, b : ndarray
        The target's theoretical weights and biases.
    mask : ndarray of bool
        The weights the structure allows.
    rounds : int
        Sampling rounds.
    sample_moments : callable
        ``sample_moments(W_eff, b_eff)`` -> sampled <z_i z_j> (means on the
        diagonal) of the network translated from the effective values.

    Returns
    -------
    W_eff, b_eff : ndarray
    errors : list of float
        Largest |<z_i z_j>_target - <z_i z_j>_sampled| before each step.
    """
    n = b.shape[0]
    if n > MAX_CORRECTED_UNITS:
        raise ValueError(
            f"correction_rounds needs exact moments, limited to {MAX_CORRECTED_UNITS} units; "
            f"got {n} units (set correction_rounds=0)"
        )
    target = boltzmann.second_moments(W, b)
    information = (_learning.fisher_information(W, b, mask)
                   if n <= _learning.MAX_NEWTON_UNITS else None)
    compared = mask | np.eye(n, dtype=bool)      # the moments the structure can move
    w_eff, b_eff = W.copy(), b.copy()
    errors = []
    for k in range(1, rounds + 1):
        sampled = sample_moments(w_eff, b_eff)
        errors.append(float(np.abs(target - sampled)[compared].max()))
        if information is None:        # gradient steps close a gap slowly: keep rate 1
            w_eff, b_eff = _learning.gradient_step(w_eff, b_eff, target, sampled, 1.0, mask)
        else:
            w_eff, b_eff = _learning.newton_step(w_eff, b_eff, target, sampled,
                                                 1.0 / max(1, k - 1), information)
    return w_eff, b_eff, errors
