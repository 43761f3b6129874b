#!/usr/bin/env python
"""Run calibration and sampling on a Dask cluster, with the same results as locally
================================================================================

Every simulation of sklearn_sbs is a pure task (a picklable spec in, numpy
arrays out) run through joblib.  Inside ``joblib.parallel_config(backend="dask")``
those tasks go to a ``dask.distributed`` cluster instead of local worker
processes.  This script calibrates the tutorial neuron and samples a random
5-unit network (two chains) twice with the same seeds -- once locally, once on a
``LocalCluster`` of two worker processes -- and checks that the calibration,
the sampled states and the score are identical.  It prints both results and
the wall times, and writes ``activation.png`` (both calibrations) and
``joint.png`` (both sampled joints beside the target).

Dask workers are daemonic processes by default and may not start children, so
each task runs inside the worker process itself, after a full reset of the
NEST kernel (``verbose=1`` says where a task ran).  With
``dask.config.set({"distributed.worker.daemon": False})`` before the cluster
starts (or ``DASK_DISTRIBUTED__WORKER__DAEMON=False`` in the workers'
environment) each task runs in a fresh child process of its worker instead.

On a SLURM cluster, replace the LocalCluster by dask-jobqueue's SLURMCluster;
nothing else changes (the same environment, with sklearn-sbs installed, must
be visible on the compute nodes, e.g. a virtual environment on a shared file
system)::

    from dask.distributed import Client
    from dask_jobqueue import SLURMCluster            # pip install dask-jobqueue

    cluster = SLURMCluster(
        cores=1, processes=1,        # one simulation per worker: the NEST wheel has no MPI
        memory="2GB", walltime="01:00:00",
        queue="normal",              # your partition; accounts via account="..."
        python="/shared/venvs/sbs/bin/python",
        job_script_prologue=[
            "export OMP_NUM_THREADS=1",
            "export DASK_DISTRIBUTED__WORKER__DAEMON=False",   # optional, see above
        ],
    )
    cluster.scale(jobs=32)           # or cluster.adapt(minimum_jobs=0, maximum_jobs=64)
    client = Client(cluster)
    with joblib.parallel_config(backend="dask"):
        cal = LIFSamplerCalibrator(n_points=512, n_jobs=-1, random_state=0).fit()

``n_jobs=-1`` lets joblib use all of the cluster's workers; the results do not
depend on it, nor on the number of workers.  One calibration point or one
chain is one task, so many points or chains spread over many nodes, while one
network never splits across machines.

Run ``python dask_cluster.py`` (about 30 s) or with ``--quick``.
"""

import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import joblib  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402
from sklearn.frozen import FrozenEstimator  # noqa: E402

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine  # noqa: E402
from sklearn_sbs.boltzmann import make_random_network  # noqa: E402
from sklearn_sbs.plotting import ActivationDisplay, JointDistributionDisplay  # noqa: E402

NAME = "dask_cluster"  # the default output folder


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or NAME).splitlines()[0])  # docs: no __doc__
    parser.add_argument("--quick", action="store_true", help="tiny durations (smoke test)")
    parser.add_argument("--output-dir", default=NAME, help=f"folder for the plots (default {NAME})")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    return parser.parse_args(argv)


def save(fig, output_dir, filename):
    path = os.path.join(output_dir, filename)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    print(f"wrote {path}")



def calibrate_and_sample(quick, seed):
    """The whole job; wherever joblib sends its tasks, the same seeds give the same numbers."""
    start = time.perf_counter()
    cal = LIFSamplerCalibrator(duration=500.0 if quick else 6000.0, n_points=16 if quick else 64,
                               random_state=seed, n_jobs=-1).fit()
    weights, biases = make_random_network(5, seed)
    # n_jobs = n_chains: one process and one NEST thread per chain, here and on the
    # cluster (more cores than chains would give each chain NEST threads locally,
    # whose random streams differ from one thread's)
    bm = SpikingBoltzmannMachine(weights, biases, calibrator=FrozenEstimator(cal),
                                 duration=1000.0 if quick else 5e4, n_chains=2,
                                 random_state=seed + 1, n_jobs=2).fit()
    states = bm.sample()
    return {"cal": cal, "bm": bm, "states": states, "score": bm.score(),
            "seconds": time.perf_counter() - start}


def on_dask(quick, seed, n_workers):
    """The same job on a LocalCluster of worker processes, through joblib's dask backend."""
    start = time.perf_counter()
    with LocalCluster(n_workers=n_workers, processes=True, threads_per_worker=1,
                      dashboard_address=":0") as cluster, Client(cluster) as client:
        print(f"dask cluster: {len(client.scheduler_info()['workers'])} workers, started in "
              f"{time.perf_counter() - start:.1f} s, dashboard {client.dashboard_link}")
        with joblib.parallel_config(backend="dask"):
            return calibrate_and_sample(quick, seed)


def compare(local, remote):
    """Print both results; True when they are identical."""
    checks = {
        "v_p05": (local["cal"].v_p05_, remote["cal"].v_p05_),
        "alpha": (local["cal"].alpha_, remote["cal"].alpha_),
        "DKL": (-local["score"], -remote["score"]),
    }
    print("            local          dask")
    for name, (a, b) in checks.items():
        print(f"{name:8s} {a:12.6f}  {b:12.6f}")
    print(f"time (s) {local['seconds']:12.1f}  {remote['seconds']:12.1f}   (the first simulations "
          "of a run also start worker processes or import NEST)")
    same = {
        "calibration (every measured p_on)": np.array_equal(local["cal"].p_on_, remote["cal"].p_on_),
        "fit (v_p05, alpha)": checks["v_p05"][0] == checks["v_p05"][1]
        and checks["alpha"][0] == checks["alpha"][1],
        f"sampled states ({local['states'].shape[0]} x {local['states'].shape[1]})":
            np.array_equal(local["states"], remote["states"]),
        "score": local["score"] == remote["score"],
    }
    for what, equal in same.items():
        print(f"  {what}: {'identical' if equal else 'DIFFERENT'}")
    return all(same.values())


def plot(local, remote, output_dir):
    fig, ax = plt.subplots(figsize=(7, 4.5), layout="constrained")
    ActivationDisplay.from_estimator(local["cal"], ax=ax, name="local", plot_theory=False)
    ActivationDisplay.from_estimator(remote["cal"], ax=ax, name="dask", plot_theory=False,
                                     fmt="x", fit_kw={"linestyle": ":"})
    ax.set_title("calibration: local worker processes vs dask cluster")
    save(fig, output_dir, "activation.png")

    fig, axes = plt.subplots(2, 1, figsize=(12, 8), layout="constrained")
    for ax, (name, result) in zip(axes, (("local", local), ("dask", remote))):
        JointDistributionDisplay.from_estimator(result["bm"], ax=ax, name=name)
    save(fig, output_dir, "joint.png")


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.output_dir, exist_ok=True)
    local = calibrate_and_sample(args.quick, args.seed)
    remote = on_dask(args.quick, args.seed, args.workers)
    identical = compare(local, remote)
    plot(local, remote, args.output_dir)
    if not identical:
        raise SystemExit("the dask run differs from the local run")


if __name__ == "__main__":
    main()
