"""Displays of the free membrane potential: its distribution and its
autocorrelation, each against the high-conductance-state theory."""

import numbers

import numpy as np

from .. import theory
from ..neurons import check_neuron_params
from ..sources import default_noise
from ._base import CURVE_POINTS, DisplayMixin, as_1d, label, style

__all__ = ["FreeMembraneDisplay", "MembraneAutocorrelationDisplay"]


def _check_calibrator(calibrator, caller):
    if not hasattr(calibrator, "measure_free_membrane"):
        raise TypeError(
            f"{caller} needs a LIFSamplerCalibrator, got {type(calibrator).__name__}"
        )


def _simulated_neuron(calibrator):
    """Complete neuron parameters and the noise of a calibrator's neuron.

    The fitted ``neuron_params_`` and ``noise_``; before ``fit``, what ``fit``
    would simulate (the recording need not wait for a calibration).
    """
    if hasattr(calibrator, "noise_"):
        return calibrator.neuron_params_, calibrator.noise_
    noise = calibrator.noise
    return (check_neuron_params(calibrator.neuron_model, calibrator.neuron_params),
            default_noise(calibrator.neuron_model) if noise is None else noise)


def _record(cls, calibrator, duration, dt, v_rest, record_dt):
    """A free-membrane trace for ``cls.from_estimator``, matplotlib checked first."""
    cls._check_matplotlib("from_estimator")
    _check_calibrator(calibrator, f"{cls.__name__}.from_estimator")
    return calibrator.measure_free_membrane(duration, dt=dt, v_rest=v_rest, record_dt=record_dt)


def _trace_item(trace, key):
    """``trace[key]``, None when the trace has no such item."""
    return trace.get(key) if hasattr(trace, "get") else None


def _check_trace(trace):
    """times, v (equal-length 1-d arrays, uniform sampling) and the sampling interval."""
    try:
        times, v = trace["times"], trace["v"]
    except (KeyError, TypeError, IndexError, ValueError) as exc:
        raise TypeError(
            "trace must be a Bunch with 'times' and 'v' as returned by "
            f"LIFSamplerCalibrator.measure_free_membrane, got {type(trace).__name__}"
        ) from exc
    times, v = as_1d(times, "trace.times"), as_1d(v, "trace.v")
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


def _same_shape(value, name, lags):
    arr = as_1d(value, name)
    if arr.shape != lags.shape:
        raise ValueError(f"{name} must have the shape of lags {lags.shape}, got {arr.shape}")
    return arr


# The sample autocorrelation is an estimate from data, not theory: it stays
# here, beside the one display that draws it; the theory's autocovariance is
# sklearn_sbs.theory.free_membrane_autocovariance.
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


