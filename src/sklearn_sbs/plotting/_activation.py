"""Displays of a calibrated activation function: the measured points, the
fitted and the theory's logistic, and the residuals of the fit."""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._calibrator import logistic
from ._base import CURVE_POINTS, DisplayMixin, as_1d, label, style

__all__ = ["ActivationDisplay", "ActivationResidualsDisplay"]

_ACTIVATION_ATTRIBUTES = ["v_rest_", "p_on_", "p_on_std_", "v_p05_", "alpha_", "neuron_params_"]
_V_REST_LABEL = "resting potential v_rest (mV)"


def _activation_data(calibrator):
    """Constructor keywords shared by both displays, from a fitted calibrator."""
    return {"v_rest": calibrator.v_rest_, "p_on": calibrator.p_on_,
            "p_on_std": calibrator.p_on_std_, "v_p05": calibrator.v_p05_,
            "alpha": calibrator.alpha_}


def _measurements(display):
    """The display's v_rest, p_on and p_on_std (None when not given) as arrays."""
    std = None if display.p_on_std is None else as_1d(display.p_on_std, "p_on_std")
    return as_1d(display.v_rest, "v_rest"), as_1d(display.p_on, "p_on"), std


def _measured_points(ax, x, y, yerr, text, user_kw):
    """The measured points with their error bars (an ErrorbarContainer)."""
    return ax.errorbar(
        x, y, yerr=yerr,
        **style({"marker": "o", "linestyle": "none", "markersize": 4, "capsize": 2,
                 "zorder": 3, "label": text}, user_kw),
    )


def _legend(ax, loc):
    """A legend with the measured points (error bars) before the lines."""
    from matplotlib.container import ErrorbarContainer

    pairs = list(zip(*ax.get_legend_handles_labels()))
    pairs.sort(key=lambda pair: not isinstance(pair[0], ErrorbarContainer))   # stable
    ax.legend(*zip(*pairs), loc=loc, fontsize="small")


