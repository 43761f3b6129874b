"""Accuracy of the corrected translation: the default fit against the analytic one and Gibbs.

    python benchmarks/accuracy.py [--quick] [--report PATH] [--parts nets,models,rbm,timing]

Side by side in one run, each machine fitted twice on one frozen calibration per neuron
model (the calibrator's defaults: 64 points x 6000 ms, the model's default noise): the
default ``fit()`` (``correction_rounds=5``) and the analytic translation alone
(``correction_rounds=0``), against Gibbs given the same number of samples
(duration / tau_on sweeps).

- ``nets``: median DKL(target || sampled joint) of the sbs tutorial 5-unit networks
  (seeds 200..207, not used by the tests), renewing synapses at 1e5 and 1e6 ms (the
  latter on fewer networks), static ones at 1e5 ms.  Gibbs is smoothed as ``score()``
  smooths: half the weight of one sample, eps = 0.5 / n_samples.
- ``models``: one tutorial network for each of the four neuron models, 1e5 ms.
- ``rbm``: BernoulliRBMs trained on binarized digits (64 visible + 32 / 100 hidden), built
  with ``from_bernoulli_rbm``, and a sparse random 100-unit machine: RMS error of the
  visible marginals and of the visible-visible covariances (upper triangle) against a
  Gibbs reference of 3e5 sweeps, as a ratio to the error of Gibbs with the same number of
  samples (both samplers: mean over 3 seeds).  Both samplers' moments come from binary states, the
  spiking network's on its tau_on grid (``sample()``).
- ``timing``: wall time of the default fit, the analytic fit and one default ``sample()``
  of a 5-unit net and the 96-unit RBM (interleaved): the correction's extra cost in
  samples, (fit_default - fit_analytic) / sample.

Progress goes to stderr.  Methodology: benchmarks/RESULTS.md.
"""

import functools
import sys
import time

import numpy as np

import _harness as H

MODELS = ("IF_cond_exp", "IF_curr_exp", "IF_cond_alpha", "IF_curr_alpha")
NET_SEEDS = tuple(range(200, 208))
FITS = {"default": {}, "analytic": {"correction_rounds": 0}}
TARGETS = {"dkl": 1.5, "rms": 1.5, "extra_wall": 3.0}
SAMPLE_SEEDS = (1, 101, 102)    # the spiking runs of a large machine (1: the fit's own seed)


def log(text):
    print(text, file=sys.stderr, flush=True)


class Setup:
    """What every part shares: the options, one calibration per neuron model (fitted
    when first needed) and the report."""

    def __init__(self, report, quick):
        self.report, self.quick = report, quick
        self.duration = 1e4 if quick else 1e5
        self._calibrations = {}

    def calibrator(self, model="IF_cond_exp"):
        if model not in self._calibrations:
            log(f"calibrating {model} ...")
            self._calibrations[model] = H.calibrated(self.report, self.quick, duration=6e3, n_points=64,
                                                     neuron_model=model)[0]
        return self._calibrations[model]

    def machine(self, fit, model="IF_cond_exp", rbm=None, W=None, b=None, **params):
        """A SpikingBoltzmannMachine on the model's frozen calibration, fitted as
        ``FITS[fit]``; of ``rbm`` (from_bernoulli_rbm) or of (W, b)."""
        from sklearn.frozen import FrozenEstimator

        from sklearn_sbs import SpikingBoltzmannMachine

        params = {"calibrator": FrozenEstimator(self.calibrator(model)), "duration": self.duration,
                  **FITS[fit], **params}
        if rbm is not None:
            return SpikingBoltzmannMachine.from_bernoulli_rbm(rbm, **params)
        return SpikingBoltzmannMachine(W, b, **params)


def n_samples(bm, duration):
    return int(round(duration / float(bm.tau_on_.min())))


def gibbs_dkl(W, b, n, seed):
    """DKL(exact || Gibbs with n samples), smoothed as ``score()`` smooths."""
    from sklearn_sbs.boltzmann import empirical_distribution, gibbs_sample, joint_distribution
    from sklearn_sbs.metrics import dkl

    z = gibbs_sample(W, b, n, burn_in=100, random_state=seed)
    return dkl(joint_distribution(W, b), empirical_distribution(z), eps=0.5 / n)


def ratio(a, b):
    return f"{a / b:.2f}x"


# --- 5-unit networks ---------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def dkl_runs(setup, model, seed, duration, synapse="renewing"):
    """{"default": DKL, "analytic": DKL, "gibbs": DKL} of tutorial net ``seed`` (once per
    run: ``models`` reuses the IF_cond_exp net of ``nets``)."""
    from sklearn_sbs.boltzmann import make_random_network

    W, b = make_random_network(5, random_state=seed)
    out, t0 = {}, time.perf_counter()
    for fit in FITS:
        bm = setup.machine(fit, model, W=W, b=b, synapse=synapse, duration=duration, random_state=seed).fit()
        bm.sample()
        out[fit] = -bm.score()
    out["gibbs"] = gibbs_dkl(W, b, n_samples(bm, duration), seed)
    log(f"  {model} net {seed}, {synapse}, {duration:.0e} ms: default {out['default']:.4f}, analytic "
        f"{out['analytic']:.4f}, Gibbs {out['gibbs']:.4f} ({time.perf_counter() - t0:.0f} s)")
    return out


