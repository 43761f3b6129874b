"""From spike trains to binary states and their statistics.

A sampling unit is "on" (z = 1) during ``[t, t + tau_on)`` after each of its
spikes; a spike while it is on restarts the window.  :class:`SpikeTrains` holds
the spikes of a network (sorted once), and computes time-weighted statistics over
a window ``[t_start, t_stop)``: joint distributions of up to 24 units, marginals
and co-activation of all units, and states sampled on a time grid.  All of them
take time linear in the number of spikes.
"""

import numpy as np

from ._kernels import _spikes
from ._validation import MAX_JOINT_UNITS, as_float_array, as_int, as_real, check_units

__all__ = ["SpikeTrains", "MAX_JOINT_UNITS"]

_MAX_STATE_BYTES = 2 ** 31       # states on a grid: refuse outputs above 2 GiB


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

    def __init__(self, times, ids, n_units, tau_on):
        self.n_units = as_int(n_units, "n_units", low=1)
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
        tau = np.asarray(tau_on, dtype=np.float64) if np.ndim(tau_on) else None
        if tau is None:
            tau = np.full(self.n_units, as_real(tau_on, "tau_on", low=0, low_inclusive=False))
        else:
            tau = as_float_array(tau, "tau_on", 1)
            if tau.shape != (self.n_units,) or not np.all(tau > 0):
                raise ValueError(
                    f"tau_on must be a positive number or {self.n_units} positive numbers, got {tau_on!r}"
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
        t_start = as_real(t_start, "t_start")
        t_stop = as_real(t_stop, "t_stop")
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

    def marginals(self, t_start, t_stop):
        """Fraction of ``[t_start, t_stop)`` each unit spends on, shape (n_units,)."""
        t_start, t_stop = self._window(t_start, t_stop)
        is_start, ends = self.intervals()
        on = _spikes.on_time(self.times, self.ids, is_start, ends, self.n_units, t_start, t_stop)
        return on / (t_stop - t_start)

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

    def states(self, t_start, t_stop, step):
        """Binary states of all units at ``t_start + k * step`` for times ``< t_stop``.

        Returns a uint8 array of shape (n_samples, n_units).
        """
        t_start, t_stop = self._window(t_start, t_stop)
        step = as_real(step, "step", low=0, low_inclusive=False)
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
