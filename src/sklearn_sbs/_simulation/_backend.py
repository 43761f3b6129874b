"""PyNN/NEST execution of tasks.  Imported only inside worker processes.

Importing ``pyNN.nest`` normally tries to compile PyNN's optional NEST
extensions with CMake (printing errors when that fails, and costing time at
every import).  Nothing here needs them, so the lookup of ``nest-config`` is
hidden during the import, and NEST's banner and deprecation chatter are
silenced.  The import happens once per worker process.
"""

import logging
import os
import time
import warnings

import numpy as np

from . import _nest
from ._tasks import NoiseNetworkSpec, PoissonSpec, PoolSpec

os.environ.setdefault("PYNEST_QUIET", "1")   # NEST's start-up banner

_MODULES = None


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
        # PyNN still calls NEST functions that NEST 3.10 marks as deprecated, and
        # logs a warning for every current-based population it initialises
        logging.getLogger("PyNN").setLevel(logging.ERROR)
        warnings.filterwarnings("ignore", module=r"nest(\.|$)")
        warnings.filterwarnings("ignore", module=r"pyNN(\.|$)")
        _MODULES = (sim, nest)
    return _MODULES


def _setup(task):
    """Fresh NEST kernel: dt, seed, threads and spike precision of this task, nothing
    left from before (the reset also ends off-grid spiking, which NEST cannot turn
    off otherwise).  NEST's random streams are per thread: the same seed gives the
    same spikes for the same number of threads only."""
    sim, nest = _simulator()
    sim.setup(
        timestep=task.dt, min_delay=task.dt, rng_seed=task.seed, threads=task.threads,
        spike_precision=getattr(task, "spike_precision", "on_grid"), verbosity="error",
    )
    return sim, nest


def _population(sim, model, neuron_params, n, extra=None):
    params = {k: v for k, v in neuron_params if k != "v_rest"}     # v_rest: set per neuron
    params.update(extra or {})
    return sim.Population(n, getattr(sim, model)(**params))


def _create_generator(nest, spec):
    model, defaults, params = _nest.generator(spec)
    # parameters NEST takes only as a model's defaults: a copy of the model with
    # them, unless the model has them already (then the model itself, as before)
    current = nest.GetDefaults(model) if defaults else {}
    changed = {k: v for k, v in defaults if current[k] != v}
    if changed:
        copy = model + "".join(f"_{k}_{v}" for k, v in sorted(changed.items()))
        if copy not in nest.node_models:
            nest.CopyModel(model, copy, changed)
        model = copy
    return nest.Create(model, params={k: list(v) if isinstance(v, tuple) else v for k, v in params})


def _connect_noise(sim, nest, nodes, noise, dt, shared):
    """Connect every background spec in ``noise`` to ``nodes``.

    One Poisson generator per distinct rate, whatever the number of neurons:
    NEST draws an independent train for every connection of a Poisson-type
    generator (unlike PyNN's SpikeSourcePoisson cell, a generator behind a
    relay neuron, whose targets all share one train).  Generators, pools and
    noise networks are created once per run (``shared`` caches them) and
    shared by all the neurons that use them.  A spec with
    ``individual_spike_trains=False`` is one train that all its targets receive:
    a generator of its own (not shared with a spec that differs only in its
    weight, and the same spec given twice in ``noise`` is two trains, not one
    train twice), shared by all the neurons given that spec.
    """
    for k, spec in enumerate(noise):
        syn = {"weight": spec.weight * _nest.WEIGHT_SCALE, "delay": dt}
        if spec.weight == 0:
            continue
        if type(spec) in _nest.GENERATORS:
            if isinstance(spec, PoissonSpec) and spec.rate <= 0:
                continue
            key = _nest.generator(spec)
            if not getattr(spec, "individual_spike_trains", True):
                # one train per input: not shared with another input that differs
                # only in its weight (e.g. its inhibitory twin) or is given twice
                key = (spec, noise[:k].count(spec))
            if key not in shared:
                shared[key] = _create_generator(nest, spec)
            nest.Connect(shared[key], nodes, syn_spec=syn)
        elif isinstance(spec, PoolSpec):
            key = ("pool", spec.n_sources, spec.rate)
            if key not in shared:
                generator = _create_generator(nest, PoissonSpec(spec.rate, spec.weight))
                relays = nest.Create(_nest.RELAY, spec.n_sources)   # one train per source
                nest.Connect(generator, relays)
                shared[key] = relays
            nest.Connect(shared[key], nodes,
                         _nest.connection_rule("FixedNumberPreConnector", n=spec.indegree),
                         syn_spec=syn)
        elif isinstance(spec, NoiseNetworkSpec):
            exc, inh = _noise_network(sim, nest, spec, dt, shared)
            source = exc if spec.receptor == "excitatory" else inh
            nest.Connect(source, nodes,
                         _nest.connection_rule("FixedNumberPreConnector", n=spec.indegree),
                         syn_spec=syn)
        else:
            raise TypeError(f"unknown noise spec {spec!r}")


