"""Background noise sources, as scikit-learn parameter objects.

A source is a plain parameter holder: ``get_params``/``set_params`` work, so a
nested name such as ``calibrator__noise__rate_exc`` can be searched by
``GridSearchCV``.  Nothing is validated in ``__init__``; ``inputs()`` and
``simulation_specs()`` validate (scikit-learn's ``_parameter_constraints``,
then one cross-field check per class) and return the inputs one by one.  Rates
are in Hz, times in ms; weights are magnitudes, in µS for conductance-based
neurons and nA for current-based ones (the inhibitory receptor gets the sign
the simulator expects).
"""

from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import HasMethods, Interval

from ._validation import ArrayOf, validate_nested
from .neurons import check_neuron_params, get_model

__all__ = [
    "PoissonNoise", "SinusoidalPoissonNoise", "PiecewisePoissonNoise", "SpikeTrainNoise",
    "PoissonPoolNoise", "NoiseNetwork", "PoissonInput", "default_noise", "NOISE_PARAMETER",
    "NOISE_PER_UNIT_PARAMETER",
]

_RECEPTORS = (("excitatory", "exc"), ("inhibitory", "inh"))
_NON_NEGATIVE = Interval(Real, 0, None, closed="left")        # finite, >= 0
_NON_NEGATIVE_INT = Interval(Integral, 0, None, closed="left")
# Bounds far beyond any physiological background, so that a typo (1e300) is refused
# by name instead of overflowing the free-membrane theory: a rate of 1e6 Hz is 100
# spikes per 0.1 ms step; a weight of 1e3 uS (or nA) is 5e4 times a neuron's leak.
MAX_RATE = 1e6               # Hz
MAX_WEIGHT = 1e3             # uS (conductance synapses) or nA (current synapses)
_RATE = Interval(Real, 0, MAX_RATE, closed="both")
_WEIGHT = Interval(Real, 0, MAX_WEIGHT, closed="both")
_RATES = ArrayOf(Real, 0, MAX_RATE, closed="both")
_WEIGHTS = ArrayOf(Real, 0, MAX_WEIGHT, closed="both")
_POSITIVE_INT = Interval(Integral, 1, None, closed="left")


@dataclass(frozen=True)
class PoissonInput:
    """One Poisson input: rate (Hz), weight magnitude (µS or nA), receptor."""

    rate: float
    weight: float
    receptor: str        # "excitatory" or "inhibitory"


def _sign(receptor):
    return 1.0 if receptor == "excitatory" else -1.0


def _floats(value):
    """A number or a 1-d sequence of numbers as a list of floats."""
    return [float(v) for v in np.atleast_1d(value)]


class _NoiseInstance(HasMethods):
    """Constraint: a noise source object, not its class (a class has the methods too,
    and fails only when the simulation asks it for its inputs)."""

    def __init__(self):
        super().__init__(["inputs", "simulation_specs", "get_params"])

    def is_satisfied_by(self, val):
        return not isinstance(val, type) and super().is_satisfied_by(val)

    def __str__(self):
        return "a noise source instance such as PoissonNoise() (not the class itself)"


#: The constraints of a ``noise`` parameter (of a machine or a calibrator): a noise
#: source object or None.
NOISE_PARAMETER = [_NoiseInstance(), None]
#: A machine's ``noise`` may also be a list with one source per unit (checked element
#: by element, as ``noise[k]``).
NOISE_PER_UNIT_PARAMETER = NOISE_PARAMETER + [list, tuple]


