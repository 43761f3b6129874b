"""Translation tables from the simulator-neutral specs to NEST, as PyNN's
``pyNN/nest/standardmodels`` declare them: for each spec a ``nest_name``, the
``translations`` of its fields to NEST keys with unit factors, and fixed NEST
parameters.  Pure data and small functions: nothing here imports NEST.
"""

from dataclasses import dataclass

import numpy as np

from ._tasks import PiecewisePoissonSpec, PoissonSpec, SinusoidalPoissonSpec, SpikeTrainSpec

__all__ = ["WEIGHT_SCALE", "RESTING_POTENTIAL", "RELAY", "GENERATORS", "SYNAPSES", "generator", "synapse",
           "connection_rule"]

WEIGHT_SCALE = 1000.0       # PyNN's weights (µS, nA) -> NEST's (nS, pA)
# PyNN's v_rest in every LIF model of pyNN/nest/standardmodels/cells.py (mV in both)
RESTING_POTENTIAL = "E_L"
RELAY = "parrot_neuron"     # repeats its input: one fixed train per pool source


@dataclass(frozen=True)
class NestModel:
    """A NEST model for a spec: ``translations`` are (spec field, NEST key,
    factor PyNN unit -> NEST unit, or None for a value passed as it is);
    ``fixed`` are NEST parameters always set; ``model_defaults`` are translations
    of parameters NEST takes only as a model's defaults (``CopyModel``), not on a
    node."""

    nest_name: str
    translations: tuple
    fixed: tuple = ()
    model_defaults: tuple = ()


GENERATORS = {
    # every target of a Poisson-type generator draws its own train (the sinusoidal
    # one: unless individual_spike_trains is False, then all targets get one train)
    PoissonSpec: NestModel("poisson_generator", (("rate", "rate", 1.0),)),
    SinusoidalPoissonSpec: NestModel("sinusoidal_poisson_generator", (
        ("rate", "rate", 1.0), ("amplitude", "amplitude", 1.0),
        ("frequency", "frequency", 1.0), ("phase", "phase", 1.0),     # Hz, Hz, Hz, degrees
    ), model_defaults=(("individual_spike_trains", "individual_spike_trains", None),)),
    PiecewisePoissonSpec: NestModel("inhomogeneous_poisson_generator", (
        ("times", "rate_times", 1.0), ("rates", "rate_values", 1.0),
    )),
    # one train for all targets; times off the grid are rounded to it, not refused
    SpikeTrainSpec: NestModel("spike_generator", (("times", "spike_times", 1.0),),
                              fixed=(("allow_offgrid_times", True), ("precise_times", False))),
}


def _scaled(value, factor):
    if factor is None:
        return value
    if isinstance(value, tuple):
        return tuple(float(v) * factor for v in value)
    return float(value) * factor


def _translated(spec, translations):
    return tuple(sorted((key, _scaled(getattr(spec, field), factor))
                        for field, key, factor in translations))


def generator(spec):
    """(NEST model name, model defaults, parameters) of a generator spec.

    The model defaults are the parameters NEST takes only on a model (the
    generator is created from a copy of the model with them), the parameters
    are set on the node; both are tuples of (NEST key, value) sorted by key,
    sequences as tuples (hashable).
    """
    model = GENERATORS[type(spec)]
    params = dict(model.fixed)
    params.update(_translated(spec, model.translations))
    return model.nest_name, _translated(spec, model.model_defaults), tuple(sorted(params.items()))


# PyNN connector -> NEST rule, with its parameter names
_CONNECTORS = {
    "FixedNumberPreConnector": ("fixed_indegree", {"n": "indegree"}),
    "FixedProbabilityConnector": ("pairwise_bernoulli",
                                  {"p_connect": "p", "allow_self_connections": "allow_autapses"}),
}


def connection_rule(connector, **params):
    """NEST's connection rule dict for a PyNN connector and its parameters."""
    rule, keys = _CONNECTORS[connector]
    return {"rule": rule, **{keys[name]: value for name, value in params.items()}}


# PyNN's synapse types: NEST's tsodyks2_synapse (not PyNN's tsodyks_synapse
# translation): with U = u = 1 every spike uses all resources, which recover with
# tau_rec; with tau_rec = tau_syn a second spike renews the PSP instead of adding
# to it (Petrovici et al. 2016).  ``initial`` is the state NEST must start from.
SYNAPSES = {
    "StaticSynapse": NestModel("static_synapse", ()),
    "TsodyksMarkramSynapse": NestModel(
        "tsodyks2_synapse", (("U", "U", 1.0), ("tau_rec", "tau_rec", 1.0),
                             ("tau_facil", "tau_fac", 1.0))),
}


def _synapse_initial(model, shared):
    return {"u": shared["U"], "x": 1.0} if model == "TsodyksMarkramSynapse" else {}


def synapse(spec, connection_params, k):
    """NEST ``syn_spec`` entries (arrays of ``k``) for a SynapseSpec and the
    per-connection values ((PyNN name, values), ...); weight and delay apart."""
    model = SYNAPSES[spec.model]
    keys = {field: key for field, key, _ in model.translations}
    shared = dict(spec.params)
    out = {"synapse_model": model.nest_name}
    for name, value in list(shared.items()) + list(_synapse_initial(spec.model, shared).items()):
        out[keys.get(name, name)] = np.full(k, float(value))
    for name, values in connection_params:
        out[keys[name]] = np.asarray(values, dtype=np.float64)
    return out