def _noise_network(sim, nest, spec, dt, shared):
    """The random E/I network of a NoiseNetworkSpec, built once per run."""
    key = ("network", spec.n_exc, spec.n_inh, spec.neuron_params, spec.connectivity,
           spec.weight_ee, spec.g, spec.rate_ext, spec.weight_ext)
    if key not in shared:
        params = dict(spec.neuron_params)
        exc = sim.Population(spec.n_exc, sim.IF_curr_exp(**params)).node_collection
        inh = sim.Population(spec.n_inh, sim.IF_curr_exp(**params)).node_collection
        both = exc + inh
        conn = _nest.connection_rule("FixedProbabilityConnector", p_connect=spec.connectivity,
                                     allow_self_connections=False)
        w = spec.weight_ee * _nest.WEIGHT_SCALE
        nest.Connect(exc, both, conn, syn_spec={"weight": w, "delay": max(dt, 1.5)})
        nest.Connect(inh, both, conn, syn_spec={"weight": -spec.g * w, "delay": max(dt, 1.5)})
        drive = _create_generator(nest, PoissonSpec(spec.rate_ext, spec.weight_ext))
        nest.Connect(drive, both,
                     syn_spec={"weight": spec.weight_ext * _nest.WEIGHT_SCALE, "delay": dt})
        # its spikes, for the rates a run measures (see noise_rates)
        recorder = nest.Create("spike_recorder")
        nest.Connect(both, recorder)
        shared[key] = (exc, inh)
        shared.setdefault(_NOISE_NETWORKS, []).append((exc, inh, recorder))
    return shared[key]


_NOISE_NETWORKS = ("noise networks",)       # the key of their list in ``shared``


def noise_rates(networks, duration):
    """Mean firing rate (Hz) of the excitatory and of the inhibitory neurons of each
    noise network over ``duration`` ms: ((rate_exc, rate_inh), ...)."""
    out = []
    for exc, inh, recorder in networks:
        senders = np.asarray(recorder.get("events")["senders"], dtype=np.int64)
        n_exc = np.isin(senders, np.asarray(exc.tolist())).sum()
        out.append((1e3 * float(n_exc) / (len(exc) * duration),
                    1e3 * float(senders.size - n_exc) / (len(inh) * duration)))
    return tuple(out)


def run_free_membrane(task):
    sim, nest = _setup(task)
    try:
        params = dict(task.neuron_params)
        unreachable = max(params["v_rest"], params.get("e_rev_E", params["v_rest"])) + 1000.0
        pop = _population(sim, task.neuron_model, task.neuron_params, 1, {"v_thresh": unreachable})
        pop.set(v_rest=params["v_rest"])
        pop.initialize(v=params["v_rest"])
        nodes = pop.node_collection
        _connect_noise(sim, nest, nodes, task.noise, task.dt, {})
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


def run_network(task):
    """Spikes of the whole run; a schedule's resting potentials are set at their
    times (the network runs on in steps between them)."""
    network = LiveNetwork(task)
    try:
        steps, t, v_rest = [], 0.0, None
        for t_next, v_next in task.schedule + ((task.t_stop, None),):
            if t_next > t:
                steps.append(network.run(t_next - t, v_rest=v_rest))
                t, v_rest = t_next, None
            v_rest = v_next if v_next is not None else v_rest
        result = {key: np.concatenate([step[key] for step in steps]) for key in ("times", "ids")}
        if network.noise_networks:
            result["noise_rates"] = noise_rates(network.noise_networks, task.t_stop)
        return result
    finally:
        network.close()


