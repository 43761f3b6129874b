"""Calibrations written by the original sbs library, read field by field.

The original library (electronicvisions/spike-based-sampling) saves a
calibrated sampler with ``LIFsampler.write_config`` as the JSON form of its
``sbs.db.SamplerConfiguration``: every object is a JSON object of all its data
attributes (unset ones ``null``) plus a ``"_type"`` naming its class::

    {"_type": "SamplerConfiguration",
     "neuron_parameters": {"_type": "NeuronParametersConductanceExponential",
                           "pynn_model": "IF_cond_exp", "cm": 0.2, ...,
                           "tau_refrac_virtual": null},
     "calibration": {"_type": "Calibration", "sim_name": "pyNN.nest",
                     "sim_setup_kwargs": {...}, "duration": 1e5, "dt": 0.01,
                     "burn_in_time": 500.0, "V_rest_min": -53.0, "V_rest_max": -48.0,
                     "num_samples": 150, "samples_p_on": [...],
                     "fit": {"_type": "Fit", "alpha": 0.8, "v_p05": -50.6},
                     "source_config": {"_type": "PoissonSourceConfiguration",
                                       "rates": [3000.0, 3000.0],
                                       "weights": [-0.001, 0.001]}},
     "source_config": null, "tso_parameters": null}

Units are PyNN's in both libraries (ms, mV, nF, nA, Hz; weights in µS for
conductance synapses and nA for current synapses), and the original's logistic
``1 / (1 + exp(-(v - v_p05) / alpha))`` is ours, so values map unchanged; the
original's signed Poisson weights (positive: excitatory, else inhibitory) become
magnitudes per receptor.  :func:`read_sampler_configuration` checks the parsed
document and returns the values (:class:`SbsCalibration`); every error is a
ValueError naming the field by its path in the file, e.g. ``'calibration.fit.alpha'``.

Nothing here imports PyNN or NEST, and nothing in a document is evaluated.
"""

import warnings
from dataclasses import dataclass

import numpy as np

from . import _schema, neurons
from ._validation import _describe, activation_problem, check_refractory, validate_nested
from .sources import PoissonNoise

__all__ = ["SbsCalibration", "read_sampler_configuration", "fit_errors"]

#: The original's neuron parameter classes (sbs/db/neuron_parameters.py) and the
#: PyNN standard model each one is (its ``pynn_model``).
NEURON_TYPES = {
    "NeuronParametersConductanceExponential": "IF_cond_exp",
    "NeuronParametersConductanceAlpha": "IF_cond_alpha",
    "NeuronParametersCurrentExponential": "IF_curr_exp",
    "NeuronParametersCurrentAlpha": "IF_curr_alpha",
}
#: Its NEST-native models with random refractory times (a distribution, not a number).
_RANDOM_REFRACTORY = ("ConductanceExponentialRandomRefractory",
                      "CurrentExponentialRandomRefractory")
#: The original's source classes (sbs/db/sources.py); only the first has an equivalent here.
_POISSON = "PoissonSourceConfiguration"
_OTHER_SOURCES = ("SinusPoissonSourceConfiguration", "MultiPoissonVarRateSourceConfiguration",
                  "FixedSpikeTrainConfiguration", "NoiseNetworkSourceConfiguration",
                  "PoissonPoolSourceConfiguration")
_VIRTUAL = "tau_refrac_virtual"


@dataclass(frozen=True)
class SbsCalibration:
    """What an original sbs calibration holds, in this library's terms.

    ``neuron_params`` has every parameter of the model, ``tau_refrac_virtual``
    None when unset; ``v_rest`` is the measured grid (mV), ``p_on`` the
    activation measured on it; ``v_p05`` and ``alpha`` (mV) the original's fit;
    ``spike_precision`` PyNN's option for NEST it was simulated with.
    """

    neuron_model: str
    neuron_params: dict
    noise: PoissonNoise
    dt: float
    duration: float
    burn_in: float
    v_rest: np.ndarray
    p_on: np.ndarray
    v_p05: float
    alpha: float
    spike_precision: str


