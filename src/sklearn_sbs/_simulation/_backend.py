"""PyNN/NEST execution of tasks.  Imported only inside worker processes.

Importing ``pyNN.nest`` normally tries to compile PyNN's optional NEST
extensions with CMake (printing errors when that fails, and costing time at
every import).  Nothing here needs them, so the lookup of ``nest-config`` is
hidden during the import, and NEST's banner and deprecation chatter are
silenced.  The import happens once per worker process.
"""

import os
import warnings

os.environ.setdefault("PYNEST_QUIET", "1")   # NEST's start-up banner

_MODULES = None
_WEIGHT_SCALE = 1000.0      # PyNN units (µS, nA) -> NEST units (nS, pA)


def _simulator():
    """(pyNN.nest, nest), imported once per process, quietly."""
    global _MODULES
    if _MODULES is None:
        import pyNN.core

        real_find = pyNN.core.find
        pyNN.core.find = lambda command: "" if command == "nest-config" else real_find(command)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                import nest
                import pyNN.nest as sim
        finally:
            pyNN.core.find = real_find
        # PyNN still calls NEST functions that NEST 3.10 marks as deprecated
        warnings.filterwarnings("ignore", module=r"nest(\.|$)")
        warnings.filterwarnings("ignore", module=r"pyNN(\.|$)")
        _MODULES = (sim, nest)
    return _MODULES


def _setup(task):
    """Fresh NEST kernel: dt, seed and threads of this task, nothing left from before."""
    sim, nest = _simulator()
    sim.setup(
        timestep=task.dt, min_delay=task.dt, rng_seed=task.seed, threads=task.threads,
        spike_precision="on_grid", verbosity="error",
    )
    return sim, nest


def _population(sim, task, n, extra=None):
    params = {k: v for k, v in task.neuron_params if k not in ("tau_refrac_virtual", "v_rest")}
    params.update(extra or {})
    return sim.Population(n, getattr(sim, task.neuron_model)(**params))


def _connect_noise(nest, nodes, noise, dt):
    """One poisson_generator per distinct rate, whatever the number of neurons:
    NEST draws an independent train for every connection of a generator (unlike
    PyNN's SpikeSourcePoisson cell, a generator behind a parrot neuron, whose
    targets all share one train)."""
    generators = {}
    for spec in noise:
        if spec.rate <= 0 or spec.weight == 0:
            continue
        if spec.rate not in generators:
            generators[spec.rate] = nest.Create("poisson_generator", params={"rate": float(spec.rate)})
        nest.Connect(generators[spec.rate], nodes,
                     syn_spec={"weight": spec.weight * _WEIGHT_SCALE, "delay": dt})


def run_activation(task):
    import numpy as np

    sim, nest = _setup(task)
    try:
        v_rest = np.asarray(task.v_rest, dtype=np.float64)
        pop = _population(sim, task, v_rest.size)
        pop.set(v_rest=v_rest)
        pop.initialize(v=v_rest)
        nodes = pop.node_collection
        _connect_noise(nest, nodes, task.noise, task.dt)
        recorder = nest.Create("spike_recorder")
        nest.Connect(nodes, recorder)
        sim.run(task.t_stop)
        events = recorder.get("events")
        times = np.asarray(events["times"], dtype=np.float64)
        ids = np.asarray(events["senders"], dtype=np.int64) - int(nodes[0].global_id)
        return {"times": times, "ids": ids}
    finally:
        sim.end()


def run_free_membrane(task):
    import numpy as np

    sim, nest = _setup(task)
    try:
        params = dict(task.neuron_params)
        unreachable = max(params["v_rest"], params.get("e_rev_E", params["v_rest"])) + 1000.0
        pop = _population(sim, task, 1, {"v_thresh": unreachable})
        pop.set(v_rest=params["v_rest"])
        pop.initialize(v=params["v_rest"])
        nodes = pop.node_collection
        _connect_noise(nest, nodes, task.noise, task.dt)
        meter = nest.Create(
            "multimeter",
            params={"record_from": ["V_m"], "interval": task.record_dt, "start": task.t_start},
        )
        nest.Connect(meter, nodes)
        sim.run(task.t_stop)
        events = meter.get("events")
        order = np.argsort(events["times"], kind="stable")
        return {
            "times": np.asarray(events["times"], dtype=np.float64)[order],
            "v": np.asarray(events["V_m"], dtype=np.float64)[order],
        }
    finally:
        sim.end()
