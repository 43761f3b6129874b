"""Visualisations of a calibration, in scikit-learn's Display style.

Every display is a small object that holds the data of one figure.  Build it
from a fitted :class:`~sklearn_sbs.LIFSamplerCalibrator` with
``from_estimator`` (or from arrays with the constructor), then ``plot`` draws
it and keeps the Matplotlib artists as attributes ending in ``_`` (``ax_``,
``figure_``, one per line), like :class:`sklearn.metrics.RocCurveDisplay`:

- :class:`ActivationDisplay`: measured activation p_on(v_rest), the fitted
  logistic and the free-membrane theory's logistic;
- :class:`ActivationResidualsDisplay`: measured minus fitted activation;
- :class:`FreeMembraneDisplay`: histogram of the free membrane potential and
  the theory's Gaussian;
- :class:`MembraneAutocorrelationDisplay`: autocorrelation of the free
  membrane potential and the high-conductance-state theory's.

and, for a fitted :class:`~sklearn_sbs.SpikingBoltzmannMachine`:

- :class:`JointDistributionDisplay`: target and sampled joint probabilities
  of the 2^m states of m units, with DKL(target ‖ sampled);
- :class:`MarginalsDisplay`: target and sampled p(z_i = 1) of every unit;
- :class:`WeightsDisplay`: heatmap of the theoretical or synaptic weights.

Matplotlib is optional (``pip install "sklearn-sbs[plot]"``) and imported only
when something is drawn: importing this module does not import it.  Units are
PyNN's: potentials in mV, times in ms, synaptic weights in µS
(conductance-based neurons) or nA (current-based).
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from . import theory
from ._calibrator import logistic
from .metrics import dkl as _dkl
from .neurons import check_neuron_params, get_model
from .sources import default_noise

__all__ = [
    "ActivationDisplay",
    "ActivationResidualsDisplay",
    "FreeMembraneDisplay",
    "MembraneAutocorrelationDisplay",
    "JointDistributionDisplay",
    "MarginalsDisplay",
    "WeightsDisplay",
]

_ACTIVATION_ATTRIBUTES = ["v_rest_", "p_on_", "p_on_std_", "v_p05_", "alpha_"]
_CURVE_POINTS = 400


# ---------------------------------------------------------------------------
# helpers


def _check_matplotlib(caller):
    """Import matplotlib or raise an ImportError that says how to install it."""
    try:
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f'{caller} requires matplotlib; install it with: pip install "sklearn-sbs[plot]"'
        ) from exc


def _get_axes(ax):
    """``ax`` and its figure; a new figure and axes when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax, ax.figure


def _style(defaults, user, artist):
    """Default style keywords updated by the user's, Matplotlib aliases resolved.

    ``lw`` given by the user overrides a default ``linewidth``; giving both an
    alias and its full name raises a TypeError, as Matplotlib does.
    """
    from matplotlib.cbook import normalize_kwargs

    return {**normalize_kwargs(defaults, artist), **normalize_kwargs(user or {}, artist)}


def _legend(ax, loc):
    """A legend with the measured points (error bars) before the lines."""
    from matplotlib.container import ErrorbarContainer

    pairs = list(zip(*ax.get_legend_handles_labels()))
    pairs.sort(key=lambda pair: not isinstance(pair[0], ErrorbarContainer))   # stable
    ax.legend(*zip(*pairs), loc=loc, fontsize="small")


def _label(name, text):
    return text if name is None else f"{name}: {text}"


def _as_1d(value, name):
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-d array, got shape {arr.shape}")
    return arr


def _check_calibrator(calibrator, caller):
    if not hasattr(calibrator, "measure_free_membrane"):
        raise TypeError(
            f"{caller} needs a LIFSamplerCalibrator, got {type(calibrator).__name__}"
        )


def _check_trace(trace):
    """times, v (equal-length 1-d arrays, uniform sampling) and the sampling interval."""
    try:
        times, v = trace["times"], trace["v"]
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise TypeError(
            "trace must be a Bunch with 'times' and 'v' as returned by "
            f"LIFSamplerCalibrator.measure_free_membrane, got {type(trace).__name__}"
        ) from exc
    times, v = _as_1d(times, "trace.times"), _as_1d(v, "trace.v")
    if times.shape != v.shape or times.size < 3:
        raise ValueError(
            "trace.times and trace.v must have the same length of at least 3, got "
            f"{times.size} and {v.size}"
        )
    steps = np.diff(times)
    dt = float(np.median(steps))
    if not dt > 0 or not np.allclose(steps, dt, rtol=1e-6, atol=1e-9 * dt):
        raise ValueError("trace.times must be uniformly spaced and increasing")
    if not np.all(np.isfinite(v)):
        raise ValueError("trace.v must be finite")
    return times, v, dt


def _calibrator_noise(calibrator):
    """The noise the calibrator simulates (its default when ``noise`` is None)."""
    resolve = getattr(calibrator, "_noise", None)
    return resolve() if callable(resolve) else calibrator.noise


def _free_membrane_trace(calibrator, caller, duration, dt, v_rest, record_dt):
    _check_matplotlib(caller)
    _check_calibrator(calibrator, caller)
    return calibrator.measure_free_membrane(duration, dt=dt, v_rest=v_rest, record_dt=record_dt)


