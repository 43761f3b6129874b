"""Simulation cost: ``sample()`` against the bare-PyNN reference, warm and cold, and NEST's
cost per neuron-millisecond.

    python benchmarks/simulation_cost.py [--quick] [--report PATH]

Prints three tables: warm wall and CPU time of ``SpikingBoltzmannMachine.sample()`` on the
5-unit tutorial network (renewing synapses) against :func:`_harness.bare_pynn` building the
same network, interleaved; the same from fresh processes (cold start); and microseconds
per neuron-ms for 50 unconnected samplers (and 2, the per-run floor).  Methodology:
benchmarks/RESULTS.md.
"""

import time

import numpy as np

import _harness as H

TARGET_OVERHEAD = 1.2


def _library_once(cal_path, W, b, duration, random_state):
    """In a fresh process: what a user's script does -- import, load a calibration, fit,
    sample.  Timings of each step."""
    t0 = time.perf_counter()
    from sklearn.frozen import FrozenEstimator

    from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
    t1 = time.perf_counter()
    cal = LIFSamplerCalibrator.load(cal_path)
    bm = SpikingBoltzmannMachine(np.array(W), np.array(b), calibrator=FrozenEstimator(cal),
                                 random_state=random_state).fit()
    t2 = time.perf_counter()
    bm.sample(duration=duration)
    return {"import": t1 - t0, "fit": t2 - t1, "sample": time.perf_counter() - t2,
            "n_spikes": int(bm.spikes_[0].n_spikes)}


def warm(report, machine, quick):
    from sklearn_sbs.boltzmann import make_random_network

    W, b = make_random_network(5, 0)
    bm = machine(W, b, synapse="renewing", random_state=7)
    durations = (1e3, 3e3) if quick else (1e4, 1e5)
    reps = (2, 1) if quick else (7, 3)
    bare = H.Worker()
    rows, ratios = [], {}
    try:
        for d, n in zip(durations, reps):
            net = H.network_of(bm, d, seed=7)
            bm.sample(duration=d), bare.call("_harness:bare_pynn", net)        # warm both
            lib, ref = [], []
            for _ in range(n):
                wall, own, workers = H.timed_cpu(lambda: bm.sample(duration=d))
                lib.append((wall, own + sum(workers), bm.spikes_[0].n_spikes))
                ref.append(bare.call("_harness:bare_pynn", net))
            runs = {"lib": [r[0] for r in lib], "bare": [r["total"] for r in ref]}
            wall_med, wall_best = H.ratio(runs, "lib", "bare")
            cpu = H.median([r[1] for r in lib]) / H.median([r["cpu"] for r in ref])
            ratios[d] = (wall_med, cpu)
            rows.append([f"{d:.0e}", n, f"{H.median(runs['lib']):.2f}", f"{H.median(runs['bare']):.2f}",
                         f"{wall_med:.2f}x", f"{wall_best:.2f}x", f"{H.median([r[1] for r in lib]):.2f}",
                         f"{H.median([r['cpu'] for r in ref]):.2f}", f"{cpu:.2f}x",
                         f"{H.fmt_time(H.median([r['build'] for r in ref]))} + "
                         f"{H.median([r['run'] for r in ref]):.2f}",
                         f"{H.median([r[2] for r in lib]):.0f} / {H.median([r['n_spikes'] for r in ref]):.0f}"])
    finally:
        bare.close()
    report.section("Warm: sample() against bare PyNN (5 units, renewing), interleaved")
    report.table(["duration ms", "runs", "sample() s", "bare PyNN s", "wall ratio (medians)",
                  "wall ratio (best)", "sample() CPU s", "bare CPU s", "CPU ratio", "bare build + run s",
                  "spikes lib / bare"], rows)
    return bm, ratios


