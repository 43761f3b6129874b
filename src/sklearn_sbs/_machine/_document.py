"""The machine as a JSON document: its parameters and, if fitted, its translation.

Reading a document checks every field against the declared schema of its
version (:mod:`sklearn_sbs._schema`): the parameters as ``fit`` checks them,
the fitted arrays -- used as they are, without a fit -- for type, shape
(n_units from ``weights_theo``), finiteness and structure.
"""

import json

import numpy as np
from sklearn.frozen import FrozenEstimator

from .. import _schema
from .._calibrator import LIFSamplerCalibrator
from .._serialization import noise_to_dict, read_document, to_plain
from .._validation import _describe
from ..synapses import StaticSynapse, TsodyksMarkramSynapse
from ._learning import connection_mask
from ._translation import Translation, unwrap

FORMAT = "sklearn-sbs/boltzmann-machine"
VERSION = 1
_SYNAPSES = {cls.__name__: cls for cls in (StaticSynapse, TsodyksMarkramSynapse)}
# fitted attributes stored as arrays, by document field
_ARRAYS = {"weights_theo": "weights_theo_", "biases_theo": "biases_theo_",
           "weights_bio": "weights_bio_", "v_rest": "v_rest_",
           "weights_effective": "weights_effective_", "biases_effective": "biases_effective_"}
_OWNER = "SpikingBoltzmannMachine"


# --- writing ----------------------------------------------------------------------

def _calibrator_doc(calibrator, name):
    cal = unwrap(calibrator)
    # named as the machine's parameter, not as the calibrator's own
    _schema.saved_random_state(cal.random_state, f"{name}__random_state", _OWNER)
    return json.loads(cal.to_json())


def _synapse_to_plain(synapse):
    if isinstance(synapse, str):
        return synapse
    return {"class": type(synapse).__name__, "params": to_plain(synapse.get_params())}


def to_document(machine):
    """The document of a machine, as a JSON string.

    Raises
    ------
    ValueError
        If ``random_state`` (the machine's or a calibrator's) is a RandomState
        or Generator: its state is not saved.
    """
    params = machine.get_params(deep=False)
    params["random_state"] = _schema.saved_random_state(params["random_state"], "random_state",
                                                        _OWNER)
    cal = params["calibrator"]
    if isinstance(cal, (list, tuple)):
        params["calibrator"] = [_calibrator_doc(c, f"calibrator[{i}]") for i, c in enumerate(cal)]
    elif cal is not None:
        params["calibrator"] = _calibrator_doc(cal, "calibrator")
    noise = params["noise"]
    params["noise"] = (None if noise is None else [noise_to_dict(n) for n in noise]
                       if isinstance(noise, (list, tuple)) else noise_to_dict(noise))
    params["synapse"] = _synapse_to_plain(params["synapse"])
    params["memory"] = _schema.saved_memory(params["memory"], "memory", _OWNER)
    doc = {"format": FORMAT, "version": VERSION, "params": to_plain(params)}
    if hasattr(machine, "calibrators_"):
        fitted = {field: getattr(machine, name) for field, name in _ARRAYS.items()}
        fitted.update(calibrators=[json.loads(c.to_json()) for c in machine.calibrators_],
                      correction_errors=machine.correction_errors_,
                      learning_steps=machine.learning_steps_)
        doc["fitted"] = to_plain(fitted)
    return json.dumps(doc, indent=2)


# --- the schema -------------------------------------------------------------------

def _calibrator(doc, path):
    """A stored calibrator: fitted ones frozen (used as they are), others plain."""
    cal = LIFSamplerCalibrator._from_document(doc, path)
    return FrozenEstimator(cal) if "calibration" in doc else cal


def _calibrator_param(value, path, context):
    if value is None:
        return None
    if isinstance(value, list):
        return [_calibrator(doc, f"{path}[{i}]") for i, doc in enumerate(value)]
    return _calibrator(value, path)


def _synapse_param(value, path, context):
    if isinstance(value, str):
        return value                  # "static" or "renewing": the parameter's constraint
    return _schema.object_field(value, path, _SYNAPSES, context)


def _check_calibrator_list(calibrator, context):
    """A list of calibrators has one per unit of the weights and biases parameters."""
    n, where = context.get("sizes", {}).get(_GIVEN, (None, None))
    if isinstance(calibrator, list) and n is not None and len(calibrator) != n:
        raise ValueError(f"field 'params.calibrator': expected {n} calibrators (one per unit, "
                         f"as in {where!r}), got a list of {len(calibrator)}")


def _delay_param(value, path, context):
    """A delay: a number, null, or a matrix with one per pair of units."""
    return _DELAYS(value, path, context) if isinstance(value, list) else value


_GIVEN = _schema.Dim("unit")          # the weights and biases parameters'
_DELAYS = _schema.Array((_GIVEN, _GIVEN))
_PARAMS = {
    "delay": _delay_param,
    "calibrator": _calibrator_param,
    "noise": _schema.noise_or_list_field,
    "synapse": _synapse_param,
    "weights": _schema.Array((_GIVEN, _GIVEN), nullable=True),
    "biases": _schema.Array((_GIVEN,), nullable=True),
}


