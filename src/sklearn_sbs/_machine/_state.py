"""The fitted state of a machine, built from values: what fit, partial_fit and a
correction produce, as a dict of fitted attributes (set on the estimator only
when the whole fit succeeded)."""

import numbers
import time

import numpy as np
from sklearn.utils import check_random_state

from .._logging import report
from .._validation import check_energy_scale
from . import _learning
from ._correction import correct, default_base, round_durations
from ._inference import MAX_UNITS_PER_RUN, clamp_schedule, clamped_values
from ._network import SamplerNetwork, draw_seeds
from ._values import warn_unreachable
from ._translation import Translation, calibrator_list, fit_calibrators
from ._values import check_resting_potentials, initial_values

FITTED = ("calibrators_", "weights_theo_", "biases_theo_", "weights_bio_", "v_rest_",
          "weights_effective_", "biases_effective_", "tau_on_", "n_units_", "n_features_in_",
          "correction_errors_", "learning_steps_")


def initial_state(params, X, rng, learn):
    """Starting values (``params``: the estimator's parameters) calibrated and translated."""
    W, b = initial_values(params["weights"], params["biases"], params["weights_unit"],
                          params["n_hidden"], X, rng, learn)
    cals = fit_calibrators(calibrator_list(params["calibrator"], b.shape[0]), params["memory"])
    translation = Translation(tuple(cals))
    if params["weights_unit"] == "theo":          # checked by initial_values
        check_resting_potentials(W, b, translation.v_rest(b), cals, "theo")
        w_bio, v_rest = translation.to_bio(W, b)
    else:
        check_resting_potentials(W, b, b, cals, "bio")
        w_bio, v_rest = W, b
        W, b = translation.to_theo(w_bio, v_rest)
        check_energy_scale(W, b)
    n = b.shape[0]
    return dict(calibrators_=cals, weights_theo_=W, biases_theo_=b, weights_bio_=w_bio,
                v_rest_=v_rest, tau_on_=translation.tau_on, n_units_=n,
                n_features_in_=n - params["n_hidden"], random_state_=rng,
                weights_effective_=W.copy(), biases_effective_=b.copy(),
                correction_errors_=[], learning_steps_=0, learning_seconds_=None)


def current_state(estimator):
    """The fitted state of an estimator, to continue learning from."""
    state = {name: getattr(estimator, name) for name in FITTED}
    # a machine loaded from JSON has no generator yet
    state["random_state_"] = getattr(estimator, "random_state_", None) \
        or check_random_state(estimator.random_state)
    return state


def translation(state):
    return Translation(tuple(state["calibrators_"]))


def rbm_values(rbm):
    """(W, b) of a fitted BernoulliRBM, visible units first: W[:nv, nv:] = components_.T."""
    components = np.asarray(rbm.components_, dtype=float)
    nh, nv = components.shape
    W = np.zeros((nv + nh, nv + nh))
    W[:nv, nv:] = components.T
    W[nv:, :nv] = components
    return W, np.concatenate([np.asarray(rbm.intercept_visible_, dtype=float),
                              np.asarray(rbm.intercept_hidden_, dtype=float)])


def fitted_state(params, X, learn):
    """What ``fit`` builds: calibrated and translated, learned from X if ``learn``,
    corrected (unless the values were learned on the spiking network, which makes
    them effective ones already), and checked for units beyond their ceiling."""
    state = initial_state(params, X, check_random_state(params["random_state"]), learn)
    if learn:
        state = learned_by_fit(params, state, X)
    if params["correction_rounds"] and not (learn and params["learning"] == "spiking"):
        state = corrected_by_fit(params, state)
    warn_unreachable(state["weights_theo_"], state["biases_theo_"], state["tau_on_"],
                     network(params, state["calibrators_"]).dt)
    return state


def network(params, calibrators):
    """The sampler network of a machine's parameters and fitted calibrators."""
    return SamplerNetwork(Translation(tuple(calibrators)), params["synapse"], params["delay"],
                          params["dt"], params["burn_in"], params["noise"],
                          params.get("spike_precision"))


def model_moments(params, state):
    """The model-moment estimator of the machine's ``learning`` mode."""
    return _learning.model_moments(
        params["learning"], network(params, state["calibrators_"]), translation(state),
        state["weights_bio_"], state["v_rest_"], state["n_features_in_"], params["n_chains"],
        params["step_duration"], state["random_state_"], params["n_jobs"])


def learning_start(state, learning):
    """The values a learning step moves: spiking learning the effective ones, the
    others the model's own (which a correction may have moved the effective
    ones away from)."""
    if learning == "spiking":
        return state["weights_effective_"], state["biases_effective_"]
    return state["weights_theo_"], state["biases_theo_"]


def learned_by_fit(params, state, X):
    """The state after ``fit``'s learning from X."""
    moments = model_moments(params, state)
    try:
        W, b, steps = _learning.learn(
            state["weights_effective_"], state["biases_effective_"], X, moments,
            state["n_features_in_"], params["learning_rate"], params["batch_size"],
            params["n_iter"], params["verbose"])
    finally:
        moments.close()
    return learned_state(state, W, b, steps, moments)


