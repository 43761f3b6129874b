"""Simulations on a real dask.distributed LocalCluster (worker processes)."""

import dask
import numpy as np
import pytest
from dask.distributed import Client, LocalCluster
from joblib import parallel_config
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine

X = np.linspace(-53.0, -48.0, 20)[:, None]        # two simulations of <= 16 neurons
W = np.array([[0.0, 0.6], [0.6, 0.0]])


def cluster(**config):
    with dask.config.set(config):
        return LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                            dashboard_address=None)


@pytest.fixture(scope="module")
def local_results():
    cal = LIFSamplerCalibrator(duration=500.0, random_state=3).fit(X)
    bm = SpikingBoltzmannMachine(W, [0.1, -0.2], calibrator=FrozenEstimator(cal), duration=2000.0,
                                 n_chains=2, random_state=4).fit()
    return cal, bm.sample()


@pytest.mark.parametrize("daemon, where", [(True, "in the worker process"),
                                           (False, "in a child process")])
def test_same_results_on_a_cluster(local_results, daemon, where, capsys):
    cal_local, states_local = local_results
    with cluster(**{"distributed.worker.daemon": daemon}) as lc, Client(lc):
        with parallel_config(backend="dask"):
            cal = LIFSamplerCalibrator(duration=500.0, random_state=3, n_jobs=2, verbose=1).fit(X)
            bm = SpikingBoltzmannMachine(W, [0.1, -0.2], calibrator=FrozenEstimator(cal_local),
                                         duration=2000.0, n_chains=2, n_jobs=2,
                                         random_state=4).fit()
            states = bm.sample()
    np.testing.assert_array_equal(cal.p_on_, cal_local.p_on_)
    assert cal.v_p05_ == cal_local.v_p05_
    np.testing.assert_array_equal(states, states_local)
    # daemonic dask workers cannot start a child: the task ran in the worker itself
    # (after a full kernel reset), and verbose says so
    assert where in capsys.readouterr().err
