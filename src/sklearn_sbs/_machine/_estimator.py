"""SpikingBoltzmannMachine: parameters and public methods; the work is delegated.

Calibration and unit translation live in :mod:`._translation`, the network's
tasks and the measured runs in :mod:`._network`, learning in :mod:`._learning`,
the correction in :mod:`._correction`, clamped inference in :mod:`._inference`
and the JSON document in :mod:`._document`.
"""

import functools
import numbers

import numpy as np
from sklearn.base import (
    BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context,
)
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted, validate_data

from .. import boltzmann
from .._serialization import JSONFileMixin
from .._simulation import build_in_session
from .._validation import NestedParamsMixin, Number, check_boltzmann, check_joint_size, check_units
from ..metrics import dkl
from ..sources import NOISE_PER_UNIT_PARAMETER
from ..synapses import StaticSynapse, TsodyksMarkramSynapse
from . import _document, _learning, _state
from ._checks import check_machine
from ._inference import posterior_marginals
from ._network import draw_seeds
from ._values import check_clamp, check_initial_v, check_states, check_unit_interval

__all__ = ["SpikingBoltzmannMachine"]

# Number: an Interval refusing bools; times on the grid of dt are checked in fit (_checks)
_POSITIVE = Number(numbers.Real, 0, None, closed="neither")     # finite, > 0
_PARAMETER_CONSTRAINTS = {
    "weights": ["array-like", None],
    "biases": ["array-like", None],
    "n_hidden": [Number(numbers.Integral, 0, None, closed="left")],
    "weights_unit": [StrOptions({"theo", "bio"})],
    "calibrator": "no_validation",          # one, a list, or frozen: checked in fit
    "synapse": [StrOptions({"static", "renewing"}), StaticSynapse, TsodyksMarkramSynapse],
    "delay": [_POSITIVE, "array-like", None],
    "spike_precision": [StrOptions({"on_grid", "off_grid"}), None],
    "duration": [_POSITIVE],
    "burn_in": [Number(numbers.Real, 0, None, closed="left")],
    "dt": [_POSITIVE, None],
    "noise": NOISE_PER_UNIT_PARAMETER,
    "n_chains": [Number(numbers.Integral, 1, None, closed="left")],
    "correction_rounds": [Number(numbers.Integral, 0, None, closed="left")],
    "correction_duration": [_POSITIVE, None],
    "learning": [StrOptions({"spiking", "exact", "gibbs"}), None],
    # a step moves each value by at most learning_rate (moment gaps lie in [-1, 1]):
    # beyond 100 one step leaves any sampler's reach (p_on below 1e-43)
    "learning_rate": [Number(numbers.Real, 0, 100, closed="right")],
    "batch_size": [Number(numbers.Integral, 1, None, closed="left")],
    "n_iter": [Number(numbers.Integral, 0, None, closed="left")],
    "step_duration": [_POSITIVE],
    "inference": [StrOptions({"auto", "sampling"})],
    "inference_duration": [_POSITIVE],
    "random_state": ["random_state"],
    "n_jobs": [Number(numbers.Integral, 1, None, closed="left"),
               Number(numbers.Integral, None, -1, closed="right"), None],      # 0 means nothing
    "memory": [None, str, HasMethods(["cache"])],
    "verbose": ["verbose"],
}


_SAMPLE_CONSTRAINTS = {"duration": [_POSITIVE, None], "random_state": ["random_state"],
                       "initial_v": ["array-like", None], "clamp": [list, tuple, None]}


def _exact(what, W, b):
    """An exact distribution of (W, b), cached by value: the same target is asked
    for again and again (scores, displays), and a value cannot go stale."""
    return _exact_cached(what, W.tobytes(), b.tobytes(), b.shape[0])


@functools.lru_cache(maxsize=8)
def _exact_cached(what, W_bytes, b_bytes, n):
    return getattr(boltzmann, what)(np.frombuffer(W_bytes).reshape(n, n), np.frombuffer(b_bytes))


def _joint_of(joint, units):
    """The joint of ``units`` (in that order) from the joint of all units."""
    if units == tuple(range(joint.ndim)):
        return joint
    others = tuple(u for u in range(joint.ndim) if u not in units)
    # summing keeps the remaining axes in unit order; put them in the asked order
    return joint.sum(axis=others).transpose(np.argsort(np.argsort(units)))


