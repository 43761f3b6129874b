"""The command line, run as users run it: python -m sklearn_sbs ..."""

import inspect
import json
import re
import subprocess
import sys

import numpy as np
import pytest


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "sklearn_sbs", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def calibration(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    result = run("calibrate", "--duration", "2000", "--points", "20", "--plot", "act.png", "-q",
                 cwd=folder)
    assert result.returncode == 0, result.stderr
    return folder, result


def test_calibrate_writes_json_and_prints(calibration):
    folder, result = calibration
    v_p05 = float(re.search(r"v_p05 = (\S+)", result.stdout).group(1))
    assert abs(v_p05 - (-50.6)) < 0.5
    assert re.search(r"alpha = \S+", result.stdout) and "score = " in result.stdout
    doc = json.loads((folder / "calibration.json").read_text())
    assert doc["calibration"]["v_p05_"] == pytest.approx(v_p05, abs=1e-4)
    assert (folder / "act.png").stat().st_size > 1000
    assert result.stderr == ""                      # -q: no progress, no simulator noise


def test_calibrate_flags_reach_the_calibrator(tmp_path):
    result = run("calibrate", "--model", "IF_curr_exp", "--param", "tau_m=2.0", "--rate-exc",
                 "2000,1000", "--weight-exc", "0.05", "--duration", "500", "--points", "10",
                 "-o", "curr.json", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    params = json.loads((tmp_path / "curr.json").read_text())["params"]
    assert params["neuron_model"] == "IF_curr_exp" and params["neuron_params"] == {"tau_m": 2.0}
    assert params["noise"]["params"]["rate_exc"] == [2000.0, 1000.0]


def test_sample_from_files_and_random(calibration):
    folder, _ = calibration
    W = np.array([[0.0, 0.5, -0.3], [0.5, 0.0, 0.2], [-0.3, 0.2, 0.0]])
    np.save(folder / "W.npy", W)
    np.savetxt(folder / "b.csv", [0.1, -0.2, 0.3], delimiter=",")
    result = run(
        "sample", "calibration.json", "--weights", "W.npy", "--biases", "b.csv",
        "--duration", "5000", "-o", "s.npz", "--plot", "j.png", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    dkl = float(re.search(r"DKL\(target \|\| sampled\) = (\S+)", result.stdout).group(1))
    assert 0 <= dkl < 0.1
    data = np.load(folder / "s.npz")
    assert data["states"].shape[1] == 3 and data["spike_times_0"].size > 0
    np.testing.assert_allclose(data["weights_theo"], W)
    assert (folder / "j.png").exists()
    result = run("sample", "calibration.json", "--random", "4", "--duration", "2000", "-q",
                 "--plot", "", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert len(re.findall(r"^\s+\d+\s+0\.\d+", result.stdout, re.MULTILINE)) == 4


def test_sample_without_matplotlib(calibration, monkeypatch, capsys):
    from sklearn_sbs import __main__ as cli

    folder, _ = calibration
    monkeypatch.chdir(folder)
    monkeypatch.setattr(cli, "_has_matplotlib", lambda: False)
    # the default figure is left out; one asked for is refused before any work
    assert cli.main(["sample", "calibration.json", "--random", "3", "--duration", "500", "-q",
                     "-o", "nomatplotlib.npz"]) == 0
    assert (folder / "nomatplotlib.npz").exists() and not (folder / "joint.png").exists()
    assert cli.main(["sample", "calibration.json", "--random", "3", "-q", "--plot", "x.png"]) == 1
    assert "--plot 'x.png' needs matplotlib" in capsys.readouterr().err


def test_sample_with_synapse_objects(calibration):
    folder, _ = calibration
    result = run("sample", "calibration.json", "--random", "3", "--duration", "2000", "--tau-rec",
                 "5", "--U", "0.9", "--tau-facil", "2", "--plot", "", "-o", "tm.npz", "-q",
                 cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "synapse: TsodyksMarkramSynapse(U=0.9, tau_facil=2.0, tau_rec=5.0)" in result.stdout
    data = np.load(folder / "tm.npz")
    assert data["spike_times_0"].size > 0 and data["window"][1] - data["window"][0] == 2000.0
    result = run("sample", "calibration.json", "--random", "3", "--duration", "1000",
                 "--synapse", "static", "--plot", "", "-o", "static.npz", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "synapse: StaticSynapse()" in result.stdout


def test_defaults_are_read_from_the_estimators(monkeypatch, capsys):
    from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
    from sklearn_sbs.__main__ import _noise_from_args, _synapse_from_args, build_parser
    from sklearn_sbs.synapses import TsodyksMarkramSynapse

    cal = inspect.signature(LIFSamplerCalibrator).parameters
    bm = inspect.signature(SpikingBoltzmannMachine).parameters
    args = build_parser().parse_args(["calibrate"])
    assert (args.model, args.dt, args.duration, args.burn_in, args.points, args.n_jobs) == tuple(
        cal[k].default for k in ("neuron_model", "dt", "duration", "burn_in", "n_points", "n_jobs"))
    args = build_parser().parse_args(["sample", "c.json"])
    assert (args.synapse, args.duration, args.burn_in, args.chains) == tuple(
        bm[k].default for k in ("synapse", "duration", "burn_in", "n_chains"))
    args = build_parser().parse_args(["learn", "x.csv", "c.json"])
    assert (args.hidden, args.learning, args.learning_rate, args.batch_size, args.iter,
            args.step_duration) == tuple(bm[k].default for k in (
                "n_hidden", "learning", "learning_rate", "batch_size", "n_iter", "step_duration"))
    # a changed estimator default reaches the command line, values and help
    monkeypatch.setitem(LIFSamplerCalibrator.__init__.__kwdefaults__, "duration", 1234.0)
    monkeypatch.setenv("COLUMNS", "200")             # help lines unwrapped
    parser = build_parser()
    assert parser.parse_args(["calibrate"]).duration == 1234.0
    with pytest.raises(SystemExit):
        parser.parse_args(["calibrate", "--help"])
    assert "measured time per point in ms (default 1234)" in capsys.readouterr().out

    # noise: the model's default noise with the given values changed
    noise = _noise_from_args(parser.parse_args(["calibrate", "--model", "IF_curr_exp",
                                                "--rate-exc", "2000"]))
    assert noise.get_params() == {"rate_exc": 2000.0, "rate_inh": 3000.0, "weight_exc": 0.05,
                                  "weight_inh": 0.05}
    assert _noise_from_args(parser.parse_args(["calibrate"])) is None    # the calibrator's own

    def synapse(*options):
        return _synapse_from_args(parser.parse_args(["sample", "c.json", *options]))

    assert synapse() == bm["synapse"].default and synapse("--synapse", "static") == "static"
    tm = synapse("--tau-rec", "7.5")
    assert isinstance(tm, TsodyksMarkramSynapse)
    assert tm.get_params() == {**TsodyksMarkramSynapse().get_params(), "tau_rec": 7.5}
    with pytest.raises(ValueError, match="--synapse static"):
        synapse("--synapse", "static", "--U", "0.5")


@pytest.mark.parametrize(
    "args, message",
    [
        (["sample", "missing.json", "--random", "3"], "No such file"),
        (["sample", "calibration.json", "--random", "3", "--synapse", "static", "--tau-rec", "5"],
         "--synapse static"),
        (["sample", "calibration.json", "--random", "3", "--U", "1.5", "-q"], "synapse__U"),
        (["calibrate", "--rate-exc", "-3", "-q"], "noise__rate_exc"),
        (["sample", "calibration.json"], "--weights and --biases"),
        (["calibrate", "--param", "tau_x=1", "-q"], "tau_x"),
        (["calibrate", "--param", "cm", "-q"], "NAME=VALUE"),
        (["calibrate", "--duration", "-5", "-q"], "duration"),
        # the workers' head start must not pre-empt the estimator's own check
        (["sample", "calibration.json", "--random", "3", "--n-jobs", "0", "-q"], "'n_jobs'"),
        (["sample", "calibration.json", "--random", "3", "--correction-rounds", "-1", "-q"],
         "correction_rounds"),
    ],
)
def test_errors_are_one_line(calibration, args, message):
    folder, _ = calibration
    result = run(*args, cwd=folder)
    assert result.returncode != 0
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert message in result.stderr


@pytest.mark.parametrize("args, message", [
    (["exact", "--show=-1"], "argument --show: must be at least 1, got -1"),
    (["exact", "--show", "0"], "argument --show: must be at least 1, got 0"),
    (["exact", "--show", "two"], "argument --show: must be a whole number, got 'two'"),
    (["exact", "--samples", "0"], "argument --samples: must be at least 1, got 0"),
    (["exact", "--units", "-2"], "argument --units: must be at least 1, got -2"),
    (["sample", "c.json", "--random", "0"], "argument --random: must be at least 1, got 0"),
])
def test_counts_below_one_are_refused_by_argparse(args, message, capsys):
    from sklearn_sbs.__main__ import main

    with pytest.raises(SystemExit) as info:
        main(args)
    out, err = capsys.readouterr()
    assert info.value.code == 2 and out == ""
    assert err.splitlines()[-1] == f"python -m sklearn_sbs {args[0]}: error: {message}"


def test_exact_shows_as_many_states_as_asked(capsys):
    from sklearn_sbs.__main__ import main

    assert main(["exact", "--show", "3", "--samples", "1000"]) == 0
    out = capsys.readouterr().out
    assert "3 most probable states (of 32):" in out and len(re.findall(r"^  z = ", out, re.M)) == 3


def test_debug_shows_the_traceback(calibration):
    folder, _ = calibration
    result = run("--debug", "sample", "calibration.json", cwd=folder)
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_learn_from_a_file(calibration):
    folder, _ = calibration
    from sklearn_sbs import SpikingBoltzmannMachine
    from sklearn_sbs.boltzmann import gibbs_sample

    W = np.array([[0.0, 1.5, -1.0], [1.5, 0.0, 0.5], [-1.0, 0.5, 0.0]])
    np.savetxt(folder / "data.csv", gibbs_sample(W, np.zeros(3), 2000, thin=3, random_state=0),
               delimiter=",", fmt="%d")
    result = run("learn", "data.csv", "calibration.json", "--learning", "exact", "--iter", "20",
                 "--batch-size", "200", "--learning-rate", "0.5", "--duration", "5000",
                 "-o", "m.json", "-q", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "200 steps" in result.stdout and re.search(r"DKL\(data \|\| sampled", result.stdout)
    learned = SpikingBoltzmannMachine.load(folder / "m.json")
    np.testing.assert_allclose(learned.weights_theo_, W, atol=0.35)   # 2000 rows
    bad = run("learn", "data.csv", "calibration.json", "--hidden", "-1", cwd=folder)
    assert bad.returncode != 0 and "n_hidden" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("command", ["", "exact", "calibrate", "sample", "learn", "demo"])
def test_help(command, tmp_path):
    result = run(*([command] if command else []), "--help", cwd=tmp_path)
    assert result.returncode == 0 and "usage:" in result.stdout


def test_demo_end_to_end(tmp_path):
    result = run("demo", "--duration", "5000", "-q", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"DKL\(target \|\| sampled\) = \S+", result.stdout)
    assert len(re.findall(r"observed \[.*\]  sampled .* exact ", result.stdout)) == 2
    learned = re.search(r"DKL\(data \|\| sampled\) = (\S+) \(untrained: (\S+)\)", result.stdout)
    assert learned and float(learned[1]) < 0.5 * float(learned[2])
    assert len(re.findall(r"^\s+\d+\s+0\.\d+\s+0\.\d+", result.stdout, re.MULTILINE)) == 5
    for name in ("calibration.json", "activation.png", "joint.png", "marginals.png", "weights.png"):
        assert (tmp_path / "sbs-demo" / name).stat().st_size > 500