class _NoiseSource(BaseEstimator):
    """What every noise source shares: validation through its
    ``_parameter_constraints`` and :meth:`_check_consistency`."""

    _parameter_constraints: dict = {}

    def _check_consistency(self, prefix=""):
        """Raise ValueError when parameters disagree with each other (what
        constraints on single parameters cannot say); ``prefix`` (a nested
        path such as ``"noise__"``) goes before the parameter names."""

    def grid_times(self):
        """The parameters holding times (ms) that must lie on the simulation's grid
        of ``dt``, as ``{name: list of times}`` (the simulator refuses others).

        The parameters must be valid (see :func:`~sklearn_sbs._validation.validate_nested`).
        """
        return {}

    def grid_frequencies(self):
        """The parameters holding frequencies (Hz) that the simulation's grid of ``dt``
        must resolve, as ``{name: frequency}``: at most 1 / (2 dt), else the modulation
        aliases on the grid.

        The parameters must be valid (see :func:`~sklearn_sbs._validation.validate_nested`).
        """
        return {}

    def _validate(self):
        validate_nested(self)


class PoissonNoise(_NoiseSource):
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

    # a number, or one per input
    _parameter_constraints = {
        "rate_exc": [_RATE, _RATES], "rate_inh": [_RATE, _RATES],
        "weight_exc": [_WEIGHT, _WEIGHTS], "weight_inh": [_WEIGHT, _WEIGHTS],
    }

    def __init__(self, rate_exc=3000.0, rate_inh=3000.0, weight_exc=0.001, weight_inh=0.001):
        self.rate_exc = rate_exc
        self.rate_inh = rate_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _check_consistency(self, prefix=""):
        for _, tag in _RECEPTORS:
            n_rates = np.size(getattr(self, f"rate_{tag}"))
            n_weights = np.size(getattr(self, f"weight_{tag}"))
            if n_rates != n_weights and min(n_rates, n_weights) > 1:
                raise ValueError(
                    f"{prefix}rate_{tag} and {prefix}weight_{tag} must have the same length "
                    f"(or one be a single number), got {n_rates} and {n_weights}"
                )

    def inputs(self):
        """Validated inputs, excitatory first, as a list of :class:`PoissonInput`."""
        self._validate()
        out = []
        for receptor, tag in _RECEPTORS:
            rates = _floats(getattr(self, f"rate_{tag}"))
            weights = _floats(getattr(self, f"weight_{tag}"))
            n = max(len(rates), len(weights))     # a single number holds for every input
            rates, weights = rates * (n // len(rates)), weights * (n // len(weights))
            out.extend(PoissonInput(r, w, receptor) for r, w in zip(rates, weights))
        return out

    def simulation_specs(self):
        """The inputs as simulation specs (signed weights: negative = inhibitory)."""
        from ._simulation import PoissonSpec

        return tuple(PoissonSpec(i.rate, _sign(i.receptor) * i.weight) for i in self.inputs())


def _sequence_lengths_agree(source, prefix, names, what):
    """Refuse parameters of ``source`` among ``names`` (each a number or a sequence
    of one value per input) that are sequences of different lengths; a single
    number (or a sequence of one) holds for every input.  ``what`` names the
    inputs in the message (e.g. "excitatory input").  Returns the number of inputs."""
    ref = None
    for name in names:
        value = getattr(source, name)
        size = np.size(value)
        if size <= 1:
            continue
        if ref is None:
            ref = (name, value, size)
        elif size != ref[2]:
            listed = ", ".join(prefix + n for n in names)
            raise ValueError(
                f"{prefix}{name}={_floats(value)} has {size} values but {prefix}{ref[0]}="
                f"{_floats(ref[1])} has {ref[2]}: each of {listed} must be a single number or "
                f"hold one value per {what} ({ref[2]})"
            )
    return 1 if ref is None else ref[2]


def _broadcast(value, n):
    """A valid number or sequence (of one or ``n`` values) as ``n`` floats."""
    values = _floats(value)
    return values * (n // len(values))


def _indexed(prefix, name, value, k):
    """``prefix + name``, with ``[k]`` when the parameter is a sequence of several values."""
    return f"{prefix}{name}[{k}]" if np.size(value) > 1 else f"{prefix}{name}"


_FREQUENCY = _NON_NEGATIVE                                    # Hz, finite
_PHASE = Interval(Real, -360, 360, closed="both")            # degrees
_FREQUENCIES = ArrayOf(Real, 0, None, closed="left")
_PHASES = ArrayOf(Real, -360, 360, closed="both")


class SinusoidalPoissonNoise(_NoiseSource):
    """Poisson background whose rate oscillates: rate + amplitude·sin(2π f t + phase).

    Each receptor gets one input or several: ``rate_exc``, ``amplitude_exc``,
    ``frequency_exc``, ``phase_exc`` and ``weight_exc`` are each a single number
    (the same for every excitatory input) or a sequence with one value per
    excitatory input, and all sequences of a receptor have the same length
    (likewise ``*_inh``).  ``frequency`` and ``phase`` are the shorthand for
    every input of a receptor whose ``frequency_*``/``phase_*`` is None.

    Every neuron gets its own independent trains; with
    ``individual_spike_trains=False`` every input is one train that all the
    neurons given this noise (or an equal one) receive: their noise is then
    correlated, while distinct inputs stay independent of each other.  Theory
    and calibration see the mean rates.

    Parameters
    ----------
    rate_exc, rate_inh : float or sequence of float, default=3000.0
        Mean rate(s) in Hz, one per input.
    amplitude_exc, amplitude_inh : float or sequence of float, default=1000.0
        Modulation amplitude(s) in Hz, each at most its input's rate.
    frequency : float, default=10.0
        Modulation frequency in Hz of the inputs whose ``frequency_exc`` /
        ``frequency_inh`` is None.
    phase : float, default=0.0
        Phase in degrees (-360 to 360) of the inputs whose ``phase_exc`` /
        ``phase_inh`` is None.
    weight_exc, weight_inh : float or sequence of float, default=0.001
        Weight magnitude(s) (µS or nA), one per input.
    frequency_exc, frequency_inh : float or sequence of float, default=None
        Modulation frequency (Hz) of each input of the receptor; None: ``frequency``.
    phase_exc, phase_inh : float or sequence of float, default=None
        Phase (degrees) of each input of the receptor; None: ``phase``.
    individual_spike_trains : bool, default=True
        Whether every neuron draws its own train from each input (True), or all
        the neurons given this noise receive one train per input (False).

    Examples
    --------
    >>> from sklearn_sbs.sources import SinusoidalPoissonNoise
    >>> [i.rate for i in SinusoidalPoissonNoise(rate_exc=2000.0).inputs()]
    [2000.0, 3000.0]

    Two excitatory inputs of their own frequencies and weights, one inhibitory:

    >>> noise = SinusoidalPoissonNoise(rate_exc=[2000.0, 1000.0], amplitude_exc=[500.0, 0.0],
    ...                                frequency_exc=[5.0, 20.0], weight_exc=[0.001, 0.002])
    >>> [(i.rate, i.weight, i.receptor) for i in noise.inputs()]
    [(2000.0, 0.001, 'excitatory'), (1000.0, 0.002, 'excitatory'), (3000.0, 0.001, 'inhibitory')]
    >>> [(s.amplitude, s.frequency) for s in noise.simulation_specs()]
    [(500.0, 5.0), (0.0, 20.0), (1000.0, 10.0)]
    >>> noise.set_params(amplitude_exc=1500.0).inputs()
    Traceback (most recent call last):
    ...
    ValueError: Invalid parameters of SinusoidalPoissonNoise: amplitude_exc=1500.0 must not \
exceed rate_exc[1]=1000.0 (the rate must stay >= 0)
    """

    _parameter_constraints = {
        "rate_exc": [_RATE, _RATES], "rate_inh": [_RATE, _RATES],
        "amplitude_exc": [_RATE, _RATES], "amplitude_inh": [_RATE, _RATES],
        "frequency": [_FREQUENCY],      # at most 1 / (2 dt): see grid_frequencies
        "phase": [_PHASE],
        "weight_exc": [_WEIGHT, _WEIGHTS], "weight_inh": [_WEIGHT, _WEIGHTS],
        "frequency_exc": [None, _FREQUENCY, _FREQUENCIES],
        "frequency_inh": [None, _FREQUENCY, _FREQUENCIES],
        "phase_exc": [None, _PHASE, _PHASES], "phase_inh": [None, _PHASE, _PHASES],
        "individual_spike_trains": ["boolean"],
    }

    def __init__(self, rate_exc=3000.0, rate_inh=3000.0, amplitude_exc=1000.0,
                 amplitude_inh=1000.0, frequency=10.0, phase=0.0, weight_exc=0.001,
                 weight_inh=0.001, *, frequency_exc=None, frequency_inh=None, phase_exc=None,
                 phase_inh=None, individual_spike_trains=True):
        self.rate_exc = rate_exc
        self.rate_inh = rate_inh
        self.amplitude_exc = amplitude_exc
        self.amplitude_inh = amplitude_inh
        self.frequency = frequency
        self.phase = phase
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh
        self.frequency_exc = frequency_exc
        self.frequency_inh = frequency_inh
        self.phase_exc = phase_exc
        self.phase_inh = phase_inh
        self.individual_spike_trains = individual_spike_trains

    def _per_input_names(self, tag):
        """The parameters that hold one value per input of receptor ``tag``; the
        shorthand ``frequency``/``phase`` where the receptor's own one is None."""
        own = [f"{name}_{tag}" if getattr(self, f"{name}_{tag}") is not None else name
               for name in ("frequency", "phase")]
        return [f"rate_{tag}", f"amplitude_{tag}", *own, f"weight_{tag}"]

    def grid_frequencies(self):
        """The modulation frequencies (Hz) the grid must resolve, by parameter:
        ``{"frequency": frequency}`` by default, ``"frequency_exc[k]"`` and the like
        for the inputs' own frequencies."""
        out = {}
        for _, tag in _RECEPTORS:
            name = self._per_input_names(tag)[2]
            value = getattr(self, name)
            out.update((_indexed("", name, value, k), f) for k, f in enumerate(_floats(value)))
        return out

    def _check_consistency(self, prefix=""):
        for receptor, tag in _RECEPTORS:
            names = self._per_input_names(tag)
            n = _sequence_lengths_agree(self, prefix, names, f"{receptor} input")
            rate, amplitude = getattr(self, f"rate_{tag}"), getattr(self, f"amplitude_{tag}")
            for k, (r, a) in enumerate(zip(_broadcast(rate, n), _broadcast(amplitude, n))):
                if a > r:
                    raise ValueError(
                        f"{_indexed(prefix, f'amplitude_{tag}', amplitude, k)}={a} must not "
                        f"exceed {_indexed(prefix, f'rate_{tag}', rate, k)}={r} (the rate must "
                        "stay >= 0)"
                    )

    def _checked(self):
        """(receptor, rate, amplitude, frequency, phase, weight) per input, validated."""
        self._validate()
        out = []
        for receptor, tag in _RECEPTORS:
            names = self._per_input_names(tag)
            n = max(np.size(getattr(self, name)) for name in names)
            columns = [_broadcast(getattr(self, name), n) for name in names]
            out.extend((receptor, *values) for values in zip(*columns))
        return out

    def inputs(self):
        """The mean-rate view used by the theory: one :class:`PoissonInput` per
        input, excitatory first."""
        return [PoissonInput(rate, w, receptor) for receptor, rate, _, _, _, w in self._checked()]

    def simulation_specs(self):
        """The inputs as simulation specs (signed weights: negative = inhibitory)."""
        from ._simulation import SinusoidalPoissonSpec

        individual = bool(self.individual_spike_trains)
        return tuple(
            SinusoidalPoissonSpec(rate, amplitude, frequency, phase, _sign(receptor) * weight,
                                  individual)
            for receptor, rate, amplitude, frequency, phase, weight in self._checked()
        )


class PiecewisePoissonNoise(_NoiseSource):
    """Poisson background with piecewise-constant rates.

    ``rates_exc[k]`` and ``rates_inh[k]`` hold from ``times[k]`` until
    ``times[k + 1]`` (the last ones until the end).  Independent trains per
    neuron.  Theory and
    calibration see the time-averaged rate over ``times[0] .. times[-1]`` plus
    one more mean piece.

    Parameters
    ----------
    times : sequence of float
        Start of each piece in ms, increasing, the first > 0; each a multiple of
        the simulation's ``dt``.
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

    _parameter_constraints = {
        "times": [ArrayOf(Real, 0, None, closed="neither")],
        "rates_exc": [_RATES],
        "rates_inh": [_RATES],
        "weight_exc": [_WEIGHT], "weight_inh": [_WEIGHT],
    }

    def __init__(self, times, rates_exc, rates_inh, weight_exc=0.001, weight_inh=0.001):
        self.times = times
        self.rates_exc = rates_exc
        self.rates_inh = rates_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def grid_times(self):
        """``{"times": times}``: every piece starts on a step of the grid."""
        return {"times": _floats(self.times)}

    def _check_consistency(self, prefix=""):
        times = _floats(self.times)
        if np.any(np.diff(times) <= 0):
            raise ValueError(f"{prefix}times must increase strictly, got {times}")
        for _, tag in _RECEPTORS:
            n_rates = len(getattr(self, f"rates_{tag}"))
            if n_rates != len(times):
                raise ValueError(
                    f"{prefix}rates_{tag} must have one rate per piece of {prefix}times "
                    f"({len(times)}), got {n_rates}"
                )

    def _checked(self):
        """(times, [(receptor, rates, weight) per input]), validated."""
        self._validate()
        return _floats(self.times), [
            (receptor, _floats(getattr(self, f"rates_{tag}")), float(getattr(self, f"weight_{tag}")))
            for receptor, tag in _RECEPTORS
        ]

    def inputs(self):
        """The time-averaged view used by the theory: a list of :class:`PoissonInput`."""
        times, inputs = self._checked()
        lengths = np.diff(times)
        lengths = np.append(lengths, lengths.mean() if lengths.size else 1.0)
        return [PoissonInput(float(np.average(rates, weights=lengths)), w, receptor)
                for receptor, rates, w in inputs]

    def simulation_specs(self):
        """The inputs as simulation specs (signed weights: negative = inhibitory)."""
        from ._simulation import PiecewisePoissonSpec

        times, inputs = self._checked()
        return tuple(PiecewisePoissonSpec(tuple(times), tuple(rates), _sign(receptor) * weight)
                     for receptor, rates, weight in inputs)


_SPIKE_TIMES = [ArrayOf(Real, 0, None, closed="neither", min_length=0, ndim=2),
                ArrayOf(Real, 0, None, closed="neither", ndim=1)]


def _trains(value):
    """The trains of a valid ``spike_times_*``: one flat sequence of times is one train."""
    return [value] if _SPIKE_TIMES[1].is_satisfied_by(value) else list(value)


class SpikeTrainNoise(_NoiseSource):
    """Fixed spike trains as background: every neuron receives the same trains.

    Spike times between the steps of the simulation's ``dt`` are moved to the
    nearest step.

    Parameters
    ----------
    spike_times_exc, spike_times_inh : sequence of sequences of float, or sequence of float
        Spike times in ms (> 0), one sequence per input (may be empty), or one
        sequence of times for a single input.
    weight_exc, weight_inh : float or sequence of float, default=0.001
        Weight magnitudes (µS or nA): one for every train of the receptor, or a
        sequence with one weight per train.

    Examples
    --------
    >>> from sklearn_sbs.sources import SpikeTrainNoise
    >>> noise = SpikeTrainNoise([[1.0, 2.0, 3.0]], [])
    >>> len(noise.simulation_specs())
    1
    >>> len(SpikeTrainNoise([1.0, 2.0], [1.5]).simulation_specs())     # one train each
    2
    >>> noise = SpikeTrainNoise([[1.0, 2.0], [1.5]], [], weight_exc=[0.001, 0.004])
    >>> [spec.weight for spec in noise.simulation_specs()]
    [0.001, 0.004]
    """

    _parameter_constraints = {
        "spike_times_exc": _SPIKE_TIMES, "spike_times_inh": _SPIKE_TIMES,
        "weight_exc": [_WEIGHT, _WEIGHTS], "weight_inh": [_WEIGHT, _WEIGHTS],
    }

    def __init__(self, spike_times_exc=(), spike_times_inh=(), weight_exc=0.001, weight_inh=0.001):
        self.spike_times_exc = spike_times_exc
        self.spike_times_inh = spike_times_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _check_consistency(self, prefix=""):
        for _, tag in _RECEPTORS:
            weight = getattr(self, f"weight_{tag}")
            n_trains = len(_trains(getattr(self, f"spike_times_{tag}")))
            if np.ndim(weight) and len(weight) != n_trains:
                raise ValueError(
                    f"{prefix}weight_{tag}={_floats(weight)} has {len(weight)} weights but "
                    f"{prefix}spike_times_{tag} holds {n_trains} trains: {prefix}weight_{tag} "
                    "must be a single number or hold one weight per train"
                )

    def _checked(self):
        """(receptor, sorted times, weight) per train, validated."""
        self._validate()
        out = []
        for receptor, tag in _RECEPTORS:
            trains = _trains(getattr(self, f"spike_times_{tag}"))
            weights = _broadcast(getattr(self, f"weight_{tag}"), len(trains))
            out.extend((receptor, np.sort(np.asarray(train, dtype=float)), weight)
                       for train, weight in zip(trains, weights))
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
        """The trains as simulation specs (signed weights: negative = inhibitory)."""
        from ._simulation import SpikeTrainSpec

        return tuple(SpikeTrainSpec(tuple(times.tolist()), _sign(receptor) * weight)
                     for receptor, times, weight in self._checked())


class PoissonPoolNoise(_NoiseSource):
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

    _parameter_constraints = {
        "n_sources": [_POSITIVE_INT], "rate": [Interval(Real, 0, MAX_RATE, closed="right")],
        "indegree_exc": [_NON_NEGATIVE_INT], "indegree_inh": [_NON_NEGATIVE_INT],
        "weight_exc": [_WEIGHT], "weight_inh": [_WEIGHT],
    }

    def __init__(self, n_sources=1000, rate=100.0, indegree_exc=30, indegree_inh=30,
                 weight_exc=0.001, weight_inh=0.001):
        self.n_sources = n_sources
        self.rate = rate
        self.indegree_exc = indegree_exc
        self.indegree_inh = indegree_inh
        self.weight_exc = weight_exc
        self.weight_inh = weight_inh

    def _check_consistency(self, prefix=""):
        for _, tag in _RECEPTORS:
            k = getattr(self, f"indegree_{tag}")
            if k > self.n_sources:
                raise ValueError(
                    f"{prefix}indegree_{tag}={k} must not exceed {prefix}n_sources={self.n_sources}"
                )

    def _checked(self):
        """(receptor, indegree, weight) per receptor, validated."""
        self._validate()
        return [(receptor, int(getattr(self, f"indegree_{tag}")),
                 float(getattr(self, f"weight_{tag}"))) for receptor, tag in _RECEPTORS]

    def inputs(self):
        """What one neuron receives, as a list of :class:`PoissonInput`."""
        out = self._checked()
        return [PoissonInput(k * float(self.rate), w, receptor) for receptor, k, w in out]

    def simulation_specs(self):
        """The connections from the pool as simulation specs (signed weights)."""
        from ._simulation import PoolSpec

        out = self._checked()
        return tuple(PoolSpec(int(self.n_sources), float(self.rate), k, _sign(receptor) * w)
                     for receptor, k, w in out if k > 0)


class NoiseNetwork(_NoiseSource):
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
        Expected firing rate of the network in Hz, for the theory only; the
        rates a run measured are the machine's ``noise_rates_`` after ``sample``.
    neuron_params : dict, default=None
        Parameters of the network's ``IF_curr_exp`` neurons that differ from
        its defaults (``cm`` 0.25 nF, ``tau_m`` 10 ms, ``tau_refrac`` 2 ms,
        ``tau_syn_E``/``tau_syn_I`` 0.5 ms, ``v_rest``/``v_reset`` -70 mV,
        ``v_thresh`` -55 mV, ``i_offset`` 0 nA).

    Examples
    --------
    >>> from sklearn_sbs.sources import NoiseNetwork
    >>> [i.rate for i in NoiseNetwork().inputs()]
    [2000.0, 2000.0]
    >>> dict(NoiseNetwork(neuron_params={"tau_m": 20.0}).simulation_specs()[0].neuron_params)["tau_m"]
    20.0
    """

    # the network's own neurons: PyNN's IF_curr_exp with a 2 ms refractory period
    _NETWORK_NEURON = (("cm", 0.25), ("i_offset", 0.0), ("tau_m", 10.0), ("tau_refrac", 2.0),
                       ("tau_syn_E", 0.5), ("tau_syn_I", 0.5), ("v_reset", -70.0),
                       ("v_rest", -70.0), ("v_thresh", -55.0))

    _parameters_added = ("neuron_params",)     # documents of version 1 may lack it

    _parameter_constraints = {
        "n_exc": [_POSITIVE_INT], "n_inh": [_POSITIVE_INT],
        "connectivity": [Interval(Real, 0, 1, closed="right")],
        "weight_ee": [_WEIGHT], "g": [_NON_NEGATIVE], "rate_ext": [_RATE],
        "weight_ext": [_WEIGHT],
        "indegree_exc": [_NON_NEGATIVE_INT], "indegree_inh": [_NON_NEGATIVE_INT],
        "weight_exc": [_WEIGHT], "weight_inh": [_WEIGHT],
        "rate_estimate": [_RATE],
        "neuron_params": [dict, None],
    }

    def __init__(self, n_exc=800, n_inh=200, connectivity=0.1, weight_ee=0.1, g=5.0,
                 rate_ext=8000.0, weight_ext=0.1, indegree_exc=100, indegree_inh=100,
                 weight_exc=0.002, weight_inh=0.002, rate_estimate=20.0, neuron_params=None):
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
        self.neuron_params = neuron_params

    def _network_neuron(self, prefix=""):
        """The network's neuron parameters, checked: ((name, value), ...)."""
        try:
            params = check_neuron_params("IF_curr_exp", {**dict(self._NETWORK_NEURON),
                                                         **(self.neuron_params or {})})
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{prefix}neuron_params: {exc}") from None
        return tuple(sorted((k, v) for k, v in params.items() if k != "tau_refrac_virtual"))

    def _check_consistency(self, prefix=""):
        for _, tag in _RECEPTORS:
            k, n = getattr(self, f"indegree_{tag}"), getattr(self, f"n_{tag}")
            if k > n:
                raise ValueError(f"{prefix}indegree_{tag}={k} must not exceed {prefix}n_{tag}={n}")
        self._network_neuron(prefix)

    def _checked(self):
        """(receptor, indegree, weight) per receptor, validated."""
        self._validate()
        return [(receptor, int(getattr(self, f"indegree_{tag}")),
                 float(getattr(self, f"weight_{tag}"))) for receptor, tag in _RECEPTORS]

    def inputs(self):
        """The theory's view (``rate_estimate`` per network neuron): a list of
        :class:`PoissonInput`."""
        out = self._checked()
        rate = float(self.rate_estimate)
        return [PoissonInput(k * rate, w, receptor) for receptor, k, w in out]

    def simulation_specs(self):
        """The connections from the network as simulation specs (signed weights)."""
        from ._simulation import NoiseNetworkSpec

        out = self._checked()
        common = dict(n_exc=int(self.n_exc), n_inh=int(self.n_inh),
                      neuron_params=self._network_neuron(), connectivity=float(self.connectivity),
                      weight_ee=float(self.weight_ee), g=float(self.g),
                      rate_ext=float(self.rate_ext), weight_ext=float(self.weight_ext))
        return tuple(NoiseNetworkSpec(**common, receptor=receptor, indegree=k,
                                      weight=_sign(receptor) * w)
                     for receptor, k, w in out if k)


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