class ActivationDisplay(DisplayMixin):
    """Activation function of a calibrated LIF sampler.

    The measured fraction of time "on" against the resting potential, with its
    standard errors, the fitted logistic ``1 / (1 + exp(-(v_rest - v_p05) /
    alpha))`` and, when given, the free-membrane theory's logistic and the
    firing threshold.  Build it with :meth:`from_estimator`; the constructor
    takes the data as arrays.

    Parameters
    ----------
    v_rest : array-like of shape (n_points,)
        Resting potentials measured, in mV.
    p_on : array-like of shape (n_points,)
        Measured activation at ``v_rest``.
    p_on_std : array-like of shape (n_points,), default=None
        Standard errors of ``p_on``; None draws no error bars.
    v_p05 : float
        Fitted resting potential of half activation, in mV.
    alpha : float
        Fitted logistic width, in mV.
    theory_v_p05, theory_alpha : float, default=None
        The free-membrane theory's logistic; None draws none.
    v_thresh : float, default=None
        Firing threshold in mV, drawn as a vertical line; None draws none.
    name : str, default=None
        Prefix of the legend labels, e.g. to tell several calibrations apart
        in one axes.

    Attributes
    ----------
    errorbar_ : matplotlib ErrorbarContainer
        The measured points.
    fit_line_ : matplotlib Line2D
        The fitted logistic.
    theory_line_ : matplotlib Line2D or None
        The theory's logistic.
    v_p05_line_ : matplotlib Line2D
        Vertical line at ``v_p05``.
    v_thresh_line_ : matplotlib Line2D or None
        Vertical line at ``v_thresh``.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ActivationResidualsDisplay : Measured minus fitted activation.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_sbs import LIFSamplerCalibrator
    >>> from sklearn_sbs.plotting import ActivationDisplay
    >>> cal = LIFSamplerCalibrator(duration=2000.0, random_state=0).fit()  # doctest: +SKIP
    >>> display = ActivationDisplay.from_estimator(cal)  # doctest: +SKIP

    From arrays, without a simulation:

    >>> display = ActivationDisplay(
    ...     v_rest=[-52.0, -51.0, -50.5, -50.0, -49.0], p_on=[0.05, 0.2, 0.5, 0.8, 0.95],
    ...     p_on_std=[0.01, 0.02, 0.02, 0.02, 0.01], v_p05=-50.5, alpha=0.7, v_thresh=-50.0,
    ... ).plot()
    >>> display.fit_line_.get_label(), display.ax_.get_xlabel()
    ('fitted logistic (v_p05 = -50.50 mV, alpha = 0.700 mV)', 'resting potential v_rest (mV)')
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, v_rest, p_on, p_on_std=None, v_p05, alpha, theory_v_p05=None,
                 theory_alpha=None, v_thresh=None, name=None):
        self.v_rest = v_rest
        self.p_on = p_on
        self.p_on_std = p_on_std
        self.v_p05 = v_p05
        self.alpha = alpha
        self.theory_v_p05 = theory_v_p05
        self.theory_alpha = theory_alpha
        self.v_thresh = v_thresh
        self.name = name

    def _curve_range(self, v_rest):
        marks = [v_rest.min(), v_rest.max(), self.v_p05]
        marks += [v for v in (self.v_thresh, self.theory_v_p05) if v is not None]
        lo, hi = min(marks), max(marks)
        pad = 0.05 * max(hi - lo, 4.0 * self.alpha)
        return np.linspace(lo - pad, hi + pad, CURVE_POINTS)

    def plot(self, ax=None, *, name=None, plot_theory=True, fit_kw=None, theory_kw=None,
             vline_kw=None, **kwargs):
        """Plot the activation.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels; None uses the display's ``name``.
        plot_theory : bool, default=True
            Draw the theory's logistic (when the display has one).
        fit_kw : dict, default=None
            Keywords for ``ax.plot`` of the fitted logistic.
        theory_kw : dict, default=None
            Keywords for ``ax.plot`` of the theory's logistic.
        vline_kw : dict, default=None
            Keywords for ``ax.axvline`` of both vertical lines.
        **kwargs : dict
            Keywords for ``ax.errorbar`` of the measured points.

        Returns
        -------
        display : ActivationDisplay
            The display, with the artists stored as attributes.
        """
        v_rest, p_on, std = _measurements(self)
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        grid = self._curve_range(v_rest)

        self.errorbar_ = _measured_points(ax, v_rest, p_on, std, label(name, "measured"), kwargs)
        (self.fit_line_,) = ax.plot(
            grid, logistic(grid, self.v_p05, self.alpha),
            **style({"label": label(name, f"fitted logistic (v_p05 = {self.v_p05:.2f} mV, "
                                          f"alpha = {self.alpha:.3f} mV)")}, fit_kw),
        )
        self.theory_line_ = None
        if plot_theory and self.theory_v_p05 is not None and self.theory_alpha is not None:
            (self.theory_line_,) = ax.plot(
                grid, logistic(grid, self.theory_v_p05, self.theory_alpha),
                **style({"linestyle": "--",
                         "label": label(name, f"theory (v_p05 = {self.theory_v_p05:.2f} mV, "
                                              f"alpha = {self.theory_alpha:.3f} mV)")},
                        theory_kw),
            )
        vline = style({"linewidth": 1.0, "zorder": 1}, vline_kw)
        self.v_p05_line_ = ax.axvline(
            self.v_p05, **{"color": self.fit_line_.get_color(), "linestyle": "-.",
                           "label": label(name, "v_p05"), **vline},
        )
        self.v_thresh_line_ = None
        if self.v_thresh is not None:
            self.v_thresh_line_ = ax.axvline(
                self.v_thresh, **{"color": "0.3", "linestyle": ":",
                                  "label": label(name, f"v_thresh = {self.v_thresh:.2f} mV"),
                                  **vline},
            )
        ax.set(xlabel=_V_REST_LABEL, ylabel="p_on (fraction of time on)")
        _legend(ax, "upper left")
        return self._plot_done(ax, fig)

    @classmethod
    def from_estimator(cls, calibrator, *, ax=None, name=None, plot_theory=True, fit_kw=None,
                       theory_kw=None, vline_kw=None, **kwargs):
        """Plot the activation of a fitted calibrator.

        Parameters
        ----------
        calibrator : LIFSamplerCalibrator
            A fitted calibrator.
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels.
        plot_theory : bool, default=True
            Draw the free-membrane theory's logistic (``theory_v_p05_``,
            ``theory_alpha_``).
        fit_kw, theory_kw, vline_kw : dict, default=None
            As in :meth:`plot`.
        **kwargs : dict
            Keywords for ``ax.errorbar`` of the measured points.

        Returns
        -------
        display : ActivationDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the calibrator is not fitted.

        Examples
        --------
        >>> from sklearn_sbs import LIFSamplerCalibrator
        >>> from sklearn_sbs.plotting import ActivationDisplay
        >>> cal = LIFSamplerCalibrator(duration=2000.0, random_state=0).fit()  # doctest: +SKIP
        >>> display = ActivationDisplay.from_estimator(cal, name="dt = 0.1 ms")  # doctest: +SKIP
        >>> display.figure_.savefig("activation.png")  # doctest: +SKIP
        """
        cls._check_matplotlib("from_estimator")
        check_is_fitted(calibrator, _ACTIVATION_ATTRIBUTES)
        display = cls(
            **_activation_data(calibrator),
            theory_v_p05=getattr(calibrator, "theory_v_p05_", None),
            theory_alpha=getattr(calibrator, "theory_alpha_", None),
            v_thresh=calibrator.neuron_params_["v_thresh"], name=name,
        )
        return display.plot(ax=ax, plot_theory=plot_theory, fit_kw=fit_kw, theory_kw=theory_kw,
                            vline_kw=vline_kw, **kwargs)


class ActivationResidualsDisplay(DisplayMixin):
    """Measured minus fitted activation of a calibrated LIF sampler.

    Residuals ``p_on - logistic(v_rest; v_p05, alpha)`` with the measurement's
    standard errors as error bars, and a line at zero: a systematic pattern
    (e.g. an S shape) shows where the activation is not a logistic, scattered
    points within their error bars that it is.

    Parameters
    ----------
    v_rest : array-like of shape (n_points,)
        Resting potentials measured, in mV.
    p_on : array-like of shape (n_points,)
        Measured activation at ``v_rest``.
    p_on_std : array-like of shape (n_points,), default=None
        Standard errors of ``p_on``; None draws no error bars.
    v_p05 : float
        Fitted resting potential of half activation, in mV.
    alpha : float
        Fitted logistic width, in mV.
    name : str, default=None
        Prefix of the legend label.

    Attributes
    ----------
    residuals : ndarray of shape (n_points,)
        ``p_on`` minus the fitted logistic at ``v_rest`` (a property).
    errorbar_ : matplotlib ErrorbarContainer
        The residuals.
    zero_line_ : matplotlib Line2D
        Horizontal line at 0 (the fitted logistic).
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    ActivationDisplay : Measured and fitted activation.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from sklearn_sbs.plotting import ActivationResidualsDisplay
    >>> display = ActivationResidualsDisplay(
    ...     v_rest=[-51.0, -50.5, -50.0], p_on=[0.2, 0.52, 0.8], p_on_std=[0.02, 0.02, 0.02],
    ...     v_p05=-50.5, alpha=0.7,
    ... )
    >>> display.residuals.round(3)
    array([-0.129,  0.02 ,  0.129])
    >>> display = display.plot()
    >>> display.ax_.get_ylabel()
    'p_on measured - fitted'
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, v_rest, p_on, p_on_std=None, v_p05, alpha, name=None):
        self.v_rest = v_rest
        self.p_on = p_on
        self.p_on_std = p_on_std
        self.v_p05 = v_p05
        self.alpha = alpha
        self.name = name

    @property
    def residuals(self):
        v_rest, p_on, _ = _measurements(self)
        return p_on - logistic(v_rest, self.v_p05, self.alpha)

    def plot(self, ax=None, *, name=None, zero_kw=None, **kwargs):
        """Plot the residuals.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend label; None uses the display's ``name``.
        zero_kw : dict, default=None
            Keywords for ``ax.axhline`` of the zero line.
        **kwargs : dict
            Keywords for ``ax.errorbar`` of the residuals.

        Returns
        -------
        display : ActivationResidualsDisplay
        """
        v_rest, _, std = _measurements(self)
        residuals = self.residuals
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        self.zero_line_ = ax.axhline(
            0.0, **style({"color": "0.3", "linewidth": 1.0, "zorder": 1,
                          "label": "fitted logistic"}, zero_kw),
        )
        self.errorbar_ = _measured_points(ax, v_rest, residuals, std,
                                          label(name, "measured - fitted"), kwargs)
        ax.set(xlabel=_V_REST_LABEL, ylabel="p_on measured - fitted")
        _legend(ax, "best")
        return self._plot_done(ax, fig)

    @classmethod
    def from_estimator(cls, calibrator, *, ax=None, name=None, zero_kw=None, **kwargs):
        """Plot the residuals of a fitted calibrator's logistic fit.

        Parameters
        ----------
        calibrator : LIFSamplerCalibrator
            A fitted calibrator.
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend label.
        zero_kw : dict, default=None
            Keywords for ``ax.axhline`` of the zero line.
        **kwargs : dict
            Keywords for ``ax.errorbar`` of the residuals.

        Returns
        -------
        display : ActivationResidualsDisplay

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the calibrator is not fitted.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> from sklearn_sbs import LIFSamplerCalibrator
        >>> from sklearn_sbs.plotting import ActivationDisplay, ActivationResidualsDisplay
        >>> cal = LIFSamplerCalibrator(duration=2000.0, random_state=0).fit()  # doctest: +SKIP
        >>> fig, (top, bottom) = plt.subplots(2, sharex=True)
        >>> ActivationDisplay.from_estimator(cal, ax=top)  # doctest: +SKIP
        >>> ActivationResidualsDisplay.from_estimator(cal, ax=bottom)  # doctest: +SKIP
        >>> plt.close(fig)
        """
        cls._check_matplotlib("from_estimator")
        check_is_fitted(calibrator, _ACTIVATION_ATTRIBUTES)
        display = cls(**_activation_data(calibrator), name=name)
        return display.plot(ax=ax, zero_kw=zero_kw, **kwargs)
