"""Neuron models, their default parameters and validation.

The four PyNN standard integrate-and-fire models are supported, modelled after
``pyNN.standardmodels.cells``: ``IF_cond_exp``, ``IF_curr_exp``,
``IF_cond_alpha`` and ``IF_curr_alpha``.  The defaults are the sbs tutorial
neuron (a fast membrane, tau_m = 1 ms, with slow synapses, tau_syn = 10 ms,
and a refractory period of 10 ms as the sampler's on-time), not PyNN's.

Units are PyNN's: potentials in mV, times in ms, capacitance in nF, currents in
nA.  Besides the simulator's parameters a neuron may have
``tau_refrac_virtual`` (ms): the on-time used in analysis when it differs from
``tau_refrac``; it never goes to the simulator (the simulator's parameters are
the keys of :attr:`NeuronModel.defaults`).
"""

import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import _describe

__all__ = ["NEURON_MODELS", "NeuronModel", "get_model", "check_neuron_params", "on_time",
           "simulator_params", "shared_params"]

# (name, default, unit) of the sbs tutorial neuron; reversal potentials only
# exist for conductance-based models
_COMMON = (
    ("cm", 0.2, "nF"),
    ("tau_m", 1.0, "ms"),
    ("v_rest", -50.0, "mV"),
    ("v_thresh", -50.0, "mV"),
    ("v_reset", -50.01, "mV"),
    ("tau_refrac", 10.0, "ms"),
    ("tau_syn_E", 10.0, "ms"),
    ("tau_syn_I", 10.0, "ms"),
    ("i_offset", 0.0, "nA"),
)
_REVERSAL = (
    ("e_rev_E", 0.0, "mV"),
    ("e_rev_I", -100.0, "mV"),
)
_VIRTUAL = "tau_refrac_virtual"

# parameters that must be strictly positive, with the reason shown in errors
_POSITIVE = {
    "cm": "nF",
    "tau_m": "ms",
    "tau_syn_E": "ms",
    "tau_syn_I": "ms",
    "tau_refrac": "ms; sampling needs an on-time",
    _VIRTUAL: "ms; it is the on-time used in analysis",
}


@dataclass(frozen=True)
class NeuronModel:
    """Specification of one PyNN standard neuron model.

    Attributes
    ----------
    name : str
        The PyNN name, e.g. ``"IF_cond_exp"``.
    conductance_based : bool
        Whether synapses are conductances (weights in µS) or currents (nA).
    kernel : {"exp", "alpha"}
        Shape of the synaptic conductance or current after one spike.
    parameters : tuple of (name, default, unit)
        The simulator's parameters.
    """

    name: str
    conductance_based: bool
    kernel: str
    parameters: tuple

    @property
    def defaults(self):
        """The default parameters as a new dict (mutating it changes nothing here)."""
        return {name: default for name, default, _ in self.parameters}

    @property
    def units(self):
        """The unit of every parameter, ``tau_refrac_virtual`` included."""
        units = {name: unit for name, _, unit in self.parameters}
        units[_VIRTUAL] = "ms"
        return units


def _model(name, conductance_based, kernel):
    parameters = _COMMON + (_REVERSAL if conductance_based else ())
    return NeuronModel(name, conductance_based, kernel, parameters)


_MODELS = {
    model.name: model
    for model in (
        _model("IF_cond_exp", True, "exp"),
        _model("IF_curr_exp", False, "exp"),
        _model("IF_cond_alpha", True, "alpha"),
        _model("IF_curr_alpha", False, "alpha"),
    )
}
NEURON_MODELS = tuple(_MODELS)


def get_model(name):
    """The :class:`NeuronModel` called ``name``.

    Parameters
    ----------
    name : str
        One of :data:`NEURON_MODELS`.

    Returns
    -------
    NeuronModel

    Examples
    --------
    >>> from sklearn_sbs.neurons import get_model
    >>> model = get_model("IF_curr_alpha")
    >>> model.conductance_based, model.kernel
    (False, 'alpha')
    >>> model.defaults["tau_syn_E"], model.units["tau_syn_E"]
    (10.0, 'ms')
    """
    if not isinstance(name, str) or name not in _MODELS:
        raise ValueError(f"neuron_model must be one of {NEURON_MODELS}, got {_describe(name)}")
    return _MODELS[name]


