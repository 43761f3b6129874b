"""Diagnostics on the standard logger "sklearn_sbs"; verbose shows them when logging is not set up."""

import ast
import logging
import pathlib

import numpy as np
import pytest

import sklearn_sbs
from sklearn_sbs import SpikingBoltzmannMachine

W = np.array([[0.0, 0.5], [0.5, 0.0]])
ROUND = "correction round 1/2"


def corrected(frozen_calibrator, verbose):
    return SpikingBoltzmannMachine(W, [0.2, -0.3], calibrator=frozen_calibrator, duration=400.0,
                                   correction_rounds=2, random_state=3, verbose=verbose).fit()


def test_the_correction_logs_its_rounds_without_verbose(frozen_calibrator, caplog, capsys):
    with caplog.at_level(logging.INFO, logger="sklearn_sbs"):
        corrected(frozen_calibrator, verbose=0)
    rounds = [r for r in caplog.records if r.name == "sklearn_sbs" and ROUND in r.getMessage()]
    assert len(rounds) == 1 and rounds[0].levelno == logging.INFO
    # and only there: the application's logging decides where it goes
    assert ROUND not in capsys.readouterr().err


def test_verbose_shows_the_lines_when_logging_is_not_set_up(frozen_calibrator, capsys):
    logger = logging.getLogger("sklearn_sbs")
    assert not logger.hasHandlers() or not logger.isEnabledFor(logging.INFO)
    corrected(frozen_calibrator, verbose=1)
    assert capsys.readouterr().err.count(ROUND) == 1


def test_verbose_lines_are_not_shown_twice_when_logging_is_set_up(frozen_calibrator, caplog, capsys):
    with caplog.at_level(logging.INFO, logger="sklearn_sbs"):
        corrected(frozen_calibrator, verbose=1)
    assert sum(ROUND in r.getMessage() for r in caplog.records) == 1
    assert ROUND not in capsys.readouterr().err


def test_the_local_pool_is_named_in_the_log(frozen_calibrator, caplog):
    bm = corrected(frozen_calibrator, verbose=0)
    with caplog.at_level(logging.INFO, logger="sklearn_sbs"):
        bm.sample(duration=100.0)
    assert any("on the local process pool" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", sorted(p for p in pathlib.Path(sklearn_sbs.__file__).parent.rglob("*.py")
                                        if p.name != "__main__.py"), ids=lambda p: p.name)
def test_no_print_outside_the_command_line(path):
    calls = [node for node in ast.walk(ast.parse(path.read_text()))
             if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "print"]
    assert not calls, f"print() in {path.name}, line {calls[0].lineno}: log it (sklearn_sbs._logging)"
