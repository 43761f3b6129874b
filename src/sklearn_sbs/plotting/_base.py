"""What every display shares, written once: the prelude and epilogue of
``plot`` and ``from_*``, artist styles, checks of array data, the paired bars.

Matplotlib is imported inside the functions, never at module level, so that
importing :mod:`sklearn_sbs.plotting` does not import it.
"""

import numpy as np

CURVE_POINTS = 400      # points of a drawn theory curve


def check_matplotlib(caller):
    """Import matplotlib or raise an ImportError that says how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f'{caller} requires matplotlib; install it with: pip install "sklearn-sbs[plot]"'
        ) from exc


class DisplayMixin:
    """The shared prelude and epilogue of a display, as scikit-learn's
    ``_BinaryClassifierCurveDisplayMixin``.

    A display stores its data in ``__init__``; ``plot(ax=...)`` checks the
    data, calls :meth:`_validate_plot_params` (so that bad data raises before
    a figure is made), draws, stores the artists and ends with
    :meth:`_plot_done`; ``from_*`` class methods start with
    :meth:`_check_matplotlib` (before any simulation) and delegate to the
    constructor and ``plot``.
    """

    @classmethod
    def _check_matplotlib(cls, method):
        check_matplotlib(f"{cls.__name__}.{method}")

    def _validate_plot_params(self, *, ax=None, name=None):
        """Matplotlib checked; the axes (new ones when None), their figure and the
        legend prefix (the display's ``name`` unless one is given)."""
        self._check_matplotlib("plot")
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        name = getattr(self, "name", None) if name is None else name
        return ax, ax.figure, name

    def _plot_done(self, ax, figure):
        self.ax_, self.figure_ = ax, figure
        return self


def style(defaults, user, artist="line"):
    """Default style keywords updated by the user's, Matplotlib aliases resolved.

    ``artist`` is "line" (Line2D keywords) or "patch" (bars, histograms).
    ``lw`` given by the user overrides a default ``linewidth``; giving both an
    alias and its full name raises a TypeError, as Matplotlib does.
    """
    from matplotlib.cbook import normalize_kwargs
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    cls = {"line": Line2D, "patch": Patch}[artist]
    return {**normalize_kwargs(defaults, cls), **normalize_kwargs(user or {}, cls)}


def label(name, text):
    """A legend label, prefixed with ``name`` when there is one."""
    return text if name is None else f"{name}: {text}"


def as_1d(value, name):
    """``value`` as a non-empty 1-d float array; ValueError naming ``name``."""
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    return arr


def paired_bars(ax, target, sampled, ticks, *, name=None, target_kw=None, sampled_kw=None,
                **tick_kw):
    """Target (grey, left) and sampled (C0, right) bars side by side at 0 .. n-1.

    Draws the tick labels ``ticks`` (with ``tick_kw``) and the legend;
    returns the two BarContainers.
    """
    x = np.arange(target.size)
    target_bars = ax.bar(
        x - 0.2, target,
        **style({"width": 0.4, "color": "0.6", "label": label(name, "target")}, target_kw,
                "patch"),
    )
    sampled_bars = ax.bar(
        x + 0.2, sampled,
        **style({"width": 0.4, "color": "C0", "label": label(name, "sampled")}, sampled_kw,
                "patch"),
    )
    ax.set_xticks(x, ticks, **tick_kw)
    ax.set_xlim(-0.7, target.size - 0.3)      # after the ticks, which may widen the limits
    ax.legend(loc="upper right", fontsize="small", ncols=2)
    return target_bars, sampled_bars
