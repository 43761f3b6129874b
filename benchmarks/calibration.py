"""Calibration: the library's own ``LIFSamplerCalibrator.fit`` -- default protocol against
the original sbs protocol (a pre-scan, then a second stage), accuracy and n_jobs.

    python benchmarks/calibration.py [--quick] [--report PATH] [--seeds N] [--baseline-duration MS]

Prints one table per question: the accuracy of the default ``fit()`` and of the original
protocol (expressed as two ``fit(X)`` calls with explicit resting potentials) against a
reference calibration ten times longer over the same range; their wall times, run
interleaved, and the ratio; ``n_jobs=2`` against ``n_jobs=1`` (identical results); the
cold-start cost.  Methodology: benchmarks/RESULTS.md.
"""

import warnings

import numpy as np

import _harness as H

TARGET_V, TARGET_A = 0.05, 0.03           # mV, relative
PRESCAN = np.arange(-80.0, -20.0, 0.2)[:300]
PRESCAN_DURATION = 1000.0
BASELINE_POINTS = 150
SEEDS = {"default": 1000, "prescan": 2000, "baseline": 3000, "reference": 99}


def rms(values):
    return float(np.sqrt(np.mean(np.square(values))))


def score(dv, da):
    """Accuracy as the fraction of the target used (rms over seeds, worse of the two)."""
    return max(rms(dv) / TARGET_V, rms(da) / TARGET_A)


def original_range(grid, p_on, lower=0.05, upper=0.95):
    """sbs ``pre_calib_adjust_v_rest``: one grid point beyond the on-slope points."""
    valid = np.flatnonzero((p_on > lower) & (p_on < upper))
    if valid.size == 0:
        raise RuntimeError("pre-scan found no point with 0.05 < p_on < 0.95")
    return float(grid[max(0, valid[0] - 1)]), float(grid[min(grid.size - 1, valid[-1] + 1)])


def column(lo, hi, n):
    return np.linspace(lo, hi, n)[:, None]


def neuron_ms(cal):
    return cal.v_rest_.size * (cal.duration + cal.burn_in)


