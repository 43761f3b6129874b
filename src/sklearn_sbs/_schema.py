"""Declared schemas of the JSON documents: every field's type, shape, finiteness and range.

A document's fitted arrays are used as they are, without a fit, so reading one
checks every field and names the field that is wrong::

    field 'fitted.v_rest': expected 3 finite numbers (one per unit, as in
    'fitted.weights_theo'), got 2 numbers

A schema is a dict from field name to a checker: a callable taking the field's
JSON value, its path in the document (``fitted.calibrators[1].calibration.alpha_``)
and a context (sizes of dimensions met so far, values other fields depend on),
returning the value to use or raising ValueError.  :class:`Number`,
:class:`Array` and :class:`OneOf` are the declarative checkers;
:func:`check_params` checks an estimator's parameters against the estimator's
own ``_parameter_constraints`` (the check ``fit`` makes), so a parameter's
allowed values are declared once.
"""

import numbers
from dataclasses import dataclass

import numpy as np
from sklearn.utils._param_validation import InvalidParameterError, validate_parameter_constraints

from ._serialization import NOISE_CLASSES
from .neurons import check_neuron_params
from ._validation import _describe, validate_nested

__all__ = ["Dim", "Number", "Array", "OneOf", "anything", "json_object", "join", "check_header",
           "check_fields", "check_params", "neuron_params", "object_field", "noise_field", "noise_or_list_field", "saved_random_state"]


def join(path, name):
    """The path of field ``name`` inside the object at ``path``."""
    return f"{path}.{name}" if path else str(name)


def _fail(path, expected, got):
    raise ValueError(f"field {path!r}: expected {expected}, got {got}")


@dataclass(frozen=True, eq=False)       # compared by identity: two dims may share a name
class Dim:
    """A dimension whose size several fields share, e.g. the number of units.

    The first field with the dimension sets its size (at least ``minimum``);
    the others must match it.
    """

    per: str
    minimum: int = 1


@dataclass(frozen=True)
class Number:
    """A JSON number (not a bool): finite unless ``allow_inf``, never NaN, within
    the bounds given (``gt``/``ge`` below, ``lt``/``le`` above)."""

    gt: float = None
    ge: float = None
    lt: float = None
    le: float = None
    integer: bool = False
    allow_inf: bool = False
    nullable: bool = False

    def _bounds(self):
        """' > 0', ' in [0, 1]' or '' (no bounds)."""
        low = ("[", self.ge) if self.ge is not None else ("(", self.gt)
        high = ("]", self.le) if self.le is not None else (")", self.lt)
        if low[1] is not None and high[1] is not None:
            return f" in {low[0]}{low[1]:g}, {high[1]:g}{high[0]}"
        if low[1] is not None:
            return f" {'>=' if low[0] == '[' else '>'} {low[1]:g}"
        if high[1] is not None:
            return f" {'<=' if high[0] == ']' else '<'} {high[1]:g}"
        return ""

    def noun(self, plural=False):
        """'a finite number > 0', 'integers in [1, 6]', 'null or a finite number', ..."""
        base = "integer" if self.integer else "number" if self.allow_inf else "finite number"
        text = f"{base}s" if plural else f"{'an' if base[0] == 'i' else 'a'} {base}"
        text += self._bounds() + (" (inf allowed)" if self.allow_inf else "")
        return f"null or {text}" if self.nullable and not plural else text

    def holds(self, arr):
        """Elementwise: the values of the float array ``arr`` this allows."""
        ok = ~np.isnan(arr) & (np.isfinite(arr) | self.allow_inf)
        for bound, test in ((self.gt, np.greater), (self.ge, np.greater_equal),
                            (self.lt, np.less), (self.le, np.less_equal)):
            if bound is not None:
                ok &= test(arr, bound)
        return ok

    def __call__(self, value, path, context):
        if value is None and self.nullable:
            return None
        kinds = (int,) if self.integer else (int, float)
        if type(value) not in kinds or not _float_holds(self, value):
            _fail(path, self.noun(), _describe(value))
        return int(value) if self.integer else float(value)


def _float_holds(number, value):
    try:
        return bool(number.holds(np.asarray(float(value))))
    except OverflowError:               # an int beyond float range
        return False


def _leaves(value):
    for item in value:
        if isinstance(item, list):
            yield from _leaves(item)
        else:
            yield item


