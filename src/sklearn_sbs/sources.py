"""Background noise sources, as scikit-learn parameter objects.

A source is a plain parameter holder: ``get_params``/``set_params`` work, so a
nested name such as ``calibrator__noise__rate_exc`` can be searched by
``GridSearchCV``.  Nothing is validated in ``__init__``; :meth:`PoissonNoise.inputs`
validates and returns the inputs one by one.  Rates are in Hz; weights are
magnitudes, in µS for conductance-based neurons and nA for current-based ones
(the inhibitory receptor gets the sign the simulator expects).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.base import BaseEstimator

from ._validation import _describe, as_int, as_real
from .neurons import get_model

__all__ = [
    "PoissonNoise", "SinusoidalPoissonNoise", "PiecewisePoissonNoise", "SpikeTrainNoise",
    "PoissonPoolNoise", "NoiseNetwork", "PoissonInput", "default_noise",
]


@dataclass(frozen=True)
class PoissonInput:
    """One Poisson input: rate (Hz), weight magnitude (µS or nA), receptor."""

    rate: float
    weight: float
    receptor: str        # "excitatory" or "inhibitory"


def _signed(inp):
    return inp.weight if inp.receptor == "excitatory" else -inp.weight


def _positive(value, name, allow_zero=False, integer=False):
    """One validated number (ValueError/TypeError naming the parameter)."""
    if integer:
        return as_int(value, name, low=0 if allow_zero else 1)
    return as_real(value, name, low=0, low_inclusive=allow_zero)


def _as_positive_list(value, name, allow_zero):
    values = np.atleast_1d(np.asarray(value, dtype=object))
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"{name} must be a number or a non-empty 1-d sequence, got {_describe(value)}")
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"{name} must hold real numbers, got {_describe(value)}")
        v = float(v)
        if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
            allowed = "non-negative" if allow_zero else "positive"
            raise ValueError(f"{name} must be finite and {allowed}, got {v!r}")
        out.append(v)
    return out


class PoissonNoise(BaseEstimator):
    """Independent Poisson background for every neuron.

    Each neuron receives its own spike trains from every input (never one train
    shared by several neurons, which would correlate them).  Several excitatory
    or inhibitory inputs are given as sequences of equal length.

    Parameters
    ----------
    rate_exc : float or sequence of float, default=3000.0
        Rate(s) of the excitatory input(s) in Hz.
    rate_inh : float or sequence of float, default=3000.0
        Rate(s) of the inhibitory input(s) in Hz.
    weight_exc : float or sequence of float, default=0.001
        Weight(s) of the excitatory input(s): µS (conductance-based neurons) or
        nA (current-based).
    weight_inh : float or sequence of float, default=0.001
        Weight magnitude(s) of the inhibitory input(s), same units.

    Examples
    --------
    >>> from sklearn_sbs.sources import PoissonNoise
    >>> noise = PoissonNoise(rate_exc=[2000.0, 1000.0], weight_exc=[0.001, 0.002])
    >>> [(i.rate, i.weight, i.receptor) for i in noise.inputs()]
    [(2000.0, 0.001, 'excitatory'), (1000.0, 0.002, 'excitatory'), (3000.0, 0.001, 'inhibitory')]
    >>> noise.set_params(rate_inh=0.0).inputs()[-1].rate
    0.0
    """

    def __init__(self, rate_exc=3000.0, rate_inh=3000.0, weight_exc=0.001, weight_inh=0.001):
        self.rate_exc = rate_exc
        self.rate_inh = rate_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def inputs(self):
        """Validated inputs, excitatory first, as a list of :class:`PoissonInput`."""
        out = []
        for receptor, rate, weight in (
            ("excitatory", "rate_exc", "weight_exc"),
            ("inhibitory", "rate_inh", "weight_inh"),
        ):
            rates = _as_positive_list(getattr(self, rate), rate, allow_zero=True)
            weights = _as_positive_list(getattr(self, weight), weight, allow_zero=True)
            if len(weights) == 1 and len(rates) > 1:
                weights = weights * len(rates)
            if len(rates) == 1 and len(weights) > 1:
                rates = rates * len(weights)
            if len(rates) != len(weights):
                raise ValueError(
                    f"{rate} and {weight} must have the same length, got {len(rates)} and {len(weights)}"
                )
            out.extend(PoissonInput(r, w, receptor) for r, w in zip(rates, weights))
        return out

    def simulation_specs(self):
        """The inputs as simulation specs (signed weights: negative = inhibitory)."""
        from ._simulation._tasks import PoissonSpec

        return tuple(PoissonSpec(i.rate, _signed(i)) for i in self.inputs())


class SinusoidalPoissonNoise(BaseEstimator):
    """Poisson background whose rate oscillates: rate + amplitude·sin(2π f t + phase).

    Every neuron gets independent trains (NEST's ``sinusoidal_poisson_generator``
    with individual spike trains).  Theory and calibration see the mean rate.

    Parameters
    ----------
    rate_exc, rate_inh : float, default=3000.0
        Mean rates in Hz.
    amplitude_exc, amplitude_inh : float, default=1000.0
        Modulation amplitudes in Hz (at most the rate).
    frequency : float, default=10.0
        Modulation frequency in Hz.
    phase : float, default=0.0
        Phase in degrees.
    weight_exc, weight_inh : float, default=0.001
        Weight magnitudes (µS or nA).

    Examples
    --------
    >>> from sklearn_sbs.sources import SinusoidalPoissonNoise
    >>> [i.rate for i in SinusoidalPoissonNoise(rate_exc=2000.0).inputs()]
    [2000.0, 3000.0]
    """

    def __init__(self, rate_exc=3000.0, rate_inh=3000.0, amplitude_exc=1000.0,
                 amplitude_inh=1000.0, frequency=10.0, phase=0.0, weight_exc=0.001,
                 weight_inh=0.001):
        self.rate_exc = rate_exc
        self.rate_inh = rate_inh
        self.amplitude_exc = amplitude_exc
        self.amplitude_inh = amplitude_inh
        self.frequency = frequency
        self.phase = phase
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _checked(self):
        out = []
        for receptor, tag in (("excitatory", "exc"), ("inhibitory", "inh")):
            rate = _positive(getattr(self, f"rate_{tag}"), f"rate_{tag}", allow_zero=True)
            amplitude = _positive(getattr(self, f"amplitude_{tag}"), f"amplitude_{tag}", allow_zero=True)
            if amplitude > rate:
                raise ValueError(
                    f"amplitude_{tag}={amplitude} must not exceed rate_{tag}={rate} (rates are >= 0)"
                )
            weight = _positive(getattr(self, f"weight_{tag}"), f"weight_{tag}", allow_zero=True)
            out.append((receptor, rate, amplitude, weight))
        _positive(self.frequency, "frequency", allow_zero=True)
        if not isinstance(self.phase, (int, float, np.integer, np.floating)) or not np.isfinite(self.phase):
            raise ValueError(f"phase must be a finite number of degrees, got {self.phase!r}")
        return out

    def inputs(self):
        """The mean-rate view used by the theory: a list of :class:`PoissonInput`."""
        return [PoissonInput(rate, w, receptor) for receptor, rate, _, w in self._checked()]

    def simulation_specs(self):
        from ._simulation._tasks import GeneratorSpec

        specs = []
        for receptor, rate, amplitude, weight in self._checked():
            # NEST's default individual_spike_trains=True: a train per target
            params = (("amplitude", amplitude), ("frequency", float(self.frequency)),
                      ("phase", float(self.phase)), ("rate", rate))
            sign = 1.0 if receptor == "excitatory" else -1.0
            specs.append(GeneratorSpec("sinusoidal_poisson_generator", params, sign * weight))
        return tuple(specs)


class PiecewisePoissonNoise(BaseEstimator):
    """Poisson background with piecewise-constant rates.

    ``rates_exc[k]`` and ``rates_inh[k]`` hold from ``times[k]`` until
    ``times[k + 1]`` (the last ones until the end).  Independent trains per
    neuron (NEST's ``inhomogeneous_poisson_generator``).  Theory and
    calibration see the time-averaged rate over ``times[0] .. times[-1]`` plus
    one more mean piece.

    Parameters
    ----------
    times : sequence of float
        Start of each piece in ms, increasing, the first > 0.
    rates_exc, rates_inh : sequence of float
        Rates in Hz, one per piece.
    weight_exc, weight_inh : float, default=0.001
        Weight magnitudes (µS or nA).

    Examples
    --------
    >>> from sklearn_sbs.sources import PiecewisePoissonNoise
    >>> noise = PiecewisePoissonNoise([0.1, 100.0], [2000.0, 4000.0], [3000.0, 3000.0])
    >>> [round(i.rate) for i in noise.inputs()]
    [3000, 3000]
    """

    def __init__(self, times, rates_exc, rates_inh, weight_exc=0.001, weight_inh=0.001):
        self.times = times
        self.rates_exc = rates_exc
        self.rates_inh = rates_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _checked(self):
        times = _as_positive_list(self.times, "times", allow_zero=False)
        if np.any(np.diff(times) <= 0):
            raise ValueError(f"times must increase strictly, got {times}")
        out = []
        for receptor, tag in (("excitatory", "exc"), ("inhibitory", "inh")):
            rates = _as_positive_list(getattr(self, f"rates_{tag}"), f"rates_{tag}", allow_zero=True)
            if len(rates) != len(times):
                raise ValueError(
                    f"rates_{tag} must have one rate per piece ({len(times)}), got {len(rates)}"
                )
            weight = _positive(getattr(self, f"weight_{tag}"), f"weight_{tag}", allow_zero=True)
            out.append((receptor, rates, weight))
        return times, out

    def inputs(self):
        times, inputs = self._checked()
        lengths = np.diff(times)
        lengths = np.append(lengths, lengths.mean() if lengths.size else 1.0)
        return [PoissonInput(float(np.average(rates, weights=lengths)), w, receptor)
                for receptor, rates, w in inputs]

    def simulation_specs(self):
        from ._simulation._tasks import GeneratorSpec

        times, inputs = self._checked()
        specs = []
        for receptor, rates, weight in inputs:
            params = (("rate_times", tuple(times)), ("rate_values", tuple(rates)))
            sign = 1.0 if receptor == "excitatory" else -1.0
            specs.append(GeneratorSpec("inhomogeneous_poisson_generator", params, sign * weight))
        return tuple(specs)


class SpikeTrainNoise(BaseEstimator):
    """Fixed spike trains as background: every neuron receives the same trains.

    Parameters
    ----------
    spike_times_exc, spike_times_inh : sequence of sequences of float
        Spike times in ms, one sequence per input (may be empty).
    weight_exc, weight_inh : float, default=0.001
        Weight magnitudes (µS or nA).

    Examples
    --------
    >>> from sklearn_sbs.sources import SpikeTrainNoise
    >>> noise = SpikeTrainNoise([[1.0, 2.0, 3.0]], [])
    >>> len(noise.simulation_specs())
    1
    """

    def __init__(self, spike_times_exc=(), spike_times_inh=(), weight_exc=0.001, weight_inh=0.001):
        self.spike_times_exc = spike_times_exc
        self.spike_times_inh = spike_times_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _checked(self):
        out = []
        for receptor, tag in (("excitatory", "exc"), ("inhibitory", "inh")):
            trains = getattr(self, f"spike_times_{tag}")
            weight = _positive(getattr(self, f"weight_{tag}"), f"weight_{tag}", allow_zero=True)
            for train in trains:
                times = np.sort(np.asarray(train, dtype=float))
                if times.ndim != 1 or not np.all(np.isfinite(times)) or np.any(times <= 0):
                    raise ValueError(
                        f"spike_times_{tag} must hold sequences of positive finite times (ms)"
                    )
                out.append((receptor, times, weight))
        return out

    def inputs(self):
        """Mean-rate view for the theory (spikes over their span)."""
        out = []
        for receptor, times, weight in self._checked():
            span = times[-1] - times[0] if times.size > 1 else 0.0
            rate = 1000.0 * (times.size - 1) / span if span > 0 else 0.0
            out.append(PoissonInput(rate, weight, receptor))
        return out

    def simulation_specs(self):
        from ._simulation._tasks import GeneratorSpec

        specs = []
        for receptor, times, weight in self._checked():
            sign = 1.0 if receptor == "excitatory" else -1.0
            params = (("allow_offgrid_times", True), ("precise_times", False),
                      ("spike_times", tuple(times.tolist())))
            specs.append(GeneratorSpec("spike_generator", params, sign * weight))
        return tuple(specs)


class PoissonPoolNoise(BaseEstimator):
    """A shared pool of Poisson sources; each neuron draws some of them.

    Neurons that draw the same source receive the same train, so their noise
    is correlated (how much depends on pool size and in-degrees) -- the
    situation of samplers sharing a finite background population.

    Parameters
    ----------
    n_sources : int, default=1000
        Sources in the pool.
    rate : float, default=100.0
        Rate of each source in Hz.
    indegree_exc, indegree_inh : int, default=30
        Sources per neuron on the excitatory and inhibitory receptor.
    weight_exc, weight_inh : float, default=0.001
        Weight magnitudes (µS or nA).

    Examples
    --------
    >>> from sklearn_sbs.sources import PoissonPoolNoise
    >>> [i.rate for i in PoissonPoolNoise().inputs()]      # what one neuron receives
    [3000.0, 3000.0]
    """

    def __init__(self, n_sources=1000, rate=100.0, indegree_exc=30, indegree_inh=30,
                 weight_exc=0.001, weight_inh=0.001):
        self.n_sources = n_sources
        self.rate = rate
        self.indegree_exc = indegree_exc
        self.indegree_inh = indegree_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _checked(self):
        n = _positive(self.n_sources, "n_sources", integer=True)
        rate = _positive(self.rate, "rate")
        out = []
        for receptor, tag in (("excitatory", "exc"), ("inhibitory", "inh")):
            k = _positive(getattr(self, f"indegree_{tag}"), f"indegree_{tag}", allow_zero=True,
                          integer=True)
            if k > n:
                raise ValueError(f"indegree_{tag}={k} must not exceed n_sources={n}")
            weight = _positive(getattr(self, f"weight_{tag}"), f"weight_{tag}", allow_zero=True)
            out.append((receptor, k, weight))
        return n, rate, out

    def inputs(self):
        _, rate, out = self._checked()
        return [PoissonInput(k * rate, w, receptor) for receptor, k, w in out]

    def simulation_specs(self):
        from ._simulation._tasks import PoolSpec

        n, rate, out = self._checked()
        return tuple(PoolSpec(n, rate, k, w if receptor == "excitatory" else -w)
                     for receptor, k, w in out if k > 0)


class NoiseNetwork(BaseEstimator):
    """A random recurrent network of excitatory and inhibitory LIF neurons whose
    spikes are the background (Jordan et al., Sci. Rep. 9, 18303, 2019).

    The network (current-based LIF neurons, connection probability
    ``connectivity``, inhibition ``g`` times stronger than excitation, driven by
    independent Poisson input) runs alongside the samplers; each sampler
    receives ``indegree_exc`` random excitatory and ``indegree_inh`` random
    inhibitory network neurons.  The theory's view uses ``rate_estimate`` as the
    network's firing rate; calibrating measures the real activation.

    Parameters
    ----------
    n_exc, n_inh : int, default=800, 200
        Network size.
    connectivity : float, default=0.1
        Recurrent connection probability.
    weight_ee : float, default=0.1
        Excitatory recurrent weight, nA (inhibitory: ``-g * weight_ee``).
    g : float, default=5.0
        Relative strength of inhibition.
    rate_ext : float, default=8000.0
        Poisson drive of every network neuron, Hz.
    weight_ext : float, default=0.1
        Weight of the drive, nA.
    indegree_exc, indegree_inh : int, default=100
        Network neurons per sampler.
    weight_exc, weight_inh : float, default=0.002
        Weights onto the samplers (µS or nA).
    rate_estimate : float, default=20.0
        Expected firing rate of the network in Hz, for the theory only.

    Examples
    --------
    >>> from sklearn_sbs.sources import NoiseNetwork
    >>> [i.rate for i in NoiseNetwork().inputs()]
    [2000.0, 2000.0]
    """

    # the network's own neurons: PyNN's IF_curr_exp with a 2 ms refractory period
    _NETWORK_NEURON = (("cm", 0.25), ("i_offset", 0.0), ("tau_m", 10.0), ("tau_refrac", 2.0),
                       ("tau_syn_E", 0.5), ("tau_syn_I", 0.5), ("v_reset", -70.0),
                       ("v_rest", -70.0), ("v_thresh", -55.0))

    def __init__(self, n_exc=800, n_inh=200, connectivity=0.1, weight_ee=0.1, g=5.0,
                 rate_ext=8000.0, weight_ext=0.1, indegree_exc=100, indegree_inh=100,
                 weight_exc=0.002, weight_inh=0.002, rate_estimate=20.0):
        self.n_exc = n_exc
        self.n_inh = n_inh
        self.connectivity = connectivity
        self.weight_ee = weight_ee
        self.g = g
        self.rate_ext = rate_ext
        self.weight_ext = weight_ext
        self.indegree_exc = indegree_exc
        self.indegree_inh = indegree_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh
        self.rate_estimate = rate_estimate

    def _checked(self):
        n_exc = _positive(self.n_exc, "n_exc", integer=True)
        n_inh = _positive(self.n_inh, "n_inh", integer=True)
        p = _positive(self.connectivity, "connectivity")
        if p > 1:
            raise ValueError(f"connectivity must be a probability in (0, 1], got {p}")
        for name in ("weight_ee", "g", "rate_ext", "weight_ext", "rate_estimate"):
            _positive(getattr(self, name), name, allow_zero=True)
        k_exc = _positive(self.indegree_exc, "indegree_exc", allow_zero=True, integer=True)
        k_inh = _positive(self.indegree_inh, "indegree_inh", allow_zero=True, integer=True)
        if k_exc > n_exc or k_inh > n_inh:
            raise ValueError(
                f"indegree_exc={k_exc} and indegree_inh={k_inh} must not exceed n_exc={n_exc} "
                f"and n_inh={n_inh}"
            )
        w_exc = _positive(self.weight_exc, "weight_exc", allow_zero=True)
        w_inh = _positive(self.weight_inh, "weight_inh", allow_zero=True)
        return n_exc, n_inh, p, k_exc, k_inh, w_exc, w_inh

    def inputs(self):
        _, _, _, k_exc, k_inh, w_exc, w_inh = self._checked()
        rate = float(self.rate_estimate)
        return [PoissonInput(k_exc * rate, w_exc, "excitatory"),
                PoissonInput(k_inh * rate, w_inh, "inhibitory")]

    def simulation_specs(self):
        from ._simulation._tasks import NoiseNetworkSpec

        n_exc, n_inh, p, k_exc, k_inh, w_exc, w_inh = self._checked()
        common = dict(n_exc=n_exc, n_inh=n_inh, neuron_params=self._NETWORK_NEURON,
                      connectivity=p, weight_ee=float(self.weight_ee), g=float(self.g),
                      rate_ext=float(self.rate_ext), weight_ext=float(self.weight_ext))
        specs = []
        if k_exc:
            specs.append(NoiseNetworkSpec(**common, receptor="excitatory", indegree=k_exc, weight=w_exc))
        if k_inh:
            specs.append(NoiseNetworkSpec(**common, receptor="inhibitory", indegree=k_inh, weight=-w_inh))
        return tuple(specs)


def default_noise(neuron_model="IF_cond_exp"):
    """The background used wherever none is given (calibrator, theory, plots).

    The sbs tutorial's 3 kHz excitatory and inhibitory inputs of 0.001 µS for
    conductance-based models; for current-based ones the same rates at 0.05 nA,
    which gives the tutorial neuron a similar activation width (about 0.8 mV
    with exponential synapses).

    Parameters
    ----------
    neuron_model : str, default="IF_cond_exp"
        One of :data:`sklearn_sbs.neurons.NEURON_MODELS`.

    Returns
    -------
    noise : PoissonNoise

    Examples
    --------
    >>> from sklearn_sbs.sources import default_noise
    >>> default_noise("IF_curr_exp").weight_exc
    0.05
    """
    if get_model(neuron_model).conductance_based:
        return PoissonNoise()
    return PoissonNoise(weight_exc=0.05, weight_inh=0.05)