class LiveNetwork:
    """A built network that runs on in steps; between steps its unit-to-unit
    weights and resting potentials can change (the NEST kernel, the noise and
    the membrane states persist: nothing is rebuilt)."""

    def __init__(self, task):
        self.sim, nest = _setup(task)
        self.nest = nest
        node_of_unit, _, self.synapse_nodes, self.noise_networks = _build(self.sim, nest, task)
        units_nc = nest.NodeCollection(sorted(node_of_unit.tolist()))
        self._connections = None
        self.connection_param_names = {name for name, _ in task.connection_params}
        self.recorder = nest.Create("spike_recorder")
        nest.Connect(units_nc, self.recorder)
        self.lookup = np.full(int(node_of_unit.max()) + 1, -1, dtype=np.int64)
        self.lookup[node_of_unit] = np.arange(len(task.v_rest))
        self.units_nc = units_nc
        self.unit_of_node = self.lookup[np.asarray(units_nc.tolist(), dtype=np.int64)]

    def _connections_held(self):
        """(connections, their task order, each task connection's place), found on
        the first update."""
        if self._connections is None:
            conns, task_order = _find_connections(self.nest, *self.synapse_nodes, self.units_nc)
            position = np.empty_like(task_order)
            position[task_order] = np.arange(task_order.size)
            self._connections = (conns, task_order, position)
        return self._connections

    def _update(self, weight, tau_rec, v_rest, connections):
        if tau_rec is not None and "tau_rec" not in self.connection_param_names:
            tau_rec = None                  # static synapses have none
        if self.synapse_nodes is not None and (weight is not None or tau_rec is not None):
            conns, task_order, position = self._connections_held()
            if connections is None:         # all, reordered as NEST keeps them
                datum, order = conns._datum, task_order
            else:                           # some, in the order given
                datum = [conns._datum[k] for k in position[np.asarray(connections)].tolist()]
                order = slice(None)
            columns = {}
            if weight is not None:
                columns["weight"] = (np.asarray(weight, dtype=np.float64)[order]
                                     * _nest.WEIGHT_SCALE).tolist()
            if tau_rec is not None:
                columns["tau_rec"] = np.asarray(tau_rec, dtype=np.float64)[order].tolist()
            _set_connections(conns, datum,
                             [dict(zip(columns, row)) for row in zip(*columns.values())])
        if v_rest is not None:
            values = np.asarray(v_rest, dtype=np.float64)[self.unit_of_node].tolist()
            _set_nodes(self.units_nc, [{_nest.RESTING_POTENTIAL: v} for v in values])

    def run(self, duration, weight=None, tau_rec=None, v_rest=None, connections=None):
        """Set the given signed weights and tau_rec (tau_rec only for synapses that
        have it) and resting potentials (per unit), then simulate ``duration`` more
        ms; the spikes of this step (times, units).  Weights and tau_rec are given
        for the task's connections in its order, or, with ``connections`` (indices
        in that order), for those connections only, in the order of the indices."""
        start = time.perf_counter()
        self._update(weight, tau_rec, v_rest, connections)
        updated = time.perf_counter()
        # NEST directly: PyNN's run adds ~6 ms of bookkeeping per call, which
        # dominates the short steps of learning (our recorder is NEST's own)
        self.nest.Simulate(float(duration))
        simulated = time.perf_counter()
        events = self.recorder.get("events")
        senders = np.asarray(events["senders"], dtype=np.int64)
        times = np.asarray(events["times"], dtype=np.float64)
        self.recorder.n_events = 0
        # where a step's time goes, for the learning's breakdown
        self.last_seconds = {"update": updated - start, "simulate": simulated - updated,
                             "read": time.perf_counter() - simulated}
        return {"times": times, "ids": self.lookup[senders]}

    def close(self):
        self.sim.end()


def _build(sim, nest, task):
    """The task's network in the current NEST kernel: one population per neuron
    group, the units' background noise and the unit-to-unit synapses.  Returns
    each unit's NEST node, the populations (in the order of ``task.groups``),
    the synapses' (pre, post) nodes (None without any) and the noise networks
    ((exc, inh, recorder), ...)."""
    v_rest = np.asarray(task.v_rest, dtype=np.float64)
    v_init = v_rest if task.v_init is None else np.asarray(task.v_init, dtype=np.float64)
    node_of_unit = np.empty(len(v_rest), dtype=np.int64)
    populations = []
    for model, params, units in task.groups:
        units = np.asarray(units, dtype=np.int64)
        pop = _population(sim, model, params, units.size)
        pop.set(v_rest=v_rest[units])
        pop.initialize(v=v_init[units])
        node_of_unit[units] = np.asarray(pop.node_collection.tolist(), dtype=np.int64)
        populations.append(pop)
    # units with the same background share its generators (still independent trains)
    by_noise = {}
    for unit, specs in enumerate(task.noise):
        by_noise.setdefault(specs, []).append(unit)
    shared = {}
    for specs, units in by_noise.items():
        nodes = nest.NodeCollection(sorted(node_of_unit[units].tolist()))
        _connect_noise(sim, nest, nodes, specs, task.dt, shared)
    synapse_nodes = _connect_units(nest, task, node_of_unit) if len(task.pre) else None
    return node_of_unit, populations, synapse_nodes, shared.get(_NOISE_NETWORKS, [])


