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
- :class:`WeightsDisplay`: heatmap of the theoretical or synaptic weights;
- :class:`StatesImageDisplay`: sampled states of the visible units as images
  (e.g. 8×8 digits), also from arrays such as Gibbs samples.

Matplotlib is optional (``pip install "sklearn-sbs[plot]"``) and imported only
when something is drawn: importing this module does not import it.  Units are
PyNN's: potentials in mV, times in ms, synaptic weights in µS
(conductance-based neurons) or nA (current-based).
"""

from ._activation import ActivationDisplay, ActivationResidualsDisplay
from ._distributions import JointDistributionDisplay, MarginalsDisplay
from ._images import StatesImageDisplay
from ._membrane import FreeMembraneDisplay, MembraneAutocorrelationDisplay
from ._weights import WeightsDisplay

__all__ = [
    "ActivationDisplay",
    "ActivationResidualsDisplay",
    "FreeMembraneDisplay",
    "MembraneAutocorrelationDisplay",
    "JointDistributionDisplay",
    "MarginalsDisplay",
    "StatesImageDisplay",
    "WeightsDisplay",
]
