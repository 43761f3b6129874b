"""The machine as a JSON document: its parameters and, if fitted, its translation."""

import json
import numbers

import numpy as np
from sklearn.frozen import FrozenEstimator

from .._calibrator import LIFSamplerCalibrator
from .._serialization import noise_from_dict, noise_to_dict, read_document, to_plain
from ..synapses import StaticSynapse, TsodyksMarkramSynapse
from ._translation import unwrap

FORMAT = "sklearn-sbs/boltzmann-machine"
VERSION = 1
_SYNAPSES = {cls.__name__: cls for cls in (StaticSynapse, TsodyksMarkramSynapse)}
# fitted attributes stored as arrays, by document field
_ARRAYS = {"weights_theo": "weights_theo_", "biases_theo": "biases_theo_",
           "weights_bio": "weights_bio_", "v_rest": "v_rest_",
           "weights_effective": "weights_effective_", "biases_effective": "biases_effective_"}


def _calibrator_doc(calibrator):
    return json.loads(unwrap(calibrator).to_json())


def _calibrator_from_doc(doc):
    """A stored calibrator: fitted ones frozen (used as they are), others plain."""
    cal = LIFSamplerCalibrator.from_json(json.dumps(doc))
    return FrozenEstimator(cal) if "calibration" in doc else cal


def _synapse_to_plain(synapse):
    if isinstance(synapse, str):
        return synapse
    return {"class": type(synapse).__name__, "params": to_plain(synapse.get_params())}


def _synapse_from_plain(value):
    if isinstance(value, str):
        return value
    if not isinstance(value, dict) or value.get("class") not in _SYNAPSES:
        raise ValueError(f"synapse must be 'static', 'renewing' or one of {sorted(_SYNAPSES)}, "
                         f"got {value!r}")
    return _SYNAPSES[value["class"]](**value.get("params", {}))


def to_document(machine):
    """The document of a machine, as a JSON string."""
    params = machine.get_params(deep=False)
    cal = params["calibrator"]
    if isinstance(cal, (list, tuple)):
        params["calibrator"] = [_calibrator_doc(c) for c in cal]
    elif cal is not None:
        params["calibrator"] = _calibrator_doc(cal)
    params["noise"] = None if params["noise"] is None else noise_to_dict(params["noise"])
    params["synapse"] = _synapse_to_plain(params["synapse"])
    if not isinstance(params["memory"], (str, type(None))):
        params["memory"] = None                   # a Memory object is not data
    if not isinstance(params["random_state"], (numbers.Integral, type(None))):
        params["random_state"] = None
    doc = {"format": FORMAT, "version": VERSION, "params": to_plain(params)}
    if hasattr(machine, "calibrators_"):
        fitted = {field: getattr(machine, name) for field, name in _ARRAYS.items()}
        fitted.update(calibrators=[json.loads(c.to_json()) for c in machine.calibrators_],
                      correction_errors=machine.correction_errors_,
                      learning_steps=machine.learning_steps_)
        doc["fitted"] = to_plain(fitted)
    return json.dumps(doc, indent=2)


def from_document(cls, text):
    """A machine of class ``cls`` from :func:`to_document` output."""
    doc = read_document(text, FORMAT, {VERSION})
    try:
        params = dict(doc["params"])
        cal = params.get("calibrator")
        if isinstance(cal, list):
            params["calibrator"] = [_calibrator_from_doc(c) for c in cal]
        elif cal is not None:
            params["calibrator"] = _calibrator_from_doc(cal)
        if params.get("noise") is not None:
            params["noise"] = noise_from_dict(params["noise"])
        if "synapse" in params:
            params["synapse"] = _synapse_from_plain(params["synapse"])
        for name in ("weights", "biases"):
            if params.get(name) is not None:
                params[name] = np.asarray(params[name], dtype=float)
        machine = cls(**params)
        fitted = doc.get("fitted")
        if fitted is not None:
            calibrators = [LIFSamplerCalibrator.from_json(json.dumps(c))
                           for c in fitted["calibrators"]]
            values = {name: np.asarray(fitted[field], dtype=float)
                      for field, name in _ARRAYS.items()}
            values.update(
                calibrators_=calibrators, correction_errors_=list(fitted["correction_errors"]),
                learning_steps_=int(fitted.get("learning_steps", 0)),
                tau_on_=np.array([c.tau_on_ for c in calibrators]),
                n_units_=values["v_rest_"].shape[0],
                n_features_in_=values["v_rest_"].shape[0] - machine.n_hidden,
            )
            machine.__dict__.update(values)
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"corrupt {FORMAT} document: {exc}") from exc
    machine._validate_params()
    return machine
