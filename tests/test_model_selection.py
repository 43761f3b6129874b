"""GridSearchCV over noise parameters, with real (short) simulations."""

import warnings

import numpy as np
from sklearn.model_selection import GridSearchCV, KFold

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.boltzmann import gibbs_sample
from sklearn_sbs.sources import PoissonNoise

W = np.array([[0.0, 0.8, -0.6], [0.8, 0.0, 0.4], [-0.6, 0.4, 0.0]])
B = np.array([-0.3, 0.2, 0.1])


def test_grid_search_over_the_machines_noise():
    X = gibbs_sample(W, B, 6000, random_state=0)        # samples of the target
    calibrator = LIFSamplerCalibrator(noise=PoissonNoise(), duration=1000.0, n_points=20,
                                      random_state=0)
    # learning=None: the weights are sampled as given; X only scores the noise
    # (and correction_rounds=0: the correction would make up for bad noise, which is
    # what the search must find here)
    machine = SpikingBoltzmannMachine(W, B, calibrator=calibrator, learning=None, duration=1e4,
                                      correction_rounds=0, random_state=1)
    grid = {"calibrator__noise__rate_exc": [300.0, 3000.0],
            "calibrator__noise__weight_exc": [0.001, 0.004]}
    search = GridSearchCV(machine, grid, cv=2).fit(X)
    scores = dict(zip(map(lambda p: tuple(p.values()), search.cv_results_["params"]),
                      search.cv_results_["mean_test_score"]))
    # -DKL against held-out samples: the weak, unbalanced noise (300 Hz x 0.001 µS
    # against 3 kHz x 0.001 µS inhibition) samples clearly worst
    assert max(scores, key=scores.get) != (300.0, 0.001)
    assert scores[(300.0, 0.001)] < search.best_score_ - 0.01
    assert -0.05 < search.best_score_ < 0
    best = search.best_estimator_
    assert best.calibrators_[0].noise.rate_exc == search.best_params_["calibrator__noise__rate_exc"]
    assert best.score(X) == search.score(X)


def test_grid_search_over_the_calibrators_noise():
    X = np.linspace(-54.0, -47.0, 36)[:, None]
    calibrator = LIFSamplerCalibrator(noise=PoissonNoise(), duration=1000.0, random_state=0)
    grid = {"noise__rate_exc": [2000.0, 3000.0], "noise__rate_inh": [2000.0, 3000.0]}
    # resting potentials must be shuffled across folds: each fit needs the whole rise
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        search = GridSearchCV(calibrator, grid, cv=KFold(3, shuffle=True, random_state=0)).fit(X)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert -0.02 < search.best_score_ <= 0
    assert search.best_estimator_.v_rest_.shape == (36,)