def cold(report, bm, cal, quick, tmp):
    import os

    d = 1e3 if quick else 1e4
    cal_path = os.path.join(tmp, "calibration.json")
    cal.save(cal_path)
    net = H.network_of(bm, d, seed=7)
    runs = {"library": [], "bare": [], "bare naive": []}
    inner = {"library": [], "bare": []}
    for _ in range(1 if quick else 3):
        for kind, (fn, args) in {
                "library": ("simulation_cost:_library_once",
                            (cal_path, bm.weights.tolist(), bm.biases.tolist(), d, 7)),
                "bare": ("_harness:bare_pynn", (net,)),
                "bare naive": ("_harness:bare_pynn", (net, True))}.items():
            out, wall = H.fresh(fn, *args)
            runs[kind].append(wall)
            inner.get(kind, []).append(out)
    lib, ref = inner["library"], inner["bare"]
    med = lambda rs, k: H.median([r[k] for r in rs])  # noqa: E731
    report.section(f"Cold: fresh processes, {d:.0e} ms, wall time from outside, interleaved")
    report.table(["library s", "bare s", "bare naive s", "ratio", "library: import + fit + sample",
                  "bare: import + build/run/record"],
                 [[H.fmt_time(H.median(runs["library"])), H.fmt_time(H.median(runs["bare"])),
                   H.fmt_time(H.median(runs["bare naive"])), f"{H.ratio(runs, 'library', 'bare')[0]:.2f}x",
                   f"{med(lib, 'import'):.2f} + {med(lib, 'fit'):.2f} + {med(lib, 'sample'):.2f}",
                   f"{med(ref, 'import'):.2f} + {med(ref, 'total'):.2f}"]])
    return H.ratio(runs, "library", "bare")[0]


def per_neuron_ms(report, machine, cal, quick):
    t = 2e3 if quick else 1e4
    report.section(f"NEST cost: unconnected samplers, {t:g} ms (+ burn-in), us per neuron-ms")
    bare = H.Worker()
    rows = []
    try:
        for n in (50, 2):           # 2: the per-run floor (PyNN cannot connect one-to-one to 1 cell)
            v_rest = np.linspace(-53.0, -48.0, n)
            bm = machine(np.zeros((n, n)), (v_rest - cal.v_p05_) / cal.alpha_, random_state=1)
            net = H.network_of(bm, t, seed=1)
            bare.call("_harness:bare_pynn", net)
            work = n * net["t_stop"] / 1e6
            lib = H.best_time(lambda: bm.sample(duration=t), 1 if quick else 3)
            ref = [bare.call("_harness:bare_pynn", net) for _ in range(1 if quick else 3)]
            total, run = min(r["total"] for r in ref), min(r["run"] for r in ref)
            rows.append([n, f"{lib / work:.2f}", f"{total / work:.2f}", f"{run / work:.2f}",
                         f"{total / lib:.2f}x"])
    finally:
        bare.close()
    report.table(["neurons", "sample() us/neuron-ms", "bare PyNN us/neuron-ms", "bare sim.run alone",
                  "bare / sample()"], rows)


def main():
    import tempfile

    args = H.parse(__doc__)
    report = H.Report("simulation cost", args)
    cal, machine = H.calibrated(report, args.quick)
    bm, ratios = warm(report, machine, args.quick)
    with tempfile.TemporaryDirectory(prefix="sbs-bench-") as tmp:
        cold_ratio = cold(report, bm, cal, args.quick, tmp)
    per_neuron_ms(report, machine, cal, args.quick)
    report.targets([(f"sample() / bare, warm, {d:.0e} ms", f"<= {TARGET_OVERHEAD}x",
                     f"{w:.2f}x wall, {c:.2f}x CPU", w <= TARGET_OVERHEAD) for d, (w, c) in ratios.items()]
                   + [("library / bare, cold process", f"<= {TARGET_OVERHEAD}x", f"{cold_ratio:.2f}x",
                       cold_ratio <= TARGET_OVERHEAD)])
    report.close()


if __name__ == "__main__":
    main()