def _as_finite(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"neuron parameter {name} must be a real number, got {_describe(value)}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"neuron parameter {name} must be finite, got {value!r}")
    return value


def _check_names(model, params):
    valid = tuple(model.defaults) + (_VIRTUAL,)
    for name in params:
        if name not in valid:
            raise ValueError(
                f"{name!r} is not a parameter of {model.name}; valid parameters are {valid}"
            )


def _check_relations(model, out):
    for name, unit in _POSITIVE.items():
        value = out[name]
        if value is not None and value <= 0:
            raise ValueError(f"neuron parameter {name} must be > 0 ({unit}), got {value!r}")
    if out["v_reset"] >= out["v_thresh"]:
        raise ValueError(
            f"neuron parameter v_reset must be below v_thresh, got v_reset={out['v_reset']!r} "
            f">= v_thresh={out['v_thresh']!r}"
        )
    if model.conductance_based and out["e_rev_I"] >= out["e_rev_E"]:
        raise ValueError(
            f"neuron parameter e_rev_I must be below e_rev_E, got e_rev_I={out['e_rev_I']!r} "
            f">= e_rev_E={out['e_rev_E']!r}"
        )


def check_neuron_params(model, params=None):
    """Complete and validate the parameters of a neuron.

    Parameters
    ----------
    model : str
        One of :data:`NEURON_MODELS`.
    params : dict or None, default=None
        Parameters that differ from the defaults; None means all defaults.
        ``tau_refrac_virtual`` (ms) may be given besides the model's parameters.

    Returns
    -------
    dict
        Every parameter of the model as a float, plus ``tau_refrac_virtual``
        (None when unset).

    Raises
    ------
    ValueError
        For an unknown model or parameter name, a NaN or infinite value,
        ``cm``, ``tau_m``, ``tau_syn_E``, ``tau_syn_I``, ``tau_refrac`` or
        ``tau_refrac_virtual`` not positive, ``v_reset >= v_thresh``, or
        ``e_rev_I >= e_rev_E``.
    TypeError
        For a value that is not a real number.

    Examples
    --------
    >>> from sklearn_sbs.neurons import check_neuron_params
    >>> params = check_neuron_params("IF_cond_exp", {"v_rest": -52})
    >>> params["v_rest"], params["e_rev_I"], params["tau_refrac_virtual"]
    (-52.0, -100.0, None)
    >>> check_neuron_params("IF_curr_exp", {"e_rev_E": 0.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: 'e_rev_E' is not a parameter of IF_curr_exp; valid parameters are (...)
    """
    spec = get_model(model)
    if params is None:
        params = {}
    if not hasattr(params, "items"):
        raise TypeError(f"neuron_params must be a dict or None, got {_describe(params)}")
    _check_names(spec, params)
    out = spec.defaults
    out[_VIRTUAL] = None
    for name, value in params.items():
        if not (name == _VIRTUAL and value is None):
            out[name] = _as_finite(value, name)
    _check_relations(spec, out)
    return out


def on_time(params):
    """The on-time of a sampling unit in ms.

    Parameters
    ----------
    params : dict
        Neuron parameters with ``tau_refrac`` and optionally
        ``tau_refrac_virtual``, e.g. from :func:`check_neuron_params`.

    Returns
    -------
    float
        ``tau_refrac_virtual`` when given (not None), else ``tau_refrac``.

    Examples
    --------
    >>> from sklearn_sbs.neurons import check_neuron_params, on_time
    >>> on_time(check_neuron_params("IF_cond_exp"))
    10.0
    >>> on_time(check_neuron_params("IF_cond_exp", {"tau_refrac_virtual": 12.5}))
    12.5
    """
    if not hasattr(params, "get") or "tau_refrac" not in params:
        raise ValueError(f"params must be a dict with tau_refrac, got {_describe(params)}")
    virtual = params.get(_VIRTUAL)
    return float(params["tau_refrac"] if virtual is None else virtual)


def simulator_params(params):
    """The parameters a simulator gets: the model's own, without
    ``tau_refrac_virtual`` (an analysis parameter, which never reaches it).

    Examples
    --------
    >>> from sklearn_sbs.neurons import check_neuron_params, simulator_params
    >>> "tau_refrac_virtual" in simulator_params(check_neuron_params("IF_cond_exp"))
    False
    """
    return {k: v for k, v in params.items() if k != _VIRTUAL}


def shared_params(params):
    """:func:`simulator_params` without ``v_rest``: what neurons that differ only
    in their resting potential have in common (one population)."""
    return {k: v for k, v in simulator_params(params).items() if k != "v_rest"}