def _number_array(value):
    """(float array, None) for a regular JSON list of numbers, else (None, what it is)."""
    if not isinstance(value, list):
        return None, _describe(value)
    odd = [v for v in _leaves(value) if type(v) not in (int, float)]   # bools, strings, null
    if odd:
        return None, f"a list holding {_describe(odd[0])}"
    try:
        return np.array(value, dtype=float), None
    except (ValueError, OverflowError):
        return None, "a ragged list"


def _shape_text(arr):
    return f"{arr.size} numbers" if arr.ndim == 1 else f"shape {arr.shape}"


@dataclass(frozen=True)
class Array:
    """A JSON list (of lists) of numbers with dimensions ``shape``, each element
    an ``element``, and optionally a ``rule(array, context)`` returning what is
    wrong (text) or None."""

    shape: tuple
    element: Number = Number()
    rule: object = None
    nullable: bool = False

    def describe(self, sizes, path):
        known = [sizes[d][0] if d in sizes else None for d in self.shape]
        elements = self.element.noun(plural=True)
        if len(self.shape) == 1:
            dim = self.shape[0]
            count = known[0] if known[0] is not None else f"at least {dim.minimum}"
            text = f"{count} {elements} (one per {dim.per}"
        else:
            dims = " x ".join(str(k) if k is not None else "n" for k in known)
            text = f"a {dims} array of {elements} (one row and column per {self.shape[0].per}"
        where = {sizes[d][1] for d in self.shape if d in sizes and sizes[d][1] != path}
        return text + (f", as in {where.pop()!r})" if len(where) == 1 else ")")

    def __call__(self, value, path, context):
        if value is None and self.nullable:
            return None
        sizes = context.setdefault("sizes", {})
        arr, got = _number_array(value)
        if arr is None or arr.ndim != len(self.shape):
            _fail(path, self.describe(sizes, path), got or _shape_text(arr))
        for dim, n in zip(self.shape, arr.shape):
            if dim not in sizes and n >= dim.minimum:
                sizes[dim] = (n, path)          # this field sets the size
            if sizes.get(dim, (None,))[0] != n:
                _fail(path, self.describe(sizes, path), _shape_text(arr))
        bad = np.argwhere(~self.element.holds(arr))
        if bad.size:
            index = tuple(int(i) for i in bad[0])
            _fail(path, self.describe(sizes, path),
                  f"{arr[index].item()!r} at index {list(index) if len(index) > 1 else index[0]}")
        problem = self.rule(arr, context) if self.rule is not None else None
        if problem:
            raise ValueError(f"field {path!r}: {problem}")
        return arr


@dataclass(frozen=True)
class OneOf:
    """One of the given JSON values (of the same type: ``true`` is not ``1``)."""

    options: tuple

    def __call__(self, value, path, context):
        if any(type(value) is type(o) and value == o for o in self.options):
            return value
        expected = repr(self.options[0]) if len(self.options) == 1 else \
            f"one of {list(self.options)}"
        _fail(path, expected, _describe(value))


def anything(value, path, context):
    """Any value (a field another check reads)."""
    return value


def json_object(value, path, context):
    """A JSON object, whose fields another check reads."""
    if not isinstance(value, dict):
        _fail(path, "a JSON object", _describe(value))
    return value


def check_header(doc, kind, versions, path):
    """A document embedded in another: its format is ``kind``, its version one of ``versions``."""
    if not isinstance(doc, dict):
        _fail(path, f"a {kind} document (a JSON object)", _describe(doc))
    if doc.get("format") != kind:
        _fail(join(path, "format"), repr(kind), _describe(doc.get("format")))
    if type(doc.get("version")) is not int or doc["version"] not in versions:
        _fail(join(path, "version"), f"a {kind} format version in {sorted(versions)}",
              _describe(doc.get("version")))
    return doc


def check_fields(values, schema, path, context, optional=()):
    """The fields of the JSON object ``values``, each checked by its checker in
    ``schema`` (in the schema's order), as a dict; unknown fields and missing
    ones (unless ``optional``) are errors."""
    if not isinstance(values, dict):
        _fail(path or "document", f"a JSON object with the fields {list(schema)}",
              _describe(values))
    unknown = [name for name in values if name not in schema]
    if unknown:
        raise ValueError(f"field {join(path, unknown[0])!r}: unknown field; "
                         f"{repr(path) if path else 'the document'} has the fields "
                         f"{list(schema)}")
    out = {}
    for name, check in schema.items():
        if name not in values:
            if name in optional:
                continue
            raise ValueError(f"field {join(path, name)!r} is missing")
        out[name] = check(values[name], join(path, name), context)
    return out


