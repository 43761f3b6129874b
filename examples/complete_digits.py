#!/usr/bin/env python
"""Pattern completion over time: clamp half of a digit in a spiking RBM
=======================================================================

A ``sklearn.neural_network.BernoulliRBM`` (100 hidden units) learns the 8×8
digits of scikit-learn, pixels binarized (> 7 of 16);
``SpikingBoltzmannMachine.from_bernoulli_rbm`` builds it from LIF neurons.
One run of the network then holds the top half of a digit (32 pixels) on and
off in a time window (``sample(clamp=[(t_start, t_stop, {pixel: value})])``),
releases it, and does the same for the next digit: the free bottom half
completes the digit while it is held, and wanders off after.

It prints, for each digit, how far the bottom half's activity is from the
digit's pixels while clamped and before (the machine's prior), and writes
``complete_digits.png``: for each digit, the clamped digit, then the mean
visible activity over successive slices of the run (the clamped window framed).

Run ``python complete_digits.py`` (a few minutes on two cores) or with
``--quick`` (tiny durations: seconds, and a coarse picture).
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402

NAME = "complete_digits"  # the default output folder
SIDE = 8
CLAMPED = np.arange(SIDE * SIDE // 2)          # the top four rows of pixels
FREE = np.arange(SIDE * SIDE // 2, SIDE * SIDE)
DIGITS = (0, 3, 7)
SLICES = 8                                     # images per digit: before, clamped, after


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="seed of RBM, network and run")
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes (default: one)")
    return parser.parse_args(argv)


def phases(n_digits, phase):
    """(start, clamp start, clamp stop) of each digit's part of the run, ms:
    a phase free, two clamped, one free again."""
    return [(4 * k * phase, (4 * k + 1) * phase, (4 * k + 3) * phase) for k in range(n_digits)]


def activity(bm, t0, t1):
    """Mean visible activity (time-weighted p(on)) between t0 and t1 ms of the window."""
    start = bm.sampled_window_[0]
    return np.mean([s.marginals(start + t0, start + t1) for s in bm.spikes_], axis=0)[:SIDE * SIDE]


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    data = load_digits()
    X = (data.data > 7).astype(float)
    rbm = BernoulliRBM(n_components=100, learning_rate=0.05, batch_size=20, n_iter=20,
                       random_state=args.seed).fit(X)
    digits = [X[np.flatnonzero(data.target == d)[0]] for d in DIGITS]
    cal = LIFSamplerCalibrator(duration=500.0 if args.quick else 6000.0,
                               n_points=16 if args.quick else 64, random_state=args.seed).fit()
    phase = 100.0 if args.quick else 1000.0
    bm = SpikingBoltzmannMachine.from_bernoulli_rbm(
        rbm, calibrator=FrozenEstimator(cal), duration=4 * len(DIGITS) * phase,
        correction_rounds=1 if args.quick else 5, random_state=args.seed + 1, n_jobs=args.n_jobs,
    ).fit()
    print(f"spiking RBM: {bm.n_units_} units, translation corrected in {bm.correction_rounds} "
          f"round(s), {time.perf_counter() - start:.1f} s")

    times = phases(len(DIGITS), phase)
    clamp = [(t1, t2, {int(p): int(digit[p]) for p in CLAMPED})
             for (_, t1, t2), digit in zip(times, digits)]
    t = time.perf_counter()
    bm.sample(clamp=clamp)
    print(f"one run of {bm.duration:g} ms with {len(clamp)} clamping windows: "
          f"{time.perf_counter() - t:.1f} s")

    fig, axes = plt.subplots(len(DIGITS), SLICES + 1, figsize=(1.3 * (SLICES + 1), 1.5 * len(DIGITS)),
                             layout="constrained")
    print("mean |activity - digit| of the 32 free pixels (bottom half):")
    for row, digit, label, (t0, t1, t2) in zip(axes, digits, DIGITS, times):
        before = np.abs(activity(bm, t0, t1)[FREE] - digit[FREE]).mean()
        # the second half of the window: the completion settled
        held = np.abs(activity(bm, (t1 + t2) / 2, t2)[FREE] - digit[FREE]).mean()
        print(f"  digit {label}: completion error {held:.3f} while clamped, {before:.3f} before")
        row[0].imshow(digit.reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
        row[0].set_title(f"digit {label}", fontsize=9)
        edges = np.linspace(t0, t0 + 4 * phase, SLICES + 1)
        for ax, a, b in zip(row[1:], edges[:-1], edges[1:]):
            ax.imshow(activity(bm, a, b).reshape(SIDE, SIDE), cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(f"{a - t0:g}-{b - t0:g} ms", fontsize=7)
            if t1 <= a and b <= t2:              # the clamped window
                for spine in ax.spines.values():
                    spine.set(color="tab:red", linewidth=2)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("top half clamped (red frames), bottom half sampled by LIF neurons")
    path = os.path.join(args.output_dir, "complete_digits.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
