"""sklearn-sbs: spike-based sampling with LIF neurons, with a scikit-learn interface.

Importing the package never imports PyNN or NEST; simulations run in worker
processes.  Exact distributions live in :mod:`sklearn_sbs.boltzmann`, spike
statistics in :mod:`sklearn_sbs.spikes`, divergences in :mod:`sklearn_sbs.metrics`,
neuron models in :mod:`sklearn_sbs.neurons`, noise in :mod:`sklearn_sbs.sources`
and the free-membrane theory in :mod:`sklearn_sbs.theory`.
"""

from ._boltzmann import SpikingBoltzmannMachine
from ._calibrator import LIFSamplerCalibrator
from ._simulation import SimulationError

__version__ = "0.1.0.dev0"
__all__ = ["LIFSamplerCalibrator", "SpikingBoltzmannMachine", "SimulationError"]
