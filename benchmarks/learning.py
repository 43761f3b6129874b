"""Inference, correction, learning and an RBM pipeline, side by side in one run.

    python benchmarks/learning.py [--quick] [--parts inference,correction,learning,pipeline]

1. inference   ``transform`` of partially observed rows against the exact conditional
               marginals (kernels), on the sbs tutorial networks (5 units, seeds 0, 1, 2;
               corrected translation): mean absolute error per sampled duration, and rows
               per wall second with 1 row and with 100 rows per run.
2. correction  median DKL(target || sampled) of the three networks at 1e5 and 1e6 ms,
               with and without ``correction_rounds``, and the wall time of the correction.
3. learning    DKL(data || model) after training on samples of a random 6-unit Boltzmann
               machine: ``learning="spiking"`` against ``"exact"`` and ``"gibbs"`` with
               the same steps (learning rate, batches, passes).
4. pipeline    scikit-learn's digits, pixels binarized, one split:
               ``Pipeline([SpikingBoltzmannMachine(n_hidden=...), LogisticRegression()])``
               against ``Pipeline([BernoulliRBM(...), LogisticRegression()])`` with the
               same hidden units, learning rate, batch size and passes.

One calibration (100 points x 2e4 ms) serves every network.  The machine is shared
and noisy: compare figures of one run.
"""

import argparse
import time

import numpy as np
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import (
    empirical_distribution, gibbs_sample, joint_distribution, make_random_network, marginals,
)
from sklearn_sbs.metrics import dkl

TARGETS = {"dkl_1e5": 4e-3, "dkl_1e6": 2.5e-3, "pipeline_points": 3.0}


def calibrate(quick):
    cal = LIFSamplerCalibrator(n_points=40 if quick else 100, duration=5e3 if quick else 2e4,
                               random_state=0, n_jobs=2).fit()
    print(f"# calibration: v_p05 {cal.v_p05_:.3f} mV, alpha {cal.alpha_:.4f} mV")
    return FrozenEstimator(cal)


def observed_rows(W, b, n_rows, seed):
    """States of the target with each unit hidden (NaN) with probability 0.6."""
    rng = np.random.default_rng(seed)
    rows = gibbs_sample(W, b, n_rows, thin=3, random_state=seed).astype(float)
    rows[rng.random(rows.shape) < 0.6] = np.nan
    return rows


def inference(cal, quick):
    durations = (1e3, 1e4)
    n_rows = 20 if quick else 100
    print(f"\n## inference: {n_rows} rows per run vs 1 row per run; MAE over unobserved units")
    print(f"{'network':>7} {'ms/row':>8} {'MAE (all rows)':>15} {'MAE x sqrt(s)':>14} "
          f"{'rows/s (1 row)':>15} {'rows/s (batch)':>15} {'ratio':>6}")
    for seed in (0, 1, 2):
        W, b = make_random_network(5, seed)
        rows = observed_rows(W, b, n_rows, seed)
        exact = np.array([marginals(W, b, clamped=r) for r in rows])
        free = np.isnan(rows)
        for duration in durations:
            bm = SpikingBoltzmannMachine(W, b, calibrator=cal, correction_rounds=4,
                                         inference_duration=duration, random_state=seed).fit()
            start = time.perf_counter()
            p_on = bm.transform(rows)
            batch_rate = n_rows / (time.perf_counter() - start)
            start = time.perf_counter()
            single = [bm.transform(rows[i:i + 1]) for i in range(3)]
            single_rate = 3 / (time.perf_counter() - start)
            mae = np.abs(p_on - exact)[free].mean()
            assert np.allclose(np.concatenate(single)[~free[:3]], rows[:3][~free[:3]])
            print(f"{seed:>7} {duration:>8g} {mae:>15.4f} {mae * np.sqrt(duration / 1e3):>14.4f} "
                  f"{single_rate:>15.2f} {batch_rate:>15.2f} {batch_rate / single_rate:>6.1f}",
                  flush=True)