def main():
    args = H.parse(__doc__, lambda p: (
        p.add_argument("--seeds", type=int, default=None, help="seeds per protocol (5; quick: 2)"),
        p.add_argument("--baseline-duration", type=float, default=4500.0,
                       help="second-stage duration of the original protocol, ms (default 4500)")))
    from sklearn_sbs import LIFSamplerCalibrator

    warnings.simplefilter("ignore")        # fit(X) range warnings
    quick, d2 = args.quick, args.baseline_duration
    n_seeds = args.seeds or (2 if quick else 5)
    report = H.Report("calibration", args)
    Cal = lambda seed, **kw: LIFSamplerCalibrator(random_state=seed, **{"n_jobs": 1, **kw})  # noqa: E731

    def original(i):
        """The sbs protocol through the public estimator: a pre-scan fit(X), then fit(X)
        over the range where the pre-scan's p_on crosses 0.05 ... 0.95."""
        pre, t_pre = H.timed(Cal(SEEDS["prescan"] + i, duration=PRESCAN_DURATION).fit, PRESCAN[:, None])
        lo, hi = original_range(PRESCAN, pre.p_on_)
        cal, t_fit = H.timed(Cal(SEEDS["baseline"] + i, duration=d2).fit, column(lo, hi, BASELINE_POINTS))
        return cal, (lo, hi), t_pre, t_fit

    # cold start: the first call pays the worker start and the PyNN/NEST import
    probe = column(-53.0, -48.0, 16)
    cold = H.timed(Cal(0, duration=100.0).fit, probe)[1]
    warm = H.best_time(lambda: Cal(0, duration=100.0).fit(probe), 2)

    # the two protocols, interleaved seed by seed (n_jobs=1)
    default, base = [], []
    for i in range(n_seeds):
        default.append(H.timed(Cal(SEEDS["default"] + i).fit))
        base.append(original(i))
    lo, hi = default[0][0].v_rest_.min(), default[0][0].v_rest_.max()
    ranges = [b[1] for b in base]
    b_range = max(set(ranges), key=ranges.count)        # the range most seeds chose

    # references: the same protocol's range, 10x longer, 200 points (all cores; not timings)
    d0 = default[0][0].duration
    n_ref, d_ref = (64, 2 * d0) if quick else (200, 10 * d0)
    ref = Cal(SEEDS["reference"], duration=d_ref, n_jobs=-1).fit(column(lo, hi, n_ref))
    ref_b = Cal(SEEDS["reference"] + 1, duration=d_ref, n_jobs=-1).fit(column(*b_range, n_ref))

    def errors(cal, r):
        return abs(cal.v_p05_ - r.v_p05_), abs(cal.alpha_ - r.alpha_) / r.alpha_

    rows = [[f"reference, default range [{lo:.2f}, {hi:.2f}]", "-", "-", "-", f"{neuron_ms(ref):.2e}",
             f"v_p05 {ref.v_p05_:.3f} ± {ref.v_p05_err_:.3f} mV, alpha {ref.alpha_:.4f} ± {ref.alpha_err_:.4f}"],
            [f"reference, original's range [{b_range[0]:.1f}, {b_range[1]:.1f}]", "-", "-", "-",
             f"{neuron_ms(ref_b):.2e}", f"v_p05 {ref_b.v_p05_:.3f} mV, alpha {ref_b.alpha_:.4f} mV"]]
    err_d = [errors(c, ref) for c, _ in default]
    err_b = [errors(c, ref_b) for c, *_ in base]
    for i, ((c, wall), (dv, da)) in enumerate(zip(default, err_d)):
        rows.append([f"default fit(), seed {SEEDS['default'] + i}", f"{dv:.4f}", f"{100 * da:.2f} %",
                     f"{wall:.2f}", f"{neuron_ms(c):.2e}", f"v_p05 {c.v_p05_:.3f}, alpha {c.alpha_:.4f}"])
    for i, ((c, rng, t_pre, t_fit), (dv, da)) in enumerate(zip(base, err_b)):
        rows.append([f"original protocol, seed {SEEDS['baseline'] + i}", f"{dv:.4f}", f"{100 * da:.2f} %",
                     f"{t_pre + t_fit:.2f}", f"{PRESCAN.size * (PRESCAN_DURATION + c.burn_in) + neuron_ms(c):.2e}",
                     f"range [{rng[0]:.1f}, {rng[1]:.1f}] mV{'' if rng == b_range else ' (not the reference range)'}; "
                     f"pre-scan {t_pre:.2f} s + {t_fit:.2f} s"])
    s_def, s_base = score(*zip(*err_d)), score(*zip(*err_b))
    for name, errs, s in (("default fit()", err_d, s_def), ("original protocol", err_b, s_base)):
        dv, da = zip(*errs)
        rows.append([f"{name}: max / rms over seeds", f"{max(dv):.4f} / {rms(dv):.4f}",
                     f"{100 * max(da):.2f} / {100 * rms(da):.2f} %", "-", "-", f"accuracy score {s:.2f}"])
    report.section(f"Accuracy against a reference of {n_ref} points x {d_ref:g} ms over the same range "
                   f"(target: {TARGET_V} mV, {100 * TARGET_A:.0f} %)")
    report.table(["", "|dv_p05| mV", "|dalpha|/alpha", "wall s", "neuron-ms", "note"], rows)
    report.note(f"\nOriginal protocol: pre-scan {PRESCAN.size} x {PRESCAN_DURATION:g} ms, then "
                f"{BASELINE_POINTS} x {d2:g} ms; errors scale as 1/sqrt(duration), so its accuracy "
                f"equals the default's at ~{d2 * (s_base / s_def) ** 2:.0f} ms (noisy with {n_seeds} seeds).")

    ok_default = all(dv <= TARGET_V and da <= TARGET_A for dv, da in err_d)
    runs = {"default": [w for _, w in default], "original": [b[2] + b[3] for b in base]}
    speed = H.ratio(runs, "original", "default")
    report.section("Speed, n_jobs=1, interleaved (target: default <= 1/5 of the original protocol)")
    report.table(["default fit() s", "original protocol s", "pre-scan alone s", "original / default (medians)",
                  "(best)", "neuron-ms ratio"],
                 [[f"{H.median(runs['default']):.2f}", f"{H.median(runs['original']):.2f}",
                   f"{H.median([b[2] for b in base]):.2f}", f"{speed[0]:.2f}x", f"{speed[1]:.2f}x",
                   f"{(PRESCAN.size * (PRESCAN_DURATION + 100.0) + neuron_ms(base[0][0])) / neuron_ms(default[0][0]):.2f}x"]])

    # n_jobs: loky grows its pool when n_jobs grows (a new worker imports PyNN/NEST): warm first
    Cal(0, duration=100.0, n_jobs=2).fit(column(-53.0, -48.0, 128))
    by_jobs, identical = {1: [], 2: []}, True
    for _ in range(1 if quick else 2):
        for n_jobs in (1, 2):
            for _ in range(1 if quick else 2):
                cal = Cal(SEEDS["default"], n_jobs=n_jobs)
                by_jobs[n_jobs].append(H.timed_cpu(cal.fit))
                one = default[0][0]
                identical &= (np.array_equal(cal.p_on_, one.p_on_) and cal.v_p05_ == one.v_p05_
                              and cal.alpha_ == one.alpha_)
    t1, t2 = (H.median([r[0] for r in by_jobs[k]]) for k in (1, 2))
    one_worker = H.median([sum(r[2]) for r in by_jobs[1]])
    busiest = H.median([max(r[2], default=float("nan")) for r in by_jobs[2]])
    report.section(f"n_jobs=2 against n_jobs=1, default fit, same seed (target >= 1.6x); load {H.load_average()}")
    report.table(["n_jobs=1 s", "n_jobs=2 s", "speed-up (wall)", "1 worker CPU s", "busiest of 2 workers CPU s",
                  "on free cores", "identical", "cold start s"],
                 [[f"{t1:.2f}", f"{t2:.2f}", f"{t1 / t2:.2f}x", f"{one_worker:.2f}", f"{busiest:.2f}",
                   f"{one_worker / busiest:.2f}x", identical, f"{cold - warm:.2f} ({cold:.2f} vs {warm:.2f} warm)"]])
    report.targets([
        ("default fit within 0.05 mV / 3 % of the reference", "all seeds",
         f"worst {max(e[0] for e in err_d):.4f} mV, {100 * max(e[1] for e in err_d):.2f} %", ok_default),
        ("default fit <= 1/5 of the original protocol", ">= 5x", f"{speed[0]:.2f}x", speed[0] >= 5),
        ("n_jobs=2 >= 1.6x n_jobs=1, identical", ">= 1.6x", f"{t1 / t2:.2f}x wall, "
         f"{one_worker / busiest:.2f}x from CPU; identical {identical}", t1 / t2 >= 1.6 and identical)])
    report.close()


if __name__ == "__main__":
    main()