def _fail(path, expected, got):
    raise ValueError(f"field {path!r}: expected {expected}, got {got}")


def _type_tag(value, path, known):
    """The ``_type`` of the object ``value`` at ``path`` (checked against nothing yet)."""
    if not isinstance(value, dict):
        _fail(path, f"a JSON object (one of the original's {known})", _describe(value))
    tag = value.get("_type")
    if not isinstance(tag, str):
        _fail(_schema.join(path, "_type"), f"the name of one of the original's {known}",
              _describe(tag) if "_type" in value else "no '_type' field")
    return tag


def _optional(check):
    """``check``, letting null through."""
    def nullable(value, path, context):
        return None if value is None else check(value, path, context)
    return nullable


def _string(value, path, context):
    if not isinstance(value, str):
        _fail(path, "a string", _describe(value))
    return value


def _count(value, path, context):
    """A number of samples: an integer >= 3, written as 150 or 150.0."""
    ok = (type(value) in (int, float) and np.isfinite(value) and value == int(value)
          and value >= 3)
    if not ok:
        _fail(path, "an integer >= 3 (points of the measured grid)", _describe(value))
    return int(value)


def _numbers(value, path, context):
    """A number or a list of numbers (the original broadcasts a single rate, which
    may leave it as a list of one-element lists), as a flat float array."""
    flat = value
    if isinstance(value, list) and value and all(
            isinstance(v, list) and len(v) == 1 for v in value):
        flat = [v[0] for v in value]
    if type(flat) in (int, float):
        flat = [flat]
    arr = _schema.Array((_schema.Dim("source"),), _schema.Number())(flat, path, {})
    return arr


# --- neuron parameters (sbs/db/neuron_parameters.py) -------------------------------------

def _neuron(value, path):
    """(model, complete parameters) of a ``NeuronParameters*`` object."""
    tag = _type_tag(value, path, "neuron parameter classes")
    if tag in _RANDOM_REFRACTORY:
        raise ValueError(
            f"field {_schema.join(path, '_type')!r}: {tag!r} (NEST's *_rtr models, random "
            "refractory times drawn from tau_refrac_dist) has no equivalent in sklearn-sbs, "
            "whose on-time is a number: calibrate the neuron anew with a fixed tau_refrac")
    if tag not in NEURON_TYPES:
        _fail(_schema.join(path, "_type"),
              f"one of {sorted(NEURON_TYPES)} (the original's PyNN standard models)",
              _describe(tag))
    model = NEURON_TYPES[tag]
    schema = {"_type": _schema.anything, "pynn_model": _schema.OneOf((model,))}
    schema.update((name, _schema.Number()) for name in neurons.get_model(model).defaults)
    schema[_VIRTUAL] = _schema.Number(nullable=True)
    fields = _schema.check_fields(value, schema, path, {}, optional=(_VIRTUAL,))
    params = {k: v for k, v in fields.items() if k not in ("_type", "pynn_model")}
    return model, _schema.neuron_params(model, params, path)


# --- noise (sbs/db/sources.py) --------------------------------------------------------------

