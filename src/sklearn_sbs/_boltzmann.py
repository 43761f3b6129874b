"""SpikingBoltzmannMachine: a network of calibrated LIF samplers."""

import json
import numbers

import numpy as np
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.frozen import FrozenEstimator
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, check_memory, validate_data

from . import boltzmann, neurons
from ._calibrator import LIFSamplerCalibrator
from ._serialization import JSONFileMixin, noise_from_dict, noise_to_dict, read_document, to_plain
from ._simulation import NetworkTask, run_tasks
from ._simulation._tasks import params_tuple
from ._validation import as_float_array, check_boltzmann
from .metrics import dkl
from .spikes import MAX_JOINT_UNITS, SpikeTrains

__all__ = ["SpikingBoltzmannMachine"]

_MAX_CORRECTED_UNITS = 20
_FORMAT = "sklearn-sbs/boltzmann-machine"
_VERSION = 1

_PARAMS_OF_TARGET = ("weights", "biases", "weights_unit", "calibrator")


def _check_states(X, n_units):
    if X.shape[1] != n_units:
        raise ValueError(f"X must have one column per unit ({n_units}), got {X.shape[1]} columns")
    if not np.all((X == 0) | (X == 1)):
        raise ValueError("X must hold binary states (0 or 1)")


def _check_tso(tso_params):
    if tso_params is None:
        return
    unknown = set(tso_params) - {"U", "tau_rec", "tau_fac"}
    if unknown:
        raise ValueError(f"tso_params keys must be U, tau_rec, tau_fac; got {sorted(unknown)}")
    for key, value in tso_params.items():
        numeric = isinstance(value, numbers.Real) and not isinstance(value, bool) \
            and np.isfinite(value)
        low_ok = numeric and (value >= 0 if key == "tau_fac" else value > 0)
        if not low_ok or (key == "U" and value > 1):
            allowed = "in (0, 1]" if key == "U" else ">= 0 ms" if key == "tau_fac" else "> 0 ms"
            raise ValueError(f"tso_params[{key!r}] must be {allowed}, got {value!r}")


def _calibrator_from_doc(doc):
    """A stored calibrator: fitted ones frozen (used as they are), others plain."""
    cal = LIFSamplerCalibrator.from_json(json.dumps(doc))
    return FrozenEstimator(cal) if "calibration" in doc else cal


def _check_unused_X(X):
    """fit's X is not used yet, but must still be valid input."""
    check_array(X, dtype=np.float64)


def _fit_calibrator(calibrator):
    """Fit a clone (module level, so joblib.Memory can cache it by its parameters)."""
    return clone(calibrator).fit()


def _is_frozen(calibrator):
    return type(calibrator).__name__ == "FrozenEstimator"


def _unwrap(calibrator):
    return calibrator.estimator if _is_frozen(calibrator) else calibrator