def correction(cal, quick):
    durations = (2e4, 1e5) if quick else (1e5, 1e6)
    settings = [("plain", 0, 5e4), ("4 x 5e4", 4, 5e4), ("8 x 5e4", 8, 5e4)]
    if quick:
        settings = [("plain", 0, 1e4), ("2 x 1e4", 2, 1e4)]
    print("\n## correction: DKL(target || sampled), renewing synapses")
    print(f"{'network':>7} {'correction':>10} {'fit s':>6} " + " ".join(
        f"{f'DKL@{d:g}':>11}" for d in durations))
    results = {}
    for seed in (0, 1, 2):
        W, b = make_random_network(5, seed)
        for name, rounds, length in settings:
            start = time.perf_counter()
            bm = SpikingBoltzmannMachine(W, b, calibrator=cal, correction_rounds=rounds,
                                         correction_duration=length, random_state=seed).fit()
            cost = time.perf_counter() - start
            row = []
            for duration in durations:
                bm.sample(duration=duration, random_state=seed + 100)
                row.append(-bm.score())
                results.setdefault((name, duration), []).append(row[-1])
            print(f"{seed:>7} {name:>10} {cost:>6.1f} " + " ".join(f"{v:>11.4f}" for v in row),
                  flush=True)
    for name, _, _ in settings:
        print(f"{'median':>7} {name:>10} {'':>6} " + " ".join(
            f"{np.median(results[(name, d)]):>11.4f}" for d in durations))
    print(f"# targets: median <= {TARGETS['dkl_1e5']:g} at 1e5 ms, <= {TARGETS['dkl_1e6']:g} "
          "at 1e6 ms (ideal sampler with 1e4 samples: about 2e-3)")


def learning(cal, quick):
    n_samples = 1000 if quick else 5000
    steps = dict(learning_rate=0.1, batch_size=100, n_iter=5 if quick else 20)
    print(f"\n## learning: random 6-unit machine, {n_samples} Gibbs samples; {steps}")
    print(f"{'seed':>4} {'learning':>8} {'fit s':>6} {'DKL exact model':>16} "
          f"{'DKL sampled 1e5 ms':>19}")
    for seed in (0, 1, 2):
        W, b = make_random_network(6, 10 + seed)
        X = gibbs_sample(W, b, n_samples, thin=5, random_state=seed)
        data = empirical_distribution(X)
        print(f"{seed:>4} {'truth':>8} {'':>6} {dkl(data, joint_distribution(W, b)):>16.4f}")
        for how, extra in [("exact", {}), ("gibbs", {"n_chains": 10}),
                           ("spiking", {"n_chains": 10})]:
            bm = SpikingBoltzmannMachine(calibrator=cal, learning=how, duration=1e5,
                                         random_state=seed, **steps, **extra)
            start = time.perf_counter()
            bm.fit(X)
            cost = time.perf_counter() - start
            model = dkl(data, joint_distribution(bm.weights_theo_, bm.biases_theo_))
            bm.set_params(n_chains=1)
            sampled = -bm.score(X)
            print(f"{seed:>4} {how:>8} {cost:>6.1f} {model:>16.4f} {sampled:>19.4f}", flush=True)
    print("# 'DKL exact model': the Boltzmann distribution of the learned weights (for "
          "'spiking' these are the effective ones, whose network samples the data); "
          "'DKL sampled': the spiking network with the learned values")


def pipeline(cal, quick):
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM
    from sklearn.pipeline import Pipeline

    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(float)                   # pixels 0..16 -> binary
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    n_hidden = 100
    steps = dict(learning_rate=0.05, batch_size=20, n_iter=2 if quick else 10)
    print(f"\n## pipeline: digits {X_train.shape} train / {X_test.shape[0]} test, "
          f"{n_hidden} hidden units, {steps}")
    print(f"{'model':>30} {'accuracy':>9} {'fit s':>7}")
    classifier = dict(max_iter=2000, C=10.0)
    candidates = [
        ("LogisticRegression on pixels", LogisticRegression(**classifier)),
        ("BernoulliRBM + LR", Pipeline([
            ("rbm", BernoulliRBM(n_components=n_hidden, random_state=0, **steps)),
            ("lr", LogisticRegression(**classifier))])),
        ("SpikingBoltzmannMachine + LR", Pipeline([
            ("sbm", SpikingBoltzmannMachine(n_hidden=n_hidden, calibrator=cal, n_chains=4,
                                            random_state=0, **steps)),
            ("lr", LogisticRegression(**classifier))])),
    ]
    scores = {}
    for name, model in candidates:
        start = time.perf_counter()
        model.fit(X_train, y_train)
        cost = time.perf_counter() - start
        scores[name] = model.score(X_test, y_test)
        print(f"{name:>30} {scores[name]:>9.4f} {cost:>7.1f}", flush=True)
    gap = 100 * (scores["BernoulliRBM + LR"] - scores["SpikingBoltzmannMachine + LR"])
    print(f"# spiking pipeline {-gap:+.1f} points against BernoulliRBM's "
          f"(target: within {TARGETS['pipeline_points']:g})")


PARTS = {"inference": inference, "correction": correction, "learning": learning,
         "pipeline": pipeline}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--parts", default=",".join(PARTS),
                        help="comma-separated subset of " + ", ".join(PARTS))
    args = parser.parse_args()
    parts = args.parts.split(",")
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; choose from {sorted(PARTS)}")
    cal = calibrate(args.quick)
    for part in parts:
        PARTS[part](cal, args.quick)


if __name__ == "__main__":
    main()
