"""Maximum-likelihood learning of Boltzmann machines from moments.

The log-likelihood gradient of p(z) ∝ exp(½ zᵀWz + bᵀz) is the data's second
moments minus the model's: ΔW_ij ∝ <z_i z_j>_data - <z_i z_j>_model and
Δb_i ∝ <z_i>_data - <z_i>_model (Ackley, Hinton & Sejnowski 1985).  Moments are
kept as one matrix whose diagonal holds the means.  With hidden units the
structure is restricted (visible-hidden weights only) and the data moments
take the hidden units at their exact conditional p(h | v), as in
scikit-learn's BernoulliRBM.  The model moments come from the exact sums, a
persistent Gibbs sampler, or the spiking network (see SpikingBoltzmannMachine).
"""

import numbers
import time

import joblib
import numpy as np
from scipy.special import expit, log_expit
from sklearn.utils import gen_batches
from threadpoolctl import threadpool_limits

from .._logging import report, wanted
from .. import boltzmann
from ..spikes import SpikeTrains


def connection_mask(n_visible, n_hidden):
    """Which weights may be non-zero: all pairs, or visible-hidden pairs only."""
    n = n_visible + n_hidden
    if n_hidden == 0:
        return ~np.eye(n, dtype=bool)
    mask = np.zeros((n, n), dtype=bool)
    mask[:n_visible, n_visible:] = True
    mask[n_visible:, :n_visible] = True
    return mask


def initial_parameters(n_visible, n_hidden, rng):
    """Small random weights (std 0.01, as BernoulliRBM) and zero biases."""
    n = n_visible + n_hidden
    W = np.triu(rng.normal(0.0, 0.01, size=(n, n)), 1)
    W = (W + W.T) * connection_mask(n_visible, n_hidden)
    return W, np.zeros(n)


def hidden_probabilities(V, W, b, n_visible):
    """p(h_j = 1 | v) of a restricted machine, one row per visible row."""
    return expit(V @ W[:n_visible, n_visible:] + b[n_visible:])


def moments_of_states(Z):
    """Second moments of the rows of Z (states or probabilities), means on the diagonal."""
    M = Z.T @ Z / Z.shape[0]
    np.fill_diagonal(M, Z.mean(axis=0))
    return M


def data_moments(V, W, b, n_visible):
    """Moments of a batch of visible rows; hidden units at their conditional means."""
    if W.shape[0] > n_visible:
        V = np.hstack([V, hidden_probabilities(V, W, b, n_visible)])
    return moments_of_states(V)


def gradient_step(W, b, data, model, learning_rate, mask):
    """One ascent step along the likelihood gradient (masked to the structure)."""
    gap = data - model
    return W + learning_rate * np.where(mask, gap, 0.0), b + learning_rate * np.diag(gap)


MAX_NEWTON_UNITS = 12


def fisher_information(W, b, mask):
    """Covariance of the sufficient statistics (z_i z_j for the pairs in ``mask``,
    then z_i) under p(z) ∝ exp(½ zᵀWz + bᵀz), by enumerating the states; it is
    the Jacobian of the moments with respect to (W_ij, b_i)."""
    n = b.shape[0]
    p = boltzmann.joint_distribution(W, b).reshape(-1)
    states = ((np.arange(2**n)[:, None] >> np.arange(n)[::-1]) & 1).astype(float)
    iu, ju = np.nonzero(np.triu(mask, 1))
    features = np.hstack([states[:, iu] * states[:, ju], states])
    mean = p @ features
    fisher = (features * p[:, None]).T @ features - np.outer(mean, mean)
    fisher[np.diag_indices_from(fisher)] += 1e-6       # states of vanishing probability
    return fisher, iu, ju