class SpikingBoltzmannMachine(JSONFileMixin, BaseEstimator):
    """Sample a Boltzmann distribution with a network of LIF neurons (NEST).

    The target is p(z) ∝ exp(½ zᵀWz + bᵀz) over binary states z.  ``fit``
    calibrates each unit's neuron (:class:`LIFSamplerCalibrator`) and translates
    the theoretical weights and biases into synaptic weights and resting
    potentials; ``sample`` runs the network in a worker process and reads the
    states from the spikes: unit i is on (z_i = 1) for ``tau_on`` after each of
    its spikes.  ``score`` is minus the KL divergence of the sampled joint from
    the target.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        Symmetric, zero diagonal.  Theoretical (``weights_unit="theo"``) or
        synaptic weights in µS/nA, signed (``"bio"``; ``weights[i, j]`` is the
        synapse from unit i to unit j).
    biases : array-like of shape (n_units,)
        Theoretical biases (``"theo"``) or resting potentials in mV (``"bio"``).
    weights_unit : {"theo", "bio"}, default="theo"
        Units of ``weights`` and ``biases``; the other units are fitted attributes.
    calibrator : LIFSamplerCalibrator, list of them, or FrozenEstimator, default=None
        One calibrator for all units, or one per unit (heterogeneous neurons,
        also of different models).  Unfitted ones are fitted (a clone) in
        ``fit``; a fitted one wrapped in ``sklearn.frozen.FrozenEstimator`` is
        used as it is.  None: ``LIFSamplerCalibrator()``.
    synapse : {"static", "renewing"}, default="renewing"
        Renewing synapses (Tsodyks–Markram, U = 1) make a spike during a
        partner's on-time renew its PSP instead of adding to it, which keeps
        the interaction close to the Boltzmann one (Petrovici et al. 2016).
    tso_params : dict, default=None
        ``U``, ``tau_rec`` (ms) and ``tau_fac`` (ms) of the renewing synapses;
        None: U = 1, tau_rec = the receiving neuron's synaptic time constant,
        tau_fac = 0.
    delay : float, default=None
        Synaptic delay in ms; None: one time step.
    duration : float, default=1e5
        Sampled time in ms per chain (after ``burn_in``).
    burn_in : float, default=500.0
        Simulated time discarded at the start, ms.
    dt : float, default=None
        Time step in ms; None: the calibrators' ``dt``.
    noise : PoissonNoise, default=None
        Background while sampling; None: each calibrator's noise.
    n_chains : int, default=1
        Independent networks (different seeds), pooled.
    correction_rounds : int, default=0
        Rounds of correcting the translation in the loop (at most 20 units):
        each samples ``correction_duration`` ms and moves the effective
        weights and biases by the gap between the target's exact second
        moments and the sampled ones.  The analytic translation leaves the
        realised coupling about 1.3× too strong; a few rounds remove most of
        that (benchmarks/RESULTS.md).
    correction_duration : float, default=5e4
        Sampled ms per correction round.
    random_state : int, RandomState instance or None, default=None
        Seeds the simulations.
    n_jobs : int, default=None
        Chains (and calibrations) run in parallel worker processes.
    memory : str, joblib.Memory or None, default=None
        Caches calibrations by their parameters, as ``Pipeline(memory=...)``.
    verbose : int, default=0
        Print progress.

    Attributes
    ----------
    calibrators_ : list of LIFSamplerCalibrator
        The fitted calibrator of each unit.
    weights_theo_, biases_theo_ : ndarray
        Theoretical weights and biases.
    weights_bio_ : ndarray of shape (n_units, n_units)
        Synaptic weights (µS or nA; negative: inhibitory receptor).
    v_rest_ : ndarray of shape (n_units,)
        Resting potentials, mV.
    weights_effective_, biases_effective_ : ndarray
        The theoretical values actually translated: the target's, moved by the
        correction rounds (equal to the target without them).
    correction_errors_ : list of float
        Largest |<z_i z_j>_target - <z_i z_j>_sampled| before each correction.
    tau_on_ : ndarray of shape (n_units,)
        On-time of each unit, ms.
    spikes_ : list of SpikeTrains
        The spikes of each chain of the last ``sample``.
    n_features_in_ : int
        Number of units.

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
    """

    _parameter_constraints = {
        "weights": ["array-like"],
        "biases": ["array-like"],
        "weights_unit": [StrOptions({"theo", "bio"})],
        "calibrator": "no_validation",          # checked in fit: one, a list, or frozen
        "synapse": [StrOptions({"static", "renewing"})],
        "tso_params": [dict, None],
        "delay": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "burn_in": [Interval(numbers.Real, 0, None, closed="left")],
        "dt": [Interval(numbers.Real, 0, None, closed="neither"), None],
        "noise": [HasMethods(["inputs", "simulation_specs", "get_params"]), None],
        "n_chains": [Interval(numbers.Integral, 1, None, closed="left")],
        "correction_rounds": [Interval(numbers.Integral, 0, None, closed="left")],
        "correction_duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "memory": [None, str, HasMethods(["cache"])],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        weights,
        biases,
        *,
        weights_unit="theo",
        calibrator=None,
        synapse="renewing",
        tso_params=None,
        delay=None,
        duration=1e5,
        burn_in=500.0,
        dt=None,
        noise=None,
        n_chains=1,
        correction_rounds=0,
        correction_duration=5e4,
        random_state=None,
        n_jobs=None,
        memory=None,
        verbose=0,
    ):
        self.weights = weights
        self.biases = biases
        self.weights_unit = weights_unit
        self.calibrator = calibrator
        self.synapse = synapse
        self.tso_params = tso_params
        self.delay = delay
        self.duration = duration
        self.burn_in = burn_in
        self.dt = dt
        self.noise = noise
        self.n_chains = n_chains
        self.correction_rounds = correction_rounds
        self.correction_duration = correction_duration
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.memory = memory
        self.verbose = verbose

    # --- on-demand results ----------------------------------------------------------

    def _cached(self, key, compute):
        """Computed when first asked for; dropped by set_params and by sample."""
        cache = self.__dict__.setdefault("_cache", {})
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def _drop(self, kind):
        cache = self.__dict__.get("_cache", {})
        for key in [k for k in cache if k[0] == kind or kind is None]:
            del cache[key]

    def set_params(self, **params):
        """Set parameters (see scikit-learn); drops cached distributions they affect."""
        super().set_params(**params)
        if any(name.split("__")[0] in _PARAMS_OF_TARGET for name in params):
            self._drop(None)
        return self

    # --- fit ------------------------------------------------------------------------------

    def _calibrator_list(self, n):
        cal = LIFSamplerCalibrator() if self.calibrator is None else self.calibrator
        if isinstance(cal, (list, tuple)):
            if len(cal) != n:
                raise ValueError(
                    f"calibrator must be one calibrator or a list of n_units = {n}, "
                    f"got a list of {len(cal)}"
                )
            cals = list(cal)
        else:
            cals = [cal] * n
        for c in cals:
            if not isinstance(_unwrap(c), LIFSamplerCalibrator):
                raise ValueError(
                    f"calibrator entries must be LIFSamplerCalibrator (optionally in a "
                    f"FrozenEstimator), got {type(c).__name__}"
                )
        return cals

    def _fit_calibrators(self, cals):
        """Fit each distinct calibrator once (cached by joblib.Memory if given)."""
        memory = check_memory(self.memory)
        fitted = {}
        out = []
        for c in cals:
            if id(c) not in fitted:
                if _is_frozen(c):
                    check_is_fitted(c.estimator)
                    fitted[id(c)] = c.estimator
                else:
                    fitted[id(c)] = memory.cache(_fit_calibrator)(c)
            out.append(fitted[id(c)])
        return out

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X=None, y=None):
        """Calibrate the units and translate weights and biases.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), default=None
            Not used yet (learning weights and biases from binary states is
            planned); it is checked to be a finite numeric 2-d array.
        y : None
            Ignored.

        Returns
        -------
        self : SpikingBoltzmannMachine
        """
        b = as_float_array(self.biases, "biases", 1)
        n = b.shape[0]
        if n == 0:
            raise ValueError("biases must hold at least one unit")
        if X is not None:
            _check_unused_X(X)
        _check_tso(self.tso_params)
        cals = self._fit_calibrators(self._calibrator_list(n))
        W = as_float_array(self.weights, "weights", 2)
        if W.shape != (n, n):
            raise ValueError(f"weights must have shape ({n}, {n}) to match biases, got {W.shape}")
        if np.any(np.diag(W) != 0):
            raise ValueError("weights must have a zero diagonal (no self-connections)")
        if self.weights_unit == "theo":
            W, b = check_boltzmann(W, b)
            w_bio, v_rest = self._to_bio(cals, W, b)
            w_theo = W
        else:
            v_rest = b
            b = np.array([c.v_rest_to_bias(v_rest[j]) for j, c in enumerate(cals)], dtype=float)
            w_theo = self._translate(cals, W, b, "weights_to_theo")
            asym = np.abs(w_theo - w_theo.T).max()
            if asym > 1e-6 * max(1.0, np.abs(w_theo).max()):
                raise ValueError(
                    "weights (bio) translate into asymmetric theoretical weights "
                    f"(max |W - W.T| = {asym:.3g}); a Boltzmann machine needs W[i, j] == W[j, i]"
                )
            w_theo = 0.5 * (w_theo + w_theo.T)
            w_bio = W
        self.calibrators_ = cals
        self.weights_theo_, self.biases_theo_ = w_theo, b
        self.weights_bio_, self.v_rest_ = w_bio, v_rest
        self.tau_on_ = np.array([c.tau_on_ for c in cals])
        self.n_features_in_ = n
        self._drop(None)
        self.weights_effective_, self.biases_effective_ = w_theo.copy(), b.copy()
        self.correction_errors_ = []
        if self.correction_rounds:
            self._correct()
        return self

    def _to_bio(self, cals, W, b):
        """Synaptic weights and resting potentials for theoretical (W, b)."""
        v_rest = np.array([c.bias_to_v_rest(b[j]) for j, c in enumerate(cals)], dtype=float)
        return self._translate(cals, W, b, "weights_to_bio"), v_rest

    def _correct(self):
        """Move the effective weights and biases by the gap between the target's
        exact moments and the sampled ones, one short sampling per round.

        The analytic translation realises coupling about 1.3x too strong with
        renewing synapses; matching <z_i z_j> and <z_i> in the loop (a moment-
        matching gradient step, rate 1) removes most of that error.
        """
        n = self.n_features_in_
        if n > _MAX_CORRECTED_UNITS:
            raise ValueError(
                f"correction_rounds needs exact moments, limited to {_MAX_CORRECTED_UNITS} units; "
                f"got {n} units (set correction_rounds=0)"
            )
        W, b = self.weights_theo_, self.biases_theo_
        target = boltzmann.second_moments(W, b)
        # seeds of their own, so that sample() after fit starts a fresh stream
        stream = check_random_state(self.random_state).randint(1, 2**31 - 1, size=2)
        rng = np.random.RandomState(stream + 1)
        w_eff, b_eff = W.copy(), b.copy()
        off_diagonal = ~np.eye(n, dtype=bool)
        for _ in range(self.correction_rounds):
            self.weights_bio_, self.v_rest_ = self._to_bio(self.calibrators_, w_eff, b_eff)
            self.sample(duration=self.correction_duration, random_state=rng)
            sampled = np.mean([s.coactivation(*self.sampled_window_) for s in self.spikes_], axis=0)
            gap = target - sampled
            self.correction_errors_.append(float(np.abs(gap).max()))
            w_eff = w_eff + np.where(off_diagonal, gap, 0.0)
            b_eff = b_eff + np.diag(gap)
        self.weights_effective_, self.biases_effective_ = w_eff, b_eff
        self.weights_bio_, self.v_rest_ = self._to_bio(self.calibrators_, w_eff, b_eff)
        del self.spikes_, self.sampled_window_           # sampled with the previous values
        self._drop("sampled")

    @staticmethod
    def _translate(cals, W, b, method):
        """Translate column j (synapses onto unit j) with unit j's calibrator."""
        out = np.zeros_like(W)
        done = {}
        for j, c in enumerate(cals):
            if id(c) not in done:
                done[id(c)] = getattr(c, method)(W, b)
            out[:, j] = done[id(c)][:, j]
        return out

    # --- sampling -------------------------------------------------------------------------

    def _network_task(self, duration, seed, initial_v=None):
        cals = self.calibrators_
        n = len(cals)
        dts = {c.dt for c in cals}
        dt = self.dt if self.dt is not None else (dts.pop() if len(dts) == 1 else None)
        if dt is None:
            raise ValueError(f"calibrators use different dt {sorted({c.dt for c in cals})}; set dt")
        groups = {}
        noise = []
        tau_syn = np.empty((2, n))             # per unit: excitatory, inhibitory
        for j, c in enumerate(cals):
            params = neurons.check_neuron_params(c.neuron_model, c.neuron_params)
            fixed = params_tuple({k: v for k, v in params.items() if k != "v_rest"})
            groups.setdefault((c.neuron_model, fixed), []).append(j)
            source = self.noise if self.noise is not None else c._noise()
            noise.append(source.simulation_specs())
            tau_syn[:, j] = params["tau_syn_E"], params["tau_syn_I"]
        pre, post = np.nonzero(self.weights_bio_)
        weight = self.weights_bio_[pre, post]
        # default (Petrovici et al. 2016): U = 1 and tau_rec = the time constant of
        # the receiving synapse, so a renewed PSP equals a fresh one
        tso = dict(U=1.0, tau_rec=None, tau_fac=0.0)
        tso.update(self.tso_params or {})
        tau_rec = (tau_syn[np.where(weight > 0, 0, 1), post] if tso["tau_rec"] is None
                   else np.full(pre.size, float(tso["tau_rec"])))
        return NetworkTask(
            groups=tuple((m, p, tuple(u)) for (m, p), u in groups.items()),
            v_rest=tuple(self.v_rest_.tolist()), noise=tuple(noise),
            pre=tuple(pre.tolist()), post=tuple(post.tolist()),
            weight=tuple(weight.tolist()), synapse=self.synapse,
            tso=(float(tso["U"]), tuple(tau_rec.tolist()), float(tso["tau_fac"])),
            delay=float(self.delay if self.delay is not None else dt), dt=float(dt),
            t_stop=float(self.burn_in + duration), seed=int(seed),
            v_init=None if initial_v is None else tuple(initial_v.tolist()),
        )

    def sample(self, duration=None, random_state=None, initial_v=None):
        """Run the network and return its states on a grid of ``tau_on``.

        Parameters
        ----------
        duration : float, default=None
            Sampled time per chain in ms; None: ``self.duration``.
        random_state : int, RandomState or None, default=None
            Seeds this run; None: ``self.random_state``.
        initial_v : array-like of shape (n_units,), default=None
            Initial membrane potentials in mV; None: the resting potentials.

        Returns
        -------
        states : ndarray of shape (n_samples, n_units), dtype uint8
            Binary states every ``min(tau_on_)`` ms after the burn-in, chains
            one after the other.
        """
        check_is_fitted(self)
        duration = self.duration if duration is None else duration
        if not isinstance(duration, numbers.Real) or not np.isfinite(duration) or duration <= 0:
            raise ValueError(f"duration must be a positive number of ms, got {duration!r}")
        if initial_v is not None:
            initial_v = as_float_array(initial_v, "initial_v", 1)
            if initial_v.shape != (self.n_features_in_,):
                raise ValueError(
                    f"initial_v must hold one potential per unit ({self.n_features_in_}), "
                    f"got shape {initial_v.shape}"
                )
        rng = check_random_state(self.random_state if random_state is None else random_state)
        seeds = rng.randint(1, 2**31 - 1, size=self.n_chains)
        tasks = [self._network_task(duration, seed, initial_v) for seed in seeds]
        results = run_tasks(tasks, self.n_jobs, self.verbose, "sampling")
        n = self.n_features_in_
        self.spikes_ = [SpikeTrains(r["times"], r["ids"], n, self.tau_on_) for r in results]
        self.sampled_window_ = (float(self.burn_in), float(self.burn_in + duration))
        self._drop("sampled")
        step = float(self.tau_on_.min())
        return np.concatenate([s.states(*self.sampled_window_, step) for s in self.spikes_])

    # --- distributions ------------------------------------------------------------------

    def _n_units(self):
        return np.shape(self.biases)[0]

    def _units(self, units):
        n = self._n_units()
        units = np.arange(n) if units is None else np.asarray(units)
        if units.ndim != 1 or units.size == 0 or not np.issubdtype(units.dtype, np.integer) \
                or units.min() < 0 or units.max() >= n or np.unique(units).size != units.size:
            raise ValueError(f"units must be distinct unit indices in [0, {n}), got {units!r}")
        if units.size > MAX_JOINT_UNITS:
            raise ValueError(
                f"a joint distribution is limited to {MAX_JOINT_UNITS} units, got {units.size}; "
                "select units=... for a subset, or use the marginals"
            )
        return tuple(int(u) for u in units)

    def _target_params(self):
        """Theoretical (W, b) of the current parameters: known without fitting
        when given in theoretical units, else from the fitted translation."""
        if self.weights_unit == "theo":
            return check_boltzmann(self.weights, self.biases)
        check_is_fitted(self)
        return self.weights_theo_, self.biases_theo_

    def target_joint(self, units=None):
        """Exact joint of ``units`` (default all), shape ``(2,) * len(units)``."""
        units = self._units(units)
        full = self._cached(("target", "joint"),
                            lambda: boltzmann.joint_distribution(*self._target_params()))
        if units == tuple(range(self._n_units())):
            return full
        others = tuple(u for u in range(self._n_units()) if u not in units)
        # summing keeps the remaining axes in unit order; put them in the asked order
        return self._cached(("target", units),
                            lambda: full.sum(axis=others).transpose(np.argsort(np.argsort(units))))

    def target_marginals(self):
        """Exact p(z_i = 1) of every unit."""
        return self._cached(("target", "marginals"),
                            lambda: boltzmann.marginals(*self._target_params()))

    def _require_samples(self):
        if not hasattr(self, "spikes_"):
            self.sample()

    def sampled_joint(self, units=None):
        """Time-weighted joint of ``units`` from the spikes (chains pooled)."""
        units = self._units(units)

        def compute():
            self._require_samples()
            return np.mean([s.joint(*self.sampled_window_, units=list(units))
                            for s in self.spikes_], axis=0)

        return self._cached(("sampled", units), compute)

    # --- persistence ------------------------------------------------------------------------

    def to_json(self):
        """Parameters and, if fitted, the translation and each unit's calibration, as JSON.

        Spikes are not included (pickle or ``joblib.dump`` keep them).  Every
        calibrator is stored as its own :meth:`LIFSamplerCalibrator.to_json`
        document; fitted calibrators load fitted and are then used as they are.
        """
        params = self.get_params(deep=False)
        n = np.shape(params["biases"])[0]
        cals = self._calibrator_list(n) if params["calibrator"] is not None else None
        params["calibrator"] = None if cals is None else [
            json.loads(_unwrap(c).to_json()) for c in cals
        ]
        params["noise"] = None if self.noise is None else noise_to_dict(self.noise)
        if not isinstance(params["memory"], (str, type(None))):
            params["memory"] = None                   # a Memory object is not data
        if not isinstance(params["random_state"], (numbers.Integral, type(None))):
            params["random_state"] = None
        doc = {"format": _FORMAT, "version": _VERSION, "params": to_plain(params)}
        if hasattr(self, "calibrators_"):
            doc["fitted"] = to_plain({
                "calibrators": [json.loads(c.to_json()) for c in self.calibrators_],
                "weights_theo": self.weights_theo_, "biases_theo": self.biases_theo_,
                "weights_bio": self.weights_bio_, "v_rest": self.v_rest_,
                "weights_effective": self.weights_effective_,
                "biases_effective": self.biases_effective_,
                "correction_errors": self.correction_errors_,
            })
        return json.dumps(doc, indent=2)

    @classmethod
    def from_json(cls, text):
        """A machine from :meth:`to_json` output; fitted calibrators come back frozen."""
        doc = read_document(text, _FORMAT, {_VERSION})
        try:
            params = dict(doc["params"])
            if params.get("calibrator") is not None:
                params["calibrator"] = [_calibrator_from_doc(c) for c in params["calibrator"]]
            if params.get("noise") is not None:
                params["noise"] = noise_from_dict(params["noise"])
            for name in ("weights", "biases"):
                params[name] = np.asarray(params[name], dtype=float)
            machine = cls(**params)
            fitted = doc.get("fitted")
            if fitted is not None:
                machine.calibrators_ = [LIFSamplerCalibrator.from_json(json.dumps(c))
                                        for c in fitted["calibrators"]]
                machine.weights_theo_ = np.asarray(fitted["weights_theo"], dtype=float)
                machine.biases_theo_ = np.asarray(fitted["biases_theo"], dtype=float)
                machine.weights_bio_ = np.asarray(fitted["weights_bio"], dtype=float)
                machine.v_rest_ = np.asarray(fitted["v_rest"], dtype=float)
                machine.weights_effective_ = np.asarray(fitted["weights_effective"], dtype=float)
                machine.biases_effective_ = np.asarray(fitted["biases_effective"], dtype=float)
                machine.correction_errors_ = list(fitted["correction_errors"])
                machine.tau_on_ = np.array([c.tau_on_ for c in machine.calibrators_])
                machine.n_features_in_ = machine.v_rest_.shape[0]
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"corrupt {_FORMAT} document: {exc}") from exc
        machine._validate_params()
        return machine

    def sampled_marginals(self):
        """Time-weighted p(z_i = 1) of every unit from the spikes (chains pooled)."""
        def compute():
            self._require_samples()
            return np.mean([s.marginals(*self.sampled_window_) for s in self.spikes_], axis=0)

        return self._cached(("sampled", "marginals"), compute)

    # --- score ------------------------------------------------------------------------------

    def _smoothing(self):
        """Half the weight of one independent sample (one on-time of all chains)."""
        t0, t1 = self.sampled_window_
        return 0.5 * float(self.tau_on_.min()) / ((t1 - t0) * len(self.spikes_))

    def score(self, X=None, y=None):
        """Minus the KL divergence DKL(target ‖ sampled) of the joint over all units.

        The target is the exact Boltzmann distribution, or with ``X`` the
        empirical distribution of its rows.  Samples first if nothing was
        sampled yet.  States the network never visited would make the
        divergence infinite; the sampled joint is therefore smoothed by adding
        half the weight of one sample (``tau_on / 2`` of the sampled time) to
        every state before renormalising.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_units), default=None
            Binary states (0/1) whose distribution is the target.
        y : None
            Ignored.

        Returns
        -------
        score : float
            ``-DKL``, 0 at best.
        """
        check_is_fitted(self)
        n = self.n_features_in_
        if n > MAX_JOINT_UNITS:
            raise ValueError(f"score compares joints, limited to {MAX_JOINT_UNITS} units, got {n}")
        if X is None:
            target = self.target_joint()
        else:
            X = validate_data(self, X, reset=False, dtype=np.float64)
            _check_states(X, n)
            codes = X.astype(np.int64) @ (1 << np.arange(n)[::-1])
            target = (np.bincount(codes, minlength=2**n) / X.shape[0]).reshape((2,) * n)
        sampled = self.sampled_joint()
        return -dkl(target, sampled, eps=self._smoothing())
