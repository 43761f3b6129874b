"""The sampler network as tasks, and what one sampling run measured.

A :class:`SamplerNetwork` is frozen: built from the fitted translation and the
machine's simulation parameters, it turns the values it is given (synaptic
weights, resting potentials, duration, seed) into simulation tasks and never
reads or changes an estimator.  A :class:`SampledRun` holds the spikes of one
``sample`` and computes distributions from them on demand; the next
``sample`` replaces it, so nothing can go stale.
"""

import numpy as np

from .. import neurons
from .._simulation import NetworkTask, SynapseSpec, params_tuple, run_tasks
from ..spikes import SpikeTrains
from ..synapses import as_synapse


def draw_seeds(rng, n, taken=frozenset()):
    """``n`` simulation seeds from ``rng``, none of them in ``taken``."""
    seeds = []
    while len(seeds) < n:
        seed = int(rng.randint(1, 2**31 - 1))
        if seed not in taken:
            seeds.append(seed)
    return seeds


class SamplerNetwork:
    """Tasks of one machine's network for given values.

    Parameters
    ----------
    translation : Translation
        The units' fitted calibrators.
    synapse : "static", "renewing" or a synapse object
    delay, dt : float or None
        Synaptic delay and time step in ms; None: one time step, the
        calibrators' common dt.
    burn_in : float
        Simulated time before the sampled window, ms.
    noise : noise source, list of them, or None
        Background of every unit, or of each unit (a list); None: each
        calibrator's own.
    spike_precision : {"on_grid", "off_grid"} or None
        NEST's spike precision; None: the calibrators' common one.
    """

    def __init__(self, translation, synapse, delay, dt, burn_in, noise, spike_precision=None):
        cals = translation.calibrators
        if spike_precision is None:
            precisions = {getattr(c, "spike_precision", "on_grid") for c in cals}
            if len(precisions) != 1:
                raise ValueError(f"calibrators use different spike_precision {sorted(precisions)}; "
                                 "set spike_precision")
            spike_precision = precisions.pop()
        self.spike_precision = spike_precision
        if dt is None:
            dts = {c.dt for c in cals}
            if len(dts) != 1:
                raise ValueError(f"calibrators use different dt {sorted(dts)}; set dt")
            dt = dts.pop()
        self.dt = float(dt)
        # one delay for all synapses, or a matrix (checked by the estimator: the grid)
        self.delay = (np.asarray(delay, dtype=float) if np.ndim(delay) == 2
                      else float(self.dt if delay is None else delay))
        self.burn_in = float(burn_in)
        self.synapse = as_synapse(synapse)
        self.tau_on = translation.tau_on
        self.tau_syn = translation.tau_syn
        groups = {}
        for j, c in enumerate(cals):
            fixed = params_tuple(neurons.shared_params(c.neuron_params_))
            groups.setdefault((c.neuron_model, fixed), []).append(j)
        self.groups = tuple((m, p, tuple(u)) for (m, p), u in groups.items())
        if isinstance(noise, (list, tuple)):         # one per unit
            if len(noise) != len(cals):
                raise ValueError(f"noise holds {len(noise)} sources, but the machine has "
                                 f"{len(cals)} units: give one source per unit, or one for all")
            sources = list(noise)
        else:
            sources = [noise if noise is not None else c.noise_ for c in cals]
        distinct = {id(source): source for source in sources}   # units usually share one
        specs = {key: source.simulation_specs() for key, source in distinct.items()}
        self.noise = tuple(specs[id(source)] for source in sources)

    @property
    def n_units(self):
        return len(self.noise)

    def connection_values(self, weights_bio, pre, post):
        """Signed weights and the synapse's per-connection parameters (pre[k] -> post[k])."""
        weight = weights_bio[pre, post]
        return weight, self.synapse.connection_params(weight, post, self.tau_syn)

    def task(self, weights_bio, v_rest, duration, seed, initial_v=None, connections=None,
             schedule=()):
        """The network as a task; ``connections`` (pre, post) default to the non-zero
        weights (learning keeps every allowed synapse, even at weight 0); ``schedule``
        ((t, v_rest), ...) changes the resting potentials at t ms of the window."""
        pre, post = np.nonzero(weights_bio) if connections is None else connections
        weight, per_connection = self.connection_values(weights_bio, pre, post)
        synapse = SynapseSpec(type(self.synapse).__name__,
                              tuple(sorted(self.synapse.shared_params().items())))
        return NetworkTask(
            groups=self.groups, v_rest=tuple(np.asarray(v_rest, dtype=float).tolist()),
            noise=self.noise, pre=tuple(pre.tolist()), post=tuple(post.tolist()),
            weight=tuple(weight.tolist()), synapse=synapse,
            connection_params=tuple((k, tuple(v.tolist())) for k, v in per_connection.items()),
            delay=float(self.delay.min()) if np.ndim(self.delay) else self.delay,
            delays=tuple(self.delay[pre, post].tolist()) if np.ndim(self.delay) else None,
            dt=self.dt, t_stop=self.burn_in + float(duration), seed=int(seed),
            spike_precision=self.spike_precision,
            v_init=None if initial_v is None else tuple(initial_v.tolist()),
            schedule=tuple((self.burn_in + t, v) for t, v in schedule),
        )

    def sample(self, weights_bio, v_rest, duration, seeds, n_jobs=None, verbose=0,
               initial_v=None, schedule=()):
        """Run one independent network per seed (chains): a SampledRun."""
        tasks = [self.task(weights_bio, v_rest, duration, seed, initial_v, schedule=schedule)
                 for seed in seeds]
        results = run_tasks(tasks, n_jobs, verbose, "sampling")
        spikes = [SpikeTrains(r["times"], r["ids"], self.n_units, self.tau_on) for r in results]
        rates = np.mean([r.get("noise_rates", ()) for r in results], axis=0).reshape(-1, 2)
        return SampledRun(spikes, (self.burn_in, self.burn_in + float(duration)), self.tau_on,
                          rates)

    def copies(self, weights_bio, v_rest_rows, duration, rng, max_units, n_jobs=None,
               verbose=0):
        """Marginals of independent copies of the network, copy k with resting
        potentials ``v_rest_rows[k]``, at most ``max_units`` neurons per simulation;
        shape (n_rows, n_units)."""
        n = self.n_units
        per_run = max(1, max_units // n)
        chunks = [slice(i, i + per_run) for i in range(0, v_rest_rows.shape[0], per_run)]
        base = [self.task(weights_bio, v_rest_rows[0], duration, seed)
                for seed in draw_seeds(rng, len(chunks))]
        tasks = [task.copies(v_rest_rows[chunk]) for task, chunk in zip(base, chunks)]
        results = run_tasks(tasks, n_jobs, verbose, "inference")
        window = (self.burn_in, self.burn_in + float(duration))
        p_on = np.empty(v_rest_rows.shape)
        for chunk, result in zip(chunks, results):
            m = v_rest_rows[chunk].shape[0]
            spikes = SpikeTrains(result["times"], result["ids"], m * n, np.tile(self.tau_on, m))
            p_on[chunk] = spikes.marginals(*window).reshape(m, n)
        return p_on


class SampledRun:
    """The spikes of one sampling run (chains pooled) and what they measure.

    Distributions are computed when first asked for and kept: the run never
    changes.
    """

    def __init__(self, spikes, window, tau_on, noise_rates=()):
        self.spikes = list(spikes)
        # Hz, (rate_exc, rate_inh) of each noise network over the run, chains averaged
        self.noise_rates = np.asarray(noise_rates, dtype=float).reshape(-1, 2)
        self.window = (float(window[0]), float(window[1]))
        self.tau_on = np.asarray(tau_on, dtype=float)
        self._computed = {}

    def _pooled(self, key, measure):
        if key not in self._computed:
            self._computed[key] = np.mean([measure(s) for s in self.spikes], axis=0)
        return self._computed[key]

    def joint(self, units):
        """Time-weighted joint of ``units`` (a tuple), shape ``(2,) * len(units)``."""
        return self._pooled(("joint", units), lambda s: s.joint(*self.window, units=list(units)))

    def marginals(self):
        """Time-weighted p(z_i = 1) of every unit."""
        return self._pooled("marginals", lambda s: s.marginals(*self.window))

    def coactivation(self):
        """Time-weighted <z_i z_j>, means on the diagonal."""
        return self._pooled("coactivation", lambda s: s.coactivation(*self.window))

    def states(self, step=None):
        """Binary states every ``step`` ms (default ``min(tau_on)``), chain by chain."""
        step = float(self.tau_on.min()) if step is None else float(step)
        return np.concatenate([s.states(*self.window, step) for s in self.spikes])

    def smoothing(self):
        """Half the weight of one independent sample (one on-time of all chains):
        what the score adds to every state so that unvisited ones stay finite."""
        t0, t1 = self.window
        return 0.5 * float(self.tau_on.min()) / ((t1 - t0) * len(self.spikes))