def newton_step(W, b, target, sampled, gain, information):
    """Move (W, b) by ``gain`` times the Newton step that closes the moment gap,
    with the Jacobian ``information = fisher_information(...)``.

    Where the plain gradient step of rate 1 closes only ~10-25 % of a gap (the
    covariances are ~0.05-0.25), this closes most of it at once.
    """
    fisher, iu, ju = information
    gap = target - sampled
    step = gain * np.linalg.solve(fisher, np.concatenate([gap[iu, ju], np.diag(gap)]))
    W = W.copy()
    W[iu, ju] += step[:iu.size]
    W[ju, iu] += step[:iu.size]
    return W, b + step[iu.size:]


def free_energy(V, W, b, n_visible):
    """F(v) with p(v) ∝ exp(-F(v)): hidden units summed out, if there are any."""
    Wvv, bv = W[:n_visible, :n_visible], b[:n_visible]
    energy = 0.5 * np.einsum("si,ij,sj->s", V, Wvv, V) + V @ bv
    if W.shape[0] > n_visible:
        energy = energy + np.logaddexp(0.0, V @ W[:n_visible, n_visible:] + b[n_visible:]).sum(1)
    return -energy


def pseudo_likelihood(V, W, b, n_visible, rng):
    """BernoulliRBM's stochastic pseudo-likelihood: one random unit flipped per row,
    ``n_visible * log σ(F(v̄) - F(v))``."""
    flipped = V.copy()
    columns = rng.randint(0, n_visible, V.shape[0])
    rows = np.arange(V.shape[0])
    flipped[rows, columns] = 1 - flipped[rows, columns]
    gap = free_energy(flipped, W, b, n_visible) - free_energy(V, W, b, n_visible)
    return n_visible * log_expit(gap)


class ExactMoments:
    """Model moments by exact enumeration (at most 30 units)."""

    def __call__(self, W, b):
        return boltzmann.second_moments(W, b)

    def close(self):
        pass


class GibbsMoments:
    """Model moments from persistent Gibbs chains (the ideal sampler).

    Each call continues every chain by ``n_sweeps`` sweeps under the current
    parameters and averages the visited states: persistent contrastive
    divergence (Tieleman 2008).  A restricted machine is swept layer by layer.
    """

    def __init__(self, n_units, n_visible, n_chains, n_sweeps, rng):
        self.Z = rng.randint(0, 2, size=(n_chains, n_units)).astype(float)
        self.n_visible, self.n_sweeps, self.rng = n_visible, n_sweeps, rng

    def _sweep(self, W, b):
        Z, nv = self.Z, self.n_visible
        if W.shape[0] > nv:
            for layer in (slice(nv, None), slice(0, nv)):
                field = Z @ W[:, layer] + b[layer]
                Z[:, layer] = self.rng.random_sample(field.shape) < expit(field)
        else:
            for i in range(W.shape[0]):
                Z[:, i] = self.rng.random_sample(Z.shape[0]) < expit(Z @ W[:, i] + b[i])

    def __call__(self, W, b):
        total = 0.0
        for _ in range(self.n_sweeps):
            self._sweep(W, b)
            total = total + moments_of_states(self.Z)
        return total / self.n_sweeps

    def close(self):
        pass


WEIGHT_TOLERANCE = 0.01


