"""Posterior marginals: sampled with observed units clamped, or exact for hidden units."""

import numpy as np

from ._learning import hidden_probabilities

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


def posterior_marginals(X, n_hidden, exact_hidden, W, b, sample_clamped):
    """p(z_i = 1 | observed) for visible rows X (NaN = unobserved): with hidden
    units and ``exact_hidden``, fully observed rows get the hidden units'
    exact σ(b_h + v W); other rows with free units go to ``sample_clamped``.
    Returns every unit's marginal, or only the hidden ones' if there are any."""
    nv = X.shape[1]
    observed = ~np.isnan(X)
    rows = np.hstack([X, np.full((X.shape[0], n_hidden), np.nan)])
    p_on = rows.copy()
    exact = observed.all(axis=1) & (n_hidden > 0) & exact_hidden
    if exact.any():
        p_on[exact, nv:] = hidden_probabilities(X[exact], W, b, nv)
    to_sample = ~exact & np.isnan(rows).any(axis=1)
    if to_sample.any():
        if not np.isin(X[to_sample][observed[to_sample]], (0.0, 1.0)).all():
            raise ValueError("observed units are clamped to states: X must hold 0, 1 or NaN "
                             "in rows that are sampled")
        p_on[to_sample] = sample_clamped(rows[to_sample])
    return p_on[:, nv:] if n_hidden else p_on
