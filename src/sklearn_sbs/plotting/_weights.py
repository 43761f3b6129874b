"""Heatmap of a Boltzmann machine's weights, theoretical or synaptic."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..neurons import get_model
from ._base import DisplayMixin

__all__ = ["WeightsDisplay"]

_BOLTZMANN_ATTRIBUTES = ["calibrators_", "weights_theo_", "weights_bio_"]


def _weight_unit(calibrators):
    """Unit of the synaptic weights: µS (conductance-based), nA (current-based) or both."""
    conductance = {get_model(c.neuron_model).conductance_based for c in calibrators}
    if conductance == {True}:
        return "µS"
    if conductance == {False}:
        return "nA"
    return "µS or nA, as unit j's neuron"


class WeightsDisplay(DisplayMixin):
    """Heatmap of a weight matrix.

    ``weights[i, j]`` (the synapse from unit i to unit j) at row i, column j,
    with a diverging colormap centred on zero (blue negative, i.e.
    inhibitory; red positive, excitatory) and a colorbar.

    Parameters
    ----------
    weights : array-like of shape (n_units, n_units)
        The weights.
    label : str, default="weight"
        Label of the colorbar, with the units.
    title : str, default=None
        Title of the axes; None: none.

    Attributes
    ----------
    im_ : matplotlib AxesImage
        The heatmap.
    colorbar_ : matplotlib Colorbar or None
        The colorbar.
    text_ : ndarray of shape (n_units, n_units) of matplotlib Text, or None
        The values, with ``include_values=True``.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_sbs.plotting import WeightsDisplay
    >>> W = [[0.0, 0.002, -0.001], [0.002, 0.0, 0.0005], [-0.001, 0.0005, 0.0]]
    >>> display = WeightsDisplay(W, label="synaptic weight (µS)").plot()
    >>> display.im_.get_clim()
    (-0.002, 0.002)
    >>> display.colorbar_.ax.get_ylabel()
    'synaptic weight (µS)'
    >>> plt.close(display.figure_)
    """

    def __init__(self, weights, *, label="weight", title=None):
        self.weights = weights
        self.label = label
        self.title = title

    def plot(self, ax=None, *, cmap="RdBu_r", colorbar=True, include_values=False,
             values_format=".2g", im_kw=None, text_kw=None):
        """Plot the heatmap.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        cmap : str or matplotlib Colormap, default="RdBu_r"
            A diverging colormap; its centre is at zero.
        colorbar : bool, default=True
            Draw a colorbar.
        include_values : bool, default=False
            Write the values into the cells.
        values_format : str, default=".2g"
            Format of the values.
        im_kw : dict, default=None
            Keywords for ``ax.imshow`` (``norm``, or ``vmin`` and ``vmax``,
            replace the symmetric limits ``±max|weights|``).
        text_kw : dict, default=None
            Keywords for ``ax.text`` of the values.

        Returns
        -------
        display : WeightsDisplay
        """
        W = np.asarray(self.weights, dtype=float)
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.size == 0:
            raise ValueError(f"weights must be a non-empty square matrix, got shape {W.shape}")
        if not np.all(np.isfinite(W)):
            raise ValueError("weights must be finite")
        ax, fig, _ = self._validate_plot_params(ax=ax)
        vmax = float(np.abs(W).max()) or 1.0
        im_kw = dict(im_kw or {})
        defaults = {"cmap": cmap, "interpolation": "nearest"}
        if "norm" not in im_kw:
            defaults.update(vmin=-vmax, vmax=vmax)
        self.im_ = ax.imshow(W, **{**defaults, **im_kw})
        self.colorbar_ = None
        if colorbar:
            self.colorbar_ = fig.colorbar(self.im_, ax=ax)
            self.colorbar_.set_label(self.label)
        self.text_ = None
        if include_values:
            lo, hi = self.im_.get_clim()
            half = 0.5 * max(abs(lo), abs(hi))
            self.text_ = np.empty(W.shape, dtype=object)
            for (i, j), w in np.ndenumerate(W):
                color = "white" if abs(w) > half else "black"
                self.text_[i, j] = ax.text(
                    j, i, format(w, values_format),
                    **{"ha": "center", "va": "center", "color": color, "fontsize": "small",
                       **(text_kw or {})},
                )
        n = W.shape[0]
        ax.set_xticks(np.arange(n))
        ax.set_yticks(np.arange(n))
        ax.set(xlabel="unit j (postsynaptic)", ylabel="unit i (presynaptic)")
        if self.title is not None:
            ax.set_title(self.title)
        return self._plot_done(ax, fig)

    @classmethod
    def from_estimator(cls, machine, kind="theo", *, ax=None, cmap="RdBu_r", colorbar=True,
                       include_values=False, values_format=".2g", im_kw=None, text_kw=None):
        """Plot the weights of a fitted Boltzmann machine.

        Parameters
        ----------
        machine : SpikingBoltzmannMachine
            A fitted machine.
        kind : {"theo", "bio"}, default="theo"
            ``"theo"``: the theoretical weights ``weights_theo_`` (unitless);
            ``"bio"``: the synaptic weights ``weights_bio_``, in µS for
            conductance-based neurons and nA for current-based ones (column j
            in the units of unit j's neuron; negative: inhibitory).
        ax, cmap, colorbar, include_values, values_format, im_kw, text_kw
            As in :meth:`plot`.

        Returns
        -------
        display : WeightsDisplay

        Raises
        ------
        ValueError
            If ``kind`` is neither "theo" nor "bio".
        sklearn.exceptions.NotFittedError
            If the machine is not fitted.

        Examples
        --------
        >>> from sklearn_sbs.plotting import WeightsDisplay
        >>> display = WeightsDisplay.from_estimator(bm, kind="bio")  # doctest: +SKIP
        """
        cls._check_matplotlib("from_estimator")
        if kind not in ("theo", "bio"):
            raise ValueError(f"kind must be 'theo' or 'bio', got {kind!r}")
        check_is_fitted(machine, _BOLTZMANN_ATTRIBUTES)
        if kind == "theo":
            weights, label, title = (machine.weights_theo_, "theoretical weight W_ij",
                                     "theoretical weights")
        else:
            unit = _weight_unit(machine.calibrators_)
            weights = machine.weights_bio_
            label = f"synaptic weight ({unit}); < 0: inhibitory"
            title = f"synaptic weights ({unit})"
        display = cls(weights, label=label, title=title)
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar, include_values=include_values,
                            values_format=values_format, im_kw=im_kw, text_kw=text_kw)
