"""Posterior marginals by sampling with observed units clamped."""

import numpy as np

MAX_UNITS_PER_RUN = 4000        # rows per simulation, as independent copies
CLAMP_MARGIN = 20.0             # theoretical bias beyond any input: firmly on or off


def clamped_marginals(rows, network, translation, weights_bio, v_rest, weights_effective,
                      duration, rng, n_jobs=None, verbose=0):
    """p(z_i = 1 | observed) of the free (NaN) units of each row; observed units
    keep their values.

    An observed unit's resting potential moves by ±(CLAMP_MARGIN + Σ_j |W_ij|)
    in theoretical bias: it fires at its ceiling or stays silent whatever its
    input.  All rows run as independent copies of the network.
    """
    margin = CLAMP_MARGIN + np.abs(weights_effective).sum(axis=1)
    v_clamp = translation.v_rest(np.where(rows == 1, margin, -margin))
    free = np.isnan(rows)
    v_rows = np.where(free, v_rest, v_clamp)
    p_on = network.copies(weights_bio, v_rows, duration, rng, MAX_UNITS_PER_RUN, n_jobs, verbose)
    return np.where(free, p_on, rows)
