"""The package as a whole: import boundary, dependencies, doctests, command line."""

import doctest
import importlib
import pathlib
import re
import subprocess
import sys

import pytest

import sklearn_sbs

PACKAGE_DIR = pathlib.Path(sklearn_sbs.__file__).parent
PUBLIC_MODULES = [
    "sklearn_sbs.boltzmann", "sklearn_sbs.spikes", "sklearn_sbs.metrics", "sklearn_sbs.neurons",
    "sklearn_sbs.theory", "sklearn_sbs.sources", "sklearn_sbs.synapses", "sklearn_sbs._calibrator",
    "sklearn_sbs._machine._estimator", "sklearn_sbs._validation",
]


def run_python(code):
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300
    )


def test_kernels_are_compiled():
    from sklearn_sbs._kernels import _enumeration, _gibbs, _spikes

    for module in (_enumeration, _gibbs, _spikes):
        assert module.__file__.endswith((".so", ".pyd")), module.__file__


def test_import_and_kernels_leave_simulator_unloaded():
    code = (
        "import sys, numpy as np\n"
        "import sklearn_sbs\n"
        "from sklearn_sbs import boltzmann, spikes, metrics\n"
        "W = np.zeros((3, 3)); b = np.zeros(3)\n"
        "boltzmann.joint_distribution(W, b); boltzmann.gibbs_sample(W, b, 10, random_state=0)\n"
        "spikes.SpikeTrains([1.0], [0], 3, 10.0).joint(0.0, 20.0)\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('pyNN', 'nest'))\n"
        "print(loaded)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_only_simulation_layer_imports_simulator():
    pattern = re.compile(r"^\s*(import|from)\s+(pyNN|nest)\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(PACKAGE_DIR))
        for path in PACKAGE_DIR.rglob("*.py*")
        if "_simulation" not in path.parts and path.suffix in (".py", ".pyx")
        and pattern.search(path.read_text())
    ]
    assert offenders == []


def test_simulator_dependencies_import():
    # real dependencies, never skipped: NEST and PyNN's NEST backend must load
    result = run_python("import nest, pyNN.nest; print(nest.__version__)")
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1].startswith("3.10")


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    failures, attempted = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0
    assert failures == 0


def test_cli_exact_runs():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_sbs", "exact", "--units", "4", "--samples", "20000"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    dkl = float(re.search(r"DKL\(exact \|\| Gibbs, 20000 samples\) = (\S+)", result.stdout).group(1))
    assert 0 <= dkl < 0.01


def test_cli_error_is_one_line():
    result = subprocess.run(
        [sys.executable, "-m", "sklearn_sbs", "exact", "--units", "30"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1
    assert "24 units" in result.stderr
