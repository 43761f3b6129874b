"""Displays of what a Boltzmann machine sampled against its target: the joint
distribution of a few units and the marginals of all."""

import numpy as np

from .._validation import check_units
from ..metrics import dkl as _dkl
from ._base import DisplayMixin, as_1d, label, paired_bars

__all__ = ["JointDistributionDisplay", "MarginalsDisplay"]

_MAX_PLOTTED_UNITS = 10         # 1024 states: beyond, bars and tick labels are unreadable


def _check_machine(machine, caller):
    if not all(hasattr(machine, a) for a in ("target_joint", "sampled_joint",
                                             "target_marginals", "sampled_marginals")):
        raise TypeError(f"{caller} needs a SpikingBoltzmannMachine, got {type(machine).__name__}")


def _check_same_shape(target, sampled):
    # a joint may come flat or as (2,) * m: the sizes are what must agree
    if target.size != sampled.size:
        raise ValueError(f"target and sampled must have the same shape, got {target.shape} "
                         f"and {sampled.shape}")


def _as_probabilities(value, name):
    """``value`` as a flat array of finite, non-negative numbers."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an array of probabilities") from exc
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError(f"{name} must hold finite, non-negative probabilities")
    return arr


def _n_joint_units(arr, name):
    """Number of units of a joint given flat (2**m,) or as shape (2,) * m."""
    if arr.ndim == 1:
        m = int(arr.size).bit_length() - 1
        if arr.size < 2 or arr.size != 1 << m:
            raise ValueError(f"{name} must have 2**m entries (or shape (2,) * m), "
                             f"got {arr.size}")
        return m
    if any(d != 2 for d in arr.shape):
        raise ValueError(f"{name} must have shape (2,) * m (or 2**m entries), got {arr.shape}")
    return arr.ndim


def _shown_dkl(target, sampled, dkl):
    """The given divergence, or DKL(target ‖ sampled) of the arrays, unsmoothed."""
    if dkl is not None:
        return float(dkl)
    try:
        return _dkl(target, sampled)
    except ValueError as exc:
        raise ValueError(f"target and sampled must be distributions: {exc}") from exc


def _state_labels(m):
    """Binary labels of the 2**m states in C order: the first unit's digit first."""
    return [format(k, f"0{m}b") for k in range(1 << m)]


