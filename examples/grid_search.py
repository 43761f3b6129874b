#!/usr/bin/env python
"""Choose the background noise and the synapses with scikit-learn's GridSearchCV
=============================================================================

Both estimators are scikit-learn estimators with nested parameters, so the
noise (``calibrator__noise__rate_exc`` ...) and the synapses
(``synapse__tau_rec`` of a :class:`sklearn_sbs.synapses.TsodyksMarkramSynapse`)
can be searched like any hyperparameter:

1. **Spiking Boltzmann machine.**  Binary states X of a small Boltzmann
   machine are drawn with the reference Gibbs sampler
   (:func:`sklearn_sbs.boltzmann.gibbs_sample`).  For each noise rate and
   synaptic recovery time constant, ``SpikingBoltzmannMachine.fit``
   calibrates the neuron under that noise and translates weights and biases,
   and ``score(X_test)`` samples the spiking network and returns
   -DKL(empirical distribution of the held-out states ‖ sampled).  ``memory=``
   caches the calibrations, so every fold and tau_rec of a noise setting
   calibrate once.
2. **Calibrator alone.**  X is a column of resting potentials;
   ``LIFSamplerCalibrator.fit(X_train)`` measures the activation there and fits
   the logistic, ``score(X_test)`` measures at the held-out potentials and
   returns minus the mean Bernoulli KL divergence between measurement and
   logistic: the search looks for the balanced noise (excitatory rate = inhibitory
   rate, equal weights; a list of one-point grids ties them) under which the
   activation is most logistic.  The folds are shuffled: contiguous folds
   would test on resting potentials outside the training range.

The grids are tiny.  The script prints ``cv_results_`` and the best setting of
each search and writes ``machine_grid.png`` and ``calibrator_grid.png`` (mean
test scores), ``best_joint.png`` and ``best_activation.png``.

Run ``python grid_search.py`` (about 40 s) or with ``--quick``.
"""

import argparse
import os
import tempfile
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import gibbs_sample, make_random_network  # noqa: E402
from sklearn_sbs.plotting import ActivationDisplay, JointDistributionDisplay  # noqa: E402
from sklearn_sbs.sources import PoissonNoise  # noqa: E402
from sklearn_sbs.synapses import TsodyksMarkramSynapse  # noqa: E402

NAME = "grid_search"  # the default output folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: all cores)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def print_cv_results(search, names):
    """cv_results_ as a table: the searched parameters, mean ± std test score, rank, fit time."""
    results = search.cv_results_
    header = "  ".join(f"{n.split('__')[-1]:>10s}" for n in names)
    print(f"{header}   mean test score        rank   fit time (s)")
    for k, params in enumerate(results["params"]):
        values = "  ".join(f"{params[n]:10g}" for n in names)
        print(f"{values}   {results['mean_test_score'][k]:9.4f} ± {results['std_test_score'][k]:.4f}"
              f"  {results['rank_test_score'][k]:5d}   {results['mean_fit_time'][k]:10.2f}")
    best = ", ".join(f"{n} = {search.best_params_[n]:g}" for n in names)
    print(f"best: {best} (mean test score {search.best_score_:.4f})")


def plot_grid(search, row, col, title, output_dir, filename):
    """Heatmap of the mean test score over two searched parameters."""
    params = search.cv_results_["params"]
    rows = sorted({p[row] for p in params})
    cols = sorted({p[col] for p in params})
    scores = np.full((len(rows), len(cols)), np.nan)
    for p, s in zip(params, search.cv_results_["mean_test_score"]):
        scores[rows.index(p[row]), cols.index(p[col])] = s
    fig, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
    image = ax.imshow(scores, cmap="viridis")
    for (i, j), s in np.ndenumerate(scores):
        color = "black" if image.norm(s) > 0.5 else "white"       # readable on viridis
        ax.text(j, i, f"{s:.4f}", ha="center", va="center", color=color, fontsize="small")
    ax.set_xticks(range(len(cols)), [f"{c:g}" for c in cols])
    ax.set_yticks(range(len(rows)), [f"{r:g}" for r in rows])
    ax.set(xlabel=col, ylabel=row, title=title)
    fig.colorbar(image, ax=ax, label="mean test score (higher is better)")
    save(fig, output_dir, filename)