def _in_unit_order(task, populations):
    """Views of the groups' populations, one per run of consecutive units of a
    group, in unit order: as an Assembly, cell i is unit i."""
    where = {}                         # unit -> (group, index in its population)
    for g, (_, _, units) in enumerate(task.groups):
        for k, unit in enumerate(units):
            where[unit] = (g, k)
    runs = []                          # [group, [indices]]
    for unit in range(len(task.v_rest)):
        g, k = where[unit]
        if runs and runs[-1][0] == g and runs[-1][1][-1] == k - 1:
            runs[-1][1].append(k)
        else:
            runs.append([g, [k]])
    return [populations[g][np.asarray(indices)] for g, indices in runs]


def build_in_session(sim, task):
    """The task's network built into the caller's PyNN session ``sim`` (already set
    up, its time step the task's): a PyNN Assembly whose cell i is unit i."""
    import nest

    if getattr(sim, "__name__", None) != "pyNN.nest":
        raise TypeError(f"sim must be the pyNN.nest module (set up), got {sim!r}")
    dt = float(sim.get_time_step())
    if abs(dt - task.dt) > 1e-9 * task.dt:
        raise ValueError(f"the PyNN session's time step is {dt:g} ms but the machine samples at "
                         f"dt = {task.dt:g} ms: sim.setup(timestep={task.dt:g}, ...)")
    precision = sim.simulator.state.spike_precision
    # PyNN's default is off the grid; it matters only for models with a precise version
    differs = any(len(set(getattr(sim, model).nest_name.values())) > 1 for model, _, _ in task.groups)
    if precision != task.spike_precision and differs:
        raise ValueError(f"the PyNN session's spike_precision is {precision!r} but the machine "
                         f"samples with {task.spike_precision!r}: sim.setup(spike_precision="
                         f"{task.spike_precision!r}, ...)")
    if float(sim.get_min_delay()) > task.delay:
        raise ValueError(f"the PyNN session's min_delay {sim.get_min_delay():g} ms exceeds the "
                         f"machine's synaptic delay {task.delay:g} ms: sim.setup(min_delay="
                         f"{task.delay:g}, ...)")
    _, populations, _, _ = _build(sim, nest, task)
    return sim.Assembly(*_in_unit_order(task, populations), label="sklearn_sbs units")


def _set_nodes(nodes, per_node):
    """Set one dict of values on each node: NEST's ``NodeCollection.set`` (and
    PyNN's ``Population.set`` over it) first reads every parameter of every node
    (~17 µs a neuron), ten times the cost of the setting itself."""
    try:
        from nest import nestkernel_api
    except ImportError:             # another NEST layout: the public call
        nodes.set(per_node)
    else:
        nestkernel_api.llapi_set_nc_status(nodes._datum, per_node)


def _set_connections(conns, datum, per_connection):
    """Set one dict of values on each connection of ``datum`` (those of ``conns``,
    or a list of some of them).

    ``SynapseCollection.set`` first asks NEST twice for its whole kernel
    status, which in NEST 3.10 gets slower the longer the network has run
    (about 8 ms per simulated second): learning steps would slow down without
    end.  The low-level call it ends in has no such cost.
    """
    try:
        from nest import nestkernel_api
    except ImportError:             # another NEST layout: the public call
        (conns if datum is conns._datum else type(conns)(datum)).set(per_connection)
    else:
        nestkernel_api.llapi_set_connection_status(datum, per_connection)


def _connect_units(nest, task, node_of_unit):
    """All unit-to-unit synapses in one call (NEST's array interface); their
    (pre, post) nodes in the task's order."""
    pre = node_of_unit[np.asarray(task.pre, dtype=np.int64)]
    post = node_of_unit[np.asarray(task.post, dtype=np.int64)]
    k = pre.size
    spec = {
        "weight": np.asarray(task.weight, dtype=np.float64) * _nest.WEIGHT_SCALE,
        "delay": (np.full(k, float(task.delay)) if task.delays is None
                  else np.asarray(task.delays, dtype=np.float64)),
    }
    spec.update(_nest.synapse(task.synapse, task.connection_params, k))
    nest.Connect(pre, post, "one_to_one", syn_spec=spec)
    return pre, post


def _find_connections(nest, pre, post, units_nc):
    """The unit-to-unit connections as NEST holds them, and for each of them its
    index in the task's order (NEST orders connections its own way).  Reading
    their sources and targets costs ~15 µs a connection (1.5 s for 10⁵), so it is
    done only for a network whose weights change."""
    conns = nest.GetConnections(source=units_nc, target=units_nc)
    # one connection per (pre, post) pair: match them by that key
    scale = int(max(pre.max(), post.max())) + 1
    task_keys = pre * scale + post
    by_key = np.argsort(task_keys)
    keys = np.asarray(conns.source, dtype=np.int64) * scale + np.asarray(conns.target, dtype=np.int64)
    return conns, by_key[np.searchsorted(task_keys[by_key], keys)]
