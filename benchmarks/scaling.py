"""Scaling: large sparse networks, and parallel chains, against the bare-PyNN reference.

    python benchmarks/scaling.py [--quick] [--report PATH]

Prints, for 200 and 1000 units at 10 % connectivity (renewing synapses), the simulated ms
per wall second of ``sample()`` and of :func:`_harness.bare_pynn` on the same network, the
peak memory of the simulating processes and the analysis time of the spikes; then
``n_chains=2, n_jobs=2`` against one chain of twice the duration, beside two bare
processes against one.  Methodology: benchmarks/RESULTS.md.
"""

import numpy as np

import _harness as H

TARGET_CHAINS = 1.6


def sparse_network(n, seed, p=0.1, sigma=0.5):
    """Random symmetric W with connection probability p, N(0, sigma^2) weights; b ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    mask = np.triu(rng.random((n, n)) < p, 1)
    W = np.where(mask, rng.normal(0.0, sigma, size=(n, n)), 0.0)
    return W + W.T, rng.normal(size=n)


def _library_scale(cal_path, n, duration, random_state):
    """In a fresh process whose worker is warmed on a tiny network: fit and sample a
    large one, analyse its spikes; timings, memory and the network for the bare run."""
    from sklearn.frozen import FrozenEstimator

    from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

    cal = FrozenEstimator(LIFSamplerCalibrator.load(cal_path))
    SpikingBoltzmannMachine(np.zeros((2, 2)), np.zeros(2), calibrator=cal, duration=100.0,
                            random_state=0).fit().sample()
    base_kb = H.peak_memory_kb()
    W, b = sparse_network(n, n)
    bm, t_fit = H.timed(SpikingBoltzmannMachine(W, b, calibrator=cal, synapse="renewing", duration=duration,
                                                random_state=random_state).fit)
    states, t_sample = H.timed(bm.sample)
    peak_kb = H.peak_memory_kb()
    p_on, t_marg = H.timed(bm.sampled_marginals)
    _, t_co = H.timed(bm.spikes_[0].coactivation, *bm.sampled_window_)
    return {"fit": t_fit, "sample": t_sample, "marginals": t_marg, "coactivation": t_co,
            "n_spikes": int(bm.spikes_[0].n_spikes), "n_synapses": int(np.count_nonzero(W)),
            "mean_p_on": float(p_on.mean()), "worker_peak_kb": peak_kb, "worker_base_kb": base_kb,
            "caller_kb": H.own_peak_memory_kb(), "net": H.network_of(bm, duration, random_state)}


def scale(report, cal, quick, tmp):
    import os

    duration, sizes = (5e2, (200,)) if quick else (1e4, (200, 1000))
    cal_path = os.path.join(tmp, "calibration.json")
    cal.save(cal_path)
    rows, memory = [], []
    for n in sizes:
        lib, _ = H.fresh("scaling:_library_scale", cal_path, n, duration, 3)
        bare, _ = H.fresh("_harness:bare_pynn", lib["net"])
        t_stop = lib["net"]["t_stop"]
        rows.append([n, lib["n_synapses"], f"{lib['n_spikes']:.2e} / {bare['n_spikes']:.2e}",
                     f"{lib['mean_p_on']:.2f}", f"{lib['sample']:.1f}", f"{t_stop / lib['sample']:.0f}",
                     f"{bare['total']:.1f} ({bare['build']:.1f} + {bare['run']:.1f} + {bare['collect']:.2f})",
                     f"{t_stop / bare['total']:.0f}", f"{lib['sample'] / bare['total']:.2f}x"])
        memory.append([n, f"{lib['worker_peak_kb'] / 1024:.0f}", f"{lib['worker_base_kb'] / 1024:.0f}",
                       f"{bare['maxrss_kb'] / 1024:.0f}", f"{lib['caller_kb'] / 1024:.0f}", f"{lib['fit']:.2f}",
                       H.fmt_time(lib["marginals"]), H.fmt_time(lib["coactivation"]),
                       f"{lib['n_spikes'] / lib['coactivation'] / 1e6:.1f}"])
    report.section(f"Scale: 10 % connectivity, renewing, W ~ N(0, 0.5^2) on edges, b ~ N(0, 1), "
                   f"{duration:.0e} ms")
    report.table(["units", "synapses", "spikes lib / bare", "mean p_on", "sample() s", "sim ms / wall s",
                  "bare s (build + run + collect)", "bare sim ms / s", "ratio"], rows)
    report.note()
    report.table(["units", "worker peak MiB", "worker warm (before) MiB", "bare process peak MiB",
                  "caller peak MiB", "fit s", "sampled_marginals", "coactivation", "coact. M spikes/s"], memory)


def chains(report, machine, quick):
    from sklearn_sbs.boltzmann import make_random_network

    d, reps = (2e3, 1) if quick else (2.5e4, 2)
    bm = machine(*make_random_network(5, 0), synapse="renewing", random_state=11)
    runs = {}
    for _ in range(reps):
        for setting, kw in (("1 chain", dict(n_chains=1, n_jobs=None, duration=2 * d)),
                            ("2 chains", dict(n_chains=2, n_jobs=2, duration=d))):
            bm.set_params(**kw)
            runs.setdefault((setting, "switch"), []).append(H.timed_cpu(bm.sample))
            if setting == "2 chains":          # make sure both workers have imported NEST
                bm.set_params(n_chains=4, duration=d / 4).sample()
                bm.set_params(n_chains=2, duration=d)
            for _ in range(2):
                runs.setdefault((setting, "warm"), []).append(H.timed_cpu(bm.sample))
    long_net, short_net = H.network_of(bm, 2 * d, 1), H.network_of(bm, d, 2)
    workers = [H.Worker(), H.Worker()]

    def both():
        for w in workers:
            w.send("_harness:bare_pynn", short_net)
        for w in workers:
            w.receive()

    try:
        both()
        for _ in range(reps + 1):
            runs.setdefault(("bare 1", "warm"), []).append(
                H.timed_cpu(lambda: workers[0].call("_harness:bare_pynn", long_net)))
            runs.setdefault(("bare 2", "warm"), []).append(H.timed_cpu(both))
    finally:
        for w in workers:
            w.close()

    def summary(key):
        rs = runs[key]      # (wall, caller CPU, [busy children's CPU])
        return (H.median([r[0] for r in rs]), H.median([r[1] + max(r[2], default=0.0) for r in rs]),
                H.median([sum(r[2]) for r in rs]))

    rows, result = [], {}
    for label, one, two in (("library, warm", ("1 chain", "warm"), ("2 chains", "warm")),
                            ("library, first run after switching n_jobs", ("1 chain", "switch"),
                             ("2 chains", "switch")),
                            ("bare, 2 processes", ("bare 1", "warm"), ("bare 2", "warm"))):
        (w1, c1, s1), (w2, c2, s2) = summary(one), summary(two)
        result[label] = (w1 / w2, c1 / c2)
        rows.append([label, f"{w1:.2f}", f"{w2:.2f}", f"{w1 / w2:.2f}x", f"{s1:.2f}", f"{s2:.2f}",
                     f"{w1 / s1:.2f}" if s1 else "-", f"{c1 / c2:.2f}x"])
    report.section("Parallel chains: n_chains=2, n_jobs=2 against one chain of twice the duration")
    report.table(["", f"1 chain x {2 * d:.2g} ms, wall s", f"2 chains x {d:.2g} ms, wall s", "speed-up",
                  "1 chain: sim CPU s", "2 chains: sim CPU s (sum)", "1 chain: wall / CPU",
                  "on 2 free cores"], rows)
    return result


def main():
    import tempfile

    args = H.parse(__doc__)
    report = H.Report("scaling", args)
    cal, machine = H.calibrated(report, args.quick)
    with tempfile.TemporaryDirectory(prefix="sbs-bench-") as tmp:
        scale(report, cal, args.quick, tmp)
    result = chains(report, machine, args.quick)
    (wall, cpu), (bare_wall, bare_cpu) = result["library, warm"], result["bare, 2 processes"]
    report.targets([("2 chains (n_jobs=2) vs 1 long chain", f">= {TARGET_CHAINS}x",
                     f"{wall:.2f}x wall (bare: {bare_wall:.2f}x); CPU-bound estimate {cpu:.2f}x "
                     f"(bare {bare_cpu:.2f}x)", wall >= TARGET_CHAINS)])
    report.close()


if __name__ == "__main__":
    main()
