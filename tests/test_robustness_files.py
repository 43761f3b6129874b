"""Nothing silently wrong, nothing lost: every written file is atomic, keeps modes and
links, and the command line checks its outputs and inputs before any work.

Real files in tmp_path, the real umask, real symlinks, a real file-size limit
(RLIMIT_FSIZE in a subprocess) and real signals.
"""

import contextlib
import errno
import os
import re
import resource
import signal
import stat
import subprocess
import sys
import time
import warnings

import numpy as np
import pytest

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs._serialization import write_atomic

TEMP_NAME = re.compile(r"\.(?P<target>.+)\.sbs-tmp-[0-9a-f]{8}")
#: Simulations that would take hours: a subprocess that ends in time simulated nothing.
LONG = ["--duration", "1e7"]


def run(*args, cwd, limit=None, timeout=120):
    """``python -m sklearn_sbs ARGS`` as users run it; ``limit``: RLIMIT_FSIZE in bytes."""
    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([sys.executable, "-m", "sklearn_sbs", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=timeout,
                          preexec_fn=set_limit if limit else None)


def run_here(*args, cwd, monkeypatch, capsys):
    """The command line in this process, for checks that fail before any work (no
    start-up cost); returns (exit code, stdout, stderr, warnings issued).  Any
    calibration, sampling or learning started fails at once, with its own message."""
    from sklearn_sbs.__main__ import main

    def no_work(self, *args, **kwargs):
        raise RuntimeError("work started before the checks")

    for estimator in (LIFSamplerCalibrator, SpikingBoltzmannMachine):
        monkeypatch.setattr(estimator, "fit", no_work)
    monkeypatch.chdir(cwd)
    with warnings.catch_warnings(record=True) as issued:
        warnings.simplefilter("always")
        code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err, [str(w.message) for w in issued]


@contextlib.contextmanager
def umask(mask):
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if ".sbs-tmp-" in p.name)


@pytest.fixture
def calibration(short_calibrator, tmp_path):
    """tmp_path holding cal.json, a fitted calibration (conftest's short one)."""
    short_calibrator.save(tmp_path / "cal.json")
    return tmp_path


# -- write_atomic and save: modes, links, temporary files -------------------------------

@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_gets_0666_minus_the_umask(tmp_path, mask, expected):
    with umask(mask):
        LIFSamplerCalibrator().save(tmp_path / "neuron.json")
        write_atomic(tmp_path / "raw.bin", b"\x00\x01")
    assert mode(tmp_path / "neuron.json") == expected
    assert mode(tmp_path / "raw.bin") == expected
    assert (tmp_path / "raw.bin").read_bytes() == b"\x00\x01"


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600, 0o444])
def test_existing_file_keeps_its_mode(tmp_path, existing):
    path = tmp_path / "neuron.json"
    path.write_text("old")
    os.chmod(path, existing)
    with umask(0o077):                       # a strict umask must not narrow an existing file
        LIFSamplerCalibrator(dt=0.05).save(path)
    assert mode(path) == existing
    assert LIFSamplerCalibrator.load(path).dt == 0.05


def test_temporary_file_is_named_after_its_target_and_has_the_final_mode(tmp_path):
    path = tmp_path / "out.npz"
    path.write_bytes(b"old")
    os.chmod(path, 0o640)
    seen = {}

    def writer(handle):
        seen["temps"] = temp_files(tmp_path)
        seen["mode"] = mode(tmp_path / seen["temps"][0])
        np.savez_compressed(handle, x=np.arange(3))

    write_atomic(path, writer)
    assert len(seen["temps"]) == 1
    assert TEMP_NAME.fullmatch(seen["temps"][0])["target"] == "out.npz"
    assert seen["mode"] == 0o640                     # private before the first byte
    assert temp_files(tmp_path) == []
    np.testing.assert_array_equal(np.load(path)["x"], [0, 1, 2])


def test_save_through_a_symlink_writes_its_target_and_keeps_the_link(tmp_path):
    (tmp_path / "real").mkdir()
    (tmp_path / "links").mkdir()
    target = tmp_path / "real" / "neuron.json"
    LIFSamplerCalibrator().save(target)
    os.chmod(target, 0o640)
    link = tmp_path / "links" / "current.json"
    link.symlink_to("../real/neuron.json")
    LIFSamplerCalibrator(dt=0.05).save(link)
    assert link.is_symlink() and os.readlink(link) == "../real/neuron.json"
    assert LIFSamplerCalibrator.load(target).dt == 0.05
    assert mode(target) == 0o640
    assert sorted(p.name for p in (tmp_path / "links").iterdir()) == ["current.json"]
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["neuron.json"]