class SpikingBoltzmannMachine(NestedParamsMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin,
                              JSONFileMixin, BaseEstimator):
    """Sample a Boltzmann distribution with a network of LIF neurons (NEST).

    The target is p(z) ∝ exp(½ zᵀWz + bᵀz) over binary states z.  ``fit``
    calibrates each unit's neuron (:class:`LIFSamplerCalibrator`) and
    translates the theoretical weights and biases into synaptic weights and
    resting potentials; ``sample`` runs the network in a worker process, unit i
    being on (z_i = 1) for ``tau_on`` after each of its spikes; ``score`` is
    minus the KL divergence of the sampled joint from the target.  Given binary
    data, ``fit(X)`` and ``partial_fit`` learn W and b by maximum likelihood
    (with ``n_hidden``: a restricted machine whose ``transform`` gives hidden
    activations, as ``BernoulliRBM``); ``transform`` of partially observed rows
    (NaN = unobserved) samples posterior marginals with observed units clamped.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units), default=None
        Symmetric, zero diagonal: theoretical (``weights_unit="theo"``) or
        signed synaptic weights in µS/nA (``"bio"``; ``weights[i, j]`` connects
        unit i to unit j).  With data, where learning starts; None: small
        random weights (std 0.01), as BernoulliRBM.
    biases : array-like of shape (n_units,), default=None
        Theoretical biases or resting potentials in mV; None (with data): zeros.
    n_hidden : int, default=0
        Hidden units, after the visible ones; only visible-hidden weights then.
    weights_unit : {"theo", "bio"}, default="theo"
        Units of ``weights`` and ``biases``; the other units are fitted attributes.
    calibrator : LIFSamplerCalibrator, list of them, or FrozenEstimator, default=None
        For all units, or one per unit (heterogeneous neurons and models).
        Unfitted ones are fitted (a clone) in ``fit``, a fitted one in
        ``sklearn.frozen.FrozenEstimator`` is used as it is.  None:
        ``LIFSamplerCalibrator()``.
    synapse : StaticSynapse, TsodyksMarkramSynapse, "static" or "renewing", \
            default="renewing"
        The synapses between units (:mod:`sklearn_sbs.synapses`; nested
        parameters such as ``synapse__tau_rec`` can be searched).
        ``"renewing"`` is ``TsodyksMarkramSynapse()``: a spike during a
        partner's on-time renews its PSP instead of adding to it, as the
        Boltzmann interaction requires; ``"static"`` is ``StaticSynapse()``.
    delay : float or array-like of shape (n_units, n_units), default=None
        Synaptic delay in ms, a multiple of dt: one for every synapse, or
        ``delay[i, j]`` from unit i to unit j (every entry one; those of
        absent synapses are not used); None: one time step.
    duration : float, default=1e5
        Sampled time in ms per chain (after ``burn_in``).
    burn_in : float, default=500.0
        Simulated time discarded at the start, ms.
    dt : float, default=None
        Time step in ms (the delay and every duration are multiples of it, and it
        divides tau_refrac); None: the calibrators' ``dt``.
    spike_precision : {"on_grid", "off_grid"}, default=None
        NEST's spike precision (see :class:`LIFSamplerCalibrator`); None: the
        calibrators' (which must agree).
    noise : noise source or list of them, default=None
        Background while sampling (:mod:`sklearn_sbs.sources`), of every
        unit or one per unit (``noise[k]``: unit k's own, e.g. its own
        ``SpikeTrainNoise`` trains); None: each calibrator's.
    n_chains : int, default=1
        Independent networks (different seeds), pooled.
    correction_rounds : int, default=5
        Rounds of correcting the translation in the loop, any number of units:
        each samples the network, measures the machine it realises (every
        unit's log-odds against its inputs) and moves the effective weights
        and biases by the difference to the target (see
        :mod:`sklearn_sbs._machine._correction`).  0: the analytic translation
        alone (Petrovici et al. 2016), which realises couplings about 1.3× too
        strong.  After learning ('exact', 'gibbs') the learned values are the
        target; after ``learning="spiking"`` they are effective already.
    correction_duration : float, default=None
        Per chain: the first two rounds take half of it, later (averaged) ones
        twice it.  None: ``duration / 3`` (the correction: 2.33 ``sample()`` runs).
    learning : {"spiking", "exact", "gibbs"} or None, default="spiking"
        Where ``fit(X)`` and ``partial_fit`` take the model's statistics for
        the likelihood gradient from: the spiking network (``n_chains`` copies
        kept alive across steps; the learned values are then the effective
        ones that make the network sample the data), exact sums (at most 20
        units), or ``n_chains`` persistent Gibbs chains (``step_duration /
        tau_on`` sweeps per step).  None: no learning.
    learning_rate : float, default=0.1
        Step along the gradient, per mini-batch (as BernoulliRBM), in (0, 100].
    batch_size : int, default=10
        Rows per mini-batch, taken in order.
    n_iter : int, default=10
        Passes over the data in ``fit``.
    step_duration : float, default=100.0
        Sampled ms per learning step.
    inference : {"auto", "sampling"}, default="auto"
        ``transform`` of fully observed rows of a machine with hidden units:
        σ(b_h + v W) of the fitted values ("auto"), or sampled.
    inference_duration : float, default=1e4
        Sampled ms per row in ``transform``.
    random_state : int, RandomState instance or None, default=None
        Seeds the simulations.
    n_jobs : int, default=None
        Cores (-1: all): parallel simulations, each on cores // simulations NEST
        threads.  Same ``random_state`` and ``n_jobs``: same spikes.
    memory : str, joblib.Memory or None, default=None
        Caches calibrations by their parameters, as ``Pipeline(memory=...)``.
    verbose : int, default=0
        Show progress bars on stderr, and the diagnostics logged at INFO on the
        ``"sklearn_sbs"`` logger (the correction's rounds, the learning's
        iterations, where a Dask cluster ran the simulations; 2: also the
        local pool's line) when :mod:`logging` is not set up to show them.

    Attributes
    ----------
    calibrators_ : list of LIFSamplerCalibrator
        The fitted calibrator of each unit.
    weights_theo_, biases_theo_ : ndarray
        Theoretical weights and biases (the target; learned ones after learning).
    weights_bio_, v_rest_ : ndarray
        Synaptic weights (µS or nA; negative: inhibitory) and resting potentials (mV).
    weights_effective_, biases_effective_ : ndarray
        The theoretical values translated: the target's, moved by the correction
        (column j: the inputs onto unit j, each direction corrected on its own).
    correction_errors_ : list of float
        RMS of (realised - target) over the weights and biases before each round.
    learning_steps_, learning_seconds_ : int, dict or None
        Gradient steps taken so far (0 without learning); spiking learning's mean
        seconds per step by part (translate, update, simulate, read, transfer, statistics).
    tau_on_ : ndarray of shape (n_units,)
        On-time of each unit, ms.
    sampled_run_ : SampledRun
        The last ``sample``: spikes (``spikes_``, one SpikeTrains per chain),
        window in ms (``sampled_window_``) and the distributions measured.
    n_units_, n_features_in_ : int
        Number of units (visible and hidden), of visible units (X's columns).
    random_state_ : RandomState
        The generator of initial weights and Gibbs chains.

    See Also
    --------
    LIFSamplerCalibrator : the activation function of one unit.
    sklearn.neural_network.BernoulliRBM : the same learning, sampled by Gibbs steps.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
    >>> W = np.array([[0.0, 0.5], [0.5, 0.0]]); b = np.array([-0.3, 0.2])
    >>> cal = LIFSamplerCalibrator(duration=2000.0, n_points=20, random_state=0)
    >>> bm = SpikingBoltzmannMachine(W, b, calibrator=cal, duration=2e4, random_state=1)
    >>> z = bm.fit().sample()
    >>> z.shape[1], bool(bm.score() > -0.05)
    (2, True)

    Learning from data, and inference with one unit observed:

    >>> X = np.array([[1, 1], [0, 0], [1, 1], [0, 1]] * 50)
    >>> learner = SpikingBoltzmannMachine(calibrator=cal, learning="exact", n_iter=20,
    ...                                   batch_size=40, inference_duration=5e3,
    ...                                   random_state=0).fit(X)
    >>> bool(learner.weights_theo_[0, 1] > 0.5)          # the units agree in the data
    True
    >>> bool(learner.transform([[1.0, np.nan]])[0, 1] > 0.8)   # 2 of 2 such rows are on
    True
    """

    _parameter_constraints = _PARAMETER_CONSTRAINTS
    _parameters_added = ("spike_precision",)     # documents of version 1 may lack them

    def __init__(self, weights=None, biases=None, *, n_hidden=0, weights_unit="theo",
                 calibrator=None, synapse="renewing", delay=None, duration=1e5, burn_in=500.0,
                 dt=None, spike_precision=None, noise=None, n_chains=1, correction_rounds=5, correction_duration=None,
                 learning="spiking", learning_rate=0.1, batch_size=10, n_iter=10,
                 step_duration=100.0, inference="auto", inference_duration=1e4,
                 random_state=None, n_jobs=None, memory=None, verbose=0):
        self.weights = weights
        self.biases = biases
        self.n_hidden = n_hidden
        self.weights_unit = weights_unit
        self.calibrator = calibrator
        self.synapse = synapse
        self.delay = delay
        self.duration = duration
        self.burn_in = burn_in
        self.dt = dt
        self.spike_precision = spike_precision
        self.noise = noise
        self.n_chains = n_chains
        self.correction_rounds = correction_rounds
        self.correction_duration = correction_duration
        self.learning = learning
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.step_duration = step_duration
        self.inference = inference
        self.inference_duration = inference_duration
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X=None, y=None):
        """Calibrate the units, translate and correct weights and biases, learn from ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_visible), default=None
            Visible states (or probabilities in [0, 1]) to learn from, unless
            ``learning=None``; None: calibrate, translate and correct only.
        y : None
            Ignored.

        Returns
        -------
        self : SpikingBoltzmannMachine
        """
        check_machine(self)                 # before any simulation, full parameter paths
        self._end_learning()
        learn = X is not None and self.learning is not None
        if X is not None:
            X = validate_data(self, X, dtype=np.float64)
            if learn:
                check_unit_interval(X)
        self._set_fitted(_state.fitted_state(self.get_params(deep=False), X, learn))
        return self

    @_fit_context(prefer_skip_nested_validation=False)
    def partial_fit(self, X, y=None):
        """One learning step on the batch ``X``, as ``BernoulliRBM.partial_fit``.

        The first call calibrates as :meth:`fit` does; with
        ``learning="spiking"`` the network stays alive between calls (until a
        parameter changes): later calls only set weights and resting potentials.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_visible)
            Binary states (or probabilities in [0, 1]) of the visible units.
        y : None
            Ignored.

        Returns
        -------
        self : SpikingBoltzmannMachine
        """
        check_machine(self, getattr(self, "calibrators_", None))     # even once fitted
        first = not hasattr(self, "calibrators_")
        X = validate_data(self, X, dtype=np.float64, reset=first)
        check_unit_interval(X)
        if self.learning is None:
            raise ValueError("partial_fit learns weights: learning must be 'spiking', 'exact' "
                             "or 'gibbs', got None")
        params = self.get_params(deep=False)
        state = (_state.initial_state(params, X, check_random_state(self.random_state), True)
                 if first else _state.current_state(self))
        W, b = _state.learning_start(state, self.learning)
        moments = self._live_moments(params, state)
        try:
            W, b = _learning.learning_step(W, b, X, moments, state["n_features_in_"],
                                           self.learning_rate)
        except BaseException:
            self._end_learning()        # a failed network is not reused: the next call builds anew
            raise
        self._set_fitted(_state.learned_state(state, W, b, 1, moments), keep_learning=True)
        return self

    def _set_fitted(self, state, keep_learning=False):
        if not keep_learning:
            self._end_learning()
        self.__dict__.pop("sampled_run_", None)          # sampled with other values
        self.__dict__.update(state)

    def _live_moments(self, params, state):
        """The model-moment estimator of partial_fit, kept while the parameters stay."""
        key = _learning.parameters_key(params)
        if self.__dict__.get("_live_learning", (None,))[0] != key:
            self._end_learning()
            self._live_learning = (key, _state.model_moments(params, state))
        return self._live_learning[1]

    def _end_learning(self):
        live = self.__dict__.pop("_live_learning", None)
        if live is not None:
            live[1].close()

    def __getstate__(self):
        # a live network belongs to its server process: pickles and copies go without
        # it (a copy of the dict: the original keeps its network)
        return {k: v for k, v in super().__getstate__().items() if k != "_live_learning"}

    @validate_params(_SAMPLE_CONSTRAINTS, prefer_skip_nested_validation=True)
    def sample(self, duration=None, random_state=None, initial_v=None, clamp=None):
        """Run the network and return its states on a grid of ``tau_on``.

        Parameters
        ----------
        duration : float, default=None
            Sampled time per chain in ms; None: ``self.duration``.
        random_state : int, RandomState or None, default=None
            Seeds this run; None: ``self.random_state``.
        initial_v : array-like of shape (n_units,), default=None
            Initial membrane potentials in mV; None: the resting potentials.
        clamp : list of (t_start, t_stop, dict), default=None
            Windows in ms from the start of the sampled window (on the grid of
            ``dt``) in which the units of ``{unit: 0 or 1}`` are held off or on
            (resting potentials beyond any input, as in :meth:`transform`) and
            after which they run free again: pattern completion over time.

        Returns
        -------
        states : ndarray of shape (n_samples, n_units), dtype uint8
            States every ``min(tau_on_)`` ms after the burn-in, chain by chain;
            fresh spikes: no seed of the fit's correction runs is reused.

        Examples
        --------
        >>> from sklearn_sbs import SpikingBoltzmannMachine
        >>> bm = SpikingBoltzmannMachine([[0, 2], [2, 0]], [-1, -1], duration=2000.0,
        ...                              correction_rounds=0, random_state=0).fit()
        >>> states = bm.sample(clamp=[(0.0, 1000.0, {0: 1})])
        >>> bool(states[: len(states) // 2, 0].mean() > 0.9)
        True
        """
        check_is_fitted(self)
        check_machine(self, self.calibrators_, duration)
        duration = self.duration if duration is None else duration
        initial_v = check_initial_v(initial_v, self.n_units_)
        windows = check_clamp(clamp, self.n_units_, duration)
        rng = check_random_state(self.random_state if random_state is None else random_state)
        self.sampled_run_ = _state.sampled_run(self.get_params(deep=False), _state.current_state(self),
                                               duration, draw_seeds(rng, self.n_chains), initial_v,
                                               windows)
        return self.sampled_run_.states()

    def to_pynn(self, sim):
        """Build the fitted network into your own PyNN session, to be part of a larger model.

        The neurons (one population per neuron group, viewed in unit order),
        their translated resting potentials, the synapses with their translated
        weights and each unit's background noise (NEST generators connected to
        the neurons, independent trains) are created in ``sim``'s NEST kernel;
        simulated for ``burn_in + duration`` ms they sample what :meth:`sample`
        samples.  Unlike every other method this one runs NEST in your process:
        you asked for it.  Record and run it as any PyNN network.

        Parameters
        ----------
        sim : module
            ``pyNN.nest``, already set up with the machine's time step (``dt``),
            a ``min_delay`` not above its synaptic delay and, for current-based
            neurons, its ``spike_precision`` (PyNN's default is "off_grid").

        Returns
        -------
        units : pyNN.nest.Assembly
            Cell i is unit i (a view per run of units of one neuron group).

        Examples
        --------
        >>> import pyNN.nest as sim                              # doctest: +SKIP
        >>> sim.setup(timestep=0.1, min_delay=0.1, spike_precision="on_grid")  # doctest: +SKIP
        >>> units = bm.to_pynn(sim)                              # doctest: +SKIP
        >>> units.record("spikes"); sim.run(bm.burn_in + bm.duration)   # doctest: +SKIP
        """
        check_is_fitted(self)
        net = _state.network(self.get_params(deep=False), self.calibrators_)
        return build_in_session(sim, net.task(self.weights_bio_, self.v_rest_, self.duration, 0))

    spikes_ = property(lambda self: self.sampled_run_.spikes,
                       doc="The spikes of each chain of the last ``sample`` (SpikeTrains).")
    noise_rates_ = property(
        lambda self: self.sampled_run_.noise_rates,
        doc="Measured firing rates (Hz) of the excitatory and inhibitory neurons of each "
            "NoiseNetwork of the last ``sample`` over its whole run, chains averaged: shape "
            "(n_networks, 2); (0, 2) without one.")
    sampled_window_ = property(lambda self: self.sampled_run_.window,
                               doc="(start, stop) of the last ``sample``'s window, ms.")

    def _run(self):
        if not hasattr(self, "sampled_run_"):
            self.sample()
        return self.sampled_run_

    def _target_params(self):
        """Theoretical (W, b) of the current parameters: known without fitting
        when given in theoretical units (and not learned), else the fitted ones."""
        if self.weights_unit == "theo" and self.weights is not None \
                and not getattr(self, "learning_steps_", 0):
            return check_boltzmann(self.weights, self.biases)
        check_is_fitted(self)
        return self.weights_theo_, self.biases_theo_

    def _n_units(self):
        return self._target_params()[1].shape[0]

    def target_joint(self, units=None):
        """Exact joint of ``units`` (default all), shape ``(2,) * len(units)``."""
        units = check_units(units, self._n_units(), joint=True)
        return _joint_of(_exact("joint_distribution", *self._target_params()), units)

    def target_marginals(self):
        """Exact p(z_i = 1) of every unit."""
        return _exact("marginals", *self._target_params())

    def sampled_joint(self, units=None):
        """Time-weighted joint of ``units`` from the spikes (chains pooled);
        samples first if nothing was sampled."""
        units = check_units(units, self._n_units(), joint=True)
        return self._run().joint(units)

    def sampled_marginals(self):
        """Time-weighted p(z_i = 1) of every unit from the spikes (chains pooled)."""
        return self._run().marginals()

    def score(self, X=None, y=None):
        """Minus the KL divergence DKL(target ‖ sampled) of a joint distribution.

        The target: the exact distribution of all units, or the empirical one
        of the rows of ``X`` (visible units).  Samples first if nothing was
        sampled.  Each sampled state gets half the weight of one sample
        (``tau_on / 2``), so that unvisited ones keep the divergence finite.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_visible), default=None
            Binary states (0/1) whose distribution is the target.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-DKL``, 0 at best.
        """
        check_is_fitted(self)
        n = self.n_units_ if X is None else self.n_features_in_
        check_joint_size(n, "score (a joint distribution)")
        if X is None:
            target = self.target_joint()
        else:
            X = validate_data(self, X, reset=False, dtype=np.float64)
            check_states(X)       # validate_data checked the width
            target = boltzmann.empirical_distribution(X)
        run = self._run()
        return -dkl(target, run.joint(tuple(range(n))), eps=run.smoothing())

    def score_samples(self, X):
        """Pseudo-likelihood of each row, as ``BernoulliRBM.score_samples``.

        ``n_visible * log σ(F(x̄) - F(x))``, x̄ being x with one random visible
        unit flipped (drawn from ``random_state``) and F the free energy of the
        fitted values, hidden units summed out.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_visible)
            States (or probabilities in [0, 1]) of the visible units.

        Returns
        -------
        pseudo_likelihood : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        check_machine(self, self.calibrators_)          # random_state may have been set since
        X = validate_data(self, X, reset=False, dtype=np.float64)
        check_unit_interval(X)
        return _learning.pseudo_likelihood(X, self.weights_theo_, self.biases_theo_,
                                           self.n_features_in_,
                                           check_random_state(self.random_state))

    @property
    def _n_features_out(self):
        return self.n_hidden if self.n_hidden else self.n_units_

    def transform(self, X):
        """Posterior marginals p(z_i = 1 | observed) for rows of partial observations.

        Unobserved (NaN) units are sampled for ``inference_duration`` ms with
        the observed ones clamped (resting potentials moved by
        ``20 + sum_j |W_ij|`` in theoretical bias); all rows run as independent
        copies of the network in one simulation (at most 4000 neurons each, in
        parallel with ``n_jobs``).  With hidden units and ``inference="auto"``,
        fully observed rows give ``σ(b_h + v W)``, as ``BernoulliRBM.transform``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_visible)
            Observed states (0/1), NaN for unobserved units.

        Returns
        -------
        p_on : ndarray of shape (n_samples, n_units) or (n_samples, n_hidden)
            The posterior marginal of every unit (observed ones keep their
            values), or with hidden units those of the hidden units.
        """
        check_is_fitted(self)
        check_machine(self, self.calibrators_)
        X = validate_data(self, X, reset=False, dtype=np.float64, ensure_all_finite="allow-nan")
        check_unit_interval(X[~np.isnan(X)])
        sampler = functools.partial(_state.clamped_marginals, self.get_params(deep=False),
                                    _state.current_state(self))
        return posterior_marginals(X, self.n_hidden, self.inference == "auto",
                                   self.weights_theo_, self.biases_theo_, sampler)

    @classmethod
    def from_bernoulli_rbm(cls, rbm, **params):
        """A machine sampling a fitted ``sklearn.neural_network.BernoulliRBM``: visible
        units first, then hidden; ``params``: the other parameters of this class."""
        check_is_fitted(rbm, "components_")
        return cls(*_state.rbm_values(rbm), n_hidden=rbm.components_.shape[0], **params)

    def to_json(self):
        """Parameters and, if fitted, translation and calibrations as JSON (no
        spikes: pickle keeps them); fitted calibrators load frozen."""
        return _document.to_document(self)

    @classmethod
    def from_json(cls, text):
        """A machine from :meth:`to_json` output; fitted calibrators come back frozen."""
        return _document.from_document(cls, text)