def _noise(value, path):
    """A ``PoissonSourceConfiguration`` as :class:`~sklearn_sbs.sources.PoissonNoise`."""
    tag = _type_tag(value, path, "source configuration classes")
    if tag != _POISSON:
        known = "one of the original's source classes" if tag in _OTHER_SOURCES else \
            "not a source class of the original"
        raise ValueError(
            f"field {_schema.join(path, '_type')!r}: only {_POISSON!r} (independent Poisson "
            f"inputs) maps to a noise source of sklearn-sbs (PoissonNoise); got {tag!r} "
            f"({known}), which has no exact equivalent: calibrate anew with a source from "
            "sklearn_sbs.sources")
    fields = _schema.check_fields(value, {"_type": _schema.anything, "rates": _numbers,
                                          "weights": _numbers}, path, {})
    weights, rates = fields["weights"], fields["rates"]
    if rates.size == 1:
        rates = np.full(weights.shape, rates[0])
    if rates.size != weights.size:
        _fail(_schema.join(path, "rates"),
              f"one rate or one per weight ({weights.size}, as in "
              f"{_schema.join(path, 'weights')!r})", f"{rates.size} numbers")
    if np.any(rates < 0):
        _fail(_schema.join(path, "rates"), "rates >= 0 (Hz)", _describe(rates.tolist()))
    exc = weights > 0                  # the original's rule: positive excitatory, else inhibitory
    if exc.all() or not exc.any():
        _fail(_schema.join(path, "weights"),
              "excitatory (> 0) and inhibitory (<= 0) weights, as the original calibrates with",
              _describe(weights.tolist()))

    def one_or_list(arr):
        return float(arr[0]) if arr.size == 1 else arr.tolist()

    noise = PoissonNoise(rate_exc=one_or_list(rates[exc]), rate_inh=one_or_list(rates[~exc]),
                         weight_exc=one_or_list(weights[exc]),
                         weight_inh=one_or_list(np.abs(weights[~exc])))
    try:
        validate_nested(noise)           # our bounds (rates, weights far beyond physiology)
    except ValueError as exc_:
        raise ValueError(f"field {path!r}: as {noise!r}: {exc_}") from None
    return noise


# --- calibration (sbs/db/__init__.py: Calibration, Fit) ---------------------------------------

def _fit(value, path, context):
    """The original's ``Fit``: its logistic, the same as ours."""
    if value is None:
        raise ValueError(f"field {path!r}: the calibration has no fit (null); the sampler was "
                         "never calibrated")
    fields = _schema.check_fields(value, {"_type": _schema.OneOf(("Fit",)),
                                          "alpha": _schema.Number(gt=0),
                                          "v_p05": _schema.Number()}, path, context)
    return fields["v_p05"], fields["alpha"]


_CALIBRATION = {
    "_type": _schema.OneOf(("Calibration",)),
    "sim_name": _optional(_string),            # the simulator it ran on; not used
    "sim_setup_kwargs": _optional(_schema.json_object),     # sim.setup's: spike_precision
    "duration": _schema.Number(gt=0),          # ms measured per point, after the burn-in
    "dt": _schema.Number(gt=0),                # ms
    "burn_in_time": _schema.Number(ge=0),      # ms
    "V_rest_min": _schema.Number(),            # mV, first point of the grid
    "V_rest_max": _schema.Number(),            # mV, last point
    "num_samples": _count,                     # points, np.linspace(min, max, n)
    "samples_p_on": _schema.Array((_schema.Dim("measured point", minimum=3),),
                                  _schema.Number(ge=0)),
    "fit": _fit,
    "source_config": _schema.anything,         # read by _noise
}
_TOP = {
    "_type": _schema.OneOf(("SamplerConfiguration",)),
    "neuron_parameters": _schema.anything,     # read by _neuron
    "calibration": _schema.json_object,
    "source_config": _schema.anything,         # sampling noise, if not the calibration's
    "tso_parameters": _schema.anything,        # the network's synapses
}


def _grid(fields, path):
    """The measured grid and activation of a checked ``Calibration``."""
    v_min, v_max, n = fields["V_rest_min"], fields["V_rest_max"], fields["num_samples"]
    if not v_min < v_max:
        _fail(_schema.join(path, "V_rest_max"),
              f"a potential above {_schema.join(path, 'V_rest_min')!r} = {v_min!r} mV",
              _describe(v_max))
    p_on = fields["samples_p_on"]
    if p_on.size != n:
        _fail(_schema.join(path, "samples_p_on"),
              f"{n} activations (one per point, as in {_schema.join(path, 'num_samples')!r})",
              f"{p_on.size} numbers")
    # the original counts spikes x on-time / duration, which can pass 1 when
    # tau_refrac_virtual is longer than tau_refrac; the fraction of time on cannot
    return np.linspace(v_min, v_max, n), np.minimum(p_on, 1.0)


def _spike_precision(kwargs, path):
    """PyNN's ``spike_precision`` the calibration ran with: as given to ``sim.setup``,
    else PyNN's default for NEST, ``"off_grid"``."""
    value = (kwargs or {}).get("spike_precision", "off_grid")
    if value not in ("on_grid", "off_grid"):
        _fail(_schema.join(path, "spike_precision"), "'on_grid' or 'off_grid' (PyNN's options "
              "for NEST)", _describe(value))
    return value