def _measured_autocorrelation(v, dt, max_lag):
    """Autocorrelation of v up to ``max_lag`` ms (None: see ``from_trace``)."""
    n = v.size
    if max_lag is None:
        acf = _autocorrelation(v, max(n // 2, 2))
        below = np.flatnonzero(acf < 0.05)
        n_lags = min(2 * below[0] + 1, n // 2) if below.size else n // 2
        return acf[:max(n_lags, 2)]
    if (isinstance(max_lag, bool) or not isinstance(max_lag, numbers.Real)
            or not 0 < max_lag <= (n - 1) * dt * (1 + 1e-9)):
        raise ValueError(
            f"max_lag must be a number of ms in (0, {(n - 1) * dt:g}] (the trace's "
            f"length), got {max_lag!r}"
        )
    return _autocorrelation(v, max(int(np.floor(max_lag / dt + 1e-9)) + 1, 2))


def _hcs_reference(lags, calibrator, v_rest):
    """The HCS theory's autocorrelation of the calibrator's neuron, and its label."""
    params, noise = _simulated_neuron(calibrator)
    cov = theory.free_membrane_autocovariance(lags, calibrator.neuron_model, params, noise,
                                              v_rest=v_rest)
    tau_eff = theory.free_membrane_stats(calibrator.neuron_model, params, noise,
                                         v_rest=v_rest).tau_eff
    tau_e, tau_i = params["tau_syn_E"], params["tau_syn_I"]
    tau_syn = (f"tau_syn = {tau_e:g} ms" if tau_e == tau_i
               else f"tau_syn_E/I = {tau_e:g}/{tau_i:g} ms")
    return cov / cov[0], f"HCS theory (tau_eff = {tau_eff:.3g} ms, {tau_syn})"


def _rough_reference(lags, stats):
    """exp(-lag / tau_eff) from a trace's theory, and its label; None without one."""
    if stats is None:
        return None, "theory"
    return (np.exp(-lags / stats.tau_eff),
            f"exp(-lag / tau_eff), tau_eff = {stats.tau_eff:.3g} ms (rough)")


class FreeMembraneDisplay(DisplayMixin):
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
        v = as_1d(self.v, "v")
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        hist_kw = style({"histtype": "stepfilled", "alpha": 0.5,
                         "label": label(name, f"measured: mean {v.mean():.2f} mV, "
                                              f"std {v.std():.2f} mV")}, kwargs, "patch")
        hist_kw["density"] = True
        self.density_, self.bin_edges_, self.hist_ = ax.hist(v, bins=bins, **hist_kw)
        self.theory_line_ = None
        if self.theory_mean is not None and self.theory_std is not None:
            mean, std = float(self.theory_mean), float(self.theory_std)
            lo = min(self.bin_edges_[0], mean - 4 * std)
            hi = max(self.bin_edges_[-1], mean + 4 * std)
            grid = np.linspace(lo, hi, CURVE_POINTS)
            density = np.exp(-0.5 * ((grid - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))
            (self.theory_line_,) = ax.plot(
                grid, density,
                **style({"label": label(name, f"theory: mean {mean:.2f} mV, std {std:.2f} mV")},
                        theory_kw),
            )
        self.v_thresh_line_ = None
        if self.v_thresh is not None:
            self.v_thresh_line_ = ax.axvline(
                self.v_thresh,
                **style({"color": "0.3", "linestyle": ":", "linewidth": 1.0,
                         "label": label(name, f"v_thresh = {self.v_thresh:.2f} mV (inactive)")},
                        vline_kw),
            )
        ax.set(xlabel="free membrane potential (mV)", ylabel="probability density (1/mV)")
        ax.legend(loc="upper left", fontsize="small")
        return self._plot_done(ax, fig)

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
        cls._check_matplotlib("from_trace")
        _, v, _ = _check_trace(trace)
        stats = _trace_item(trace, "theory")
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
        trace = _record(cls, calibrator, duration, dt, v_rest, record_dt)
        params, _ = _simulated_neuron(calibrator)
        return cls.from_trace(trace, v_thresh=params["v_thresh"], ax=ax, name=name, bins=bins,
                              theory_kw=theory_kw, vline_kw=vline_kw, **kwargs)


class MembraneAutocorrelationDisplay(DisplayMixin):
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
        lags = as_1d(self.lags, "lags")
        acf = _same_shape(self.autocorrelation, "autocorrelation", lags)
        ref = (None if self.theory_autocorrelation is None
               else _same_shape(self.theory_autocorrelation, "theory_autocorrelation", lags))
        ax, fig, name = self._validate_plot_params(ax=ax, name=name)
        self.zero_line_ = ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=1)
        (self.line_,) = ax.plot(lags, acf, **style({"label": label(name, "measured")}, kwargs))
        self.theory_line_ = None
        if ref is not None:
            (self.theory_line_,) = ax.plot(
                lags, ref, **style({"linestyle": "--", "label": label(name, self.theory_label)},
                                   theory_kw),
            )
        ax.set(xlabel="lag (ms)", ylabel="autocorrelation of the membrane potential")
        ax.legend(loc="upper right", fontsize="small")
        return self._plot_done(ax, fig)

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
        cls._check_matplotlib("from_trace")
        _, v, dt = _check_trace(trace)
        acf = _measured_autocorrelation(v, dt, max_lag)
        lags = dt * np.arange(acf.size)
        if calibrator is not None:
            _check_calibrator(calibrator, f"{cls.__name__}.from_trace")
            reference, reference_label = _hcs_reference(lags, calibrator,
                                                        _trace_item(trace, "v_rest"))
        else:
            reference, reference_label = _rough_reference(lags, _trace_item(trace, "theory"))
        display = cls(lags=lags, autocorrelation=acf, theory_autocorrelation=reference,
                      theory_label=reference_label, name=name)
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
        trace = _record(cls, calibrator, duration, dt, v_rest, record_dt)
        return cls.from_trace(trace, calibrator, max_lag=max_lag, ax=ax, name=name,
                              theory_kw=theory_kw, **kwargs)