def nets(setup):
    quick, report = setup.quick, setup.report
    seeds = NET_SEEDS[:2] if quick else NET_SEEDS
    runs = [(setup.duration, "renewing", seeds), (setup.duration, "static", seeds)]
    if not quick:
        runs.insert(1, (1e6, "renewing", seeds[:4]))
    results = {}     # (duration, synapse) -> [{fit: DKL} per net]
    for duration, synapse, run_seeds in runs:
        results[(duration, synapse)] = [dkl_runs(setup, "IF_cond_exp", s, duration, synapse)
                                        for s in run_seeds]

    def med(duration, synapse, kind):
        return H.median([r[kind] for r in results[(duration, synapse)]])

    rows = []
    for duration, synapse, run_seeds in runs:
        m = {k: med(duration, synapse, k) for k in ("default", "analytic", "gibbs")}
        rows.append([f"{duration:.0e}", synapse, len(run_seeds), f"{m['default']:.4f}", f"{m['analytic']:.4f}",
                     f"{m['gibbs']:.4f}", ratio(m["default"], m["gibbs"]), ratio(m["analytic"], m["gibbs"])])
    report.section("5-unit tutorial networks: median DKL(target || sampled joint), IF_cond_exp")
    report.table(["duration ms", "synapse", "nets", "default fit", "analytic", "Gibbs (same n)",
                  "default/Gibbs", "analytic/Gibbs"], rows)
    key = (setup.duration, "renewing")
    report.note(f"\nPer network ({setup.duration:.0e} ms, renewing):\n")
    report.table(["net", "default fit", "analytic", "Gibbs", "default/Gibbs"],
                 [[s, f"{r['default']:.4f}", f"{r['analytic']:.4f}", f"{r['gibbs']:.4f}",
                   ratio(r["default"], r["gibbs"])] for s, r in zip(seeds, results[key])])
    got = med(*key, "default") / med(*key, "gibbs")
    return [(f"5-unit nets, median DKL of the default fit at {setup.duration:.0e} ms (renewing)",
             f"<= {TARGETS['dkl']:g}x Gibbs", f"{got:.2f}x ({len(seeds)} nets)", got <= TARGETS["dkl"])]


def models(setup):
    rows = []
    for model in MODELS:
        r = dkl_runs(setup, model, NET_SEEDS[0], setup.duration, "renewing")
        cal = setup.calibrator(model)
        rows.append([model, f"{cal.v_p05_:.3f}", f"{cal.alpha_:.3f}", f"{r['default']:.4f}", f"{r['analytic']:.4f}",
                     f"{r['gibbs']:.4f}", ratio(r["default"], r["gibbs"]), ratio(r["analytic"], r["gibbs"])])
    setup.report.section(f"Neuron models: tutorial net {NET_SEEDS[0]}, DKL at {setup.duration:.0e} ms, renewing, "
                         "each model's default noise")
    setup.report.table(["model", "v_p05 mV", "alpha mV", "default fit", "analytic", "Gibbs (same n)",
                        "default/Gibbs", "analytic/Gibbs"], rows)
    return []


# --- large machines ----------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def digits_rbm(n_hidden):
    from sklearn.datasets import load_digits
    from sklearn.neural_network import BernoulliRBM

    X = (load_digits().data > 7).astype(float)
    return BernoulliRBM(n_components=n_hidden, learning_rate=0.05, batch_size=20, n_iter=20,
                        random_state=0).fit(X)


def sparse_machine(n=100, density=0.1, seed=0):
    """Symmetric W with ``density`` of the pairs connected, N(0, 0.5^2); b ~ N(0, 1)."""
    rng = np.random.default_rng(seed)
    W = np.triu(rng.normal(0.0, 0.5, (n, n)) * (rng.random((n, n)) < density), 1)
    return W + W.T, rng.normal(size=n)


def moments(states, n_visible):
    """Marginals and upper-triangle covariances of the first ``n_visible`` units (counts
    in float32 are exact integers below 2^24)."""
    v = np.asarray(states[:, :n_visible], dtype=np.float32)
    m = v.sum(axis=0, dtype=np.float64) / len(v)
    c = (v.T @ v).astype(np.float64) / len(v) - np.outer(m, m)
    return m, c[np.triu_indices(n_visible, 1)]


def rms_errors(stats, reference):
    return tuple(float(np.sqrt(np.mean((s - r) ** 2))) for s, r in zip(stats, reference))