# ---------------------------------------------------------------------------
# free-membrane autocorrelation: data and theory


def _autocorrelation(v, n_lags):
    """Normalised sample autocorrelation of v at lags 0 .. n_lags - 1 (numpy FFT).

    The biased estimator (sum over the n - k overlapping products divided by n,
    as in most statistics packages): it is positive semi-definite and has a
    lower variance at long lags than dividing by n - k.
    """
    x = v - v.mean()
    n = x.size
    n_fft = 1 << (2 * n - 1).bit_length()       # zero padding: no circular wrap-around
    spectrum = np.fft.rfft(x, n_fft)
    acov = np.fft.irfft(spectrum.real**2 + spectrum.imag**2, n_fft)[:n_lags] / n
    if not acov[0] > 0:
        raise ValueError("the membrane potential trace is constant: no autocorrelation")
    return acov / acov[0]


def _psp_autocovariance(kernel, tau_syn, tau_eff, lags):
    """Integral of psi(t) psi(t + lag) dt over t >= 0, in ms^3.

    psi is the PSP of one input spike for unit drive: the synaptic kernel
    (``exp(-t/tau_syn)`` or PyNN's alpha ``(t/tau_syn) e^(1 - t/tau_syn)``)
    filtered by the membrane, ``exp(-t/tau_eff)``.  Its power spectrum is
    ``|K(w)|^2 tau_eff^2 / (1 + w^2 tau_eff^2)`` with ``|K|^2 = tau_syn^2 /
    (1 + w^2 tau_syn^2)`` (exp) or ``e^2 tau_syn^2 / (1 + w^2 tau_syn^2)^2``
    (alpha); partial fractions and the transforms of ``1 / (1 + w^2 tau^2)^k``
    give the closed forms below (limits where the time constants coincide).
    """
    t = np.abs(np.asarray(lags, dtype=float))
    s, m = float(tau_syn), float(tau_eff)
    if kernel == "exp":
        # s^2 m^2 / (2 (s + m)) * (s e^{-t/s} - m e^{-t/m}) / (s - m)
        if abs(s - m) <= 1e-6 * (s + m):
            tau = 0.5 * (s + m)
            shape = (1.0 + t / tau) * np.exp(-t / tau)
        else:
            shape = (s * np.exp(-t / s) - m * np.exp(-t / m)) / (s - m)
        return s**2 * m**2 / (2.0 * (s + m)) * shape
    # alpha kernel, r = (m / s)^2:
    # 1 / ((1 + w²s²)² (1 + w²m²)) = -r/(1-r)² / (1 + w²s²) + 1/(1-r) / (1 + w²s²)²
    #                                + r²/(1-r)² / (1 + w²m²)
    # and (1/2pi) int cos(wt) / (1 + w²tau²)^k dw = e^{-t/tau} / (2 tau) (k = 1),
    # (1 + t/tau) e^{-t/tau} / (4 tau) (k = 2), (3 + 3t/tau + t²/tau²) e^{-t/tau} / (16 tau) (k = 3)
    scale = np.e**2 * s**2 * m**2
    r = (m / s) ** 2
    if abs(1.0 - r) <= 1e-4:
        tau = 0.5 * (s + m)
        x = t / tau
        return scale * (3.0 + 3.0 * x + x**2) * np.exp(-x) / (16.0 * tau)
    es, em = np.exp(-t / s), np.exp(-t / m)
    return scale * (
        -r / (1.0 - r) ** 2 * es / (2.0 * s)
        + (1.0 + t / s) * es / (4.0 * s * (1.0 - r))
        + r**2 / (1.0 - r) ** 2 * em / (2.0 * m)
    )


def _free_membrane_autocovariance(lags, neuron_model, neuron_params, noise, v_rest=None):
    """Autocovariance (mV^2) of the free membrane potential in the HCS approximation.

    The membrane potential is shot noise: every input spike adds a PSP
    ``w drive psi(t)`` (driving force frozen at ``E - mean`` for conductances,
    ``tau_eff = cm / g_tot``), so Campbell's theorem gives
    ``C(lag) = sum_k rate_k (w_k drive_k)^2 int psi_k(t) psi_k(t + lag) dt``,
    a mix of ``exp(-lag / tau_syn)`` and ``exp(-lag / tau_eff)``.  At lag 0 it
    is the variance of :func:`sklearn_sbs.theory.free_membrane_stats`.
    """
    model = get_model(neuron_model)
    params = check_neuron_params(neuron_model, neuron_params)
    noise = default_noise(model.conductance_based) if noise is None else noise
    stats = theory.free_membrane_stats(neuron_model, params, noise, v_rest=v_rest)
    cov = np.zeros(np.shape(lags))
    for inp in noise.inputs():
        suffix = "E" if inp.receptor == "excitatory" else "I"
        if model.conductance_based:
            drive = (params[f"e_rev_{suffix}"] - stats.mean) / params["cm"]
        else:
            drive = 1.0 / params["cm"]
        shape = _psp_autocovariance(model.kernel, params[f"tau_syn_{suffix}"], stats.tau_eff, lags)
        cov = cov + inp.rate * 1e-3 * (inp.weight * drive) ** 2 * shape
    return cov


