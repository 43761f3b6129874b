"""LIFSamplerCalibrator: the activation function of a LIF neuron under noise."""

import json
import math
import numbers
import warnings

import numpy as np
from scipy.optimize import curve_fit
from sklearn.base import BaseEstimator, _fit_context, clone
from sklearn.utils import Bunch, check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from . import _schema, neurons, theory
from ._serialization import JSONFileMixin, noise_to_dict, read_document, to_plain
from ._simulation import FreeMembraneTask, NetworkTask, params_tuple, run_tasks
from ._validation import (MIN_ALPHA, SAMPLER_REACH, NestedParamsMixin, activation_problem,
                          check_noise_grid, check_refractory, check_time_grid, validate_nested)
from .metrics import bernoulli_dkl
from .sources import NOISE_PARAMETER, default_noise
from .spikes import SpikeTrains

__all__ = ["LIFSamplerCalibrator"]

_FORMAT = "sklearn-sbs/calibration"
_VERSION = 1
_MAX_POINTS_PER_TASK = 16     # fixed split of the grid: results do not depend on n_jobs
_HALF_WIDTH = 4.5             # bracket half-width in units of alpha: p_on from 0.011 to 0.989
_SPAN = math.log(19.0)        # (v - v_p05) / alpha at p_on = 0.95
_MAX_ROUNDS = 6
_REACH = SAMPLER_REACH        # search at most this far from v_thresh, mV


def _fitted_neuron_params(value, path, context):
    """The complete neuron parameters simulated: every parameter of the model (a
    number) and tau_refrac_virtual (null or a number), checked as fit checks them."""
    model = neurons.get_model(context["neuron_model"])
    schema = {name: _schema.Number() for name in model.defaults}
    schema["tau_refrac_virtual"] = _schema.Number(nullable=True)
    return _schema.neuron_params(model.name, _schema.check_fields(value, schema, path, context), path)


def _fitted_noise(value, path, context):
    return _schema.object_field(value, path, _schema.NOISE_CLASSES, context)


_POINTS = _schema.Dim("measured point", minimum=3)
#: The fitted fields of a calibration document (its "calibration" object), per
#: format version, in the order they are written and checked.
_CALIBRATION = {
    1: {
        "v_p05_": _schema.Number(),
        "alpha_": _schema.Number(gt=0),
        "v_rest_": _schema.Array((_POINTS,)),
        "p_on_": _schema.Array((_POINTS,), _schema.Number(ge=0, le=1)),
        "p_on_std_": _schema.Array((_POINTS,), _schema.Number(gt=0)),
        # a degenerate fit has no covariance: infinite errors
        "v_p05_err_": _schema.Number(ge=0, allow_inf=True),
        "alpha_err_": _schema.Number(ge=0, allow_inf=True),
        "theory_v_p05_": _schema.Number(),
        "theory_alpha_": _schema.Number(gt=MIN_ALPHA),    # fit refuses narrower (a step)
        "tau_on_": _schema.Number(gt=0),
        "n_rounds_": _schema.Number(ge=1, le=_MAX_ROUNDS, integer=True),
        "n_features_in_": _schema.OneOf((1,)),
        "neuron_params_": _fitted_neuron_params,
        "noise_": _fitted_noise,
    },
}
_FITTED = tuple(_CALIBRATION[_VERSION])


def _check_grid(dt, noise, **times):
    """Refuse times (ms) that are not whole numbers of simulation steps: the
    calibration's own (a burn-in may be 0) and the noise's time points."""
    for name, value in times.items():
        check_time_grid(value, name, dt, zero=name == "burn_in")
    check_noise_grid(noise, "noise", dt)


def _check_timing(params, dt, duration):
    """The on-time of the neuron, refused where the simulation cannot realise it
    or a calibration of ``duration`` ms cannot measure it."""
    check_refractory(dt, params["tau_refrac"], "the neuron (neuron_params)")
    tau_on = neurons.on_time(params)
    if tau_on >= duration:
        name = "tau_refrac" if params["tau_refrac_virtual"] is None else "tau_refrac_virtual"
        raise ValueError(
            f"neuron parameter {name}={tau_on:g} ms, the on-time, must be shorter than "
            f"duration={duration:g} ms: a calibration measures p_on over many on-times"
        )
    return tau_on