def rbm(setup):
    from sklearn_sbs.boltzmann import gibbs_sample

    quick = setup.quick
    cases = [(f"digits RBM 64+{h}", 64, dict(rbm=digits_rbm(h))) for h in ((32,) if quick else (32, 100))]
    if not quick:
        W, b = sparse_machine()
        cases.append(("sparse random 100 (10 %)", 100, dict(W=W, b=b)))
    n_ref = 300_000
    rows, targets = [], []
    for name, n_visible, values in cases:
        t0 = time.perf_counter()
        errors = {}
        for fit in FITS:
            bm = setup.machine(fit, **values, random_state=1).fit()
            if fit == "default":
                W, b = bm.weights_theo_, bm.biases_theo_
                reference = moments(gibbs_sample(W, b, n_ref, burn_in=1000, random_state=10), n_visible)
            # as many runs as Gibbs gets seeds: an RBM's error at 1e4 samples is mostly its
            # slow mixing, which one run measures poorly
            errors[fit] = tuple(np.mean([rms_errors(moments(bm.sample(random_state=s), n_visible), reference)
                                         for s in SAMPLE_SEEDS], axis=0))
            log(f"  {name}, {fit} fit: RMS marginals {errors[fit][0]:.4f}, covariances {errors[fit][1]:.5f} "
                f"({time.perf_counter() - t0:.0f} s)")
        n = n_samples(bm, setup.duration)
        errors["gibbs"] = tuple(np.mean([rms_errors(moments(gibbs_sample(W, b, n, burn_in=1000, random_state=s),
                                                            n_visible), reference) for s in range(len(SAMPLE_SEEDS))],
                                  axis=0))
        g = errors["gibbs"]
        for i, what in enumerate(("marginals", "covariances")):
            rows.append([name, what, f"{errors['default'][i]:.5f}", f"{errors['analytic'][i]:.5f}", f"{g[i]:.5f}",
                         ratio(errors["default"][i], g[i]), ratio(errors["analytic"][i], g[i])])
            got = errors["default"][i] / g[i]
            targets.append((f"{name}: RMS error of the visible {what}, default fit", f"<= {TARGETS['rms']:g}x Gibbs",
                            f"{got:.2f}x", got <= TARGETS["rms"]))
    setup.report.section(f"Large machines: RMS error of visible moments at {setup.duration:.0e} ms (renewing) "
                         f"against {n_ref:.0e} Gibbs sweeps; Gibbs (same n) averaged over 3 seeds")
    setup.report.table(["machine", "moments", "default fit", "analytic", "Gibbs (same n)", "default/Gibbs",
                        "analytic/Gibbs"], rows)
    return targets


# --- wall time ---------------------------------------------------------------------

def timing(setup):
    from sklearn_sbs.boltzmann import make_random_network

    W, b = make_random_network(5, random_state=NET_SEEDS[0])
    cases = [("5-unit net", dict(W=W, b=b))]
    if not setup.quick:         # the same loop; its correction alone takes ~1 min at 1e4 ms
        cases.append(("digits RBM 64+32", dict(rbm=digits_rbm(32))))
    repeat = 1 if setup.quick else 2
    rows, targets = [], []
    for name, values in cases:
        sampler = setup.machine("default", **values, random_state=1).fit()
        runs = H.interleaved({fit: lambda fit=fit: setup.machine(fit, **values, random_state=1).fit()
                              for fit in FITS} | {"sample": sampler.sample}, repeat)
        fit_d, fit_a, sample = (H.median(runs[k]) for k in ("default", "analytic", "sample"))
        extra = (fit_d - fit_a) / sample
        log(f"  timing {name}: default fit {fit_d:.1f} s, analytic {fit_a:.1f} s, sample {sample:.1f} s")
        rows.append([name, sampler.n_units_, H.fmt_time(fit_a), H.fmt_time(fit_d), H.fmt_time(sample),
                     ratio(fit_d, fit_a), f"{extra:.2f}"])
        targets.append((f"{name}: (default fit - analytic fit) / sample()", f"<= {TARGETS['extra_wall']:g}",
                        f"{extra:.2f}", extra <= TARGETS["extra_wall"]))
    setup.report.section(f"Wall time at {setup.duration:.0e} ms (frozen calibrator; median of {repeat}, "
                         "interleaved)")
    setup.report.table(["network", "units", "analytic fit s", "default fit s", "sample() s", "default/analytic",
                        "extra / sample"], rows)
    return targets


PARTS = {"nets": nets, "models": models, "rbm": rbm, "timing": timing}


def main():
    args = H.parse(__doc__, lambda p: p.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated subset of " + ", ".join(PARTS)))
    parts = args.parts.split(",")
    if set(parts) - set(PARTS):
        raise SystemExit(f"unknown parts {sorted(set(parts) - set(PARTS))}; choose from {sorted(PARTS)}")
    report = H.Report("accuracy of the corrected translation", args)
    setup = Setup(report, args.quick)
    targets = []
    for part in parts:
        t0 = time.perf_counter()
        log(f"{part} ...")
        targets += PARTS[part](setup)
        log(f"  ({part}: {time.perf_counter() - t0:.0f} s)")
    if targets:
        report.targets(targets)
    report.close()


if __name__ == "__main__":
    main()