def test_save_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    with umask(0o022):
        LIFSamplerCalibrator(dt=0.05).save(link)
    assert link.is_symlink()
    assert LIFSamplerCalibrator.load(tmp_path / "made.json").dt == 0.05
    assert mode(tmp_path / "made.json") == 0o644


def test_next_save_removes_stale_temporary_files_of_that_target_only(tmp_path):
    keep = [".other.json.sbs-tmp-0123abcd",         # another target's
            ".neuron.json.sbs-tmp-notours!",         # not a name we make
            ".neuron.json.sbs-tmp-0123abcd.bak",
            ".tmp-k2j3h4.json"]                      # someone else's
    stale = [".neuron.json.sbs-tmp-0123abcd", ".neuron.json.sbs-tmp-ffffffff"]
    for name in keep + stale:
        (tmp_path / name).write_text("left by a killed save")
    LIFSamplerCalibrator().save(tmp_path / "neuron.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep + ["neuron.json"])


def test_a_killed_save_leaves_a_temporary_file_the_next_save_removes(tmp_path):
    code = ("import os, signal\n"
            "from sklearn_sbs._serialization import write_atomic\n"
            "write_atomic('neuron.json', lambda h: (h.write(b'half'), os.kill(os.getpid(), "
            "signal.SIGKILL)))\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, timeout=120)
    assert result.returncode == -signal.SIGKILL
    [left] = temp_files(tmp_path)
    assert TEMP_NAME.fullmatch(left)["target"] == "neuron.json"
    LIFSamplerCalibrator().save(tmp_path / "neuron.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neuron.json"]


def test_a_temporary_file_in_use_is_not_removed(tmp_path):
    fcntl = pytest.importorskip("fcntl")

    busy = tmp_path / ".neuron.json.sbs-tmp-0123abcd"
    busy.write_text("another save, in progress")
    with open(busy) as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)           # as write_atomic holds its own
        LIFSamplerCalibrator().save(tmp_path / "neuron.json")
        assert busy.exists()
    LIFSamplerCalibrator().save(tmp_path / "neuron.json")
    assert not busy.exists()


def test_a_failed_write_keeps_the_old_file_and_names_the_path_given(tmp_path):
    path = tmp_path / "neuron.json"
    LIFSamplerCalibrator(dt=0.05).save(path)
    before = path.read_bytes()

    def full_disk(handle):
        handle.write(b"{partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError) as info:
        write_atomic(path, full_disk)
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(path)
    assert str(info.value) == f"[Errno {errno.ENOSPC}] No space left on device: '{path}'"
    assert path.read_bytes() == before and temp_files(tmp_path) == []
    with pytest.raises(TypeError, match="content must be str, bytes or a callable"):
        write_atomic(path, 3.0)
    assert path.read_bytes() == before and temp_files(tmp_path) == []


def test_load_errors_name_the_file(tmp_path):
    binary = tmp_path / "figure.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    with pytest.raises(ValueError) as info:
        LIFSamplerCalibrator.load(binary)
    assert str(info.value) == f"{binary} is not a text file (byte 0 is not UTF-8)"
    machine = tmp_path / "machine.json"
    SpikingBoltzmannMachine().save(machine)
    with pytest.raises(ValueError) as info:
        LIFSamplerCalibrator.load(machine)
    assert str(info.value) == (
        f"{machine}: not a sklearn-sbs/calibration document: its 'format' field must be "
        "'sklearn-sbs/calibration', got 'sklearn-sbs/boltzmann-machine'")


# -- the command line's outputs: atomic, exactly the path given --------------------------

def test_sample_writes_exactly_the_paths_given(calibration):
    result = run("sample", "cal.json", "--random", "3", "--duration", "500", "-q",
                 "-o", "noext", "--plot", "figure", cwd=calibration)
    assert result.returncode == 0, result.stderr
    assert "wrote noext\n" in result.stdout and "wrote figure\n" in result.stdout
    assert sorted(p.name for p in calibration.iterdir()) == ["cal.json", "figure", "noext"]
    assert np.load(calibration / "noext")["states"].shape[1] == 3
    assert (calibration / "figure").read_bytes().startswith(b"\x89PNG")
    result = run("sample", "cal.json", "--random", "3", "--duration", "500", "-q",
                 "-o", "s.npz", "--plot", "joint.svg", cwd=calibration)
    assert result.returncode == 0, result.stderr
    assert b"<svg" in (calibration / "joint.svg").read_bytes()[:1000]


def test_sample_under_a_file_size_limit_keeps_the_old_npz(calibration):
    result = run("sample", "cal.json", "--random", "3", "--duration", "500", "-q",
                 "--plot", "", "-o", "out.npz", cwd=calibration)
    assert result.returncode == 0, result.stderr
    old = (calibration / "out.npz").read_bytes()
    assert len(old) > 1024                            # so the new one cannot fit either
    result = run("sample", "cal.json", "--random", "3", "--duration", "500", "--seed", "1",
                 "-q", "--plot", "", "-o", "out.npz", cwd=calibration, limit=1024)
    assert (calibration / "out.npz").read_bytes() == old
    assert np.load(calibration / "out.npz")["states"].shape[1] == 3
    assert result.returncode == 1
    assert result.stderr == f"error: [Errno {errno.EFBIG}] File too large: 'out.npz'\n"
    assert temp_files(calibration) == []


def test_figure_under_a_file_size_limit_keeps_the_old_figure(calibration):
    old = b"\x89PNG an old figure"
    (calibration / "joint.png").write_bytes(old)
    # the .npz (~3 kB) fits in 16 kB, the figure (~20 kB) does not
    result = run("sample", "cal.json", "--random", "3", "--duration", "500", "-q",
                 "-o", "s.npz", "--plot", "joint.png", cwd=calibration, limit=16384)
    assert (calibration / "joint.png").read_bytes() == old
    assert result.returncode == 1
    assert result.stderr == f"error: [Errno {errno.EFBIG}] File too large: 'joint.png'\n"
    assert np.load(calibration / "s.npz")["states"].shape[1] == 3
    assert temp_files(calibration) == []


def test_save_under_a_file_size_limit_keeps_the_old_json(calibration):
    path = calibration / "neuron.json"
    LIFSamplerCalibrator(dt=0.05).save(path)         # ~300 bytes
    old = path.read_bytes()
    code = ("from sklearn_sbs import LIFSamplerCalibrator\n"
            "LIFSamplerCalibrator.load('cal.json').save('neuron.json')\n")   # ~2.6 kB

    def set_limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    result = subprocess.run([sys.executable, "-c", code], cwd=calibration, capture_output=True,
                            text=True, timeout=120, preexec_fn=set_limit)
    assert path.read_bytes() == old and LIFSamplerCalibrator.load(path).dt == 0.05
    assert result.returncode == 1
    assert result.stderr.strip().endswith(
        f"OSError: [Errno {errno.EFBIG}] File too large: 'neuron.json'")
    assert temp_files(calibration) == []


# -- the command line checks outputs and inputs before any work --------------------------

@pytest.mark.parametrize("args, message", [
    (["calibrate", *LONG, "-o", "missing/c.json"],
     "-o 'missing/c.json': the folder 'missing' does not exist"),
    (["calibrate", *LONG, "-o", "folder"], "-o 'folder' is a folder; give a file name"),
    (["calibrate", *LONG, "-o", ""], "-o must name a file, got ''"),
    (["calibrate", *LONG, "--plot", "missing/a.png"],
     "--plot 'missing/a.png': the folder 'missing' does not exist"),
    (["calibrate", *LONG, "--plot", "a.xyz"], "--plot 'a.xyz': matplotlib cannot write .xyz files"),
    (["calibrate", *LONG, "-o", "same.png", "--plot", "./same.png"],
     "-o and --plot name the same file, 'same.png'; give two names"),
    (["sample", "cal.json", "--random", "3", *LONG, "-o", "folder"],
     "-o 'folder' is a folder; give a file name"),
    (["sample", "cal.json", "--random", "3", *LONG, "--plot", "folder"],
     "--plot 'folder' is a folder; give a file name"),
    (["sample", "cal.json", "--random", "3", *LONG, "-o", "dangling.npz"],
     "-o 'dangling.npz' links to '{folder}/nowhere/s.npz', whose folder does not exist"),
    (["learn", "data.csv", "cal.json", *LONG, "-o", "missing/m.json"],
     "-o 'missing/m.json': the folder 'missing' does not exist"),
    (["demo", *LONG, "--output-dir", "cal.json"], "--output-dir 'cal.json' is a file, not a folder"),
    (["demo", *LONG, "--output-dir", "demo"],
     "--output-dir 'demo/joint.png' is a folder; give a file name"),
])
def test_outputs_are_checked_before_any_work(calibration, args, message, monkeypatch, capsys):
    (calibration / "folder").mkdir()
    (calibration / "demo" / "joint.png").mkdir(parents=True)
    (calibration / "dangling.npz").symlink_to("nowhere/s.npz")
    (calibration / "data.csv").write_text("0,1\n1,0\n")
    code, out, err, _ = run_here(*args, cwd=calibration, monkeypatch=monkeypatch, capsys=capsys)
    assert code == 1 and out == ""
    message = message.format(folder=os.path.realpath(calibration))
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert ".sbs-tmp-" not in err


def test_outputs_are_checked_before_any_work_as_users_run_it(calibration):
    result = run("calibrate", *LONG, "-o", "missing/c.json", cwd=calibration, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: -o 'missing/c.json': the folder 'missing' does not exist\n"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_an_unwritable_folder_is_refused_before_any_work(calibration):
    (calibration / "locked").mkdir(mode=0o555)
    result = run("calibrate", *LONG, "-o", "locked/c.json", cwd=calibration, timeout=60)
    assert result.stderr == "error: -o 'locked/c.json': the folder 'locked' is not writable\n"


@pytest.mark.parametrize("content, message", [
    ("0,1,1\n1,0.5,0\n", "data.csv: row 2, column 2 is 0.5; learning data must be 0 or 1"),
    ("0,1,1\n1,0,2\n", "data.csv: row 2, column 3 is 2; learning data must be 0 or 1"),
    ("0,1,1\nnan,0,1\n", "data.csv: row 2, column 1 is nan; the values must be finite (no NaN or inf)"),
    ("", "data.csv is empty"),
    ("\n  \n", "data.csv is empty"),
    ("# only a comment\n", "data.csv holds no numbers"),
    ("0,1\n1\n", "data.csv: the number of columns changed from 2 to 1 at row 2"),
    ("a,b\n0,1\n", "data.csv: could not convert string 'a' to float64 at row 0, column 1"),
])
def test_learning_data_is_checked_before_any_work(calibration, content, message, monkeypatch,
                                                  capsys):
    (calibration / "data.csv").write_text(content)
    code, out, err, issued = run_here("learn", "data.csv", "cal.json", *LONG, cwd=calibration,
                                      monkeypatch=monkeypatch, capsys=capsys)
    assert (code, out, issued) == (1, "", [])
    assert err.startswith(f"error: {message}") and err.count("\n") == 1


@pytest.mark.parametrize("content, message", [
    ("", "error: data.csv is empty\n"),
    ("0,1\nnan,1\n", "error: data.csv: row 2, column 1 is nan; the values must be finite "
                      "(no NaN or inf)\n"),
])
def test_learning_data_errors_as_users_see_them(calibration, content, message):
    (calibration / "data.csv").write_text(content)
    result = run("learn", "data.csv", "cal.json", *LONG, cwd=calibration, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (1, "", message)


def test_a_single_row_of_data_is_one_row(calibration):
    from sklearn_sbs.__main__ import _load_binary_rows

    (calibration / "row.csv").write_text("0,1,1\n")
    assert _load_binary_rows(str(calibration / "row.csv")).shape == (1, 3)
    np.save(calibration / "half.npy", np.array([[0.0, 1.0], [0.5, 1.0]]))
    with pytest.raises(ValueError, match=r"half.npy: row 2, column 1 is 0.5"):
        _load_binary_rows(str(calibration / "half.npy"))


@pytest.mark.parametrize("make, message", [
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\xff"), "bad.json is not a text file (byte 0 is not UTF-8)"),
    (lambda p: p.write_text("hello"),
     "bad.json: not a valid sklearn-sbs/calibration JSON document: Expecting value"),
    (lambda p: p.write_text("[1, 2]"), "bad.json: not a sklearn-sbs/calibration document: its "
     "'format' field must be 'sklearn-sbs/calibration', got a JSON list instead of an object"),
    (lambda p: SpikingBoltzmannMachine().save(p), "bad.json: not a sklearn-sbs/calibration "
     "document: its 'format' field must be 'sklearn-sbs/calibration', got "
     "'sklearn-sbs/boltzmann-machine'"),
    (lambda p: LIFSamplerCalibrator().save(p), "bad.json holds no calibration (run 'calibrate' first)"),
])
@pytest.mark.parametrize("command", [["learn", "data.csv", "bad.json"],
                                     ["sample", "bad.json", "--random", "3"]])
def test_a_bad_calibration_file_is_one_line(calibration, make, message, command, monkeypatch,
                                            capsys):
    (calibration / "data.csv").write_text("0,1\n1,0\n")
    make(calibration / "bad.json")
    code, out, err, issued = run_here(*command, *LONG, cwd=calibration, monkeypatch=monkeypatch,
                                      capsys=capsys)
    assert (code, out, issued) == (1, "", [])
    assert err.startswith(f"error: {message}") and err.count("\n") == 1
    assert "codec" not in err and "UnicodeDecodeError" not in err


def test_a_binary_calibration_file_as_users_see_it(calibration):
    (calibration / "bad.json").write_bytes(b"\x89PNG\r\n\x1a\n\xff")
    result = run("sample", "bad.json", "--random", "3", *LONG, cwd=calibration, timeout=60)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == "error: bad.json is not a text file (byte 0 is not UTF-8)\n"


# -- interrupts and broken pipes ---------------------------------------------------------

def _interrupt_once_running(args, cwd, started, whole_group):
    """Start the command, wait until stdout shows ``started`` and 2 s more, then send
    SIGINT to its main process, or to its process group as a terminal's Ctrl-C does."""
    process = subprocess.Popen([sys.executable, "-m", "sklearn_sbs", *args], cwd=cwd, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env=dict(os.environ, PYTHONUNBUFFERED="1"), start_new_session=True)
    try:
        line = process.stdout.readline()
        assert started in line, (line, process.stderr.read() if process.poll() is not None else "")
        time.sleep(2.0)                               # inside the simulation by now
        if whole_group:
            os.killpg(process.pid, signal.SIGINT)
        else:
            process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        return process.returncode, err
    finally:
        if process.poll() is None:                    # a failed test leaves no simulation running
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.mark.parametrize("whole_group", [False, True], ids=["main-process", "process-group"])
def test_ctrl_c_while_learning_with_the_spiking_network(calibration, whole_group):
    rows = np.random.default_rng(0).integers(0, 2, size=(400, 3))
    np.savetxt(calibration / "data.csv", rows, fmt="%d", delimiter=",")
    code, err = _interrupt_once_running(
        ["learn", "data.csv", "cal.json", "--learning", "spiking", "--iter", "1000", "-q"],
        calibration, "learning 3 visible", whole_group)
    # nothing else: no traceback from the main process nor from its workers
    assert (code, err) == (130, "interrupted\n")
    assert not (calibration / "machine.json").exists()


def test_a_broken_pipe_is_one_line_unless_ctrl_c_caused_it(monkeypatch, capsys):
    import sklearn_sbs.__main__ as cli

    def worker_gone(args):
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    monkeypatch.setattr(cli, "_cmd_exact", worker_gone)
    assert cli.main(["exact"]) == 1
    assert capsys.readouterr().err == ("error: a pipe to a worker process closed unexpectedly "
                                       "(BrokenPipeError: [Errno 32] Broken pipe)\n")

    def interrupted_then_worker_gone(args):
        try:                                          # a library swallows the KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(1)
        except KeyboardInterrupt:
            pass
        raise EOFError

    monkeypatch.setattr(cli, "_cmd_exact", interrupted_then_worker_gone)
    assert cli.main(["exact"]) == 130
    assert capsys.readouterr().err == "interrupted\n"
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler   # restored
    monkeypatch.setattr(cli, "_cmd_exact", lambda args: (_ for _ in ()).throw(EOFError()))
    assert cli.main(["exact"]) == 1                   # no Ctrl-C this time
    assert capsys.readouterr().err == ("error: a pipe to a worker process closed unexpectedly "
                                       "(EOFError)\n")


def test_ctrl_c_while_the_command_line_starts_up(tmp_path):
    # a Ctrl-C that lands while the command imports what it needs (here: numpy, whose
    # stand-in raises it on import) is the same one line as later on
    (tmp_path / "numpy").mkdir()
    (tmp_path / "numpy" / "__init__.py").write_text("raise KeyboardInterrupt\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(tmp_path), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    result = subprocess.run([sys.executable, "-m", "sklearn_sbs", "exact"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert (result.returncode, result.stderr) == (130, "interrupted\n")