class SpikingMoments:
    """Model moments from a spiking network that persists between calls.

    ``session`` runs ``n_copies`` copies of the network side by side; each call
    sets the translated weights and resting potentials, runs ``duration`` ms on
    and measures time-weighted moments in that window (copies pooled).  Spikes
    from the last ``tau_on`` of the previous window are kept, since their
    on-intervals reach into this one.

    ``translate(W, b)`` gives the signed weight and tau_rec of every connection
    and the resting potentials; ``weight_error(weight, W, b)`` how far, in
    theoretical units, the synaptic weights ``weight`` are from realising W at
    the biases b.  A synapse is set again only once its error exceeds
    ``WEIGHT_TOLERANCE`` (0.01): a learning step moves most weights by far less,
    and setting a NEST synapse costs as much as simulating ~2 µs of a busy
    network, so setting every weight every step would take longer than the
    simulation.  The resting potentials are set every step.
    """

    def __init__(self, session, translate, weight_error, n_units, n_copies, tau_on, duration,
                 t_start):
        self.session, self.translate, self.weight_error = session, translate, weight_error
        self.n, self.k, self.duration = n_units, n_copies, duration
        self.tau_on = np.asarray(tau_on, dtype=float)
        self.t = t_start
        self.tail = (np.empty(0), np.empty(0, dtype=np.int64))
        self.weight = self.tau_rec = None      # what the network's synapses hold
        #: seconds spent so far, by part of a step (see :meth:`breakdown`)
        self.seconds = dict.fromkeys(("translate", "update", "simulate", "read", "transfer",
                                      "statistics"), 0.0)
        self.steps = 0

    def breakdown(self):
        """Mean seconds per step, by part: translating the values (caller), setting
        them on the network, simulating, reading the spikes (server), moving them
        between the processes, and the moments' statistics (caller)."""
        return {part: total / max(1, self.steps) for part, total in self.seconds.items()}

    def _synapse_update(self, W, b, weight, tau_rec):
        """The run's arguments for the synapses that must change (all of them the
        first time), in every copy."""
        if self.weight is None:
            self.weight, self.tau_rec = weight, tau_rec
            return dict(weight=np.tile(weight, self.k),
                        tau_rec=None if tau_rec is None else np.tile(tau_rec, self.k))
        stale = np.flatnonzero(self.weight_error(self.weight, W, b) > WEIGHT_TOLERANCE)
        self.weight[stale] = weight[stale]
        # tau_rec changes only where a weight changes sign (and tau_syn_E != tau_syn_I);
        # static synapses have none
        changed = tau_rec is not None and not np.array_equal(tau_rec[stale], self.tau_rec[stale])
        if changed:
            self.tau_rec[stale] = tau_rec[stale]
        m = weight.size
        return dict(weight=np.tile(weight[stale], self.k),
                    tau_rec=np.tile(tau_rec[stale], self.k) if changed else None,
                    connections=(stale + m * np.arange(self.k)[:, None]).ravel())

    def __call__(self, W, b):
        start = time.perf_counter()
        weight, tau_rec, v_rest = self.translate(W, b)
        synapses = self._synapse_update(W, b, weight, tau_rec)
        translated = time.perf_counter()
        out = self.session.run(self.duration, v_rest=np.tile(v_rest, self.k), **synapses)
        ran = time.perf_counter()
        times = np.concatenate([self.tail[0], out["times"]])
        ids = np.concatenate([self.tail[1], out["ids"]])
        t0, self.t = self.t, self.t + self.duration
        keep = times >= t0 + self.duration - self.tau_on.max()
        self.tail = (times[keep], ids[keep])
        copy = ids // self.n
        total = 0.0
        for c in range(self.k):        # one copy at a time: never (k n)^2 memory
            mine = copy == c
            spikes = SpikeTrains(times[mine], ids[mine] - c * self.n, self.n, self.tau_on)
            total = total + spikes.coactivation(t0, self.t)
        server = out.get("seconds", {})
        for part in ("update", "simulate", "read"):
            self.seconds[part] += server.get(part, 0.0)
        self.seconds["translate"] += translated - start
        self.seconds["transfer"] += (ran - translated) - sum(server.values())
        self.seconds["statistics"] += time.perf_counter() - ran
        self.steps += 1
        return total / self.k

    def close(self):
        self.session.close()


MAX_EXACT_LEARNING_UNITS = 20


def model_moments(learning, network, translation, weights_bio, v_rest, n_visible, n_chains,
                  step_duration, rng, n_jobs=None):
    """The model-moment estimator of a learning mode ("exact", "gibbs", "spiking")."""
    n = translation.n_units
    if learning == "exact":
        if n > MAX_EXACT_LEARNING_UNITS:
            raise ValueError(
                f"learning='exact' sums over all states, limited to "
                f"{MAX_EXACT_LEARNING_UNITS} units; got {n} (use 'spiking' or 'gibbs')"
            )
        return ExactMoments()
    if learning == "gibbs":
        sweeps = max(1, int(round(step_duration / float(translation.tau_on.min()))))
        return GibbsMoments(n, n_visible, n_chains, sweeps, rng)
    return _spiking_moments(network, translation, weights_bio, v_rest, n_visible, n_chains,
                            step_duration, rng, n_jobs)


