"""Synapses between sampling units, as scikit-learn parameter objects.

Modelled after ``pyNN.standardmodels.synapses``: a synapse type is a set of
parameters with PyNN's standard names; the weights and the delay come from the
machine that uses it.  As parameter objects they nest, so that
``SpikingBoltzmannMachine(synapse=TsodyksMarkramSynapse())`` can be searched
over ``synapse__tau_rec`` like any hyper-parameter.  The strings ``"static"``
and ``"renewing"`` are shorthands for :class:`StaticSynapse` and the default
:class:`TsodyksMarkramSynapse`.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import Interval

__all__ = ["StaticSynapse", "TsodyksMarkramSynapse", "as_synapse"]


class StaticSynapse(BaseEstimator):
    """A fixed-weight synapse: every spike adds a PSP of the same size.

    With the sampler's slow synapses (tau_syn = tau_on) a second spike during a
    partner's on-time adds a second PSP on top of the first, so the interaction
    grows beyond the Boltzmann one; :class:`TsodyksMarkramSynapse` avoids that.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.synapses import StaticSynapse
    >>> StaticSynapse().connection_params(np.array([0.1, -0.2]), np.array([0, 1]),
    ...                                   np.array([[10.0, 10.0], [10.0, 10.0]]))
    {}
    """

    _parameter_constraints = {}

    def connection_params(self, weights, post, tau_syn):
        """Per-connection parameters besides weight and delay: none.

        Parameters
        ----------
        weights : ndarray of shape (n_connections,)
            Signed synaptic weights (negative: inhibitory receptor).
        post : ndarray of shape (n_connections,)
            Receiving unit of each connection.
        tau_syn : ndarray of shape (2, n_units)
            Excitatory and inhibitory synaptic time constants of every unit, ms.

        Returns
        -------
        params : dict
            Empty.
        """
        return {}

    def shared_params(self):
        """Parameters common to all connections: none."""
        return {}


#: Longest recovery or facilitation time constant, ms: measured ones are milliseconds
#: to seconds (Markram et al., PNAS 95, 5323, 1998); a typo (1e300) is refused by name.
MAX_TIME_CONSTANT = 1e6


class TsodyksMarkramSynapse(BaseEstimator):
    """A short-term plastic synapse (Tsodyks & Markram 1997), PyNN's standard names.

    With ``U = 1`` every spike uses all resources, which recover with
    ``tau_rec``; with ``tau_rec`` equal to the receiving synapse's time
    constant, a spike that arrives while the previous PSP is still up renews
    it instead of adding to it, as the Boltzmann interaction of a unit that
    stays "on" requires (Petrovici et al., Phys. Rev. E 94, 042312, 2016).

    Parameters
    ----------
    U : float, default=1.0
        Fraction of the resources a spike uses, in (0, 1].
    tau_rec : float, default=None
        Recovery time constant in ms; None: the receiving neuron's synaptic
        time constant of the receptor the connection uses (``tau_syn_E`` for
        positive weights, ``tau_syn_I`` for negative ones) -- "renewing".
    tau_facil : float, default=0.0
        Facilitation time constant in ms (0: no facilitation).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sbs.synapses import TsodyksMarkramSynapse
    >>> tau_syn = np.array([[10.0, 10.0], [5.0, 5.0]])        # (E, I) x units
    >>> TsodyksMarkramSynapse().connection_params(np.array([0.1, -0.2]), np.array([0, 1]),
    ...                                           tau_syn)["tau_rec"].tolist()
    [10.0, 5.0]
    >>> TsodyksMarkramSynapse(tau_rec=20.0).shared_params()
    {'U': 1.0, 'tau_facil': 0.0}
    """

    _parameter_constraints = {
        "U": [Interval(numbers.Real, 0, 1, closed="right")],
        "tau_rec": [Interval(numbers.Real, 0, MAX_TIME_CONSTANT, closed="right"), None],
        "tau_facil": [Interval(numbers.Real, 0, MAX_TIME_CONSTANT, closed="both")],
    }

    def __init__(self, U=1.0, tau_rec=None, tau_facil=0.0):
        self.U = U
        self.tau_rec = tau_rec
        self.tau_facil = tau_facil

    def connection_params(self, weights, post, tau_syn):
        """``tau_rec`` of every connection, ms (see :class:`StaticSynapse`)."""
        if self.tau_rec is not None:
            return {"tau_rec": np.full(np.size(post), float(self.tau_rec))}
        receptor = np.where(np.asarray(weights) >= 0, 0, 1)
        return {"tau_rec": np.asarray(tau_syn, dtype=float)[receptor, post]}

    def shared_params(self):
        """Parameters common to all connections (PyNN names)."""
        return {"U": float(self.U), "tau_facil": float(self.tau_facil)}


_SHORTHANDS = {"static": StaticSynapse, "renewing": TsodyksMarkramSynapse}


def as_synapse(synapse):
    """The synapse object for a shorthand ("static", "renewing") or an object.

    Examples
    --------
    >>> from sklearn_sbs.synapses import as_synapse
    >>> as_synapse("renewing")
    TsodyksMarkramSynapse()
    """
    if isinstance(synapse, str):
        return _SHORTHANDS[synapse]()
    return synapse
