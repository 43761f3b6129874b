"""Sampling accuracy: DKL(target || sampled joint) of the sbs tutorial networks.

    python benchmarks/sampling.py [--quick] [--report PATH]

Prints, for three 5-unit tutorial networks with one careful calibration, the median
DKL per sampled duration for static and renewing synapses beside the Gibbs sampler
given the same number of samples; the weights and biases the network realised (a
Boltzmann machine fitted to the sampled joint); and controls with zero weights and
with the weights scaled by one global factor.  Methodology: benchmarks/RESULTS.md.
"""

import numpy as np

import _harness as H

SEEDS = (0, 1, 2)
TARGET_DKL_1E5 = 1e-2


def fit_boltzmann(q):
    """(W, b) of the Boltzmann machine closest to the joint ``q`` (maximum likelihood,
    exact enumeration): the interaction the network actually realised."""
    from scipy.optimize import minimize

    n = q.ndim
    q = q.ravel()
    states = ((np.arange(2 ** n)[:, None] >> (n - 1 - np.arange(n))) & 1).astype(float)
    iu = np.triu_indices(n, 1)
    feats = np.hstack([states[:, iu[0]] * states[:, iu[1]], states])
    expected = q @ feats

    def nll(theta):
        e = feats @ theta
        log_z = e.max() + np.log(np.exp(e - e.max()).sum())
        return -(q @ e - log_z), -(expected - np.exp(e - log_z) @ feats)

    theta = minimize(nll, np.zeros(feats.shape[1]), jac=True, method="BFGS").x
    W = np.zeros((n, n))
    W[iu] = theta[:iu[0].size]
    return W + W.T, theta[iu[0].size:]


def weight_slopes(W, W_eff):
    """Least-squares slope of realised against target weights, excitatory and inhibitory."""
    iu = np.triu_indices(W.shape[0], 1)
    w, we = W[iu], W_eff[iu]
    return tuple(float(w[m] @ we[m] / (w[m] @ w[m])) for m in (w > 0, w < 0))


def windows(dkl, target, joint_of, durations, total, max_windows):
    """{d: [DKL of each consecutive window of length d]}; ``joint_of(i, d)`` is the
    sampled joint of window i and the smoothing to use."""
    return {d: [dkl(target, *joint_of(i, d)) for i in range(min(int(round(total / d)), max_windows))]
            for d in durations}


def spike_windows(dkl, target, bm, durations, total, max_windows=100):
    st, t0, tau = bm.spikes_[0], bm.sampled_window_[0], float(bm.tau_on_.min())
    return windows(dkl, target, lambda i, d: (st.joint(t0 + i * d, t0 + (i + 1) * d), 0.5 * tau / d),
                   durations, total, max_windows)


def gibbs_windows(dkl, target, W, b, tau, durations, total, seed, max_windows=100):
    from sklearn_sbs.boltzmann import empirical_distribution, gibbs_sample

    z = gibbs_sample(W, b, int(total / tau), burn_in=100, random_state=seed)
    m = lambda d: int(round(d / tau))  # noqa: E731
    return windows(dkl, target, lambda i, d: (empirical_distribution(z[i * m(d):(i + 1) * m(d)]), 0.5 / m(d)),
                   durations, total, max_windows)


