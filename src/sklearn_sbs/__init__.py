"""sklearn-sbs: spike-based sampling with LIF neurons, with a scikit-learn interface.

Importing the package never imports PyNN or NEST; simulations run in worker
processes.  Exact distributions live in :mod:`sklearn_sbs.boltzmann`, spike
statistics in :mod:`sklearn_sbs.spikes`, divergences in :mod:`sklearn_sbs.metrics`,
neuron models in :mod:`sklearn_sbs.neurons`, noise in :mod:`sklearn_sbs.sources`
and the free-membrane theory in :mod:`sklearn_sbs.theory`.
"""

__version__ = "0.1.0.dev0"
__all__ = ["LIFSamplerCalibrator", "SpikingBoltzmannMachine", "SimulationError"]

# The estimators are imported when first used (PEP 562): a simulation worker
# unpickling a task imports this package, and must not pay for scikit-learn.
_LAZY = {
    "LIFSamplerCalibrator": "._calibrator",
    "SpikingBoltzmannMachine": "._machine",
    "SimulationError": "._simulation",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