def _neuron_suspects(params, dt):
    """Neuron parameters out of the range a sampler can be calibrated in, as
    (parameter=value, why) pairs: the likely cause when no sampler is found."""
    out = [(f"{name}={params[name]:g} ms", f"shorter than dt={dt:g} ms")
           for name in ("tau_m", "tau_syn_E", "tau_syn_I") if params[name] < dt]
    shift = params["i_offset"] * params["tau_m"] / params["cm"]     # nA / uS = mV
    if abs(shift) > _REACH:
        out.append((f"i_offset={params['i_offset']:g} nA",
                    f"it moves the free membrane by i_offset * tau_m / cm = {shift:.3g} mV, "
                    f"beyond the v_thresh ± {_REACH:g} mV a sampler is searched in"))
    return out


def logistic(v, v_p05, alpha):
    """p_on(v) = 1 / (1 + exp(-(v - v_p05) / alpha))."""
    return 0.5 * (1.0 + np.tanh(0.5 * (np.asarray(v, dtype=float) - v_p05) / alpha))


def _resting_potentials(X):
    """The column of resting potentials X holds (n_samples >= 3), as a 1-d array."""
    X = check_array(X, ensure_min_samples=3, input_name="X")
    if X.shape[1] != 1:
        raise ValueError(
            f"X must have one column (resting potentials in mV), got {X.shape[1]} columns"
        )
    return X[:, 0]


