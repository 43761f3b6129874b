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

from ._validation import _describe

__all__ = ["PoissonNoise", "PoissonInput", "default_noise"]


@dataclass(frozen=True)
class PoissonInput:
    """One Poisson input: rate (Hz), weight magnitude (µS or nA), receptor."""

    rate: float
    weight: float
    receptor: str        # "excitatory" or "inhibitory"


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


def default_noise(conductance_based):
    """The background used when none is given: the sbs tutorial's 3 kHz excitatory
    and inhibitory inputs of 0.001 µS for conductance-based neurons; for
    current-based ones the same rates at 0.05 nA, which gives the tutorial neuron
    a similar activation width (about 0.8 mV with exponential synapses).

    Examples
    --------
    >>> from sklearn_sbs.sources import default_noise
    >>> default_noise(conductance_based=False).weight_exc
    0.05
    """
    return PoissonNoise() if conductance_based else PoissonNoise(weight_exc=0.05, weight_inh=0.05)
