"""Inference, correction, learning and an RBM pipeline, side by side in one run.

    python benchmarks/learning.py [--quick] [--report PATH] [--parts inference,correction,learning,pipeline]

Prints one table per part: ``transform`` of partially observed rows against the exact
conditional marginals; DKL(target || sampled) with and without ``correction_rounds``
(with the realised-vs-target error of each round and the cost of the correction); DKL(data || model)
after ``learning="spiking"`` against ``"exact"`` and ``"gibbs"``; and a digits pipeline
with the spiking machine against one with BernoulliRBM.  Methodology: benchmarks/RESULTS.md.
"""

import time

import numpy as np

import _harness as H

TARGETS = {"dkl_1e5": 4e-3, "dkl_1e6": 2.5e-3, "pipeline_points": 3.0}
SEEDS = (0, 1, 2)


def observed_rows(W, b, n_rows, seed):
    """States of the target with each unit hidden (NaN) with probability 0.6."""
    from sklearn_sbs.boltzmann import gibbs_sample

    rows = gibbs_sample(W, b, n_rows, thin=3, random_state=seed).astype(float)
    rows[np.random.default_rng(seed).random(rows.shape) < 0.6] = np.nan
    return rows


def inference(report, machine, quick):
    from sklearn_sbs.boltzmann import make_random_network, marginals

    durations, n_rows = ((3e2, 1e3), 5) if quick else ((1e3, 1e4), 100)
    correction = dict(correction_rounds=1, correction_duration=2e3) if quick else dict(correction_rounds=4)
    rows = []
    for seed in SEEDS[:1] if quick else SEEDS:
        W, b = make_random_network(5, seed)
        X = observed_rows(W, b, n_rows, seed)
        exact = np.array([marginals(W, b, clamped=r) for r in X])
        free = np.isnan(X)
        for duration in durations:
            bm = machine(W, b, inference_duration=duration, random_state=seed, **correction)
            p_on, batch = H.timed(bm.transform, X)
            single, one = H.timed(lambda: [bm.transform(X[i:i + 1]) for i in range(3)])
            assert np.allclose(np.concatenate(single)[~free[:3]], X[:3][~free[:3]])
            mae = np.abs(p_on - exact)[free].mean()
            rows.append([seed, f"{duration:g}", f"{mae:.4f}", f"{mae * np.sqrt(duration / 1e3):.4f}",
                         f"{3 / one:.2f}", f"{n_rows / batch:.2f}", f"{(n_rows / batch) / (3 / one):.1f}"])
    report.section(f"Inference: {n_rows} rows per run vs 1 row per run; MAE over unobserved units")
    report.table(["network", "ms/row", "MAE (all rows)", "MAE x sqrt(s)", "rows/s (1 row)", "rows/s (batch)",
                  "ratio"], rows)


def correction(report, machine, quick):
    from sklearn_sbs.boltzmann import make_random_network

    durations = (5e3,) if quick else (1e5, 1e6)
    settings = ([("plain", 0, 2e3), ("2 x 2e3", 2, 2e3)] if quick else
                [("plain", 0, 5e4), ("4 x 5e4", 4, 5e4), ("8 x 5e4", 8, 5e4)])
    rows, results = [], {}
    for seed in SEEDS[:2] if quick else SEEDS:
        W, b = make_random_network(5, seed)
        for name, rounds, length in settings:
            bm, cost = H.timed(lambda: machine(W, b, correction_rounds=rounds, correction_duration=length,
                                               random_state=seed))
            row = []
            for duration in durations:
                bm.sample(duration=duration, random_state=seed + 100)
                row.append(-bm.score())
                results.setdefault((name, duration), []).append(row[-1])
            rows.append([seed, name, f"{cost:.1f}"] + [f"{v:.4f}" for v in row]
                        + [" ".join(f"{e:.3f}" for e in bm.correction_errors_)])
    rows += [["median", name, ""] + [f"{H.median(results[(name, d)]):.4f}" for d in durations] + [""]
             for name, _, _ in settings]
    report.section("Correction: DKL(target || sampled), renewing synapses")
    report.table(["network", "correction", "fit s"] + [f"DKL@{d:g}" for d in durations]
                 + ["RMS |realised - target| per round"], rows)
    best = settings[1][0]
    report.targets([(f"median DKL at {d:g} ms, {best}", f"<= {TARGETS[key]:g}",
                     f"{H.median(results[(best, d)]):.4f}", H.median(results[(best, d)]) <= TARGETS[key])
                    for d, key in zip(durations, ("dkl_1e5", "dkl_1e6"))])


