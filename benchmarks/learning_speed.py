"""Spiking learning on digits: 1 vs 2 cores, where a step's time goes, and the
accuracy-time trade-off of step_duration and n_chains.

    python benchmarks/learning_speed.py [--quick] [--report PATH] [--parts cores,tradeoff]
                                        [--chains N]

The README's feature learning: ``SpikingBoltzmannMachine(n_hidden=100, batch_size=20,
learning_rate=0.05, n_iter=10)`` (one chain of 100 ms steps: the defaults, which the
trade-off below supports; ``--chains 4`` for the README's former setting) on the
binarized digits (pixels > 7,
80 % train / 20 % test, split seed 0), its features (σ(b_h + v W)) classified by
``LogisticRegression(C=10)``; the accuracy is on the test rows.

- ``cores``: the same fit with ``n_jobs=1`` (one NEST thread) and ``n_jobs=2``, one
  after the other, and the mean seconds of a step by part (``learning_seconds_``:
  translating the values, setting them on the network, simulating, reading the
  spikes, moving them between processes, the moments' statistics).  Needs both
  cores free.
- ``tradeoff``: fits with other ``step_duration`` and ``n_chains`` (n_jobs=2),
  their wall time and test accuracy.  Every fit takes the same number of steps
  (the batches of n_iter passes), so the simulated time per step is what changes.
"""

import time

import numpy as np

import _harness as H

TARGETS = {"speed_up": 1.7, "accuracy": 0.88, "overhead": 0.10}
README = dict(n_hidden=100, batch_size=20, learning_rate=0.05, n_iter=10)
TRADEOFF = ((25.0, 4), (50.0, 4), (100.0, 4), (200.0, 4), (100.0, 1), (100.0, 2), (400.0, 1))


def digits(quick):
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(float)
    if quick:
        X, y = X[:200], y[:200]
    return train_test_split(X, y, test_size=0.2, random_state=0)


def learned(machine, data, quick, **params):
    """(fit seconds, test accuracy, mean step breakdown) of one feature learning."""
    from sklearn.linear_model import LogisticRegression

    X_train, X_test, y_train, y_test = data
    settings = dict(README, **params)
    if quick:
        settings.update(n_hidden=16, n_iter=1)
    bm = machine(None, None, fit=False, random_state=0, **settings)
    start = time.perf_counter()
    bm.fit(X_train)
    seconds = time.perf_counter() - start
    classifier = LogisticRegression(C=10.0, max_iter=2000).fit(bm.transform(X_train), y_train)
    return seconds, classifier.score(bm.transform(X_test), y_test), bm.learning_seconds_


def overhead(parts):
    """The share of a step that is not simulation."""
    return 1.0 - parts["simulate"] / sum(parts.values())


def cores(report, machine, data, quick, n_chains):
    rows, runs = [], {}
    for jobs in (1, 2):
        seconds, accuracy, parts = learned(machine, data, quick, n_jobs=jobs, n_chains=n_chains)
        runs[jobs] = (seconds, accuracy, parts)
        rows.append([jobs, f"{seconds:.1f}", f"{accuracy:.4f}"]
                    + [f"{1e3 * parts[p]:.1f}" for p in parts] + [f"{overhead(parts):.0%}"])
    report.section(f"Digits feature learning, {dict(README, n_chains=n_chains)}: n_jobs=1 vs 2; "
                   "mean ms per step by part")
    report.table(["n_jobs", "fit s", "accuracy"] + list(runs[1][2]) + ["not simulating"], rows)
    speed_up = runs[1][0] / runs[2][0]
    report.targets([
        ("learning on 2 cores vs 1", f">= {TARGETS['speed_up']}x", f"{speed_up:.2f}x",
         speed_up >= TARGETS["speed_up"]),
        ("accuracy, 2 cores", f">= {TARGETS['accuracy']}", f"{runs[2][1]:.4f}",
         runs[2][1] >= TARGETS["accuracy"]),
    ] + [(f"step time not simulating, n_jobs={jobs}", f"<= {TARGETS['overhead']:.0%}",
          f"{overhead(runs[jobs][2]):.0%}", overhead(runs[jobs][2]) <= TARGETS["overhead"])
         for jobs in (1, 2)])


def tradeoff(report, machine, data, quick, n_chains):
    rows = []
    for step_duration, n_chains in TRADEOFF[:2] if quick else TRADEOFF:     # its own n_chains
        seconds, accuracy, parts = learned(machine, data, quick, n_jobs=2,
                                           step_duration=step_duration, n_chains=n_chains)
        rows.append([f"{step_duration:g}", n_chains, f"{step_duration * n_chains:g}",
                     f"{seconds:.1f}", f"{accuracy:.4f}", f"{overhead(parts):.0%}"])
    report.section("Trade-off: step_duration and n_chains (n_jobs=2), same steps")
    report.table(["step_duration ms", "n_chains", "chain-ms per step", "fit s", "accuracy",
                  "not simulating"], rows)


PARTS = {"cores": cores, "tradeoff": tradeoff}


def main():
    def arguments(parser):
        parser.add_argument("--parts", default=",".join(PARTS),
                            help="comma-separated subset of " + ", ".join(PARTS))
        parser.add_argument("--chains", type=int, default=1, help="n_chains of the 'cores' part")

    args = H.parse(__doc__, arguments)
    parts = args.parts.split(",")
    if set(parts) - set(PARTS):
        raise SystemExit(f"unknown parts {sorted(set(parts) - set(PARTS))}; choose from {sorted(PARTS)}")
    report = H.Report("spiking learning on digits", args)
    _, machine = H.calibrated(report, args.quick, duration=2e4, n_points=100)
    data = digits(args.quick)
    for part in parts:
        t0 = time.perf_counter()
        PARTS[part](report, machine, data, args.quick, args.chains)
        print(f"  ({part}: {time.perf_counter() - t0:.0f} s)", flush=True)
    report.close()


if __name__ == "__main__":
    main()
