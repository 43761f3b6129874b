"""JSON persistence: atomic writes, versioned documents, noise sources by name.

Nothing is pickled or evaluated: a document names its noise class, which must be
one of :data:`NOISE_CLASSES`, and carries plain numbers, strings and lists.
"""

import json
import os
import tempfile

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
        raise ValueError(f"not a {kind} document (its 'format' field must be {kind!r})")
    if doc.get("version") not in versions:
        raise ValueError(
            f"unsupported {kind} format version {doc.get('version')!r}; this sklearn-sbs reads "
            f"versions {sorted(versions)}"
        )
    return doc


def write_atomic(path, text):
    """Write text to path through a temporary file in the same folder, then rename:
    readers see the old file or the new one, never half of one."""
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class JSONFileMixin:
    """``save(path)`` / ``load(path)`` around a class's ``to_json`` / ``from_json``."""

    def save(self, path):
        """Write :meth:`to_json` to ``path`` atomically (temporary file, then rename)."""
        write_atomic(path, self.to_json())
        return path

    @classmethod
    def load(cls, path):
        """Read an object written by :meth:`save`."""
        with open(path, encoding="utf-8") as handle:
            return cls.from_json(handle.read())