def _takes_bools(constraints):
    return any(c is bool or c in ("boolean", "verbose") for c in constraints
               if isinstance(c, (str, type)))


@dataclass(frozen=True)
class _Param:
    """A parameter of ``owner``: decoded from JSON, then checked against the
    owner's ``_parameter_constraints`` (bools only where they are allowed)."""

    owner: type
    name: str
    decode: object = None

    def __call__(self, value, path, context):
        if self.decode is not None:
            value = self.decode(value, path, context)
        constraints = self.owner._parameter_constraints.get(self.name, "no_validation")
        if constraints == "no_validation":
            return value
        if isinstance(value, bool) and not _takes_bools(constraints):
            _fail(path, f"a value of the {self.name!r} parameter of {self.owner.__name__} "
                  "(a bool is none)", _describe(value))
        try:
            validate_parameter_constraints({self.name: constraints}, {self.name: value},
                                           caller_name=self.owner.__name__)
        except InvalidParameterError as exc:
            raise ValueError(f"field {path!r}: {exc}") from None
        return value


def check_params(values, owner, path, context, decoders=None):
    """The parameters of class ``owner`` from a document: exactly its constructor's
    parameters, each decoded by ``decoders[name](value, path, context)`` if given
    (JSON to object), then checked against ``owner._parameter_constraints``.  Only
    the parameters ``owner._parameters_added`` names (added after documents of its
    version were written) may be missing: such a document was written before they
    existed, and gets their defaults."""
    decoders = decoders or {}
    schema = {name: _Param(owner, name, decoders.get(name)) for name in owner._get_param_names()}
    return check_fields(values, schema, path, context,
                        optional=tuple(getattr(owner, "_parameters_added", ())))


def object_field(value, path, classes, context, decoders=None):
    """A parameter object (noise source, synapse) from ``{"class": name, "params":
    {every parameter}}``, ``name`` a key of ``classes``; its parameters and their
    consistency checked."""
    fields = check_fields(value, {"class": OneOf(tuple(sorted(classes))), "params": json_object},
                          path, context)
    cls = classes[fields["class"]]
    obj = cls(**check_params(fields["params"], cls, join(path, "params"), {}, decoders))
    try:
        validate_nested(obj)            # the cross-field checks (equal lengths, ...)
    except ValueError as exc:
        raise ValueError(f"field {join(path, 'params')!r}: {exc}") from None
    return obj


def noise_field(value, path, context):
    """A noise source (see :func:`object_field`), or None."""
    return None if value is None else object_field(value, path, NOISE_CLASSES, context)


def noise_or_list_field(value, path, context):
    """A noise source, a list of them (one per unit), or None."""
    if isinstance(value, list):
        return [object_field(v, f"{path}[{k}]", NOISE_CLASSES, context) for k, v in enumerate(value)]
    return noise_field(value, path, context)


def saved_memory(value, name, owner):
    """``value`` as a document holds it: a path (str) or None.  A joblib.Memory is
    its folder (``location``; None: it caches nothing, as None); another cache
    object cannot be written, so it is an error rather than a silent null."""
    if value is None or isinstance(value, str):
        return value
    location = getattr(value, "location", ...)
    if location is None or isinstance(location, str):
        return location
    raise ValueError(
        f"The {name!r} parameter of {owner} must be a path, a joblib.Memory or None to be "
        f"saved as JSON, got {_describe(value)}: only a cache's folder can be saved; give "
        "its path instead"
    )


def saved_random_state(value, name, owner):
    """``value`` if a document can hold it (an int or None); a RandomState or
    Generator would be written as null and load as another seed, so it is an error."""
    if value is None or (isinstance(value, numbers.Integral) and not isinstance(value, bool)):
        return None if value is None else int(value)
    raise ValueError(
        f"The {name!r} parameter of {owner} must be an int or None to be saved as JSON, got "
        f"{_describe(value)}: a generator's state is not saved (its draws would not be "
        "reproduced); set an int seed first"
    )


def _fails_alone(model, name, value):
    try:
        check_neuron_params(model, {name: value})
    except (TypeError, ValueError):
        return True
    return False


def neuron_params(model, values, path):
    """``values`` checked against the model's table (names, numbers, lower bounds);
    an error names the parameter wrong on its own, if one is, else the object."""
    try:
        return check_neuron_params(model, values)
    except (TypeError, ValueError) as exc:
        culprit = next((k for k, v in values.items() if _fails_alone(model, k, v)), None)
        where = path if culprit is None else join(path, culprit)
        raise ValueError(f"field {where!r}: {exc}") from None
