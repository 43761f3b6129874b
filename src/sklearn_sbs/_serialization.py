"""Persistence: atomic writes of every file, versioned JSON documents, noise sources by name.

Nothing is pickled or evaluated: a document names its noise class, which must be
one of :data:`NOISE_CLASSES`, and carries plain numbers, strings and lists.
"""

import errno
import json
import os
import re
import secrets
import stat

try:
    import fcntl
except ImportError:           # Windows: an open file cannot be removed there anyway
    fcntl = None

import numpy as np

from . import sources

NOISE_CLASSES = {
    cls.__name__: cls
    for cls in (sources.PoissonNoise, sources.SinusoidalPoissonNoise, sources.PiecewisePoissonNoise,
                sources.SpikeTrainNoise, sources.PoissonPoolNoise, sources.NoiseNetwork)
}


def to_plain(value):
    """numpy scalars and arrays as JSON-ready Python values (floats round-trip exactly)."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    return value


def noise_to_dict(noise):
    name = type(noise).__name__
    if NOISE_CLASSES.get(name) is not type(noise):
        raise ValueError(
            f"noise of type {name} cannot be saved as JSON; known sources: {sorted(NOISE_CLASSES)}"
        )
    return {"class": name, "params": to_plain(noise.get_params(deep=False))}


def noise_from_dict(doc):
    if not isinstance(doc, dict) or doc.get("class") not in NOISE_CLASSES:
        raise ValueError(
            f"noise must be one of {sorted(NOISE_CLASSES)}, got {doc.get('class') if isinstance(doc, dict) else doc!r}"
        )
    params = doc.get("params", {})
    if not isinstance(params, dict):
        raise ValueError("noise params must be a JSON object")
    return NOISE_CLASSES[doc["class"]](**params)


def read_document(text, kind, versions):
    """Parse a JSON document of the given kind; check its format version."""
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, TypeError) as exc:
        raise ValueError(f"not a valid {kind} JSON document: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("format") != kind:
        found = (repr(doc.get("format")) if isinstance(doc, dict)
                 else f"a JSON {type(doc).__name__} instead of an object")
        raise ValueError(f"not a {kind} document: its 'format' field must be {kind!r}, "
                         f"got {found}")
    version = doc.get("version")
    # an int, not a bool (True == 1) nor a list (unhashable)
    if type(version) is not int or version not in versions:
        raise ValueError(
            f"field 'version': unsupported {kind} format version {version!r}; this "
            f"sklearn-sbs reads versions {sorted(versions)}"
        )
    return doc


#: Marks our temporary files: ``.<target name>.sbs-tmp-<8 hex digits>``, next to the target.
_TEMP_MARK = ".sbs-tmp-"
_TEMP_SUFFIX = re.compile(r"[0-9a-f]{8}")


def write_atomic(path, content):
    """Write ``content`` to ``path`` so that readers see the old file or the new one,
    never part of one: a temporary file in the same folder, fsync, rename.

    ``content`` is a str (written as UTF-8), bytes, or a callable that writes to the
    binary file handle it is given (``numpy.savez``, ``Figure.savefig``).  A symlink
    is kept and its target written.  An existing file keeps its mode; a new one gets
    0666 minus the umask, as ``open`` gives.  Temporary files a killed save left
    behind for the same target are removed.  An OSError names ``path``.
    """
    target = os.path.realpath(os.fspath(path))
    try:
        _remove_stale_temps(target)
        _write_and_rename(target, content)
    except OSError as exc:
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from exc
    return path


def _write_and_rename(target, content):
    fd, tmp = _create_temp(target)
    try:
        _keep_mode(tmp, target)               # before any byte is written
        with os.fdopen(fd, "wb") as handle:
            _hold(handle)                     # in use: another save leaves it alone
            _write_content(handle, content)
            handle.flush()
            os.fsync(handle.fileno())
            if fcntl is not None:
                os.replace(tmp, target)       # still held: no sweep can remove it first
        if fcntl is None:
            os.replace(tmp, target)           # Windows renames closed files only
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_folder(os.path.dirname(target))


def _create_temp(target):
    """A new file next to ``target``, named after it; mode 0666 so the umask applies."""
    folder, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{name}{_TEMP_MARK}{secrets.token_hex(4)}")
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", target)


def _keep_mode(tmp, target):
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        return                                # a new file: the umask decided
    os.chmod(tmp, mode)


def _write_content(handle, content):
    if isinstance(content, str):
        content = content.encode("utf-8")
    if isinstance(content, (bytes, bytearray, memoryview)):
        handle.write(content)
    elif callable(content):
        content(handle)
    else:
        raise TypeError(f"content must be str, bytes or a callable writing to a file handle, "
                        f"got {type(content).__name__}")


def _hold(handle):
    """Lock a temporary file while it is written (where the OS has flock)."""
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)


def _remove_stale_temps(target):
    """Remove this target's temporary files that no save holds (a killed save's)."""
    folder, name = os.path.split(target)
    prefix = f".{name}{_TEMP_MARK}"
    for entry in os.listdir(folder):
        if entry.startswith(prefix) and _TEMP_SUFFIX.fullmatch(entry[len(prefix):]):
            _remove_if_unheld(os.path.join(folder, entry))


def _remove_if_unheld(tmp):
    try:
        fd = os.open(tmp, os.O_RDONLY)
    except OSError:
        return                                # gone already, or not ours to read
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _unlink_quietly(tmp)
    except OSError:
        pass                                  # a save in progress holds it
    finally:
        os.close(fd)


def _unlink_quietly(path):
    try:
        os.unlink(path)
    except OSError:
        pass


def _fsync_folder(folder):
    """Make the rename itself durable (not possible on every OS)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_text(path):
    """A UTF-8 text file's content; a file that is not UTF-8 text is a ValueError naming it."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{os.fspath(path)} is not a text file (byte {exc.start} is not "
                         "UTF-8)") from None


class JSONFileMixin:
    """``save(path)`` / ``load(path)`` around a class's ``to_json`` / ``from_json``."""

    def save(self, path):
        """Write :meth:`to_json` to ``path`` atomically (see :func:`write_atomic`)."""
        return write_atomic(path, self.to_json())

    @classmethod
    def load(cls, path):
        """Read an object written by :meth:`save`; a bad file is a ValueError naming it."""
        text = read_text(path)
        try:
            return cls.from_json(text)
        except ValueError as exc:
            raise ValueError(f"{os.fspath(path)}: {exc}") from exc
