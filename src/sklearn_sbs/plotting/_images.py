"""Sampled visible states drawn as images: a mosaic of, e.g., 8×8 digits."""

import math
import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._base import DisplayMixin

__all__ = ["StatesImageDisplay"]


def _check_count(value, name, *, allow_none=False):
    """``value`` as an int >= 1 (or None when allowed); ValueError naming ``name``."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        extra = " or None" if allow_none else ""
        raise ValueError(f"{name} must be an int >= 1{extra}, got {value!r}")
    return int(value)


def _check_image_shape(image_shape, n_pixels):
    """``image_shape`` as (height, width) of ``n_pixels`` pixels; ValueError naming it."""
    try:
        shape = tuple(image_shape)
    except TypeError:
        shape = None
    if (shape is None or len(shape) != 2
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
                       for s in shape)):
        raise ValueError(f"image_shape must be a pair of positive ints (height, width), "
                         f"got {image_shape!r}")
    height, width = int(shape[0]), int(shape[1])
    if height * width != n_pixels:
        raise ValueError(f"image_shape {(height, width)} has {height * width} pixels, but the "
                         f"states have {n_pixels} (visible) units")
    return height, width


def _check_states(states):
    """``states`` as a non-empty 2-d float array of values in [0, 1]."""
    try:
        arr = np.asarray(states, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("states must be a 2-d array of values in [0, 1]") from exc
    if arr.ndim != 2 or arr.size == 0:
        raise ValueError(f"states must be a non-empty 2-d array (n_images, n_pixels), "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
        raise ValueError("states must hold values in [0, 1] (binary states or probabilities)")
    return arr


def _spaced(n_states, n_images, every):
    """Indices of at most ``n_images`` of ``n_states`` states: every ``every``-th
    from the first, or (``every=None``) spread evenly over all of them."""
    if every is None:
        return np.unique(np.round(np.linspace(0, n_states - 1, min(n_images, n_states)))
                         .astype(int))
    return np.arange(0, n_states, every)[:n_images]


def _mosaic(images, n_cols, gap):
    """Images (n, h, w) tiled row by row into one masked array; the gaps
    between tiles and the empty tiles of the last row are masked."""
    n, h, w = images.shape
    n_rows = math.ceil(n / n_cols)
    out = np.full((n_rows * (h + gap) - gap, n_cols * (w + gap) - gap), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, n_cols)
        out[r * (h + gap):r * (h + gap) + h, c * (w + gap):c * (w + gap) + w] = image
    return np.ma.masked_invalid(out)


class StatesImageDisplay(DisplayMixin):
    """States of the visible units drawn as images, tiled in a grid.

    Each row of ``states`` is reshaped (C order) to ``image_shape`` and drawn
    as one tile of a mosaic, row by row, in a single ``imshow``: one pixel per
    unit, on (1) black and off (0) white by default, as scikit-learn draws its
    digits; values between 0 and 1 (e.g. probabilities) are shades of grey.
    Tiles are separated by a thin gap in ``gap_color``.

    Parameters
    ----------
    states : array-like of shape (n_images, n_pixels)
        Binary states (or values in [0, 1]), one image per row.
    image_shape : tuple of int (height, width)
        Shape of one image; ``height * width == n_pixels``.
    name : str, default=None
        Title of the axes.

    Attributes
    ----------
    image_ : matplotlib AxesImage
        The mosaic; ``image_.get_array()`` is a masked array whose gaps are masked.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    sklearn_sbs.SpikingBoltzmannMachine.sample : The states of a spiking network.
    sklearn_sbs.boltzmann.gibbs_sample : Gibbs samples of the same machine.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sklearn_sbs.plotting import StatesImageDisplay
    >>> states = np.random.default_rng(0).integers(0, 2, size=(6, 4))   # six 2×2 images
    >>> display = StatesImageDisplay(states, (2, 2), name="random states").plot(n_cols=3)
    >>> display.image_.get_array().shape          # 2 rows, 3 columns, gaps of 1 pixel
    (5, 8)
    >>> display.image_.get_cmap().name, display.image_.get_clim()
    ('gray_r', (0.0, 1.0))
    >>> plt.close(display.figure_)
    """

    def __init__(self, states, image_shape, *, name=None):
        self.states = states
        self.image_shape = image_shape
        self.name = name

    def plot(self, ax=None, *, n_cols=None, name=None, gap=1, gap_color="0.6", **imshow_kw):
        """Plot the images.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        n_cols : int, default=None
            Images per row of the grid; None: ``ceil(sqrt(n_images))``.
        name : str, default=None
            Title of the axes; None uses the display's ``name``.
        gap : int, default=1
            Width of the gap between images, in pixels (0: none).
        gap_color : color, default="0.6"
            Colour of the gaps and of the empty tiles of the last row.
        **imshow_kw : dict
            Keywords for ``ax.imshow``; they override the defaults
            ``cmap="gray_r"``, ``vmin=0``, ``vmax=1`` (dropped when ``norm`` is
            given) and ``interpolation="nearest"``.

        Returns
        -------
        display : StatesImageDisplay
            The display, with the artists stored as attributes.
        """
        states = _check_states(self.states)
        height, width = _check_image_shape(self.image_shape, states.shape[1])
        n_cols = _check_count(n_cols, "n_cols", allow_none=True)
        if isinstance(gap, bool) or not isinstance(gap, numbers.Integral) or gap < 0:
            raise ValueError(f"gap must be an int >= 0, got {gap!r}")
        n_images = states.shape[0]
        n_cols = min(n_cols or math.ceil(math.sqrt(n_images)), n_images)
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        import matplotlib

        defaults = {"cmap": "gray_r", "interpolation": "nearest"}
        if "norm" not in imshow_kw:
            defaults.update(vmin=0.0, vmax=1.0)
        kw = {**defaults, **imshow_kw}
        kw["cmap"] = matplotlib.colormaps.get_cmap(kw["cmap"]).with_extremes(bad=gap_color)
        mosaic = _mosaic(states.reshape(n_images, height, width), n_cols, int(gap))
        self.image_ = ax.imshow(mosaic, **kw)
        ax.set_xticks([])
        ax.set_yticks([])
        if name is not None:
            ax.set_title(name)
        return self._plot_done(ax, fig)

    @classmethod
    def from_states(cls, states, image_shape, *, n_images=16, every=None, ax=None, name=None,
                    n_cols=None, gap=1, gap_color="0.6", **imshow_kw):
        """Plot ``n_images`` of the given states, spaced apart.

        Successive states of a sampler are correlated (a spiking network's
        states are ``tau_on`` apart, a Gibbs chain's one sweep): images taken
        apart show more of what the sampler visits.

        Parameters
        ----------
        states : array-like of shape (n_states, n_pixels)
            Binary states (or values in [0, 1]), e.g. the visible units.
        image_shape : tuple of int (height, width)
            Shape of one image; ``height * width == n_pixels``.
        n_images : int, default=16
            Number of images (fewer if there are fewer states).
        every : int, default=None
            Take every ``every``-th state from the first; None: spread
            ``n_images`` evenly over all states, first and last included.
        ax, name, n_cols, gap, gap_color, **imshow_kw
            As in :meth:`plot`.

        Returns
        -------
        display : StatesImageDisplay

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> import numpy as np
        >>> from sklearn_sbs.boltzmann import gibbs_sample
        >>> from sklearn_sbs.plotting import StatesImageDisplay
        >>> W = np.zeros((4, 4)); b = np.array([2.0, -2.0, -2.0, 2.0])     # a diagonal
        >>> z = gibbs_sample(W, b, 1000, random_state=0)
        >>> display = StatesImageDisplay.from_states(z, (2, 2), n_images=9, every=100)
        >>> display.image_.get_array().shape          # 3 × 3 images of 2 × 2 pixels
        (8, 8)
        >>> plt.close(display.figure_)
        """
        n_images = _check_count(n_images, "n_images")
        every = _check_count(every, "every", allow_none=True)
        arr = _check_states(states)
        chosen = arr[_spaced(arr.shape[0], n_images, every)]
        display = cls(chosen, image_shape, name=name)
        return display.plot(ax=ax, n_cols=n_cols, gap=gap, gap_color=gap_color, **imshow_kw)

    @classmethod
    def from_estimator(cls, machine, image_shape, *, n_images=16, every=None, duration=None,
                       random_state=None, ax=None, name=None, n_cols=None, gap=1,
                       gap_color="0.6", **imshow_kw):
        """Sample a fitted Boltzmann machine and plot states of its visible units.

        Runs ``machine.sample(duration=duration, random_state=random_state)``
        (a new run, which replaces the machine's last one, so that
        ``machine.sampled_marginals()`` etc. describe the states drawn from),
        keeps the visible units (the first ``machine.n_features_in_``) and
        plots ``n_images`` states as :meth:`from_states`.

        Parameters
        ----------
        machine : SpikingBoltzmannMachine
            A fitted machine.
        image_shape : tuple of int (height, width)
            Shape of one image; ``height * width == machine.n_features_in_``.
        n_images : int, default=16
            Number of images.
        every : int, default=None
            Take every ``every``-th sampled state (states are ``tau_on`` apart);
            None: spread ``n_images`` evenly over the whole run.
        duration : float, default=None
            Sampled ms; None: the machine's ``duration``.
        random_state : int, RandomState or None, default=None
            Seed of the run; None: the machine's ``random_state``.
        ax, name, n_cols, gap, gap_color, **imshow_kw
            As in :meth:`plot`.

        Returns
        -------
        display : StatesImageDisplay

        Raises
        ------
        ValueError
            If ``image_shape`` does not match the visible units, or
            ``n_images`` or ``every`` is not a positive int (before sampling).
        sklearn.exceptions.NotFittedError
            If the machine is not fitted.

        Examples
        --------
        >>> from sklearn_sbs import SpikingBoltzmannMachine
        >>> from sklearn_sbs.plotting import StatesImageDisplay
        >>> bm = SpikingBoltzmannMachine.from_bernoulli_rbm(rbm).fit()  # doctest: +SKIP
        >>> display = StatesImageDisplay.from_estimator(bm, (8, 8))  # doctest: +SKIP
        """
        cls._check_matplotlib("from_estimator")
        if not hasattr(machine, "sample"):
            raise TypeError(f"{cls.__name__}.from_estimator needs a SpikingBoltzmannMachine, "
                            f"got {type(machine).__name__}")
        check_is_fitted(machine)
        n_images = _check_count(n_images, "n_images")
        every = _check_count(every, "every", allow_none=True)
        n_visible = machine.n_features_in_
        _check_image_shape(image_shape, n_visible)
        states = machine.sample(duration=duration, random_state=random_state)[:, :n_visible]
        return cls.from_states(states, image_shape, n_images=n_images, every=every, ax=ax,
                               name=name, n_cols=n_cols, gap=gap, gap_color=gap_color,
                               **imshow_kw)