def _structure(symmetric):
    """A rule for a fitted weight matrix: zero where the machine has no synapse
    (the diagonal; within layers with n_hidden), symmetric if asked, exactly."""
    def rule(W, context):
        n, n_hidden = W.shape[0], context["n_hidden"]
        if n_hidden >= n:
            return f"expected more units than params.n_hidden = {n_hidden}, got {n}"
        if symmetric and not np.array_equal(W, W.T):
            return ("expected a symmetric matrix (W[i, j] == W[j, i] exactly), got max "
                    f"|W - W.T| = {np.abs(W - W.T).max():.3g}")
        absent = ~connection_mask(n - n_hidden, n_hidden)
        if np.any(W[absent]):
            i, j = (int(k) for k in np.argwhere(absent & (W != 0))[0])
            where = "on the diagonal" if not n_hidden else \
                f"on the diagonal and within the layers (params.n_hidden = {n_hidden})"
            return f"expected zeros {where}, got {W[i, j].item()!r} at index [{i}, {j}]"
        return None
    return rule


def _fitted_calibrators(value, path, context):
    """One fitted calibrator document per unit; identical ones become one
    calibrator, as fit shares one between the units it calibrates alike."""
    n, where = context["sizes"][_UNITS]
    if not isinstance(value, list) or len(value) != n:
        got = f"a list of {len(value)}" if isinstance(value, list) else _describe(value)
        raise ValueError(f"field {path!r}: expected {n} fitted calibrator documents (one per "
                         f"unit, as in {where!r}), got {got}")
    shared, out = {}, []
    for i, doc in enumerate(value):
        key = json.dumps(doc, sort_keys=True)
        if key not in shared:
            cal = LIFSamplerCalibrator._from_document(doc, f"{path}[{i}]")
            if "calibration" not in doc:
                raise ValueError(f"field '{path}[{i}].calibration' is missing: a machine's "
                                 "fitted calibrators are fitted")
            shared[key] = cal
        out.append(shared[key])
    return out


_UNITS = _schema.Dim("unit")
#: The fitted fields of a machine document, per format version, in the order
#: they are written and checked (weights_theo sets n_units).
_FITTED = {
    1: {
        "weights_theo": _schema.Array((_UNITS, _UNITS), rule=_structure(symmetric=True)),
        "biases_theo": _schema.Array((_UNITS,)),
        "weights_bio": _schema.Array((_UNITS, _UNITS), rule=_structure(symmetric=False)),
        "v_rest": _schema.Array((_UNITS,)),
        "weights_effective": _schema.Array((_UNITS, _UNITS), rule=_structure(symmetric=False)),
        "biases_effective": _schema.Array((_UNITS,)),
        "calibrators": _fitted_calibrators,
        "correction_errors": _schema.Array((_schema.Dim("correction round", minimum=0),),
                                           _schema.Number(ge=0)),
        "learning_steps": _schema.Number(ge=0, integer=True),
    },
}


def _check_translation(values):
    """The stored synaptic weights and resting potentials are the translation of the
    stored effective values by the stored calibrators (they are simulated as they
    are, so a field edited on its own would sample another machine without a word)."""
    translated = Translation(tuple(values["calibrators_"])).to_bio(
        values["weights_effective_"], values["biases_effective_"])
    pairs = (("weights_bio", "weights_effective"), ("v_rest", "biases_effective"))
    for expected, (field, source) in zip(translated, pairs):
        stored = values[_ARRAYS[field]]
        scale = max(1.0, float(np.abs(expected).max(initial=0.0)))
        gap = np.abs(stored - expected)
        if gap.max(initial=0.0) > 1e-6 * scale:        # far above rounding, far below a change
            index = [int(k) for k in np.unravel_index(np.argmax(gap), gap.shape)]
            raise ValueError(
                f"field 'fitted.{field}' is not the translation of 'fitted.{source}' by "
                f"'fitted.calibrators': at index {index} it holds "
                f"{stored[tuple(index)].item()!r}, the translation gives "
                f"{expected[tuple(index)].item()!r}; the document was edited or is corrupt")


# --- reading ----------------------------------------------------------------------

def from_document(cls, text):
    """A machine of class ``cls`` from :func:`to_document` output, every field checked."""
    doc = read_document(text, FORMAT, set(_FITTED))
    _schema.check_fields(doc, {"format": _schema.anything, "version": _schema.anything,
                               "params": _schema.json_object, "fitted": _schema.json_object},
                         "", {}, optional=("fitted",))
    context = {}
    machine = cls(**_schema.check_params(doc["params"], cls, "params", context, _PARAMS))
    _check_calibrator_list(machine.calibrator, context)
    if "fitted" in doc:
        fitted = _schema.check_fields(doc["fitted"], _FITTED[doc["version"]], "fitted",
                                      {"n_hidden": machine.n_hidden})
        calibrators = fitted["calibrators"]
        n = fitted["weights_theo"].shape[0]
        values = {name: fitted[field] for field, name in _ARRAYS.items()}
        values.update(calibrators_=calibrators,
                      correction_errors_=fitted["correction_errors"].tolist(),
                      learning_steps_=fitted["learning_steps"], learning_seconds_=None,
                      tau_on_=np.array([c.tau_on_ for c in calibrators]),
                      n_units_=n, n_features_in_=n - machine.n_hidden)
        _check_translation(values)
        machine.__dict__.update(values)
    return machine
