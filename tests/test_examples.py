"""The example scripts, run as users run them: python examples/NAME.py --quick."""

import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_sbs import LIFSamplerCalibrator

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# script -> (files it writes: PNG plots and calibration JSON, text its summary must print)
EXPECTED = {
    "calibrate_conductance": (["activation.png", "residuals.png", "calibration.json"],
                              ["v_p05 =", "alpha =", "theory"]),
    "calibrate_current": (["activation.png", "residuals.png", "calibration_IF_curr_exp.json",
                           "calibration_IF_curr_alpha.json"], ["IF_curr_exp", "IF_curr_alpha"]),
    "free_membrane": (["free_membrane_histogram.png", "membrane_autocorrelation.png",
                       "membrane_trace.png"], ["std  =", "autocorrelation time"]),
    "sample_network": (["joint.png", "marginals.png", "weights.png"],
                       ["DKL(target || sampled), joint: static"]),
    "fixed_spike_trains": (["activation.png", "joint.png", "marginals.png"],
                           ["frozen Poisson", "regular"]),
    "modulated_noise": (["activation.png", "marginals.png", "activity.png"],
                        ["piecewise", "sinusoidal"]),
    "noise_network": (["activation.png", "joint.png", "marginals.png"],
                      ["noise network  DKL(target || sampled)"]),
    "grid_search": (["machine_grid.png", "calibrator_grid.png", "best_joint.png",
                     "best_activation.png"], ["mean test score", "best:"]),
    "dask_cluster": (["activation.png", "joint.png"], ["sampled states", "identical"]),
    "learn_digits": (["filters.png"], ["spiking machine + LR", "BernoulliRBM + LR"]),
    "infer_posterior": (["posteriors.png"], ["mean absolute error", "one simulation"]),
    "complete_digits": (["complete_digits.png"], ["completion error", "clamping windows"]),
    "sample_digits": (["sample_digits.png"], ["RMS error of the 64 pixel marginals",
                                              "spiking network", "Gibbs sampling"]),
}


def test_every_example_is_tested():
    assert sorted(p.stem for p in EXAMPLES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_quick(name, tmp_path):
    files, phrases = EXPECTED[name]
    args = [sys.executable, str(EXAMPLES / f"{name}.py"), "--quick"]
    if name == "free_membrane":          # one script with --output-dir, the others by default
        out = tmp_path / "elsewhere" / "plots"
        args += ["--output-dir", str(out)]
    else:                                # a folder named after the script, in the working dir
        out = tmp_path / name
    result = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for phrase in phrases:
        assert phrase in result.stdout, result.stdout
    for filename in files:
        path = out / filename
        assert path.is_file(), f"{name} did not write {filename}:\n{result.stdout}"
        if path.suffix == ".png":
            assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000
    assert [p.name for p in tmp_path.iterdir()] == [out.relative_to(tmp_path).parts[0]]
    for path in out.glob("*.json"):      # calibrations written by the examples load, fitted
        assert LIFSamplerCalibrator.load(path).alpha_ > 0

