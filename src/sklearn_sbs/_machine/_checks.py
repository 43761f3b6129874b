"""What a machine's parameters must satisfy before anything is simulated.

scikit-learn's constraints check each parameter on its own; these checks need
several together, or the calibrators': the calibrator parameter itself (one, a
list, frozen), the time grid of ``dt`` (the delay, every duration, the noise's
time points), ``dt`` against each unit's refractory period, and a sampling
``noise`` against the neurons it drives.  Every error names the parameter by
its full path (``calibrator[1]__noise__times[0]``), its value and what is allowed.
"""

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints
from sklearn.utils.validation import check_is_fitted

from .. import neurons, theory
from .._calibrator import LIFSamplerCalibrator
from .._validation import (_describe, activation_problem, check_noise_grid, check_refractory,
                           check_time_grid, validate_nested)
from ..sources import NOISE_PARAMETER, default_noise
from ._translation import is_frozen, unwrap

_RECEPTORS = (("excitatory", "exc"), ("inhibitory", "inh"))


def _what(value):
    return f"the class {value.__name__}" if isinstance(value, type) else \
        f"{type(value).__name__} {_describe(value)}"


def calibrator_entries(calibrator, caller):
    """(path, calibrator) of every calibrator the ``calibrator`` parameter holds (None:
    the default one), each checked as a parameter object under its path."""
    if calibrator is None:
        return [("calibrator", LIFSamplerCalibrator())]
    if isinstance(calibrator, (list, tuple)):
        if not calibrator:
            raise ValueError("calibrator must be one calibrator or a list of one per unit, "
                             "got an empty list")
        entries = [(f"calibrator[{i}]", c) for i, c in enumerate(calibrator)]
    else:
        entries = [("calibrator", calibrator)]
    for path, c in entries:
        if isinstance(c, type) or not isinstance(unwrap(c), LIFSamplerCalibrator):
            # a ValueError and a TypeError, as scikit-learn's parameter errors
            raise InvalidParameterError(
                f"{path} must be a LIFSamplerCalibrator instance (or one in "
                f"sklearn.frozen.FrozenEstimator), got {_what(c)}")
        validate_nested(c, path, caller)
    return entries


def _unit(path, calibrator, fitted, caller_name):
    """What the units of one calibrator simulate: (owner path, model, complete neuron
    parameters, noise, dt, whether it is calibrated in this fit)."""
    cal = unwrap(calibrator)
    owner = f"{path}__estimator" if is_frozen(calibrator) else path
    if fitted or is_frozen(calibrator):
        check_is_fitted(cal)                # a frozen calibrator is used as it is
        return owner, cal.neuron_model, cal.neuron_params_, cal.noise_, float(cal.dt), False
    # the calibrator's own constraint lets a noise class through (it fails in a worker)
    validate_parameter_constraints({f"{owner}__noise": NOISE_PARAMETER},
                                   {f"{owner}__noise": cal.noise}, caller_name)
    try:
        params = neurons.check_neuron_params(cal.neuron_model, cal.neuron_params)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"{owner}__neuron_params: {exc}") from None
    noise = default_noise(cal.neuron_model) if cal.noise is None else cal.noise
    return owner, cal.neuron_model, params, noise, float(cal.dt), True


def _units(params, caller, calibrators):
    """The distinct calibrators' units: from the parameter before a fit, else the
    fitted ``calibrators`` (one per unit)."""
    if calibrators is None:
        entries, fitted = calibrator_entries(params["calibrator"], caller), False
    else:
        distinct = list({id(c): c for c in calibrators}.values())
        entries = [("calibrator" if len(distinct) == 1 else f"calibrator[{calibrators.index(c)}]",
                    c) for c in distinct]
        fitted = True
    return [_unit(path, c, fitted, type(caller).__name__) for path, c in entries]


def machine_dt(dt, units):
    """The time step: ``dt``, else the calibrators' common one; (dt, where it came from)."""
    if dt is not None:
        return float(dt), ""
    dts = {unit[4] for unit in units}
    if len(dts) != 1:
        given = ", ".join(f"{unit[0]}__dt={unit[4]!r}" for unit in units)
        raise ValueError(f"the calibrators use different time steps ({given}); set the "
                         "machine's dt (dt=None takes the calibrators' common one)")
    return dts.pop(), f" (dt=None: {units[0][0]}__dt)"


def _drive(noise, receptor):
    return sum(i.rate * i.weight for i in noise.inputs() if i.receptor == receptor)


def _zero(value):
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):      # ragged spike trains: not all empty
        return False
    return arr.size == 0 or not np.any(arr)


def _silencing(noise, tag, path):
    """The parameters that leave a receptor silent: its own that are zero (or empty),
    else shared ones."""
    params = noise.get_params(deep=False)
    own = [k for k, v in params.items() if k.endswith(f"_{tag}") and _zero(v)]
    shared = [k for k, v in params.items() if not k.endswith(("_exc", "_inh")) and _zero(v)]
    names = own or shared
    return " and ".join(f"{path}__{k}={params[k]!r}" for k in names) or f"{path}={noise!r}"