class LIFSamplerCalibrator(NestedParamsMixin, JSONFileMixin, BaseEstimator):
    """Calibrate a LIF neuron under background noise into a logistic sampler.

    ``fit`` simulates neurons that differ only in their resting potential
    (NEST through PyNN, in worker processes) and measures the fraction of time
    each is "on" -- within ``tau_on`` after a spike, the refractory period (or
    ``tau_refrac_virtual``).  The measured activation is fitted by the logistic

        p_on(v_rest) = 1 / (1 + exp(-(v_rest - v_p05) / alpha)),

    which translates biases into resting potentials (``v_rest = v_p05 + alpha *
    b``) and Boltzmann weights into synaptic weights (Petrovici et al., Phys. Rev.
    E 94, 042312, 2016).

    Parameters
    ----------
    neuron_model : {"IF_cond_exp", "IF_curr_exp", "IF_cond_alpha", "IF_curr_alpha"}, \
            default="IF_cond_exp"
        PyNN standard cell type.
    neuron_params : dict, default=None
        PyNN parameters of the cell (cm in nF, times in ms, potentials in mV,
        i_offset in nA), plus optional ``tau_refrac_virtual`` (ms).  Missing ones
        take the sbs tutorial neuron's values (see :mod:`sklearn_sbs.neurons`);
        ``v_rest`` is what the calibration varies.
    noise : PoissonNoise, default=None
        Background noise; None means :func:`~sklearn_sbs.sources.default_noise`:
        3 kHz excitatory and inhibitory, 0.001 µS each (conductance-based
        models) or 0.05 nA each (current-based).
    dt : float, default=0.1
        Simulation time step in ms; must divide ``duration``, ``burn_in`` and
        the neuron's ``tau_refrac`` (which is at least one step).  The on-time
        must be shorter than ``duration``.
    spike_precision : {"on_grid", "off_grid"}, default="on_grid"
        PyNN's option for NEST: "off_grid" simulates the current-based models
        with NEST's precise versions (spike times between the steps);
        conductance-based ones have none and spike on the
        grid either way.  A machine samples with its calibrators' precision.
    duration : float, default=6000.0
        Measured time per resting potential in ms (after the burn-in).  With
        the default ``n_points`` this reproduces v_p05 within 0.05 mV and alpha
        within 3 % of a calibration ten times longer (benchmarks/RESULTS.md).
    burn_in : float, default=100.0
        Simulated time discarded at the start, in ms.
    n_points : int, default=64
        Resting potentials measured when ``X`` is not given (split in
        simulations of at most 16 neurons, which run in parallel).
    random_state : int, RandomState instance or None, default=None
        Seeds the simulations; an int gives reproducible results.
    n_jobs : int, default=None
        Simulations (up to 16 resting potentials each) run in parallel worker
        processes (None: 1, -1: all cores), one NEST thread each.  The results
        do not depend on it, nor on where the simulations run (a Dask cluster).
    verbose : int, default=0
        Show a progress bar with an ETA on stderr, and the diagnostics logged on
        the ``"sklearn_sbs"`` logger when :mod:`logging` is not set up to show
        them (see :mod:`sklearn_sbs._logging`).

    Attributes
    ----------
    v_p05_ : float
        Resting potential with p_on = 0.5, in mV.
    alpha_ : float
        Width of the logistic activation, in mV of resting potential.
    v_p05_err_, alpha_err_ : float
        Standard errors of the fit.
    v_rest_ : ndarray of shape (n_points,)
        Resting potentials measured (of the last bracketing round).
    p_on_ : ndarray of shape (n_points,)
        Measured activation at ``v_rest_``.
    p_on_std_ : ndarray of shape (n_points,)
        Its standard error, estimated from the fitted curve (binomial, one
        independent sample per ``tau_on``).
    neuron_params_ : dict
        The complete neuron parameters simulated (defaults filled in), with
        ``v_rest`` the model's default (the calibration varies it).
    noise_ : noise source
        The background simulated: ``noise``, or the model's
        :func:`~sklearn_sbs.sources.default_noise` when ``noise`` is None.
    theory_v_p05_, theory_alpha_ : float
        The free-membrane theory's prediction, which starts the bracket.
    tau_on_ : float
        On-time after a spike, in ms.
    n_rounds_ : int
        Bracketing rounds run (1 when the theory's bracket was right).
    n_features_in_ : int
        Always 1: X is a column of resting potentials.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs import LIFSamplerCalibrator
    >>> cal = LIFSamplerCalibrator(duration=2000.0, n_points=20, random_state=0).fit()
    >>> bool(abs(cal.v_p05_ - (-50.6)) < 0.5), bool(0.5 < cal.alpha_ < 1.1)
    (True, True)
    >>> float(cal.predict([[cal.v_p05_]])[0])
    0.5
    >>> bool(np.allclose(cal.bias_to_v_rest([0.0, 1.0]), [cal.v_p05_, cal.v_p05_ + cal.alpha_]))
    True
    """

    # parameters that documents of this version may lack (written before them)
    _parameters_added = ("spike_precision",)

    _parameter_constraints = {
        "neuron_model": [StrOptions(set(neurons.NEURON_MODELS))],
        "neuron_params": [dict, None],
        "noise": NOISE_PARAMETER,
        "dt": [Interval(numbers.Real, 0, None, closed="neither")],
        "spike_precision": [StrOptions({"on_grid", "off_grid"})],
        "duration": [Interval(numbers.Real, 0, None, closed="neither")],
        "burn_in": [Interval(numbers.Real, 0, None, closed="left")],
        "n_points": [Interval(numbers.Integral, 3, None, closed="left")],
        "random_state": ["random_state"],
        "n_jobs": [numbers.Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(
        self,
        neuron_model="IF_cond_exp",
        neuron_params=None,
        noise=None,
        *,
        dt=0.1,
        spike_precision="on_grid",
        duration=6000.0,
        burn_in=100.0,
        n_points=64,
        random_state=None,
        n_jobs=None,
        verbose=0,
    ):
        self.neuron_model = neuron_model
        self.neuron_params = neuron_params
        self.noise = noise
        self.dt = dt
        self.spike_precision = spike_precision
        self.duration = duration
        self.burn_in = burn_in
        self.n_points = n_points
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.verbose = verbose

    # --- configuration ----------------------------------------------------------

    def _noise(self):
        if self.noise is not None:
            return self.noise
        return default_noise(self.neuron_model)

    def _neuron_and_noise(self):
        """Validated (neuron params, noise object, noise specs)."""
        params = neurons.check_neuron_params(self.neuron_model, self.neuron_params)
        noise = self._noise()
        return params, noise, noise.simulation_specs()

    def _config(self):
        """Validated (neuron params, noise object, noise specs, tau_on) of a
        calibration: its times on the grid of dt, an on-time it can measure."""
        params, noise, specs = self._neuron_and_noise()
        _check_grid(self.dt, noise, duration=self.duration, burn_in=self.burn_in)
        return params, noise, specs, _check_timing(params, self.dt, self.duration)

    def _unreachable(self, params, finding, weak):
        """The error for a neuron that is no sampler: blamed on a neuron parameter
        out of its sane range if there is one, else on the noise."""
        suspects = _neuron_suspects(params, self.dt)
        if suspects:
            named = " and ".join(f"{param} ({why})" for param, why in suspects)
            several = len(suspects) > 1
            return ValueError(
                f"neuron parameter{'s' if several else ''} {named} {'are' if several else 'is'} "
                f"out of the sane range for a sampler and the likely cause, not the noise: "
                f"{finding}"
            )
        advice = ("raise the noise rates or weights" if weak else
                  "lower the noise rates or weights, or balance excitation and inhibition")
        return ValueError(f"noise={self._noise()!r} is too {'weak' if weak else 'strong'}: "
                          f"{finding}; {advice}")

    def _check_reach(self, params, v_p05, alpha):
        """Refuse a neuron and noise that cannot make a sampler near v_thresh."""
        problem = activation_problem(v_p05, alpha, params["v_thresh"])
        if problem is not None:
            raise self._unreachable(params, *problem)

    # --- measurement -------------------------------------------------------------

    def _measure(self, v_rest, params, specs, tau_on, rng):
        """Activation p_on measured at each resting potential."""
        v_rest = np.asarray(v_rest, dtype=float)
        fixed = params_tuple(neurons.shared_params(params))
        n_tasks = -(-v_rest.size // _MAX_POINTS_PER_TASK)
        chunks = np.array_split(np.arange(v_rest.size), n_tasks)
        seeds = rng.randint(1, 2**31 - 1, size=n_tasks)
        t_stop = self.burn_in + self.duration
        tasks = [
            NetworkTask.unconnected(self.neuron_model, fixed, tuple(v_rest[idx]), specs,
                                    float(self.dt), float(t_stop), int(seed), self.spike_precision)
            for idx, seed in zip(chunks, seeds)
        ]
        # one thread each: a calibration depends on its seed only, wherever it runs
        results = run_tasks(tasks, self.n_jobs, self.verbose, "calibration", threads=False)
        p_on = np.empty(v_rest.size)
        for idx, result in zip(chunks, results):
            trains = SpikeTrains(result["times"], result["ids"], idx.size, tau_on)
            p_on[idx] = trains.marginals(self.burn_in, t_stop)
        return p_on

    def _binomial_std(self, p, tau_on):
        """Standard error of a measured p_on: about one independent sample per
        on-time, with a floor for p near 0 or 1."""
        n_eff = self.duration / tau_on
        return np.sqrt(np.maximum(p * (1 - p), 1.0 / n_eff) / n_eff)

    def _fit_curve(self, v_rest, p_on, tau_on, guess):
        """Logistic fit by iteratively reweighted least squares: (v_p05, alpha,
        errors, std of each point).

        Weights from the measured p_on would favour points that came out low
        near p = 0 and high near p = 1 and bias alpha low (about -1 % at 1e4 ms
        per point, -3 % at 2e3 ms); weights from the fitted curve do not.
        """
        span = max(np.ptp(v_rest), 1.0)
        lower = [v_rest.min() - 10 * span, 1e-4]
        upper = [v_rest.max() + 10 * span, 10 * span + 100.0]
        popt = np.clip(guess, [lower[0] + 1e-9, lower[1] * 2], [upper[0] - 1e-9, upper[1] / 2])
        std = self._binomial_std(p_on, tau_on)
        for _ in range(3):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")          # covariance warnings on degenerate data
                popt, pcov = curve_fit(logistic, v_rest, p_on, p0=popt, sigma=std,
                                       bounds=(lower, upper), maxfev=10000)
            std = self._binomial_std(logistic(v_rest, *popt), tau_on)
        err = np.sqrt(np.abs(np.diag(pcov))) if np.all(np.isfinite(pcov)) else np.full(2, np.inf)
        return float(popt[0]), float(popt[1]), err, std

    def _spans(self, v_rest, v_p05, alpha):
        return v_rest.min() <= v_p05 - _SPAN * alpha and v_rest.max() >= v_p05 + _SPAN * alpha

    # --- estimator API -----------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Measure the activation function and fit the logistic.

        All or nothing: a fit that fails leaves the calibrator as it was
        (fitted as before, or unfitted).

        Parameters
        ----------
        X : array-like of shape (n_samples, 1), default=None
            Resting potentials (mV) to measure at.  None: find the bracket,
            starting from the free-membrane theory and widening only where the
            measured activation does not reach 0.05 or 0.95.
        y : None
            Ignored.

        Returns
        -------
        self : LIFSamplerCalibrator
        """
        validate_nested(self.noise, "noise", self)     # before anything is simulated
        params, noise, specs, tau_on = self._config()
        v_rest = None if X is None else _resting_potentials(X)
        rng = check_random_state(self.random_state)
        v05, alpha = theory.predicted_activation(self.neuron_model, params, noise)
        self._check_reach(params, v05, alpha)
        # every fitted attribute goes into this dict and is set at the end: a fit
        # that fails leaves the previous fit (or none) as it was
        fitted = dict(neuron_params_=params, noise_=clone(noise), theory_v_p05_=float(v05),
                      theory_alpha_=float(alpha), tau_on_=float(tau_on), n_features_in_=1)
        if v_rest is not None:
            p_on = self._measure(v_rest, params, specs, tau_on, rng)
            v05, alpha, err, std = self._fit_curve(v_rest, p_on, tau_on, (v05, alpha))
            if not self._spans(v_rest, v05, alpha):
                warnings.warn(
                    "the resting potentials in X do not cover p_on from 0.05 to 0.95 of the "
                    f"fitted activation (v_p05 = {v05:.2f} mV, alpha = {alpha:.3g} mV); the fit "
                    "is poorly constrained", UserWarning,
                )
            n_rounds = 1
        else:
            v_rest, p_on, std, v05, alpha, err, n_rounds = self._bracket(
                params, specs, tau_on, rng, v05, alpha)
        fitted.update(v_rest_=v_rest, p_on_=p_on, p_on_std_=std, v_p05_=v05, alpha_=alpha,
                      v_p05_err_=float(err[0]), alpha_err_=float(err[1]), n_rounds_=n_rounds)
        if X is None:
            self.__dict__.pop("feature_names_in_", None)      # of an earlier fit(X)
        else:
            validate_data(self, X, ensure_min_samples=3)       # records X's feature names
        self.__dict__.update(fitted)
        return self

    def _bracket(self, params, specs, tau_on, rng, v05, alpha):
        """Measure around the prediction; re-centre and widen until 0.05-0.95 is
        covered.  Returns the measurement, the fit and the rounds it took."""
        v_thresh = params["v_thresh"]
        lo, hi = v05 - _HALF_WIDTH * alpha, v05 + _HALF_WIDTH * alpha
        for round_ in range(1, _MAX_ROUNDS + 1):
            v_rest = np.linspace(lo, hi, self.n_points)
            p_on = self._measure(v_rest, params, specs, tau_on, rng)
            fit_v05, fit_alpha, err, std = self._fit_curve(v_rest, p_on, tau_on, (v05, alpha))
            if self._spans(v_rest, fit_v05, fit_alpha):
                return v_rest, p_on, std, fit_v05, fit_alpha, err, round_
            width = hi - lo
            if p_on.max() < 0.5 and p_on[-1] < 0.95 and fit_v05 - lo > width:
                lo, hi = hi - 0.1 * width, hi + width           # all low: move up
            elif p_on.min() > 0.5 and p_on[0] > 0.05 and hi - fit_v05 > width:
                lo, hi = lo - width, lo + 0.1 * width           # all high: move down
            else:                                                # re-centre on the fit, wider
                half = max(_HALF_WIDTH * fit_alpha, 0.75 * width)
                lo, hi = fit_v05 - half, fit_v05 + half
            v05, alpha = fit_v05, fit_alpha
            if lo < v_thresh - _REACH or hi > v_thresh + _REACH:
                break
        raise self._unreachable(
            params, f"no bracket within v_thresh ± {_REACH:g} mV has p_on from 0.05 to 0.95 "
            f"after {round_} rounds (last fit: v_p05 = {fit_v05:.2f} mV, alpha = "
            f"{fit_alpha:.3g} mV)", weak=fit_alpha < 0.1 * (hi - lo) / self.n_points)

    def predict(self, X):
        """Activation p_on at resting potentials X.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1)
            Resting potentials in mV.

        Returns
        -------
        p_on : ndarray of shape (n_samples,)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return logistic(X[:, 0], self.v_p05_, self.alpha_)

    def score(self, X=None, y=None):
        """Minus the mean Bernoulli KL divergence between measured and fitted activation.

        0 is a perfect logistic; the more negative, the worse.

        Parameters
        ----------
        X : array-like of shape (n_samples, 1), default=None
            Resting potentials to measure at (a new simulation, seeded from
            ``random_state`` but with other seeds than ``fit``'s); None uses the
            fit's own measurements.
        y : array-like of shape (n_samples,), default=None
            Activation measured at X, if already known (then nothing is simulated).

        Returns
        -------
        score : float
        """
        check_is_fitted(self)
        if X is None:
            measured, v_rest = self.p_on_, self.v_rest_
        else:
            X = validate_data(self, X, reset=False)
            v_rest = X[:, 0]
            if y is None:
                validate_nested(self.noise, "noise", self)
                params, _, specs, tau_on = self._config()
                # seeds of their own: measurements sharing noise with fit's would
                # flatter the score (e.g. in cross-validation)
                stream = check_random_state(self.random_state).randint(1, 2**31 - 1, size=2)
                measured = self._measure(v_rest, params, specs, tau_on,
                                         np.random.RandomState(stream))
            else:
                measured = np.asarray(y, dtype=float).ravel()
                if measured.shape != v_rest.shape or np.any((measured < 0) | (measured > 1)):
                    raise ValueError(
                        f"y must hold one activation in [0, 1] per row of X ({v_rest.size}), "
                        f"got shape {measured.shape}"
                    )
        fitted = logistic(v_rest, self.v_p05_, self.alpha_)
        return -float(np.mean(bernoulli_dkl(measured, fitted, eps=1e-12)))

    # --- unit translation --------------------------------------------------------

    def bias_to_v_rest(self, biases):
        """Resting potentials (mV) for theoretical biases: ``v_p05_ + alpha_ * b``."""
        check_is_fitted(self)
        return theory.bias_to_v_rest(biases, self.v_p05_, self.alpha_)

    def v_rest_to_bias(self, v_rest):
        """Theoretical biases for resting potentials (mV)."""
        check_is_fitted(self)
        return theory.v_rest_to_bias(v_rest, self.v_p05_, self.alpha_)

    def weights_to_bio(self, weights, biases):
        """Synaptic weights (µS or nA, signed: negative = inhibitory) for Boltzmann weights.

        ``weights[i, j]`` connects unit i to unit j and is translated with unit
        j's PSP, which for conductance synapses depends on j's bias.
        """
        check_is_fitted(self)
        return theory.weights_to_bio(
            weights, self.bias_to_v_rest(biases), self.alpha_, self.neuron_model,
            self.neuron_params_, self.noise_,
        )

    def weights_to_theo(self, weights_bio, biases):
        """Boltzmann weights for synaptic weights (inverse of :meth:`weights_to_bio`)."""
        check_is_fitted(self)
        return theory.weights_to_theo(
            weights_bio, self.bias_to_v_rest(biases), self.alpha_, self.neuron_model,
            self.neuron_params_, self.noise_,
        )

    # --- free membrane -----------------------------------------------------------

    @validate_params(
        {"duration": [Interval(numbers.Real, 0, None, closed="neither")],
         "dt": [Interval(numbers.Real, 0, None, closed="neither"), None],
         "v_rest": [Interval(numbers.Real, None, None, closed="neither"), None],
         "record_dt": [Interval(numbers.Real, 0, None, closed="neither"), None]},
        prefer_skip_nested_validation=True,
    )
    def measure_free_membrane(self, duration=1e4, dt=None, v_rest=None, record_dt=None):
        """Record the membrane potential with the threshold out of reach.

        Parameters
        ----------
        duration : float, default=1e4
            Recorded time in ms (after ``burn_in``).
        dt : float, default=None
            Time step; None uses the calibrator's ``dt``.
        v_rest : float, default=None
            Resting potential; None uses ``v_p05_`` if fitted, else the
            neuron's ``v_rest``.
        record_dt : float, default=None
            Sampling interval of the trace; None uses ``dt``.

        Returns
        -------
        trace : Bunch
            ``times`` and ``v`` (ms, mV), and the free-membrane theory beside
            them: ``theory`` (mean, std, g_tot, tau_eff).
        """
        self._validate_params()
        validate_nested(self.noise, "noise", self)
        params, noise, specs = self._neuron_and_noise()
        dt = self.dt if dt is None else dt
        record_dt = dt if record_dt is None else record_dt
        # this recording's own grid (the calibration's duration plays no part)
        _check_grid(dt, noise, duration=duration, burn_in=self.burn_in, record_dt=record_dt)
        if v_rest is None:
            v_rest = getattr(self, "v_p05_", params["v_rest"])
        params = dict(params, v_rest=float(v_rest))
        seed = check_random_state(self.random_state).randint(1, 2**31 - 1)
        task = FreeMembraneTask(self.neuron_model, params_tuple(neurons.simulator_params(params)),
                                specs, float(dt),
                                float(self.burn_in), float(self.burn_in + duration),
                                float(record_dt), int(seed))
        result = run_tasks([task], self.n_jobs, self.verbose, "free-membrane recording",
                           threads=False)[0]
        stats = theory.free_membrane_stats(self.neuron_model, params, noise, v_rest=float(v_rest))
        return Bunch(times=result["times"], v=result["v"], v_rest=float(v_rest), theory=stats)

    # --- persistence ---------------------------------------------------------------

    def to_json(self):
        """The calibrator (parameters and, if fitted, its calibration) as a JSON string.

        Raises
        ------
        ValueError
            If ``random_state`` is a RandomState or Generator: its state is not
            saved, so the document would not reproduce what it seeds.
        """
        params = self.get_params(deep=False)
        params["noise"] = None if self.noise is None else noise_to_dict(self.noise)
        params["random_state"] = _schema.saved_random_state(
            params["random_state"], "random_state", type(self).__name__)
        doc = {"format": _FORMAT, "version": _VERSION, "params": to_plain(params)}
        if all(hasattr(self, name) for name in _FITTED):
            doc["calibration"] = {name: to_plain(getattr(self, name)) for name in _FITTED}
            doc["calibration"]["noise_"] = noise_to_dict(self.noise_)
        return json.dumps(doc, indent=2)

    @classmethod
    def from_json(cls, text):
        """A calibrator from :meth:`to_json` output (fitted if the document is).

        Every field is checked against the declared schema of the document's
        version: parameters as ``fit`` checks them, the calibration's values for
        type, shape, finiteness and range (they are used without a fit).

        Raises
        ------
        ValueError
            For a document that is not valid JSON, not a calibration, of an
            unknown version, or with a field missing, unknown or wrong (the
            message names the field, e.g. ``'calibration.alpha_'``).
        """
        return cls._from_document(read_document(text, _FORMAT, set(_CALIBRATION)))

    @classmethod
    def _from_document(cls, doc, path=""):
        """A calibrator from a parsed document, every field checked; ``path``: where
        the document sits (in a machine's), for the messages."""
        _schema.check_header(doc, _FORMAT, set(_CALIBRATION), path)
        _schema.check_fields(doc, {"format": _schema.anything, "version": _schema.anything,
                                   "params": _schema.json_object,
                                   "calibration": _schema.json_object},
                             path, {}, optional=("calibration",))
        context = {}
        params = _schema.check_params(doc["params"], cls, _schema.join(path, "params"), context,
                                      {"noise": _schema.noise_field})
        if params["neuron_params"] is not None:
            _schema.neuron_params(params["neuron_model"], params["neuron_params"],
                           _schema.join(path, "params.neuron_params"))
        est = cls(**params)
        if "calibration" in doc:
            where = _schema.join(path, "calibration")
            context["neuron_model"] = est.neuron_model
            fitted = _schema.check_fields(doc["calibration"], _CALIBRATION[doc["version"]],
                                          where, context)
            tau_on = neurons.on_time(fitted["neuron_params_"])
            if fitted["tau_on_"] != tau_on:
                raise ValueError(
                    f"field {_schema.join(where, 'tau_on_')!r}: expected the on-time of "
                    f"{_schema.join(where, 'neuron_params_')!r} (tau_refrac_virtual, else "
                    f"tau_refrac) = {tau_on!r} ms, got {fitted['tau_on_']!r}"
                )
            est.__dict__.update(fitted)
        return est

    @classmethod
    def load_sbs(cls, path):
        """A fitted calibrator from a calibration saved by the original sbs library.

        Reads the JSON file the original library (spike-based-sampling,
        ``LIFsampler.write_config``) writes for a calibrated sampler, checks every
        field, and returns a fitted calibrator with the same neuron, noise, time
        step and logistic: ready to be frozen into a machine
        (``sklearn.frozen.FrozenEstimator``) without calibrating again.

        Parameters
        ----------
        path : str or path-like
            The original's ``SamplerConfiguration`` JSON file.

        Returns
        -------
        calibrator : LIFSamplerCalibrator
            Fitted.  Parameters: the original's neuron model and parameters,
            its Poisson sources as :class:`~sklearn_sbs.sources.PoissonNoise`
            (signed weights become magnitudes per receptor; units are PyNN's in
            both libraries), ``dt``, ``duration``, ``burn_in`` (its
            ``burn_in_time``), ``n_points`` (its ``num_samples``) and
            ``spike_precision`` (its ``sim_setup_kwargs["spike_precision"]``,
            else PyNN's default for NEST, ``"off_grid"``).
            Fitted attributes: ``v_p05_`` and ``alpha_`` from its ``fit``
            (the same logistic as ours), ``v_rest_`` its grid ``V_rest_min`` to
            ``V_rest_max`` in ``num_samples`` points and ``p_on_`` its
            ``samples_p_on``.  What it did not store is derived as ``fit`` does
            it: ``p_on_std_`` binomial errors from the fitted curve,
            ``v_p05_err_`` and ``alpha_err_`` the fit's linearised standard
            errors given that measurement (inf where it does not constrain
            them), ``theory_v_p05_`` and ``theory_alpha_`` the free-membrane
            theory's prediction; ``n_rounds_`` is 1.

        Raises
        ------
        ValueError
            For a file that is not UTF-8 JSON, or a field missing, unknown or
            wrong (the message names the file and the field's path in it, e.g.
            ``'calibration.fit.alpha'``), a neuron with random refractory
            times, or a noise source other than the original's
            ``PoissonSourceConfiguration``.

        Warns
        -----
        UserWarning
            When the file holds settings for sampling that a calibrator does
            not: a top-level ``source_config`` (noise other than the
            calibration's; give it as the machine's ``noise``) or
            ``tso_parameters`` (give them as the machine's ``synapse``).

        See Also
        --------
        sklearn_sbs.LIFSamplerCalibrator.load : Read a calibrator saved by this library.
        sklearn_sbs.LIFSamplerCalibrator.from_json : The same, from a JSON string.

        Notes
        -----
        The original measured the activation as spike count times on-time over
        the duration; values above 1 (possible with a ``tau_refrac_virtual``
        longer than ``tau_refrac``) are read as 1.  ``sim_name`` and the other
        ``sim_setup_kwargs`` (threads, ...) are not used.

        Examples
        --------
        >>> import json, os, tempfile
        >>> from sklearn_sbs import LIFSamplerCalibrator
        >>> neuron = {"_type": "NeuronParametersConductanceExponential",
        ...           "pynn_model": "IF_cond_exp", "cm": 0.2, "tau_m": 1.0,
        ...           "tau_refrac": 10.0, "tau_syn_E": 10.0, "tau_syn_I": 10.0,
        ...           "e_rev_E": 0.0, "e_rev_I": -100.0, "i_offset": 0.0,
        ...           "v_rest": -50.0, "v_reset": -50.01, "v_thresh": -50.0,
        ...           "tau_refrac_virtual": None}
        >>> calibration = {
        ...     "_type": "Calibration", "sim_name": "pyNN.nest",
        ...     "sim_setup_kwargs": {"spike_precision": "on_grid"},
        ...     "duration": 1e5, "dt": 0.1, "burn_in_time": 500.0,
        ...     "V_rest_min": -52.0, "V_rest_max": -49.0, "num_samples": 4,
        ...     "samples_p_on": [0.11, 0.31, 0.61, 0.85],
        ...     "fit": {"_type": "Fit", "alpha": 0.8, "v_p05": -50.6},
        ...     "source_config": {"_type": "PoissonSourceConfiguration",
        ...                       "rates": [3000.0, 3000.0], "weights": [-0.001, 0.001]}}
        >>> document = {"_type": "SamplerConfiguration", "neuron_parameters": neuron,
        ...             "calibration": calibration, "source_config": None,
        ...             "tso_parameters": None}
        >>> path = os.path.join(tempfile.mkdtemp(), "sampler.json")
        >>> with open(path, "w") as f:
        ...     json.dump(document, f)
        >>> cal = LIFSamplerCalibrator.load_sbs(path)
        >>> cal.v_p05_, cal.alpha_, cal.noise_
        (-50.6, 0.8, PoissonNoise())
        >>> float(cal.predict([[-50.6]])[0])
        0.5
        """
        import os

        from . import _sbs_format
        from ._serialization import read_text

        name = os.fspath(path)
        try:
            doc = json.loads(read_text(path))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{name}: not a valid JSON document: {exc}") from None
        try:
            sbs = _sbs_format.read_sampler_configuration(doc)
        except ValueError as exc:
            raise ValueError(f"{name}: {exc}") from None
        params = {k: v for k, v in sbs.neuron_params.items()
                  if not (k == "tau_refrac_virtual" and v is None)}
        est = cls(sbs.neuron_model, params, sbs.noise, dt=sbs.dt,
                  spike_precision=sbs.spike_precision, duration=sbs.duration,
                  burn_in=sbs.burn_in, n_points=sbs.v_rest.size)
        v05, alpha = theory.predicted_activation(sbs.neuron_model, sbs.neuron_params, sbs.noise)
        if not np.isfinite(alpha) or alpha <= MIN_ALPHA or not np.isfinite(v05):
            raise ValueError(
                f"{name}: field 'calibration.source_config': the free-membrane theory of this "
                f"neuron under this noise is no sampler (v_p05 = {v05:.3g} mV, alpha = "
                f"{alpha:.3g} mV), which sklearn-sbs does not calibrate")
        tau_on = neurons.on_time(sbs.neuron_params)
        std = est._binomial_std(logistic(sbs.v_rest, sbs.v_p05, sbs.alpha), tau_on)
        err = _sbs_format.fit_errors(sbs.v_rest, sbs.p_on, std, sbs.v_p05, sbs.alpha)
        est.__dict__.update(
            v_p05_=sbs.v_p05, alpha_=sbs.alpha, v_rest_=sbs.v_rest, p_on_=sbs.p_on,
            p_on_std_=std, v_p05_err_=float(err[0]), alpha_err_=float(err[1]),
            theory_v_p05_=float(v05), theory_alpha_=float(alpha), tau_on_=tau_on, n_rounds_=1,
            n_features_in_=1, neuron_params_=sbs.neuron_params, noise_=clone(sbs.noise))
        # what this library's own documents must hold, checked as any saved calibrator is
        try:
            return cls.from_json(est.to_json())
        except ValueError as exc:
            raise ValueError(f"{name}: the calibration read is not one sklearn-sbs can "
                             f"hold: {exc}") from None