# ---------------------------------------------------------------------------
# activation


class ActivationDisplay:
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
        return np.linspace(lo - pad, hi + pad, _CURVE_POINTS)

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
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        name = self.name if name is None else name
        v_rest, p_on = _as_1d(self.v_rest, "v_rest"), _as_1d(self.p_on, "p_on")
        std = None if self.p_on_std is None else _as_1d(self.p_on_std, "p_on_std")
        ax, fig = _get_axes(ax)
        grid = self._curve_range(v_rest)

        self.errorbar_ = ax.errorbar(
            v_rest, p_on, yerr=std,
            **_style({"marker": "o", "linestyle": "none", "markersize": 4, "capsize": 2,
                      "zorder": 3,
                      "label": _label(name, "measured")}, kwargs, Line2D),
        )
        (self.fit_line_,) = ax.plot(
            grid, logistic(grid, self.v_p05, self.alpha),
            **_style({"label": _label(name, f"fitted logistic (v_p05 = {self.v_p05:.2f} mV, "
                                            f"alpha = {self.alpha:.3f} mV)")}, fit_kw, Line2D),
        )
        self.theory_line_ = None
        if plot_theory and self.theory_v_p05 is not None and self.theory_alpha is not None:
            (self.theory_line_,) = ax.plot(
                grid, logistic(grid, self.theory_v_p05, self.theory_alpha),
                **_style({"linestyle": "--",
                          "label": _label(name, f"theory (v_p05 = {self.theory_v_p05:.2f} mV, "
                                                f"alpha = {self.theory_alpha:.3f} mV)")},
                         theory_kw, Line2D),
            )
        vline = _style({"linewidth": 1.0, "zorder": 1}, vline_kw, Line2D)
        self.v_p05_line_ = ax.axvline(
            self.v_p05, **{"color": self.fit_line_.get_color(), "linestyle": "-.",
                           "label": _label(name, "v_p05"), **vline},
        )
        self.v_thresh_line_ = None
        if self.v_thresh is not None:
            self.v_thresh_line_ = ax.axvline(
                self.v_thresh, **{"color": "0.3", "linestyle": ":",
                                  "label": _label(name, f"v_thresh = {self.v_thresh:.2f} mV"),
                                  **vline},
            )
        ax.set(xlabel="resting potential v_rest (mV)", ylabel="p_on (fraction of time on)")
        _legend(ax, "upper left")
        self.ax_, self.figure_ = ax, fig
        return self

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
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(calibrator, _ACTIVATION_ATTRIBUTES)
        params = check_neuron_params(calibrator.neuron_model, calibrator.neuron_params)
        display = cls(
            v_rest=calibrator.v_rest_, p_on=calibrator.p_on_, p_on_std=calibrator.p_on_std_,
            v_p05=calibrator.v_p05_, alpha=calibrator.alpha_,
            theory_v_p05=getattr(calibrator, "theory_v_p05_", None),
            theory_alpha=getattr(calibrator, "theory_alpha_", None),
            v_thresh=params["v_thresh"], name=name,
        )
        return display.plot(ax=ax, plot_theory=plot_theory, fit_kw=fit_kw, theory_kw=theory_kw,
                            vline_kw=vline_kw, **kwargs)


class ActivationResidualsDisplay:
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
        v_rest, p_on = _as_1d(self.v_rest, "v_rest"), _as_1d(self.p_on, "p_on")
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
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        name = self.name if name is None else name
        std = None if self.p_on_std is None else _as_1d(self.p_on_std, "p_on_std")
        ax, fig = _get_axes(ax)
        self.zero_line_ = ax.axhline(
            0.0, **_style({"color": "0.3", "linewidth": 1.0, "zorder": 1,
                           "label": "fitted logistic"}, zero_kw, Line2D),
        )
        self.errorbar_ = ax.errorbar(
            _as_1d(self.v_rest, "v_rest"), self.residuals, yerr=std,
            **_style({"marker": "o", "linestyle": "none", "markersize": 4, "capsize": 2,
                      "zorder": 3,
                      "label": _label(name, "measured - fitted")}, kwargs, Line2D),
        )
        ax.set(xlabel="resting potential v_rest (mV)", ylabel="p_on measured - fitted")
        _legend(ax, "best")
        self.ax_, self.figure_ = ax, fig
        return self

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
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        check_is_fitted(calibrator, _ACTIVATION_ATTRIBUTES)
        display = cls(v_rest=calibrator.v_rest_, p_on=calibrator.p_on_,
                      p_on_std=calibrator.p_on_std_, v_p05=calibrator.v_p05_,
                      alpha=calibrator.alpha_, name=name)
        return display.plot(ax=ax, zero_kw=zero_kw, **kwargs)


# ---------------------------------------------------------------------------
# free membrane