def learning(report, machine, quick):
    from sklearn_sbs.boltzmann import empirical_distribution, gibbs_sample, joint_distribution, make_random_network
    from sklearn_sbs.metrics import dkl

    n_samples, sampled = (200, 5e3) if quick else (5000, 1e5)
    steps = dict(learning_rate=0.1, batch_size=100, n_iter=2 if quick else 20)
    rows = []
    for seed in SEEDS:
        W, b = make_random_network(6, 10 + seed)
        X = gibbs_sample(W, b, n_samples, thin=5, random_state=seed)
        data = empirical_distribution(X)
        rows.append([seed, "truth", "", f"{dkl(data, joint_distribution(W, b)):.4f}", ""])
        for how, extra in [("exact", {}), ("gibbs", {"n_chains": 10}), ("spiking", {"n_chains": 10})]:
            bm = machine(None, None, fit=False, learning=how, duration=sampled, random_state=seed, **steps, **extra)
            _, cost = H.timed(bm.fit, X)
            model = dkl(data, joint_distribution(bm.weights_theo_, bm.biases_theo_))
            bm.set_params(n_chains=1)
            rows.append([seed, how, f"{cost:.1f}", f"{model:.4f}", f"{-bm.score(X):.4f}"])
    report.section(f"Learning: random 6-unit machine, {n_samples} Gibbs samples; {steps}")
    report.table(["seed", "learning", "fit s", "DKL exact model", f"DKL sampled {sampled:.0e} ms"], rows)


def pipeline(report, machine, quick):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(float)                   # pixels 0..16 -> binary
    if quick:
        X, y = X[:300], y[:300]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    n_hidden = 16 if quick else 100
    steps = dict(learning_rate=0.05, batch_size=20, n_iter=1 if quick else 10)
    classifier = dict(max_iter=2000, C=10.0)
    candidates = [
        ("LogisticRegression on pixels", LogisticRegression(**classifier)),
        ("BernoulliRBM + LR", Pipeline([("rbm", BernoulliRBM(n_components=n_hidden, random_state=0, **steps)),
                                        ("lr", LogisticRegression(**classifier))])),
        ("SpikingBoltzmannMachine + LR", Pipeline([
            ("sbm", machine(None, None, fit=False, n_hidden=n_hidden, n_chains=4, random_state=0, **steps)),
            ("lr", LogisticRegression(**classifier))])),
    ]
    rows, scores = [], {}
    for name, model in candidates:
        _, cost = H.timed(model.fit, X_train, y_train)
        scores[name] = model.score(X_test, y_test)
        rows.append([name, f"{scores[name]:.4f}", f"{cost:.1f}"])
    report.section(f"Pipeline: digits {X_train.shape} train / {X_test.shape[0]} test, {n_hidden} hidden "
                   f"units, {steps}")
    report.table(["model", "accuracy", "fit s"], rows)
    gap = 100 * (scores["SpikingBoltzmannMachine + LR"] - scores["BernoulliRBM + LR"])
    report.targets([("spiking pipeline against BernoulliRBM's", f"within {TARGETS['pipeline_points']:g} points",
                     f"{gap:+.1f} points", gap >= -TARGETS["pipeline_points"])])


PARTS = {"inference": inference, "correction": correction, "learning": learning, "pipeline": pipeline}


def main():
    args = H.parse(__doc__, lambda p: p.add_argument(
        "--parts", default=",".join(PARTS), help="comma-separated subset of " + ", ".join(PARTS)))
    parts = args.parts.split(",")
    if set(parts) - set(PARTS):
        raise SystemExit(f"unknown parts {sorted(set(parts) - set(PARTS))}; choose from {sorted(PARTS)}")
    report = H.Report("inference, correction, learning, pipeline", args)
    _, machine = H.calibrated(report, args.quick, duration=2e4, n_points=100)
    for part in parts:
        t0 = time.perf_counter()
        PARTS[part](report, machine, args.quick)
        print(f"  ({part}: {time.perf_counter() - t0:.0f} s)", flush=True)
    report.close()


if __name__ == "__main__":
    main()
