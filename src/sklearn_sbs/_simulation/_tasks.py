"""Task specs: frozen, picklable descriptions of one NEST run each.

Every task carries everything the worker needs (neuron model and parameters,
noise, dt, durations, seed); running it is a pure function of the spec.
"""

from dataclasses import dataclass, replace


# Noise specs speak PyNN's units (Hz, ms, degrees, µS or nA) and physical
# names; _nest.py translates them.  A signed weight: negative = inhibitory receptor.

@dataclass(frozen=True)
class PoissonSpec:
    """One Poisson input to every neuron: rate (Hz), signed weight (µS or nA;
    negative = inhibitory receptor), independent trains per neuron."""

    rate: float
    weight: float


@dataclass(frozen=True)
class SinusoidalPoissonSpec:
    """Poisson input of rate ``rate + amplitude * sin(2π frequency t + phase)``
    (Hz, Hz, Hz, degrees) to every neuron: independent trains per neuron, or with
    ``individual_spike_trains=False`` one train that every neuron given this
    input receives."""

    rate: float
    amplitude: float
    frequency: float
    phase: float
    weight: float
    individual_spike_trains: bool = True


@dataclass(frozen=True)
class PiecewisePoissonSpec:
    """Poisson input whose rate is ``rates[k]`` (Hz) from ``times[k]`` (ms) on,
    independent trains per neuron; both are tuples of equal length."""

    times: tuple
    rates: tuple
    weight: float


@dataclass(frozen=True)
class SpikeTrainSpec:
    """One fixed spike train (sorted times in ms, a tuple) sent to every neuron."""

    times: tuple
    weight: float


@dataclass(frozen=True)
class PoolSpec:
    """Connections from a shared pool of ``n_sources`` Poisson sources of ``rate``
    Hz: every neuron draws ``indegree`` of them at random, so neurons that draw
    the same source receive the same train (correlated noise)."""

    n_sources: int
    rate: float
    indegree: int
    weight: float


@dataclass(frozen=True)
class NoiseNetworkSpec:
    """Connections from a random recurrent network of excitatory and inhibitory
    LIF neurons (driven by Poisson input), whose spikes are the background."""

    n_exc: int
    n_inh: int
    neuron_params: tuple          # IF_curr_exp parameters of the network's neurons
    connectivity: float           # recurrent connection probability
    weight_ee: float              # nA, excitatory recurrent weight
    g: float                      # inhibitory weight = -g * weight_ee
    rate_ext: float               # Hz, external Poisson drive per network neuron
    weight_ext: float             # nA
    receptor: str                 # "excitatory": from the E population, else from I
    indegree: int                 # network neurons per sampling neuron
    weight: float                 # signed weight onto the sampling neurons


@dataclass(frozen=True)
class FreeMembraneTask:
    """One neuron with its threshold out of reach: the free membrane potential.

    Returns the membrane potential sampled every ``record_dt`` ms from
    ``t_start`` to ``t_stop``.
    """

    neuron_model: str
    neuron_params: tuple          # complete, v_rest included; v_thresh is raised
    noise: tuple
    dt: float
    t_start: float
    t_stop: float
    record_dt: float
    seed: int
    threads: int = 1              # NEST threads (set by the runner from the cores given)

    def run(self, backend):
        return backend.run_free_membrane(self)

    @property
    def cost(self):
        return self.t_stop


@dataclass(frozen=True)
class SynapseSpec:
    """The unit-to-unit synapse type: PyNN's standard model name
    (``"StaticSynapse"``, ``"TsodyksMarkramSynapse"``) and the parameters all
    connections share, as ((name, value), ...) with PyNN's names."""

    model: str
    params: tuple = ()


STATIC = SynapseSpec("StaticSynapse")


@dataclass(frozen=True)
class NetworkTask:
    """A network of sampling units with background noise, connected by signed
    synaptic weights (µS or nA; negative = inhibitory receptor).

    Units may come from several neuron models/parameter sets (``groups``: one
    PyNN population each).  Returns spike times (ms) and unit indices for the
    whole run, burn-in included (the caller clips; an on-window may cross the
    start).
    """

    groups: tuple                 # ((neuron_model, params without v_rest, (unit, ...)), ...)
    v_rest: tuple                 # per unit
    noise: tuple                  # per unit: (PoissonSpec, ...)
    pre: tuple                    # connections: presynaptic unit,
    post: tuple                   # postsynaptic unit,
    weight: tuple                 # signed weight in PyNN units
    synapse: SynapseSpec
    connection_params: tuple      # ((name, (value per connection, ...)), ...), PyNN names
    delay: float                  # of every connection, unless ``delays`` gives each its own
    dt: float
    t_stop: float
    seed: int
    v_init: tuple = None          # initial membrane potentials, default v_rest
    threads: int = 1              # NEST threads (set by the runner from the cores given)
    schedule: tuple = ()          # ((t, v_rest per unit), ...): resting potentials from t ms on
    delays: tuple = None          # per connection (ms), in the order of pre/post
    spike_precision: str = "on_grid"   # PyNN's: "off_grid" for NEST's precise models

    @classmethod
    def unconnected(cls, neuron_model, neuron_params, v_rest, noise, dt, t_stop, seed,
                    spike_precision="on_grid"):
        """Neurons that differ only in their resting potential, each with ``noise``:
        the activation measurement of a calibration."""
        n = len(v_rest)
        return cls(groups=((neuron_model, neuron_params, tuple(range(n))),),
                   v_rest=tuple(v_rest), noise=(noise,) * n, pre=(), post=(), weight=(),
                   synapse=STATIC, connection_params=(), delay=dt, dt=dt, t_stop=t_stop,
                   seed=seed, spike_precision=spike_precision)

    def run(self, backend):
        return backend.run_network(self)

    @property
    def cost(self):
        """Rough work units, for progress reports: neuron-milliseconds."""
        return len(self.v_rest) * self.t_stop

    def copies(self, v_rest_rows):
        """Independent copies of this network in one run, copy k with resting
        potentials ``v_rest_rows[k]``; unit i of copy k becomes unit
        ``k * n_units + i``, and copies share no synapses."""
        if self.schedule:
            raise ValueError("copies of a network hold their resting potentials: no schedule")
        n = len(self.v_rest)
        k = len(v_rest_rows)
        offsets = [c * n for c in range(k)]
        repeat = lambda values: tuple(values) * k   # noqa: E731
        shifted = lambda units: tuple(u + o for o in offsets for u in units)  # noqa: E731
        return replace(
            self,
            groups=tuple((model, params, shifted(units)) for model, params, units in self.groups),
            v_rest=tuple(float(v) for row in v_rest_rows for v in row),
            noise=repeat(self.noise), pre=shifted(self.pre), post=shifted(self.post),
            weight=repeat(self.weight),
            delays=None if self.delays is None else repeat(self.delays),
            connection_params=tuple((name, repeat(values))
                                    for name, values in self.connection_params),
            v_init=None if self.v_init is None else repeat(self.v_init),
        )


def params_tuple(params):
    """A dict of neuron parameters as a sorted tuple (hashable, picklable, stable)."""
    return tuple(sorted((k, None if v is None else float(v)) for k, v in params.items()))