class FreeMembraneDisplay:
    """Distribution of the free membrane potential against the theory's Gaussian.

    The histogram (a density) of a membrane potential trace recorded with the
    threshold out of reach, and the normal density with the free-membrane
    theory's mean and standard deviation (high-conductance state, see
    :func:`sklearn_sbs.theory.free_membrane_stats`).

    Parameters
    ----------
    v : array-like of shape (n_samples,)
        The membrane potential trace, in mV.
    theory_mean : float, default=None
        The theory's mean membrane potential, in mV.
    theory_std : float, default=None
        The theory's standard deviation, in mV.  The Gaussian is drawn when
        both are given.
    v_thresh : float, default=None
        Firing threshold in mV (not active in the recording), drawn as a
        vertical line; None draws none.
    name : str, default=None
        Prefix of the legend labels.

    Attributes
    ----------
    hist_ : matplotlib BarContainer or list of Polygon
        The histogram's patches, as returned by ``ax.hist``.
    density_ : ndarray of shape (n_bins,)
        Histogram densities, 1/mV.
    bin_edges_ : ndarray of shape (n_bins + 1,)
        Histogram bin edges, mV.
    theory_line_ : matplotlib Line2D or None
        The theory's Gaussian density.
    v_thresh_line_ : matplotlib Line2D or None
        Vertical line at ``v_thresh``.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    MembraneAutocorrelationDisplay : Autocorrelation of the same trace.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sklearn_sbs.plotting import FreeMembraneDisplay
    >>> v = np.random.default_rng(0).normal(-50.4, 1.0, size=5000)
    >>> display = FreeMembraneDisplay(v=v, theory_mean=-50.4, theory_std=1.0).plot()
    >>> display.theory_line_.get_label()
    'theory: mean -50.40 mV, std 1.00 mV'
    >>> plt.close(display.figure_)

    One recording for both free-membrane displays:

    >>> from sklearn_sbs import LIFSamplerCalibrator
    >>> from sklearn_sbs.plotting import MembraneAutocorrelationDisplay
    >>> cal = LIFSamplerCalibrator(duration=2000.0, random_state=0).fit()  # doctest: +SKIP
    >>> trace = cal.measure_free_membrane(duration=5000.0)  # doctest: +SKIP
    >>> fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    >>> FreeMembraneDisplay.from_trace(trace, ax=left)  # doctest: +SKIP
    >>> MembraneAutocorrelationDisplay.from_trace(trace, cal, ax=right)  # doctest: +SKIP
    >>> plt.close(fig)
    """

    def __init__(self, *, v, theory_mean=None, theory_std=None, v_thresh=None, name=None):
        self.v = v
        self.theory_mean = theory_mean
        self.theory_std = theory_std
        self.v_thresh = v_thresh
        self.name = name

    def plot(self, ax=None, *, name=None, bins="auto", theory_kw=None, vline_kw=None, **kwargs):
        """Plot the histogram and the theory's Gaussian.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels; None uses the display's ``name``.
        bins : int, sequence or str, default="auto"
            Passed to ``ax.hist``.
        theory_kw : dict, default=None
            Keywords for ``ax.plot`` of the Gaussian.
        vline_kw : dict, default=None
            Keywords for ``ax.axvline`` of the threshold.
        **kwargs : dict
            Keywords for ``ax.hist`` (``density=True`` is always used).

        Returns
        -------
        display : FreeMembraneDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        name = self.name if name is None else name
        v = _as_1d(self.v, "v")
        ax, fig = _get_axes(ax)
        hist_kw = _style({"histtype": "stepfilled", "alpha": 0.5,
                          "label": _label(name, f"measured: mean {v.mean():.2f} mV, "
                                                f"std {v.std():.2f} mV")}, kwargs, Patch)
        hist_kw["density"] = True
        self.density_, self.bin_edges_, self.hist_ = ax.hist(v, bins=bins, **hist_kw)
        self.theory_line_ = None
        if self.theory_mean is not None and self.theory_std is not None:
            mean, std = float(self.theory_mean), float(self.theory_std)
            lo = min(self.bin_edges_[0], mean - 4 * std)
            hi = max(self.bin_edges_[-1], mean + 4 * std)
            grid = np.linspace(lo, hi, _CURVE_POINTS)
            density = np.exp(-0.5 * ((grid - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
            (self.theory_line_,) = ax.plot(
                grid, density,
                **_style({"label": _label(name, f"theory: mean {mean:.2f} mV, std {std:.2f} mV")},
                         theory_kw, Line2D),
            )
        self.v_thresh_line_ = None
        if self.v_thresh is not None:
            self.v_thresh_line_ = ax.axvline(
                self.v_thresh,
                **_style({"color": "0.3", "linestyle": ":", "linewidth": 1.0,
                          "label": _label(name, f"v_thresh = {self.v_thresh:.2f} mV (inactive)")},
                         vline_kw, Line2D),
            )
        ax.set(xlabel="free membrane potential (mV)", ylabel="probability density (1/mV)")
        ax.legend(loc="upper left", fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_trace(cls, trace, *, v_thresh=None, ax=None, name=None, bins="auto",
                   theory_kw=None, vline_kw=None, **kwargs):
        """Plot a trace from :meth:`LIFSamplerCalibrator.measure_free_membrane`.

        Parameters
        ----------
        trace : Bunch
            With ``v`` (mV) and ``theory`` (a
            :class:`~sklearn_sbs.theory.FreeMembraneStats`, or None for no
            Gaussian).
        v_thresh : float, default=None
            Threshold to mark, in mV.
        ax, name, bins, theory_kw, vline_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : FreeMembraneDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_trace")
        _, v, _ = _check_trace(trace)
        stats = trace.get("theory") if hasattr(trace, "get") else None
        display = cls(v=v, theory_mean=getattr(stats, "mean", None),
                      theory_std=getattr(stats, "std", None), v_thresh=v_thresh, name=name)
        return display.plot(ax=ax, bins=bins, theory_kw=theory_kw, vline_kw=vline_kw, **kwargs)

    @classmethod
    def from_estimator(cls, calibrator, *, duration=1e4, dt=None, v_rest=None, record_dt=None,
                       ax=None, name=None, bins="auto", theory_kw=None, vline_kw=None, **kwargs):
        """Record the free membrane potential of a calibrator's neuron and plot it.

        Runs :meth:`LIFSamplerCalibrator.measure_free_membrane` (one
        simulation).  The calibrator need not be fitted: the recording is at
        ``v_p05_`` when it is, at the neuron's ``v_rest`` otherwise.

        Parameters
        ----------
        calibrator : LIFSamplerCalibrator
            The neuron, its noise and the simulation settings.
        duration : float, default=1e4
            Recorded time in ms.
        dt, v_rest, record_dt : float, default=None
            As in :meth:`LIFSamplerCalibrator.measure_free_membrane`.
        ax, name, bins, theory_kw, vline_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : FreeMembraneDisplay

        Examples
        --------
        >>> from sklearn_sbs import LIFSamplerCalibrator
        >>> from sklearn_sbs.plotting import FreeMembraneDisplay
        >>> cal = LIFSamplerCalibrator(random_state=0)
        >>> display = FreeMembraneDisplay.from_estimator(cal, duration=5000.0)  # doctest: +SKIP
        """
        trace = _free_membrane_trace(calibrator, f"{cls.__name__}.from_estimator", duration,
                                     dt, v_rest, record_dt)
        params = check_neuron_params(calibrator.neuron_model, calibrator.neuron_params)
        return cls.from_trace(trace, v_thresh=params["v_thresh"], ax=ax, name=name, bins=bins,
                              theory_kw=theory_kw, vline_kw=vline_kw, **kwargs)


