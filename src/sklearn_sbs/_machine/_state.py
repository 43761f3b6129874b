"""The fitted state of a machine, built from values: what fit, partial_fit and a
correction produce, as a dict of fitted attributes (set on the estimator only
when the whole fit succeeded)."""

from sklearn.utils import check_random_state

from .._validation import check_boltzmann
from . import _learning
from ._correction import correct
from ._translation import Translation, calibrator_list, fit_calibrators
from ._values import initial_values

FITTED = ("calibrators_", "weights_theo_", "biases_theo_", "weights_bio_", "v_rest_",
          "weights_effective_", "biases_effective_", "tau_on_", "n_units_", "n_features_in_",
          "correction_errors_", "learning_steps_")


def initial_state(params, X, rng, learn):
    """Starting values (``params``: the estimator's parameters) calibrated and translated."""
    W, b = initial_values(params["weights"], params["biases"], params["weights_unit"],
                          params["n_hidden"], X, rng, learn)
    cals = fit_calibrators(calibrator_list(params["calibrator"], b.shape[0]), params["memory"])
    translation = Translation(tuple(cals))
    if params["weights_unit"] == "theo":
        W, b = check_boltzmann(W, b)
        w_bio, v_rest = translation.to_bio(W, b)
    else:
        w_bio, v_rest = W, b
        W, b = translation.to_theo(w_bio, v_rest)
    n = b.shape[0]
    return dict(calibrators_=cals, weights_theo_=W, biases_theo_=b, weights_bio_=w_bio,
                v_rest_=v_rest, tau_on_=translation.tau_on, n_units_=n,
                n_features_in_=n - params["n_hidden"], random_state_=rng,
                weights_effective_=W.copy(), biases_effective_=b.copy(),
                correction_errors_=[], learning_steps_=0)


def current_state(estimator):
    """The fitted state of an estimator, to continue learning from."""
    state = {name: getattr(estimator, name) for name in FITTED}
    # a machine loaded from JSON has no generator yet
    state["random_state_"] = getattr(estimator, "random_state_", None) \
        or check_random_state(estimator.random_state)
    return state


def translation(state):
    return Translation(tuple(state["calibrators_"]))


def learned_state(state, W, b, steps):
    """The learned values become the machine's weights, in both units."""
    w_bio, v_rest = translation(state).to_bio(W, b)
    return dict(state, weights_theo_=W, biases_theo_=b, weights_effective_=W.copy(),
                biases_effective_=b.copy(), weights_bio_=w_bio, v_rest_=v_rest,
                learning_steps_=state["learning_steps_"] + steps,
                correction_errors_=[])              # a correction was of other weights


def corrected_state(state, network, rounds, duration, rng, n_chains, n_jobs, verbose):
    """The state with its effective values corrected toward the target by
    ``rounds`` samplings of ``duration`` ms (see :mod:`._correction`)."""
    tr = translation(state)

    def sample_moments(W, b):
        run = network.sample(*tr.to_bio(W, b), duration, rng, n_chains, n_jobs, verbose)
        return run.coactivation()

    n_visible = state["n_features_in_"]
    mask = _learning.connection_mask(n_visible, state["n_units_"] - n_visible)
    w_eff, b_eff, errors = correct(state["weights_theo_"], state["biases_theo_"], mask,
                                   rounds, sample_moments)
    w_bio, v_rest = tr.to_bio(w_eff, b_eff)
    return dict(state, weights_effective_=w_eff, biases_effective_=b_eff,
                weights_bio_=w_bio, v_rest_=v_rest, correction_errors_=errors)
