"""Posterior marginals: sampled with observed units clamped, or exact for hidden units."""

import numpy as np

from ._learning import hidden_probabilities

MAX_UNITS_PER_RUN = 4000        # neurons per simulation: rows run as independent copies
CLAMP_MARGIN = 20.0             # theoretical bias beyond any input: firmly on or off


def clamped_values(rows, translation, v_rest, weights_effective):
    """Resting potentials of each row's units: the fitted ones for free (NaN)
    units; observed ones moved by ±(CLAMP_MARGIN + Σ_j |W_ij|) in theoretical
    bias, so that they fire at their ceiling or stay silent whatever their input."""
    margin = CLAMP_MARGIN + np.abs(weights_effective).sum(axis=1)
    v_clamp = translation.v_rest(np.where(rows == 1, margin, -margin))
    return np.where(np.isnan(rows), v_rest, v_clamp)


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


def clamp_schedule(windows, n_units, translation, v_rest, weights_effective, dt):
    """The resting potentials of clamping ``windows`` (checked: see
    ``check_clamp``) as changes in time: ``((t, v_rest), ...)``, t in ms from the
    start of the sampled window on the grid of ``dt``, at each window's start and
    end; overlapping windows combine, and must agree on the units they share."""
    on_grid = lambda t: round(t / dt) * dt          # noqa: E731 -- NEST steps whole dts
    edges = sorted({on_grid(t) for t0, t1, _ in windows for t in (t0, t1)})
    schedule = []
    for t, t_next in zip(edges, edges[1:] + [np.inf]):
        row = np.full(n_units, np.nan)
        for k, (t0, t1, states) in enumerate(windows):
            if on_grid(t0) <= t < on_grid(t1):
                for unit, value in states.items():
                    if row[unit] == 1 - value:
                        raise ValueError(f"clamp[{k}] clamps unit {unit} to {value} while another "
                                         f"window clamps it to {1 - value} at {t:g} ms")
                    row[unit] = value
        v_rows = clamped_values(row[None, :], translation, v_rest, weights_effective)
        schedule.append((t, tuple(v_rows[0].tolist())))
    return tuple(schedule)