def search_machine(quick, seed, n_jobs, output_dir):
    """GridSearchCV over noise and synapses of a SpikingBoltzmannMachine, scored by -DKL on
    held-out states."""
    weights, biases = make_random_network(4, seed)
    X = gibbs_sample(weights, biases, 600 if quick else 3000, thin=5, random_state=seed)
    print(f"Boltzmann machine: 4 units, {X.shape[0]} Gibbs samples as X")
    calibrator = LIFSamplerCalibrator(
        noise=PoissonNoise(), duration=300.0 if quick else 3000.0, n_points=12 if quick else 32,
        random_state=seed, n_jobs=n_jobs,
    )
    # tau_rec = 10 ms is the neuron's tau_syn: what tau_rec=None ("renewing") means
    grid = {"calibrator__noise__rate_exc": [2000.0, 3000.0],
            "synapse__tau_rec": [2.0, 10.0]}
    with tempfile.TemporaryDirectory() as cache:
        # learning=None: these weights are sampled as given, X only scores them
        machine = SpikingBoltzmannMachine(weights, biases, calibrator=calibrator,
                                          synapse=TsodyksMarkramSynapse(), learning=None,
                                          duration=1000.0 if quick else 2e4,
                                          random_state=seed + 1, n_jobs=n_jobs, memory=cache)
        search = GridSearchCV(machine, grid, cv=3).fit(X)
        print_cv_results(search, list(grid))
        best = search.best_estimator_
        print(f"best machine on all of X: score {best.score(X):.4f}, "
              f"DKL(exact || sampled) = {-best.score():.4f}")
    plot_grid(search, *grid, "SpikingBoltzmannMachine: -DKL(held-out X || sampled)", output_dir,
              "machine_grid.png")
    fig, ax = plt.subplots(figsize=(8, 4.2), layout="constrained")
    JointDistributionDisplay.from_estimator(best, ax=ax, name="best noise and synapses")
    save(fig, output_dir, "best_joint.png")


def search_calibrator(quick, seed, n_jobs, output_dir):
    """GridSearchCV over balanced noise for the most logistic activation."""
    X = np.linspace(-56.0, -44.0, 24 if quick else 48)[:, None]
    calibrator = LIFSamplerCalibrator(noise=PoissonNoise(), duration=300.0 if quick else 2000.0,
                                      random_state=seed, n_jobs=n_jobs)
    # balanced noise: one one-point grid per (rate, weight), excitation = inhibition
    grid = [{"noise__rate_exc": [r], "noise__rate_inh": [r],
             "noise__weight_exc": [w], "noise__weight_inh": [w]}
            for r in (1500.0, 4000.0) for w in (0.0007, 0.0014)]
    cv = KFold(3, shuffle=True, random_state=seed)
    search = GridSearchCV(calibrator, grid, cv=cv).fit(X)
    print(f"\nLIFSamplerCalibrator: X = {X.shape[0]} resting potentials from {X[0, 0]:g} to "
          f"{X[-1, 0]:g} mV, balanced noise")
    print_cv_results(search, ["noise__rate_exc", "noise__weight_exc"])
    best = search.best_estimator_
    print(f"best calibrator on all of X: v_p05 = {best.v_p05_:.3f} mV, alpha = {best.alpha_:.3f} mV")
    plot_grid(search, "noise__rate_exc", "noise__weight_exc",
              "LIFSamplerCalibrator: -mean Bernoulli KL", output_dir, "calibrator_grid.png")
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    ActivationDisplay.from_estimator(best, ax=ax, name="best noise")
    save(fig, output_dir, "best_activation.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    start = time.perf_counter()
    search_machine(args.quick, args.seed, args.n_jobs, args.output_dir)
    search_calibrator(args.quick, args.seed, args.n_jobs, args.output_dir)
    print(f"done in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