def main():
    args = H.parse(__doc__)
    from sklearn_sbs.boltzmann import joint_distribution, make_random_network
    from sklearn_sbs.metrics import dkl

    quick = args.quick
    report = H.Report("sampling accuracy", args)
    durations = [3e2, 1e3, 3e3] if quick else [1e3, 1e4, 1e5, 1e6]
    d_max, d_c = durations[-1], (3e3 if quick else 1e5)        # longest run; the controls
    cal, machine = H.calibrated(report, quick)

    scored = set(durations) | {d_c, d_c / 10}
    res, realised, sim_wall = {}, {}, []        # res[(kind, seed)] = {d: [DKL per window]}
    for seed in SEEDS:
        W, b = make_random_network(5, seed)
        target = joint_distribution(W, b)
        for synapse in ("static", "renewing"):
            bm = machine(W, b, synapse=synapse, duration=d_max, random_state=100 + seed)
            sim_wall.append(H.timed(bm.sample)[1])
            res[(synapse, seed)] = spike_windows(dkl, target, bm, scored, d_max)
            assert np.isclose(res[(synapse, seed)][d_max][0], -bm.score())    # as the estimator scores
            q = bm.sampled_joint() + 1e-9
            realised[(synapse, seed)] = (W, b, *fit_boltzmann(q / q.sum()))
        tau = float(bm.tau_on_.min())
        res[("gibbs", seed)] = gibbs_windows(dkl, target, W, b, tau, scored, d_max, seed)
        # controls: no weights (calibration and bias translation alone); Gibbs alike
        zero = np.zeros_like(W)
        bm0 = machine(zero, b, duration=d_c, random_state=200 + seed)
        bm0.sample()
        target0 = joint_distribution(zero, b)
        res[("zero", seed)] = spike_windows(dkl, target0, bm0, (d_c / 10, d_c), d_c)
        res[("zero-gibbs", seed)] = gibbs_windows(dkl, target0, zero, b, tau, (d_c / 10, d_c), d_c, seed)
        print(f"  network {seed} done", flush=True)

    def cell(kind, d, seeds=SEEDS):
        return H.median([H.median(res[(kind, s)][d]) for s in seeds])

    kinds = ("static", "renewing", "gibbs")
    report.section("Accuracy: DKL(target || sampled joint), sbs tutorial networks (5 units)")
    report.table(["duration ms", "samples", "static", "renewing", "Gibbs (same n)", "renewing/Gibbs"],
                 [[f"{d:.0e}", int(d / tau)] + [f"{cell(k, d):.4f}" for k in kinds]
                  + [f"{cell('renewing', d) / cell('gibbs', d):.1f}x"] for d in durations])
    report.note("\nPer network (median over windows; at the longest duration: the single run):\n")
    report.table(["duration ms", "network", "static", "renewing", "Gibbs"],
                 [[f"{d:.0e}", s] + [f"{cell(k, d, [s]):.4f}" for k in kinds]
                  for d in durations[-2:] for s in SEEDS])
    report.note(f"\nSimulation wall time of one {d_max:.0e} ms run: median {H.median(sim_wall):.1f} s "
                f"(min {min(sim_wall):.1f}, max {max(sim_wall):.1f}).")

    report.section("Realised weights and biases (Boltzmann machine fitted to each sampled joint)")
    rows, slopes = [], []
    for (synapse, s), (W, b, W_eff, b_eff) in realised.items():
        exc, inh = weight_slopes(W, W_eff)
        slopes += [exc, inh] if synapse == "renewing" else []
        rows.append([synapse, s, f"{res[(synapse, s)][d_max][0]:.4f}", f"{exc:.2f}", f"{inh:.2f}",
                     f"{np.sqrt(np.mean((b_eff - b) ** 2)):.3f}"])
    report.table(["synapse", "network", f"DKL at {d_max:.0e}", "slope exc", "slope inh", "bias error"], rows)

    scale = 1.0 / H.median(slopes)      # one global factor: what a corrected translation could reach
    for seed in SEEDS:
        W, b = make_random_network(5, seed)
        bm = machine(scale * W, b, synapse="renewing", duration=d_c, random_state=300 + seed)
        bm.sample()
        res[("scaled", seed)] = spike_windows(dkl, joint_distribution(W, b), bm, (d_c / 10, d_c), d_c)
    report.section(f"Controls ({d_c:.0e} ms runs, renewing): W = 0, and W x {scale:.2f}")
    report.table(["duration ms", "W = 0", "W = 0: Gibbs", "renewing (as is)",
                  f"renewing, W x {scale:.2f} (per net)", "Gibbs"],
                 [[f"{d:.0e}", f"{cell('zero', d):.4f}", f"{cell('zero-gibbs', d):.4f}",
                   f"{cell('renewing', d):.4f}",
                   f"{cell('scaled', d):.4f} (" + " ".join(f"{cell('scaled', d, [s]):.4f}" for s in SEEDS) + ")",
                   f"{cell('gibbs', d):.4f}"] for d in (d_c / 10, d_c)])
    report.targets([("median DKL at 1e5 ms, renewing", f"<= {TARGET_DKL_1E5:g}",
                     f"{cell('renewing', d_c):.4f} at {d_c:.0e} ms", cell("renewing", d_c) <= TARGET_DKL_1E5)])
    report.close()


if __name__ == "__main__":
    main()
