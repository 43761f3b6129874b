#!/usr/bin/env python
"""A spiking restricted Boltzmann machine as features for a classifier (digits)
============================================================================

scikit-learn's 8×8 digits, pixels binarized (> 7 of 16), one train/test split.
``SpikingBoltzmannMachine(n_hidden=...)`` learns its weights with the spiking
network in the loop (``learning="spiking"``: the model's statistics are measured
on ``n_chains`` copies of the network, kept alive between steps) and, in a
``Pipeline``, hands the hidden units' activation probabilities to a logistic
regression -- side by side with scikit-learn's ``BernoulliRBM`` given the same
hidden units, learning rate, batch size and passes, and with the classifier on
the raw pixels.

It prints the test accuracy and fit time of the three and writes
``filters.png`` (the learned visible-to-hidden weights of the first hidden units,
as 8×8 images, spiking machine above, BernoulliRBM below).

Run ``python learn_digits.py`` (100 hidden units, 10 passes: several minutes) or
with ``--quick`` (a subset, 16 hidden units, 2 passes).
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.neural_network import BernoulliRBM  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402

NAME = "learn_digits"  # the default output folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="a subset, few units and passes")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="seed of split, weights and noise")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    X, y = load_digits(return_X_y=True)
    X = (X > 7).astype(float)
    if args.quick:
        X, y = X[:400], y[:400]
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2,
                                                        random_state=args.seed)
    n_hidden = 16 if args.quick else 100
    steps = dict(learning_rate=0.05 if not args.quick else 0.1, batch_size=20,
                 n_iter=2 if args.quick else 10)
    cal = LIFSamplerCalibrator(duration=1000.0 if args.quick else 6000.0,
                               n_points=20 if args.quick else 64, random_state=args.seed).fit()
    print(f"digits: {X_train.shape[0]} train, {X_test.shape[0]} test images, 64 binary pixels; "
          f"{n_hidden} hidden units, {steps}")
    classifier = dict(C=10.0, max_iter=2000)
    # one chain of 100 ms per step (the defaults): as accurate as four chains, in a
    # third of the time (benchmarks/learning_speed.py)
    sbm = SpikingBoltzmannMachine(n_hidden=n_hidden, calibrator=FrozenEstimator(cal),
                                  random_state=args.seed, **steps)
    rbm = BernoulliRBM(n_components=n_hidden, random_state=args.seed, **steps)
    models = [("spiking machine + LR",
               Pipeline([("bm", sbm), ("lr", LogisticRegression(**classifier))])),
              ("BernoulliRBM + LR",
               Pipeline([("bm", rbm), ("lr", LogisticRegression(**classifier))])),
              ("LR on pixels", LogisticRegression(**classifier))]
    print(f"{'model':>22} {'test accuracy':>14} {'fit s':>7}")
    for name, model in models:
        start = time.perf_counter()
        model.fit(X_train, y_train)
        print(f"{name:>22} {model.score(X_test, y_test):>14.3f} "
              f"{time.perf_counter() - start:>7.1f}", flush=True)

    shown = min(n_hidden, 10)
    fig, axes = plt.subplots(2, shown, figsize=(1.2 * shown, 3), layout="constrained")
    filters = [sbm.weights_theo_[:64, 64:64 + shown].T, rbm.components_[:shown]]
    for row, (label, images) in enumerate(zip(["spiking", "BernoulliRBM"], filters)):
        for k, ax in enumerate(axes[row]):
            ax.imshow(images[k].reshape(8, 8), cmap="RdBu_r")
            ax.set_xticks([])
            ax.set_yticks([])
        axes[row, 0].set_ylabel(label)
    path = os.path.join(args.output_dir, "filters.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