class JointDistributionDisplay(DisplayMixin):
    """Target and sampled joint distribution of binary units.

    Grouped bars over the ``2**m`` states of ``m`` units, the exact (target)
    probability beside the sampled one, on a logarithmic y axis by default, so
    that rare states stay visible.  The state labels give the units' values in
    order, the first unit's digit first: ``"010"`` is ``z = (0, 1, 0)`` for
    ``units = (u0, u1, u2)``; this is the C order of an array of shape
    ``(2,) * m`` whose axis k is unit ``units[k]``, as returned by
    :meth:`SpikingBoltzmannMachine.target_joint` and ``sampled_joint``.  The
    title gives the Kullback-Leibler divergence DKL(target ‖ sampled) in nats.

    States that were never sampled have a sampled probability of 0: on the
    log axis their bar has no height and does not show (nothing is clipped or
    replaced), and unless ``dkl`` is given the divergence is infinite when the
    target gives them probability.

    Parameters
    ----------
    target : array-like of shape (2,) * m or (2**m,)
        Exact probabilities of the states.
    sampled : array-like of shape (2,) * m or (2**m,)
        Sampled probabilities of the states, in the same order.
    units : sequence of m int, default=None
        Indices of the units, for the axis label; None: ``0 .. m-1``.
    dkl : float, default=None
        DKL(target ‖ sampled) to show, e.g. a smoothed one (see
        :meth:`from_estimator`); None computes it from the arrays, unsmoothed
        (:func:`sklearn_sbs.metrics.dkl`; both must sum to 1).
    name : str, default=None
        Prefix of the legend labels and the title.

    Attributes
    ----------
    target_bars_ : matplotlib BarContainer
        The target probabilities.
    sampled_bars_ : matplotlib BarContainer
        The sampled probabilities.
    dkl_ : float
        The divergence shown in the title.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    MarginalsDisplay : Target and sampled marginals.
    sklearn_sbs.metrics.dkl : The divergence.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_sbs.plotting import JointDistributionDisplay
    >>> target = [[0.4, 0.1], [0.2, 0.3]]             # p(z_0, z_1)
    >>> sampled = [[0.45, 0.0], [0.2, 0.35]]          # state "01" never sampled
    >>> display = JointDistributionDisplay(target=target, sampled=sampled, dkl=0.05).plot()
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]
    ['00', '01', '10', '11']
    >>> display.ax_.get_yscale(), display.ax_.get_title()
    ('log', 'DKL(target ‖ sampled) = 0.05 nats')
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, target, sampled, units=None, dkl=None, name=None):
        self.target = target
        self.sampled = sampled
        self.units = units
        self.dkl = dkl
        self.name = name

    def plot(self, ax=None, *, name=None, log=True, target_kw=None, **kwargs):
        """Plot the joint distributions.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels and the title; None uses the
            display's ``name``.
        log : bool, default=True
            Logarithmic y axis; bars of probability 0 do not show on it.
        target_kw : dict, default=None
            Keywords for ``ax.bar`` of the target probabilities.
        **kwargs : dict
            Keywords for ``ax.bar`` of the sampled probabilities.

        Returns
        -------
        display : JointDistributionDisplay
            The display, with the artists stored as attributes.
        """
        target = _as_probabilities(self.target, "target")
        sampled = _as_probabilities(self.sampled, "sampled")
        _check_same_shape(target, sampled)
        m = _n_joint_units(target, "target")
        _n_joint_units(sampled, "sampled")
        if m > _MAX_PLOTTED_UNITS:
            raise ValueError(f"{type(self).__name__} draws at most {_MAX_PLOTTED_UNITS} units "
                             f"({1 << _MAX_PLOTTED_UNITS} states), got {m}; select fewer units")
        units = check_units(self.units, None, size=m)
        target, sampled = target.ravel(), sampled.ravel()
        self.dkl_ = _shown_dkl(target, sampled, self.dkl)
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        many = m >= 4
        self.target_bars_, self.sampled_bars_ = paired_bars(
            ax, target, sampled, _state_labels(m), name=name, target_kw=target_kw,
            sampled_kw=kwargs, rotation=90 if many else 0, fontsize="small" if many else None,
            family="monospace",
        )
        never = " (a target state was never sampled)" if np.isinf(self.dkl_) else ""
        ax.set_title(label(name, f"DKL(target ‖ sampled) = {self.dkl_:.3g} nats{never}"))
        ax.set(xlabel="state (" + " ".join(f"z_{u}" for u in units) + ")",
               ylabel="probability")
        if log:
            ax.set_yscale("log", nonpositive="clip")
            positive = np.concatenate([target[target > 0], sampled[sampled > 0]])
            if positive.size:
                low = 10.0 ** np.floor(np.log10(0.5 * positive.min()))
                ax.set_ylim(low, max(5.0 * positive.max(), 10 * low))   # room for the legend
        else:
            ax.set_ylim(0.0, 1.3 * max(target.max(), sampled.max()))
        return self._plot_done(ax, fig)

    @classmethod
    def from_estimator(cls, machine, units=None, *, ax=None, name=None, log=True,
                       target_kw=None, **kwargs):
        """Plot the target and sampled joint of a Boltzmann machine's units.

        Samples first (``machine.sample()``) if nothing was sampled yet.  The
        divergence in the legend is smoothed as in
        :meth:`SpikingBoltzmannMachine.score`: half the weight of one sample
        is added to every sampled state, so it stays finite when states were
        never visited, and with ``units=None`` it is ``-machine.score()``.  The
        bars show the unsmoothed sampled probabilities.

        Parameters
        ----------
        machine : SpikingBoltzmannMachine
            A fitted machine.
        units : sequence of int, default=None
            Units of the joint (at most 10), in that order; None: all units.
        ax, name, log, target_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : JointDistributionDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the machine is not fitted (and so cannot sample).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_sbs import SpikingBoltzmannMachine
        >>> from sklearn_sbs.plotting import JointDistributionDisplay
        >>> W = np.array([[0.0, 0.5], [0.5, 0.0]]); b = np.array([-0.3, 0.2])
        >>> bm = SpikingBoltzmannMachine(W, b, duration=2e4).fit()  # doctest: +SKIP
        >>> display = JointDistributionDisplay.from_estimator(bm)  # doctest: +SKIP
        """
        cls._check_matplotlib("from_estimator")
        _check_machine(machine, f"{cls.__name__}.from_estimator")
        sampled = machine.sampled_joint(units)          # samples if needed
        target = machine.target_joint(units)
        # smoothed as the machine's score smooths it
        dkl = _dkl(target, sampled, eps=machine.sampled_run_.smoothing())
        display = cls(target=target, sampled=sampled,
                      units=tuple(range(np.ndim(target))) if units is None else units,
                      dkl=dkl, name=name)
        return display.plot(ax=ax, log=log, target_kw=target_kw, **kwargs)


class MarginalsDisplay(DisplayMixin):
    """Target and sampled marginals p(z_i = 1) of binary units.

    Grouped bars per unit, the exact (target) probability of being on beside
    the sampled one; the title gives the largest absolute difference.

    Parameters
    ----------
    target : array-like of shape (n_units,)
        Exact p(z_i = 1).
    sampled : array-like of shape (n_units,)
        Sampled p(z_i = 1).
    units : sequence of int, default=None
        Indices of the units, for the tick labels; None: ``0 .. n_units-1``.
    name : str, default=None
        Prefix of the legend labels and the title.

    Attributes
    ----------
    target_bars_ : matplotlib BarContainer
        The target marginals.
    sampled_bars_ : matplotlib BarContainer
        The sampled marginals.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    JointDistributionDisplay : Target and sampled joint distribution.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_sbs.plotting import MarginalsDisplay
    >>> display = MarginalsDisplay(target=[0.3, 0.5, 0.8], sampled=[0.32, 0.47, 0.8]).plot()
    >>> display.ax_.get_title()
    'max |sampled - target| = 0.03'
    >>> [t.get_text() for t in display.ax_.get_xticklabels()]
    ['0', '1', '2']
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, target, sampled, units=None, name=None):
        self.target = target
        self.sampled = sampled
        self.units = units
        self.name = name

    def plot(self, ax=None, *, name=None, target_kw=None, **kwargs):
        """Plot the marginals.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels and the title; None uses the
            display's ``name``.
        target_kw : dict, default=None
            Keywords for ``ax.bar`` of the target marginals.
        **kwargs : dict
            Keywords for ``ax.bar`` of the sampled marginals.

        Returns
        -------
        display : MarginalsDisplay
        """
        target, sampled = as_1d(self.target, "target"), as_1d(self.sampled, "sampled")
        _check_same_shape(target, sampled)
        for which, arr in (("target", target), ("sampled", sampled)):
            if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
                raise ValueError(f"{which} must hold probabilities in [0, 1]")
        units = check_units(self.units, None, size=target.size)
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        self.target_bars_, self.sampled_bars_ = paired_bars(
            ax, target, sampled, [str(u) for u in units], name=name, target_kw=target_kw,
            sampled_kw=kwargs,
        )
        worst = float(np.max(np.abs(sampled - target)))
        ax.set_title(label(name, f"max |sampled - target| = {worst:.2g}"))
        ax.set(xlabel="unit i", ylabel="p(z_i = 1)", ylim=(0.0, 1.15))
        return self._plot_done(ax, fig)

    @classmethod
    def from_estimator(cls, machine, units=None, *, ax=None, name=None, target_kw=None,
                       **kwargs):
        """Plot the target and sampled marginals of a Boltzmann machine.

        Samples first (``machine.sample()``) if nothing was sampled yet.

        Parameters
        ----------
        machine : SpikingBoltzmannMachine
            A fitted machine.
        units : sequence of int, default=None
            Units to show, in that order; None: all.
        ax, name, target_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : MarginalsDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the machine is not fitted (and so cannot sample).

        Examples
        --------
        >>> from sklearn_sbs.plotting import MarginalsDisplay
        >>> display = MarginalsDisplay.from_estimator(bm)  # doctest: +SKIP
        """
        cls._check_matplotlib("from_estimator")
        _check_machine(machine, f"{cls.__name__}.from_estimator")
        sampled = np.asarray(machine.sampled_marginals())      # samples if needed
        target = np.asarray(machine.target_marginals())
        if units is not None:
            chosen = np.asarray(check_units(units, target.size))
            target, sampled = target[chosen], sampled[chosen]
        display = cls(target=target, sampled=sampled, units=units, name=name)
        return display.plot(ax=ax, target_kw=target_kw, **kwargs)
