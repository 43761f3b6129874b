"""Simulations, kept out of the caller's process.

This subpackage is the only code of sklearn_sbs that imports PyNN or NEST, and
only :mod:`._backend` does, inside worker processes.  A simulation is a pure
task: a picklable spec goes in (:mod:`._tasks`), numpy arrays come out;
:func:`run_tasks` runs tasks in worker processes (see :mod:`._runner`).
"""

from ._runner import SimulationError, run_tasks
from ._tasks import (
    ActivationTask, FreeMembraneTask, GeneratorSpec, NetworkTask, NoiseNetworkSpec, PoissonSpec,
    PoolSpec,
)

__all__ = [
    "run_tasks", "SimulationError", "ActivationTask", "FreeMembraneTask", "NetworkTask", "PoissonSpec",
    "GeneratorSpec", "PoolSpec", "NoiseNetworkSpec",
]