def learned_state(state, W, b, steps, moments):
    """The learned values become the machine's weights, in both units; a spiking
    network's ``moments`` tell where its steps' time went."""
    try:
        w_bio, v_rest = translation(state).to_bio(W, b)
    except ValueError as exc:
        raise ValueError(f"the learned values cannot be simulated: {exc}; a smaller "
                         "learning_rate or fewer n_iter") from exc
    return dict(state, weights_theo_=W, biases_theo_=b, weights_effective_=W.copy(),
                biases_effective_=b.copy(), weights_bio_=w_bio, v_rest_=v_rest,
                learning_steps_=state["learning_steps_"] + steps,
                learning_seconds_=moments.breakdown() if hasattr(moments, "breakdown") else None,
                correction_errors_=[])              # a correction was of other weights


CORRECTION_STREAM = 0x5B5C0      # tags the correction's seed stream


def correction_seeds(random_state, n_chains):
    """A generator of seeds for the correction's runs, and the seeds it must skip:
    those of the ``sample()`` that follows with the same integer ``random_state``,
    so that a score is always measured on fresh spikes."""
    if isinstance(random_state, numbers.Integral):
        taken = set(draw_seeds(check_random_state(random_state), n_chains))
        seq = np.random.SeedSequence([CORRECTION_STREAM, int(random_state)])
        return np.random.RandomState(seq.generate_state(4)), taken
    rng = check_random_state(random_state)          # None: fresh entropy
    return np.random.RandomState(rng.randint(0, 2**31 - 1, size=4)), set()


def corrected_by_fit(params, state):
    """The state with its effective values corrected toward the target by
    ``correction_rounds`` runs per chain: two of half ``correction_duration``
    (default: a third of ``duration``), then twice it (see :mod:`._correction`)."""
    tr, net = translation(state), network(params, state["calibrators_"])
    rng, excluded = correction_seeds(params["random_state"], params["n_chains"])
    base = params["correction_duration"] or default_base(params["duration"])
    durations = round_durations(base, params["correction_rounds"], net.dt)
    # states every tau_on / 2: correlated, but twice the samples of the tau_on grid
    step = 0.5 * float(state["tau_on_"].min())
    start = time.perf_counter()

    def sample_states(W, b, duration):
        try:
            bio = tr.to_bio(W, b)
        except ValueError as exc:
            raise ValueError(f"the correction moved the effective values beyond what the "
                             f"neurons realise: {exc} (correction_rounds=0: the analytic "
                             "translation alone)") from exc
        run = net.sample(*bio, duration,
                         draw_seeds(rng, params["n_chains"], excluded), params["n_jobs"],
                         params["verbose"])
        return run.states(step)

    def report_round(k, error, gain):
        report(params["verbose"], f"[SpikingBoltzmannMachine] correction round {k}/{len(durations)}: "
                                  f"RMS |realised - target| = {error:.3f}, step {gain:.2f}, "
                                  f"{params['n_chains']} x {durations[k - 1]:g} ms, "
                                  f"{time.perf_counter() - start:.1f} s")

    n_visible = state["n_features_in_"]
    # the synapses that exist: the structure's pairs with a target weight (a sparse
    # machine keeps its sparsity, and no unit gets the noise of absent inputs)
    mask = _learning.connection_mask(n_visible, state["n_units_"] - n_visible) \
        & (state["weights_theo_"] != 0)
    w_eff, b_eff, errors = correct(state["weights_theo_"], state["biases_theo_"], mask,
                                   durations, sample_states, report_round)
    w_bio, v_rest = tr.to_bio(w_eff, b_eff)
    return dict(state, weights_effective_=w_eff, biases_effective_=b_eff,
                weights_bio_=w_bio, v_rest_=v_rest, correction_errors_=errors)


def sampled_run(params, state, duration, seeds, initial_v=None, windows=()):
    """A SampledRun of a fitted machine, units clamped in ``windows`` (checked
    clamping windows, times from the start of the sampled window)."""
    net = network(params, state["calibrators_"])
    schedule = clamp_schedule(windows, state["n_units_"], translation(state), state["v_rest_"],
                              state["weights_effective_"], net.dt) if windows else ()
    return net.sample(state["weights_bio_"], state["v_rest_"], duration, seeds, params["n_jobs"],
                      params["verbose"], initial_v, schedule)


def clamped_marginals(params, state, rows):
    """Posterior marginals of the free (NaN) units of each row of a fitted machine,
    observed units clamped (see :mod:`._inference`)."""
    tr = translation(state)
    v_rows = clamped_values(rows, tr, state["v_rest_"], state["weights_effective_"])
    p_on = network(params, state["calibrators_"]).copies(
        state["weights_bio_"], v_rows, params["inference_duration"],
        check_random_state(params["random_state"]), MAX_UNITS_PER_RUN, params["n_jobs"],
        params["verbose"])
    return np.where(np.isnan(rows), p_on, rows)
