"""From spike trains to binary states and their statistics.

A sampling unit is "on" (z = 1) during ``[t, t + tau_on)`` after each of its
spikes; a spike while it is on restarts the window.  :class:`SpikeTrains` holds
the spikes of a network (sorted once), and computes time-weighted statistics over
a window ``[t_start, t_stop)``: joint distributions of up to 24 units, marginals
and co-activation of all units, and states sampled on a time grid.  All of them
take time linear in the number of spikes.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import validate_params

from ._kernels import _spikes
from ._validation import MAX_JOINT_UNITS, ArrayOf, Number, as_float_array, check_units

__all__ = ["SpikeTrains", "MAX_JOINT_UNITS"]

_MAX_STATE_BYTES = 2 ** 31       # states on a grid: refuse outputs above 2 GiB
_TIME = [Number(Real, None, None, closed="neither")]        # finite, ms
_WINDOW = {"t_start": _TIME, "t_stop": _TIME}


class SpikeTrains:
    """Spikes of ``n_units`` sampling units and their on-times.

    Parameters
    ----------
    times : array-like of shape (n_spikes,)
        Spike times in ms, in any order.
    ids : array-like of shape (n_spikes,)
        Unit of each spike, integers in ``[0, n_units)``.
    n_units : int
        Number of units (units without spikes count too).
    tau_on : float or array-like of shape (n_units,)
        On-time after a spike in ms (usually the refractory period), per unit
        or one for all.

    Attributes
    ----------
    times : ndarray of shape (n_spikes,)
        Spike times, sorted (the order among equal times is unspecified: it
        changes no statistic).
    ids : ndarray of shape (n_spikes,)
        Units of the sorted spikes.
    tau_on : ndarray of shape (n_units,)

    Examples
    --------
    >>> from sklearn_sbs.spikes import SpikeTrains
    >>> st = SpikeTrains(times=[5.0, 1.0, 8.0], ids=[1, 0, 0], n_units=2, tau_on=10.0)
    >>> st.marginals(0.0, 20.0)      # unit 0 on during [1, 18) (restarted at 8), unit 1 [5, 15)
    array([0.85, 0.5 ])
    >>> st.joint(0.0, 20.0)          # axis i is unit i
    array([[0.15, 0.  ],
           [0.35, 0.5 ]])
    >>> st.states(0.0, 20.0, step=10.0)      # states at t = 0 and t = 10
    array([[0, 0],
           [1, 1]], dtype=uint8)
    """

    @validate_params(
        {"times": ["array-like"], "ids": ["array-like"],
         "n_units": [Number(Integral, 1, None, closed="left")],
         "tau_on": [Number(Real, 0, None, closed="neither"),
                    ArrayOf(Real, 0, None, closed="neither")]},
        prefer_skip_nested_validation=True,
    )
    def __init__(self, times, ids, n_units, tau_on):
        self.n_units = int(n_units)
        times = as_float_array(times, "times", 1)
        ids_arr = np.asarray(ids)
        if ids_arr.ndim != 1 or ids_arr.shape != times.shape:
            raise ValueError(
                f"ids must be 1-d with one entry per spike ({times.shape[0]}), got shape {ids_arr.shape}"
            )
        if ids_arr.size and not np.issubdtype(ids_arr.dtype, np.integer):
            if not (np.issubdtype(ids_arr.dtype, np.floating) and np.all(ids_arr == np.round(ids_arr))):
                raise ValueError(f"ids must be integers, got dtype {ids_arr.dtype}")
        ids_arr = ids_arr.astype(np.int64)
        if ids_arr.size and (ids_arr.min() < 0 or ids_arr.max() >= self.n_units):
            raise ValueError(
                f"ids must lie in [0, n_units) = [0, {self.n_units}), "
                f"got values from {ids_arr.min()} to {ids_arr.max()}"
            )
        if np.ndim(tau_on) == 0:
            tau = np.full(self.n_units, float(tau_on))
        else:
            tau = np.asarray(tau_on, dtype=np.float64)
            if tau.shape != (self.n_units,):
                raise ValueError(
                    f"tau_on must be one number or one per unit (n_units = {self.n_units}), "
                    f"got {tau.shape[0]}"
                )
        if times.size > 1 and np.any(times[1:] < times[:-1]):
            order = np.argsort(times)     # sorted once, here; stability is not needed
            times, ids_arr = times[order], ids_arr[order]
        self.times = np.ascontiguousarray(times)
        self.ids = np.ascontiguousarray(ids_arr)
        self.tau_on = np.ascontiguousarray(tau)
        self._intervals = None

    @property
    def n_spikes(self):
        return self.times.shape[0]

    def _window(self, t_start, t_stop):
        t_start, t_stop = float(t_start), float(t_stop)
        if not t_stop > t_start:
            raise ValueError(f"t_stop must be greater than t_start, got t_start={t_start}, t_stop={t_stop}")
        return t_start, t_stop

    def intervals(self):
        """Merged on-intervals: ``(is_start, ends)`` aligned with ``times``.

        ``is_start[k]`` is 1 where spike k opens an interval, which then ends at
        ``ends[k]`` (after restarts).  Computed once and cached.
        """
        if self._intervals is None:
            self._intervals = _spikes.on_intervals(self.times, self.ids, self.tau_on, self.n_units)
        return self._intervals

    @validate_params(_WINDOW, prefer_skip_nested_validation=True)
    def marginals(self, t_start, t_stop):
        """Fraction of ``[t_start, t_stop)`` each unit spends on, shape (n_units,)."""
        t_start, t_stop = self._window(t_start, t_stop)
        is_start, ends = self.intervals()
        on = _spikes.on_time(self.times, self.ids, is_start, ends, self.n_units, t_start, t_stop)
        return on / (t_stop - t_start)

    @validate_params(_WINDOW, prefer_skip_nested_validation=True)
    def coactivation(self, t_start, t_stop):
        """Time-weighted ``<z_i z_j>`` of all units, shape (n_units, n_units).

        The diagonal holds the marginals.  Cost: spikes times the mean number of
        units on, never spikes times n_units**2.
        """
        t_start, t_stop = self._window(t_start, t_stop)
        is_start, ends = self.intervals()
        co = _spikes.co_on_time(self.times, self.ids, is_start, ends, self.n_units, t_start, t_stop)
        return co / (t_stop - t_start)

    def _check_units(self, units):
        return np.asarray(check_units(units, self.n_units, joint=True), dtype=np.int64)

    @validate_params({**_WINDOW, "units": [None, "array-like"]},
                     prefer_skip_nested_validation=True)
    def joint(self, t_start, t_stop, units=None):
        """Time-weighted joint distribution of ``units`` (default: all, at most 24).

        Returns an array of shape ``(2,) * len(units)``; axis k is ``units[k]``.
        """
        t_start, t_stop = self._window(t_start, t_stop)
        units = self._check_units(units)
        m = units.size
        times, pos = self.times, self.ids
        if not np.array_equal(units, np.arange(self.n_units)):
            # keep only the selected units' spikes, labelled by their axis
            position = np.full(self.n_units, -1, dtype=np.int64)
            position[units] = np.arange(m)
            pos = position[self.ids]
            keep = pos >= 0
            times, pos = np.ascontiguousarray(times[keep]), np.ascontiguousarray(pos[keep])
        # units sharing an on-time share a stream of window ends in the kernel
        group_tau, group = np.unique(self.tau_on[units], return_inverse=True)
        hist = _spikes.joint_time(
            times, pos, np.ascontiguousarray(group, dtype=np.int64),
            np.ascontiguousarray(group_tau), m, t_start, t_stop,
        )
        return (hist / (t_stop - t_start)).reshape((2,) * m)

    @validate_params({**_WINDOW, "step": [Number(Real, 0, None, closed="neither")]},
                     prefer_skip_nested_validation=True)
    def states(self, t_start, t_stop, step):
        """Binary states of all units at ``t_start + k * step`` for times ``< t_stop``.

        Returns a uint8 array of shape (n_samples, n_units).
        """
        t_start, t_stop = self._window(t_start, t_stop)
        step = float(step)
        estimate = np.ceil((t_stop - t_start) / step)
        if not estimate * self.n_units <= _MAX_STATE_BYTES:      # also catches inf
            raise ValueError(
                f"step={step} gives {estimate:.3g} samples of {self.n_units} units, more than "
                f"{_MAX_STATE_BYTES} bytes; use a larger step or a shorter window"
            )
        # count grid points t_start + k * step < t_stop as the kernel computes them
        n_samples = int(estimate)
        while t_start + n_samples * step < t_stop:
            n_samples += 1
        while n_samples > 0 and t_start + (n_samples - 1) * step >= t_stop:
            n_samples -= 1
        is_start, ends = self.intervals()
        return _spikes.states_on_grid(
            self.times, self.ids, is_start, ends, self.n_units, t_start, step, n_samples
        )