def read_sampler_configuration(doc):
    """The values of an original sbs ``SamplerConfiguration`` (parsed JSON).

    Parameters
    ----------
    doc : object
        The parsed JSON of a file written by the original's ``write_config``.

    Returns
    -------
    SbsCalibration

    Raises
    ------
    ValueError
        For a field missing, unknown or wrong, naming its path in the document,
        and for content with no equivalent here (random refractory neurons,
        sources other than independent Poisson inputs).

    Warns
    -----
    UserWarning
        When the sampler has settings for sampling that a calibrator does not
        hold: a ``source_config`` other than the calibration's, ``tso_parameters``.
    """
    top = _schema.check_fields(doc, _TOP, "", {}, optional=("source_config", "tso_parameters"))
    model, params = _neuron(top["neuron_parameters"], "neuron_parameters")
    cal = _schema.check_fields(top["calibration"], _CALIBRATION, "calibration", {},
                               optional=("sim_name", "sim_setup_kwargs"))
    noise = _noise(cal["source_config"], "calibration.source_config")
    v_rest, p_on = _grid(cal, "calibration")
    v_p05, alpha = cal["fit"]
    problem = activation_problem(v_p05, alpha, params["v_thresh"])
    if problem is not None:
        raise ValueError(f"field 'calibration.fit': v_p05={v_p05!r} mV, alpha={alpha!r} mV is "
                         f"no sampler: {problem[0]}")
    try:
        check_refractory(cal["dt"], params["tau_refrac"], "neuron_parameters")
    except ValueError as exc:
        raise ValueError(f"field 'calibration.dt': {exc}") from None
    precision = _spike_precision(cal.get("sim_setup_kwargs"), "calibration.sim_setup_kwargs")
    _ignored(top, cal["source_config"], model)
    return SbsCalibration(model, params, noise, cal["dt"], cal["duration"], cal["burn_in_time"],
                          v_rest, p_on, v_p05, alpha, precision)


def _ignored(top, calibration_source, model):
    """Warn about the sampling settings a calibrator does not hold."""
    sampling = top.get("source_config")
    if sampling is not None and sampling != calibration_source:
        warnings.warn(
            "field 'source_config': the sampler was set to sample with other noise than it was "
            "calibrated with; a calibrator holds its calibration's noise only, so this is not "
            "carried over: pass the equivalent source as SpikingBoltzmannMachine(noise=...)",
            UserWarning, stacklevel=4)
    if top.get("tso_parameters") is not None:
        warnings.warn(
            "field 'tso_parameters': synapse parameters belong to the network, not to a "
            "calibration, and are not carried over: pass them as "
            "SpikingBoltzmannMachine(synapse=TsodyksMarkramSynapse(...))",
            UserWarning, stacklevel=4)


def fit_errors(v_rest, p_on, std, v_p05, alpha):
    """Standard errors of (v_p05, alpha) of a logistic given the measurement it fits.

    The linearised covariance at the given parameters, the points weighted by
    ``1 / std**2`` and scaled by the reduced chi-square of the residuals (as
    ``scipy.optimize.curve_fit`` estimates it); infinite where the measurement
    does not constrain the fit.
    """
    v_rest, p_on, std = (np.asarray(a, dtype=float) for a in (v_rest, p_on, std))
    p = 0.5 * (1.0 + np.tanh(0.5 * (v_rest - v_p05) / alpha))
    slope = p * (1.0 - p) / alpha
    jac = np.column_stack([-slope, -slope * (v_rest - v_p05) / alpha]) / std[:, None]
    resid = (p_on - p) / std
    dof = v_rest.size - 2
    try:
        cov = np.linalg.inv(jac.T @ jac) * (resid @ resid / dof)
    except np.linalg.LinAlgError:
        return np.full(2, np.inf)
    err = np.sqrt(np.abs(np.diag(cov)))
    return np.where(np.isfinite(err), err, np.inf)

