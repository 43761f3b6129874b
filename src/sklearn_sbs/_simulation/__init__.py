"""Simulations, kept out of the caller's process.

This subpackage is the only code of sklearn_sbs that imports PyNN or NEST, and
only :mod:`._backend` does, inside worker processes.  A simulation is a pure
task: a picklable spec goes in (:mod:`._tasks`), numpy arrays come out;
:func:`run_tasks` runs tasks in worker processes (see :mod:`._runner`).
A run the caller stops waiting for (Ctrl-C, an error) is stopped, and a worker
or server frozen (stopped) past its task's patience is killed with a
:class:`SimulationError`; the next call starts on fresh processes.
"""

from ._runner import SimulationError, prestart, run_tasks, stop_workers
from ._session import NetworkSession
from ._tasks import (
    FreeMembraneTask, NetworkTask, NoiseNetworkSpec, PiecewisePoissonSpec, PoissonSpec, PoolSpec,
    SinusoidalPoissonSpec, SpikeTrainSpec, SynapseSpec, params_tuple,
)



def build_in_session(sim, task):
    """Build ``task``'s network into the caller's own PyNN session ``sim``
    (``pyNN.nest``, set up): the one call that simulates in the caller's
    process, because the caller asked for it.  A PyNN Assembly, cell i = unit i."""
    from ._backend import build_in_session as build

    return build(sim, task)


__all__ = [
    "build_in_session", "run_tasks", "prestart", "stop_workers", "SimulationError", "NetworkSession", "FreeMembraneTask", "NetworkTask", "SynapseSpec",
    "params_tuple", "PoissonSpec", "SinusoidalPoissonSpec", "PiecewisePoissonSpec",
    "SpikeTrainSpec", "PoolSpec", "NoiseNetworkSpec",
]
