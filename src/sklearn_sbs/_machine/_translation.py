"""Each unit's calibrator, and the translation between theoretical and biological units.

The weight from unit i to unit j is translated with unit j's calibration (the
receiving neuron's PSP); a bias becomes a resting potential with the unit's
own logistic fit (Petrovici et al., Phys. Rev. E 94, 042312, 2016).
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted, check_memory

from .._calibrator import LIFSamplerCalibrator


def is_frozen(calibrator):
    return type(calibrator).__name__ == "FrozenEstimator"


def unwrap(calibrator):
    """The calibrator inside a FrozenEstimator, or the calibrator itself."""
    return calibrator.estimator if is_frozen(calibrator) else calibrator


def calibrator_list(calibrator, n_units):
    """One calibrator (possibly frozen) per unit from the ``calibrator`` parameter."""
    cal = LIFSamplerCalibrator() if calibrator is None else calibrator
    if isinstance(cal, (list, tuple)):
        if len(cal) != n_units:
            raise ValueError(
                f"calibrator must be one calibrator or a list of n_units = {n_units}, "
                f"got a list of {len(cal)}"
            )
        cals = list(cal)
    else:
        cals = [cal] * n_units
    for c in cals:
        if not isinstance(unwrap(c), LIFSamplerCalibrator):
            raise ValueError(
                f"calibrator entries must be LIFSamplerCalibrator (optionally in a "
                f"FrozenEstimator), got {type(c).__name__}"
            )
    return cals


def _fit_clone(calibrator):
    """Fit a clone (module level, so joblib.Memory can cache it by its parameters)."""
    return clone(calibrator).fit()


def fit_calibrators(cals, memory=None):
    """Each distinct calibrator fitted once (frozen ones used as they are)."""
    memory = check_memory(memory)
    fitted = {}
    for c in cals:
        if id(c) not in fitted:
            if is_frozen(c):
                check_is_fitted(c.estimator)
                fitted[id(c)] = c.estimator
            else:
                fitted[id(c)] = memory.cache(_fit_clone)(c)
    return [fitted[id(c)] for c in cals]


@dataclass(frozen=True)
class Translation:
    """Theoretical <-> biological values of a machine whose unit j has the fitted
    calibrator ``calibrators[j]``."""

    calibrators: tuple

    @property
    def n_units(self):
        return len(self.calibrators)

    @property
    def tau_on(self):
        """On-time of every unit, ms."""
        return np.array([c.tau_on_ for c in self.calibrators])

    @property
    def tau_syn(self):
        """Excitatory and inhibitory synaptic time constants of every unit, (2, n) ms."""
        return np.array([[c.neuron_params_["tau_syn_E"] for c in self.calibrators],
                         [c.neuron_params_["tau_syn_I"] for c in self.calibrators]])

    @cached_property
    def _units_by_calibrator(self):
        """(calibrator, its units) for every distinct calibrator: the translation
        runs once per calibrator, not once per unit (learning translates every step)."""
        groups = {}
        for j, c in enumerate(self.calibrators):
            groups.setdefault(id(c), (c, []))[1].append(j)
        return [(c, np.array(units)) for c, units in groups.values()]

    def _per_unit(self, values, method):
        """``method`` of each unit's calibrator applied to its column of ``values``
        ((n,) or (n_rows, n))."""
        values = np.asarray(values, dtype=float)
        out = np.empty(values.shape)
        for c, units in self._units_by_calibrator:
            out[..., units] = getattr(c, method)(values[..., units])
        return out

    def v_rest(self, biases):
        """Resting potentials (mV) for theoretical biases, one column per unit;
        ``biases`` of shape (n,) or (n_rows, n)."""
        return self._per_unit(biases, "bias_to_v_rest")

    def biases(self, v_rest):
        """Theoretical biases for resting potentials (mV), one per unit."""
        return self._per_unit(v_rest, "v_rest_to_bias")

    def _per_receiver(self, W, b, method):
        """Column j (synapses onto unit j) translated with unit j's calibrator."""
        out = np.zeros_like(W)
        for c, units in self._units_by_calibrator:
            out[:, units] = getattr(c, method)(W, b)[:, units]
        return out

    def to_bio(self, W, b):
        """Synaptic weights (µS or nA, signed) and resting potentials for (W, b);
        a bias whose resting potential reverses a receptor is refused by name."""
        from ._values import check_resting_potentials      # _values needs this module

        v_rest = self.v_rest(b)
        check_resting_potentials(W, b, v_rest, self.calibrators, "theo")
        return self._per_receiver(W, b, "weights_to_bio"), v_rest

    def realised_weights(self, weights_bio, b):
        """The theoretical weights that synaptic weights realise between units of
        theoretical biases b (conductance synapses depend on the receiver's bias)."""
        return self._per_receiver(weights_bio, b, "weights_to_theo")

    def to_theo(self, weights_bio, v_rest):
        """Theoretical (W, b) for synaptic weights and resting potentials; W must
        come out symmetric (up to rounding), and is made exactly so."""
        b = self.biases(v_rest)
        W = self._per_receiver(weights_bio, b, "weights_to_theo")
        asym = np.abs(W - W.T).max()
        if asym > 1e-6 * max(1.0, np.abs(W).max()):
            raise ValueError(
                "weights (bio) translate into asymmetric theoretical weights "
                f"(max |W - W.T| = {asym:.3g}); a Boltzmann machine needs W[i, j] == W[j, i]"
            )
        return 0.5 * (W + W.T), b
