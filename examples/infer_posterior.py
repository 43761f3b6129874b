#!/usr/bin/env python
"""Inference with a spiking network: posterior marginals with units clamped
========================================================================

The sbs tutorial's random 5-unit Boltzmann machine, translated with
``correction_rounds`` (so that the network samples the target closely).  Each
row of observations holds 0/1 for observed units and NaN for the others;
``transform`` clamps the observed units (resting potentials far above or below
threshold) and samples the rest, all rows at once as independent copies of the
network in one simulation.  The sampled posteriors p(z_i = 1 | observed) are
compared with the exact conditional marginals from the compiled kernels.

It prints both for every row, the mean absolute error, and writes
``posteriors.png`` (sampled against exact posterior marginals, one point per
unobserved unit and row).

Run ``python infer_posterior.py`` (1e4 ms per row, about half a minute) or with
``--quick``.
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import make_random_network, marginals  # noqa: E402

NAME = "infer_posterior"  # the default output folder

ROWS = np.array([
    [np.nan, np.nan, np.nan, np.nan, np.nan],      # nothing observed: the marginals
    [1, np.nan, np.nan, np.nan, np.nan],
    [0, np.nan, np.nan, np.nan, np.nan],
    [1, 1, np.nan, np.nan, np.nan],
    [np.nan, np.nan, 0, 1, np.nan],
    [0, np.nan, 1, np.nan, 0],
])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="seed of network and noise")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    cal = LIFSamplerCalibrator(duration=1000.0 if args.quick else 6000.0,
                               n_points=20 if args.quick else 64, random_state=args.seed).fit()
    W, b = make_random_network(5, args.seed)
    bm = SpikingBoltzmannMachine(
        W, b, calibrator=FrozenEstimator(cal), correction_rounds=2 if args.quick else 4,
        correction_duration=5e3 if args.quick else 5e4,
        inference_duration=2e3 if args.quick else 1e4, random_state=args.seed,
    ).fit()
    start = time.perf_counter()
    sampled = bm.transform(ROWS)
    elapsed = time.perf_counter() - start
    exact = np.array([marginals(W, b, clamped=row) for row in ROWS])
    free = np.isnan(ROWS)
    print(f"{len(ROWS)} rows in one simulation of {len(ROWS)} network copies, "
          f"{bm.inference_duration:g} ms each: {elapsed:.1f} s")
    for row, s, e in zip(ROWS, sampled, exact):
        observed = " ".join("." if np.isnan(v) else str(int(v)) for v in row)
        print(f"observed [{observed}]  sampled {np.round(s, 2)}  exact {np.round(e, 2)}")
    error = np.abs(sampled - exact)[free]
    print(f"mean absolute error of the posterior marginals: {error.mean():.3f}")

    fig, ax = plt.subplots(figsize=(4.5, 4.2), layout="constrained")
    ax.plot([0, 1], [0, 1], color="0.6", lw=1)
    ax.scatter(exact[free], sampled[free], s=18)
    ax.set_xlabel("exact p(z_i = 1 | observed)")
    ax.set_ylabel("sampled")
    ax.set_title(f"{free.sum()} posterior marginals, MAE {error.mean():.3f}")
    path = os.path.join(args.output_dir, "posteriors.png")
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