def check_sampling_noise(noise, units, path="noise"):
    """A ``noise`` override must drive every receptor the calibrations' noise drove
    (the translation assumes that drive), and make samplers of the units' neurons
    as a calibration would accept them (free-membrane theory)."""
    for receptor, tag in _RECEPTORS:
        calibrated = [unit for unit in units if _drive(unit[3], receptor) > 0]
        if calibrated and _drive(noise, receptor) <= 0:
            owner, noise_used = calibrated[0][0], calibrated[0][3]
            raise ValueError(
                f"{_silencing(noise, tag, path)} leaves the {receptor} receptor without background "
                f"while sampling, but the units were calibrated with {receptor} noise "
                f"({owner}: {noise_used!r}), which the translation of weights and biases "
                "assumes: give the receptor a rate and a weight > 0, or calibrate with this noise"
            )
    done = set()
    for owner, model, params, *_ in units:
        key = (model, tuple(sorted(params.items())))
        if key in done:
            continue
        done.add(key)
        problem = activation_problem(*theory.predicted_activation(model, params, noise),
                                     params["v_thresh"])
        if problem is not None:
            finding, weak = problem
            advice = ("raise its rates or weights" if weak else
                      "lower its rates or weights, or balance excitation and inhibition")
            raise ValueError(f"{path}={noise!r} is too {'weak' if weak else 'strong'} for the "
                             f"neurons of {owner}: {finding} (free-membrane theory); {advice}")


def _delays(delay, biases):
    """(name, value, False, "") of a delay, or of each distinct entry of a delay
    matrix (named by its first place), the matrix's shape checked."""
    if np.ndim(delay) == 0:
        return [("delay", delay, False, "")]
    try:
        matrix = np.asarray(delay, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"delay must be a number or a matrix of numbers (ms), got {delay!r}") from None
    n = None if biases is None else np.atleast_1d(biases).shape[0]
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or (n is not None and matrix.shape[0] != n):
        raise ValueError(f"delay must be a number or a matrix of shape (n_units, n_units)"
                         f"{'' if n is None else f' = ({n}, {n})'}, got shape {matrix.shape}")
    out = []
    for value in np.unique(matrix):
        i, j = np.argwhere(matrix == value)[0] if np.isfinite(value) else np.argwhere(~np.isfinite(matrix))[0]
        out.append((f"delay[{i}, {j}]", float(value), False, ""))
    return out


def _durations(params, sample_duration):
    """(name, value, zero allowed, why) of every time the machine simulates."""
    out = [("duration", params["duration"], False, ""),
           ("burn_in", params["burn_in"], True, ""),
           ("inference_duration", params["inference_duration"], False, "")]
    if params["delay"] is not None:
        out += _delays(params["delay"], params["biases"])
    if params["correction_duration"] is not None:
        out.append(("correction_duration", params["correction_duration"], False, ""))
    # None: a share of duration, not checked: each round is rounded to the grid
    # (round_durations), so a duration on the grid never fails for its default
    if params["learning"] == "spiking":
        out.append(("step_duration", params["step_duration"], False, ""))
    if sample_duration is not None:
        out.append(("duration", sample_duration, False, " (sample's argument)"))
    return out


def check_machine(estimator, calibrators=None, duration=None):
    """Check a machine's parameters, as far as no simulation is needed.

    Parameters
    ----------
    estimator : SpikingBoltzmannMachine
        Its parameters are read, nothing is set.
    calibrators : list of LIFSamplerCalibrator, default=None
        The fitted calibrator of each unit; None: the ``calibrator`` parameter's
        (before a fit).
    duration : float, default=None
        A duration of ``sample`` to check too.

    Returns
    -------
    dt : float
        The machine's time step.
    """
    estimator._validate_params()        # again: set_params may have come after fit
    params = estimator.get_params(deep=False)
    noises = noise_per_unit(params, calibrators)
    for path, noise in noises:
        validate_nested(noise, path, estimator)
    validate_nested(params["synapse"], "synapse", estimator)
    units = _units(params, estimator, calibrators)
    dt, origin = machine_dt(params["dt"], units)
    for owner, _, neuron_params, noise, unit_dt, calibrated in units:
        check_refractory(dt, neuron_params["tau_refrac"], f"{owner}'s neuron", origin)
        if calibrated:          # the calibration runs on the calibrator's own grid
            check_noise_grid(noise, f"{owner}__noise", unit_dt, f" ({owner}__dt)")
        if not noises:
            check_noise_grid(noise, f"{owner}__noise", dt, origin)
    for name, value, zero, why in _durations(params, duration):
        check_time_grid(value, name, dt, zero=zero, why=why, dt_origin=origin)
    for k, (path, noise) in enumerate(noises):
        check_noise_grid(noise, path, dt, origin)
        # each unit's source against its own calibration, one source for all: all of them
        mine = units if len(noises) == 1 else [units[_calibrator_index(params, calibrators, k)]]
        check_sampling_noise(noise, mine, path)
    return dt


def noise_per_unit(params, calibrators=None):
    """(path, source) of the ``noise`` parameter: none (None), one for every unit, or
    one per unit (a list: ``noise[k]``, as many as the units when that is known)."""
    noise = params["noise"]
    if noise is None:
        return []
    if not isinstance(noise, (list, tuple)):
        return [("noise", noise)]
    n_units = len(calibrators) if calibrators is not None else (
        len(params["calibrator"]) if isinstance(params["calibrator"], (list, tuple)) else
        None if params["biases"] is None else len(np.atleast_1d(params["biases"])))
    if n_units is not None and len(noise) != n_units:
        raise ValueError(f"noise holds {len(noise)} sources, but the machine has {n_units} units: "
                         "give one source per unit, or one source for all")
    for k, source in enumerate(noise):
        if not NOISE_PARAMETER[0].is_satisfied_by(source):
            raise TypeError(f"noise[{k}] must be {NOISE_PARAMETER[0]}, got {source!r}")
    return [(f"noise[{k}]", source) for k, source in enumerate(noise)]


def _calibrator_index(params, calibrators, unit):
    """Which of ``_units``'s distinct calibrators ``unit`` uses."""
    if calibrators is not None:
        distinct = list({id(c): c for c in calibrators})
        return distinct.index(id(calibrators[unit]))
    return unit if isinstance(params["calibrator"], (list, tuple)) else 0