class MembraneAutocorrelationDisplay:
    """Autocorrelation of the free membrane potential against theory.

    The sample autocorrelation of a free membrane potential trace (numpy FFT,
    normalised to 1 at lag 0) and a theoretical reference:

    - with the neuron and noise known (:meth:`from_estimator`, or
      :meth:`from_trace` with a calibrator), the high-conductance-state
      theory's autocorrelation.  The membrane potential is then shot noise,
      each input spike adding a PSP ``psi`` = synaptic kernel filtered by the
      membrane with ``tau_eff = cm / g_tot``, so its autocovariance is
      ``sum_k rate_k (w_k drive_k)^2 int psi_k(t) psi_k(t + lag) dt``
      (Campbell).  For exponential synapses each term is proportional to
      ``(tau_syn exp(-lag/tau_syn) - tau_eff exp(-lag/tau_eff)) / (tau_syn -
      tau_eff)``; for alpha synapses to a similar mix with a ``(1 + lag /
      tau_syn) exp(-lag / tau_syn)`` term.  With the slow synapses of a
      sampler (tau_syn >> tau_eff) it decays with tau_syn, not tau_eff.
    - with only a trace (:meth:`from_trace` without calibrator),
      ``exp(-lag / tau_eff)``: a rough reference only, the membrane's own
      time constant; the true autocorrelation mixes tau_eff and tau_syn and
      decays much more slowly when tau_syn > tau_eff.

    Parameters
    ----------
    lags : array-like of shape (n_lags,)
        Lags in ms.
    autocorrelation : array-like of shape (n_lags,)
        Measured autocorrelation at ``lags``.
    theory_autocorrelation : array-like of shape (n_lags,), default=None
        Reference autocorrelation at ``lags``; None draws none.
    theory_label : str, default="theory"
        Legend label of the reference.
    name : str, default=None
        Prefix of the legend labels.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The measured autocorrelation.
    theory_line_ : matplotlib Line2D or None
        The reference.
    zero_line_ : matplotlib Line2D
        Horizontal line at 0.
    ax_ : matplotlib Axes
        Axes with the plot.
    figure_ : matplotlib Figure
        Figure containing the plot.

    See Also
    --------
    FreeMembraneDisplay : Distribution of the same trace.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> import numpy as np
    >>> from sklearn_sbs.plotting import MembraneAutocorrelationDisplay
    >>> lags = np.arange(0.0, 50.0, 0.1)
    >>> theory = (10 * np.exp(-lags / 10) - 0.77 * np.exp(-lags / 0.77)) / (10 - 0.77)
    >>> display = MembraneAutocorrelationDisplay(
    ...     lags=lags, autocorrelation=np.exp(-lags / 10), theory_autocorrelation=theory,
    ... ).plot()
    >>> display.ax_.get_xlabel()
    'lag (ms)'
    >>> plt.close(display.figure_)
    """

    def __init__(self, *, lags, autocorrelation, theory_autocorrelation=None,
                 theory_label="theory", name=None):
        self.lags = lags
        self.autocorrelation = autocorrelation
        self.theory_autocorrelation = theory_autocorrelation
        self.theory_label = theory_label
        self.name = name

    def plot(self, ax=None, *, name=None, theory_kw=None, **kwargs):
        """Plot the autocorrelation.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes to draw into; None creates a figure and axes.
        name : str, default=None
            Prefix of the legend labels; None uses the display's ``name``.
        theory_kw : dict, default=None
            Keywords for ``ax.plot`` of the reference.
        **kwargs : dict
            Keywords for ``ax.plot`` of the measured autocorrelation.

        Returns
        -------
        display : MembraneAutocorrelationDisplay
        """
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.lines import Line2D

        name = self.name if name is None else name
        lags = _as_1d(self.lags, "lags")
        acf = _as_1d(self.autocorrelation, "autocorrelation")
        if acf.shape != lags.shape:
            raise ValueError(f"autocorrelation must have the shape of lags {lags.shape}, "
                             f"got {acf.shape}")
        ax, fig = _get_axes(ax)
        self.zero_line_ = ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=1)
        (self.line_,) = ax.plot(lags, acf, **_style({"label": _label(name, "measured")},
                                                    kwargs, Line2D))
        self.theory_line_ = None
        if self.theory_autocorrelation is not None:
            ref = _as_1d(self.theory_autocorrelation, "theory_autocorrelation")
            if ref.shape != lags.shape:
                raise ValueError(f"theory_autocorrelation must have the shape of lags "
                                 f"{lags.shape}, got {ref.shape}")
            (self.theory_line_,) = ax.plot(
                lags, ref, **_style({"linestyle": "--", "label": _label(name, self.theory_label)},
                                    theory_kw, Line2D),
            )
        ax.set(xlabel="lag (ms)", ylabel="autocorrelation of the membrane potential")
        ax.legend(loc="upper right", fontsize="small")
        self.ax_, self.figure_ = ax, fig
        return self

    @classmethod
    def from_trace(cls, trace, calibrator=None, *, max_lag=None, ax=None, name=None,
                   theory_kw=None, **kwargs):
        """Plot the autocorrelation of a trace from ``measure_free_membrane``.

        Parameters
        ----------
        trace : Bunch
            With ``times`` and ``v`` (uniformly sampled; ms, mV), and optionally
            ``v_rest`` (mV) and ``theory`` (a
            :class:`~sklearn_sbs.theory.FreeMembraneStats`).
        calibrator : LIFSamplerCalibrator, default=None
            The calibrator that recorded the trace (fitted or not): its neuron
            model, parameters and noise give the high-conductance-state
            autocorrelation at ``trace.v_rest``.  None uses the rough
            ``exp(-lag / trace.theory.tau_eff)`` (no reference without
            ``trace.theory``).
        max_lag : float, default=None
            Largest lag in ms, at most the trace's length.  None: twice the lag
            at which the measured autocorrelation first drops below 0.05, at
            most half the trace.
        ax, name, theory_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : MembraneAutocorrelationDisplay
        """
        _check_matplotlib(f"{cls.__name__}.from_trace")
        _, v, dt = _check_trace(trace)
        n = v.size
        if max_lag is None:
            acf = _autocorrelation(v, max(n // 2, 2))
            below = np.flatnonzero(acf < 0.05)
            n_lags = min(2 * below[0] + 1, n // 2) if below.size else n // 2
            n_lags = max(n_lags, 2)
            acf = acf[:n_lags]
        else:
            if (isinstance(max_lag, bool) or not isinstance(max_lag, numbers.Real)
                    or not 0 < max_lag <= (n - 1) * dt * (1 + 1e-9)):
                raise ValueError(
                    f"max_lag must be a number of ms in (0, {(n - 1) * dt:g}] (the trace's "
                    f"length), got {max_lag!r}"
                )
            n_lags = max(int(np.floor(max_lag / dt + 1e-9)) + 1, 2)
            acf = _autocorrelation(v, n_lags)
        lags = dt * np.arange(n_lags)
        stats = trace.get("theory") if hasattr(trace, "get") else None
        if calibrator is not None:
            _check_calibrator(calibrator, f"{cls.__name__}.from_trace")
            v_rest = trace.get("v_rest") if hasattr(trace, "get") else None
            noise = _calibrator_noise(calibrator)
            cov = _free_membrane_autocovariance(lags, calibrator.neuron_model,
                                                calibrator.neuron_params, noise, v_rest=v_rest)
            reference = cov / cov[0]
            params = check_neuron_params(calibrator.neuron_model, calibrator.neuron_params)
            tau_eff = theory.free_membrane_stats(calibrator.neuron_model, params, noise,
                                                 v_rest=v_rest).tau_eff
            tau_e, tau_i = params["tau_syn_E"], params["tau_syn_I"]
            tau_syn = (f"tau_syn = {tau_e:g} ms" if tau_e == tau_i
                       else f"tau_syn_E/I = {tau_e:g}/{tau_i:g} ms")
            label = f"HCS theory (tau_eff = {tau_eff:.3g} ms, {tau_syn})"
        elif stats is not None:
            reference = np.exp(-lags / stats.tau_eff)
            label = f"exp(-lag / tau_eff), tau_eff = {stats.tau_eff:.3g} ms (rough)"
        else:
            reference, label = None, "theory"
        display = cls(lags=lags, autocorrelation=acf, theory_autocorrelation=reference,
                      theory_label=label, name=name)
        return display.plot(ax=ax, theory_kw=theory_kw, **kwargs)

    @classmethod
    def from_estimator(cls, calibrator, *, duration=1e4, dt=None, v_rest=None, record_dt=None,
                       max_lag=None, ax=None, name=None, theory_kw=None, **kwargs):
        """Record the free membrane potential of a calibrator's neuron and plot its autocorrelation.

        Runs :meth:`LIFSamplerCalibrator.measure_free_membrane` (one
        simulation) and compares with the high-conductance-state theory.  The
        calibrator need not be fitted (see
        :meth:`FreeMembraneDisplay.from_estimator`).

        Parameters
        ----------
        calibrator : LIFSamplerCalibrator
            The neuron, its noise and the simulation settings.
        duration : float, default=1e4
            Recorded time in ms.
        dt, v_rest, record_dt : float, default=None
            As in :meth:`LIFSamplerCalibrator.measure_free_membrane`.
        max_lag : float, default=None
            As in :meth:`from_trace`.
        ax, name, theory_kw, **kwargs
            As in :meth:`plot`.

        Returns
        -------
        display : MembraneAutocorrelationDisplay

        Examples
        --------
        >>> from sklearn_sbs import LIFSamplerCalibrator
        >>> from sklearn_sbs.plotting import MembraneAutocorrelationDisplay
        >>> cal = LIFSamplerCalibrator(random_state=0)
        >>> display = MembraneAutocorrelationDisplay.from_estimator(  # doctest: +SKIP
        ...     cal, duration=2e4, max_lag=50.0)
        """
        trace = _free_membrane_trace(calibrator, f"{cls.__name__}.from_estimator", duration,
                                     dt, v_rest, record_dt)
        return cls.from_trace(trace, calibrator, max_lag=max_lag, ax=ax, name=name,
                              theory_kw=theory_kw, **kwargs)


# ---------------------------------------------------------------------------
# Boltzmann machine: distributions and weights

_MAX_PLOTTED_UNITS = 10         # 1024 states: beyond, bars and tick labels are unreadable
_BOLTZMANN_ATTRIBUTES = ["calibrators_", "weights_theo_", "weights_bio_"]


def _check_machine(machine, caller):
    if not all(hasattr(machine, a) for a in ("target_joint", "sampled_joint",
                                             "target_marginals", "sampled_marginals")):
        raise TypeError(f"{caller} needs a SpikingBoltzmannMachine, got {type(machine).__name__}")


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


def _unit_labels(units, m, name="units"):
    """``units`` (default 0 .. m-1) as a tuple of m distinct integers."""
    if units is None:
        return tuple(range(m))
    arr = np.asarray(units)
    if arr.shape != (m,) or not np.issubdtype(arr.dtype, np.integer) \
            or np.unique(arr).size != m:
        raise ValueError(f"{name} must be {m} distinct unit indices, got {units!r}")
    return tuple(int(u) for u in arr)


def _state_labels(m):
    """Binary labels of the 2**m states in C order: the first unit's digit first."""
    return [format(k, f"0{m}b") for k in range(1 << m)]


class JointDistributionDisplay:
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
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.patches import Patch

        name = self.name if name is None else name
        target = _as_probabilities(self.target, "target")
        sampled = _as_probabilities(self.sampled, "sampled")
        if target.size != sampled.size:
            raise ValueError(f"target and sampled must have the same shape, got {target.shape} "
                             f"and {sampled.shape}")
        m = _n_joint_units(target, "target")
        _n_joint_units(sampled, "sampled")
        if m > _MAX_PLOTTED_UNITS:
            raise ValueError(f"{type(self).__name__} draws at most {_MAX_PLOTTED_UNITS} units "
                             f"({1 << _MAX_PLOTTED_UNITS} states), got {m}; select fewer units")
        units = _unit_labels(self.units, m)
        target, sampled = target.ravel(), sampled.ravel()
        if self.dkl is None:
            try:
                self.dkl_ = _dkl(target, sampled)
            except ValueError as exc:
                raise ValueError(f"target and sampled must be distributions: {exc}") from exc
        else:
            self.dkl_ = float(self.dkl)
        ax, fig = _get_axes(ax)
        x = np.arange(target.size)
        self.target_bars_ = ax.bar(
            x - 0.2, target,
            **_style({"width": 0.4, "color": "0.6", "label": _label(name, "target")},
                     target_kw, Patch),
        )
        self.sampled_bars_ = ax.bar(
            x + 0.2, sampled,
            **_style({"width": 0.4, "color": "C0", "label": _label(name, "sampled")},
                     kwargs, Patch),
        )
        never = " (a target state was never sampled)" if np.isinf(self.dkl_) else ""
        ax.set_title(_label(name, f"DKL(target ‖ sampled) = {self.dkl_:.3g} nats{never}"))
        ax.set_xticks(x, _state_labels(m), rotation=90 if m >= 4 else 0,
                      fontsize="small" if m >= 4 else None, family="monospace")
        ax.set_xlim(-0.7, target.size - 0.3)
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
        ax.legend(loc="upper right", fontsize="small", ncols=2)
        self.ax_, self.figure_ = ax, fig
        return self

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
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _check_machine(machine, f"{cls.__name__}.from_estimator")
        sampled = machine.sampled_joint(units)          # samples if needed
        target = machine.target_joint(units)
        smoothing = getattr(machine, "_smoothing", None)
        dkl = _dkl(target, sampled, eps=smoothing() if callable(smoothing) else None)
        m = np.ndim(target)
        display = cls(target=target, sampled=sampled,
                      units=tuple(range(m)) if units is None else units, dkl=dkl, name=name)
        return display.plot(ax=ax, log=log, target_kw=target_kw, **kwargs)


class MarginalsDisplay:
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
        _check_matplotlib(f"{type(self).__name__}.plot")
        from matplotlib.patches import Patch

        name = self.name if name is None else name
        target, sampled = _as_1d(self.target, "target"), _as_1d(self.sampled, "sampled")
        if target.shape != sampled.shape:
            raise ValueError(f"target and sampled must have the same shape, got {target.shape} "
                             f"and {sampled.shape}")
        for label, arr in (("target", target), ("sampled", sampled)):
            if not np.all(np.isfinite(arr)) or np.any((arr < 0) | (arr > 1)):
                raise ValueError(f"{label} must hold probabilities in [0, 1]")
        units = _unit_labels(self.units, target.size)
        ax, fig = _get_axes(ax)
        x = np.arange(target.size)
        self.target_bars_ = ax.bar(
            x - 0.2, target,
            **_style({"width": 0.4, "color": "0.6", "label": _label(name, "target")},
                     target_kw, Patch),
        )
        worst = float(np.max(np.abs(sampled - target)))
        self.sampled_bars_ = ax.bar(
            x + 0.2, sampled,
            **_style({"width": 0.4, "color": "C0", "label": _label(name, "sampled")},
                     kwargs, Patch),
        )
        ax.set_title(_label(name, f"max |sampled - target| = {worst:.2g}"))
        ax.set_xticks(x, [str(u) for u in units])
        ax.set_xlim(-0.7, target.size - 0.3)
        ax.set(xlabel="unit i", ylabel="p(z_i = 1)", ylim=(0.0, 1.15))
        ax.legend(loc="upper right", fontsize="small", ncols=2)
        self.ax_, self.figure_ = ax, fig
        return self

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
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        _check_machine(machine, f"{cls.__name__}.from_estimator")
        sampled = np.asarray(machine.sampled_marginals())      # samples if needed
        target = np.asarray(machine.target_marginals())
        if units is not None:
            arr = np.asarray(units)
            if arr.ndim != 1 or arr.size == 0 or not np.issubdtype(arr.dtype, np.integer) \
                    or arr.min() < 0 or arr.max() >= target.size \
                    or np.unique(arr).size != arr.size:
                raise ValueError(f"units must be distinct unit indices in [0, {target.size}), "
                                 f"got {units!r}")
            target, sampled = target[arr], sampled[arr]
        display = cls(target=target, sampled=sampled, units=units, name=name)
        return display.plot(ax=ax, target_kw=target_kw, **kwargs)


class WeightsDisplay:
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
        _check_matplotlib(f"{type(self).__name__}.plot")
        W = np.asarray(self.weights, dtype=float)
        if W.ndim != 2 or W.shape[0] != W.shape[1] or W.size == 0:
            raise ValueError(f"weights must be a non-empty square matrix, got shape {W.shape}")
        if not np.all(np.isfinite(W)):
            raise ValueError("weights must be finite")
        ax, fig = _get_axes(ax)
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
        self.ax_, self.figure_ = ax, fig
        return self

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
        _check_matplotlib(f"{cls.__name__}.from_estimator")
        if kind not in ("theo", "bio"):
            raise ValueError(f"kind must be 'theo' or 'bio', got {kind!r}")
        check_is_fitted(machine, _BOLTZMANN_ATTRIBUTES)
        if kind == "theo":
            weights, label, title = (machine.weights_theo_, "theoretical weight W_ij",
                                     "theoretical weights")
        else:
            conductance = {get_model(c.neuron_model).conductance_based
                           for c in machine.calibrators_}
            if conductance == {True}:
                unit = "µS"
            elif conductance == {False}:
                unit = "nA"
            else:
                unit = "µS or nA, as unit j's neuron"
            weights = machine.weights_bio_
            label = f"synaptic weight ({unit}); < 0: inhibitory"
            title = f"synaptic weights ({unit})"
        display = cls(weights, label=label, title=title)
        return display.plot(ax=ax, cmap=cmap, colorbar=colorbar, include_values=include_values,
                            values_format=values_format, im_kw=im_kw, text_kw=text_kw)