def _spiking_moments(network, translation, weights_bio, v_rest, n_visible, n_chains,
                     step_duration, rng, n_jobs=None):
    """A persistent network (n_chains copies side by side) for the model moments, on
    ``n_jobs`` cores (NEST threads)."""
    from .._simulation import NetworkSession

    mask = connection_mask(n_visible, translation.n_units - n_visible)
    pre, post = np.nonzero(mask)         # every allowed synapse exists, even at weight 0
    seed = rng.randint(1, 2**31 - 1)
    task = network.task(weights_bio, v_rest, step_duration, seed, connections=(pre, post))
    session = NetworkSession(task.copies([task.v_rest] * n_chains), "learning network", n_jobs)
    if network.burn_in > 0:
        session.run(network.burn_in)

    def translate(W, b):
        w_bio, v_rest = translation.to_bio(W, b)
        weight, per_connection = network.connection_values(w_bio, pre, post)
        return weight, per_connection.get("tau_rec"), v_rest

    def weight_error(weight, W, b):
        held = np.zeros_like(W)
        held[pre, post] = weight
        try:
            realised = translation.realised_weights(held, b)[pre, post]
        except ValueError:          # a held weight's receptor reversed by the new biases
            return np.full(pre.size, np.inf)
        return np.abs(realised - W[pre, post])

    return SpikingMoments(session, translate, weight_error, translation.n_units, n_chains,
                          translation.tau_on, step_duration, network.burn_in)


def learning_step(W, b, V, moments, n_visible, learning_rate):
    """One likelihood-gradient step on the batch V (model moments from ``moments``)."""
    # one BLAS thread: these small products gain nothing from more, and OpenBLAS's
    # idle threads spin between calls, on the cores the spiking network runs on
    # (measured: a third of a core; two NEST threads were 1.2x faster, now 1.65x)
    with threadpool_limits(1, user_api="blas"):
        data = data_moments(V, W, b, n_visible)
        mask = connection_mask(n_visible, W.shape[0] - n_visible)
        return gradient_step(W, b, data, moments(W, b), learning_rate, mask)


def learn(W, b, X, moments, n_visible, learning_rate, batch_size, n_iter, verbose=0):
    """Mini-batch gradient ascent on the likelihood, as BernoulliRBM (batches in
    row order, ``n_iter`` passes); (W, b, steps taken)."""
    batches = list(gen_batches(X.shape[0], batch_size))
    for iteration in range(1, n_iter + 1):
        start = time.perf_counter()
        for k, batch in enumerate(batches, 1):
            try:
                W, b = learning_step(W, b, X[batch], moments, n_visible, learning_rate)
            except ValueError as exc:       # learned values the network cannot realise
                raise ValueError(
                    f"learning diverged in iteration {iteration}, step {k} "
                    f"(learning_rate={learning_rate!r}), the values learned so far: {exc}; "
                    "a smaller learning_rate") from exc
        if wanted(verbose):
            # its own generator: reporting must not change what is learned
            pl = pseudo_likelihood(X, W, b, n_visible, np.random.RandomState(iteration)).mean()
            share = ""
            if hasattr(moments, "breakdown"):         # the spiking network: is it the floor?
                parts = moments.breakdown()
                share = f", simulating {parts['simulate'] / max(sum(parts.values()), 1e-12):.0%}"
            report(verbose, f"[SpikingBoltzmannMachine] Iteration {iteration}, pseudo-likelihood "
                            f"= {pl:.2f}, time = {time.perf_counter() - start:.2f}s{share}")
    return W, b, n_iter * len(batches)


def parameters_key(params):
    """A fingerprint of an estimator's parameters: a live learning network is
    reused only while it is unchanged (a generator is consumed, not changed)."""
    if not isinstance(params["random_state"], (numbers.Integral, type(None))):
        params = dict(params, random_state=id(params["random_state"]))
    return joblib.hash(params)
