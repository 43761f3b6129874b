"""Nothing silently wrong: corrupt documents, unsaveable seeds, failed fits, bad settings.

Documents: a valid fitted calibrator document and machine document are corrupted
field by field, programmatically -- every field gets a wrong type, a wrong shape,
NaN and inf, and is removed; fields with a range get values outside it -- and
each corruption must be a ValueError naming the field.  The machines are fitted
with ``correction_rounds=0`` on the session's short calibrator (tests/conftest.py):
translating costs no simulation.
"""

import copy
import json
import re

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs import _calibrator
from sklearn_sbs.sources import PiecewisePoissonNoise, PoissonNoise, SinusoidalPoissonNoise
from sklearn_sbs.synapses import TsodyksMarkramSynapse

W3 = np.array([[0.0, 0.5, -0.3], [0.5, 0.0, 0.2], [-0.3, 0.2, 0.0]])
B3 = np.array([-0.2, 0.1, 0.3])
# two visible units, one hidden: weights only between the layers
W_RBM = np.array([[0.0, 0.0, 0.4], [0.0, 0.0, -0.6], [0.4, -0.6, 0.0]])


@pytest.fixture(scope="module")
def calibrator_doc(short_calibrator):
    return json.loads(short_calibrator.to_json())


@pytest.fixture(scope="module")
def machine_doc(short_calibrator):
    """A fitted machine with every kind of parameter object in its document: a
    list of calibrators, a noise source, a synapse object."""
    frozen = FrozenEstimator(short_calibrator)
    bm = SpikingBoltzmannMachine(
        W3, B3, calibrator=[frozen, frozen, frozen], noise=PoissonNoise(),
        synapse=TsodyksMarkramSynapse(U=0.5), correction_rounds=0, random_state=1,
    ).fit()
    return json.loads(bm.to_json())


@pytest.fixture(scope="module")
def rbm_doc(short_calibrator):
    """A fitted machine with a hidden unit (weights only between the layers)."""
    bm = SpikingBoltzmannMachine(W_RBM, np.zeros(3), n_hidden=1,
                                 calibrator=FrozenEstimator(short_calibrator),
                                 correction_rounds=0, random_state=1).fit()
    return json.loads(bm.to_json())


# --- walking and corrupting documents ---------------------------------------------

def fields(doc, path=()):
    """Every field path below the document's top level (format and version are the
    header, tested on their own), objects and their fields alike; of a list of
    calibrator documents, the first."""
    out = []
    for key, value in doc.items():
        here = path + (key,)
        if not path and key in ("format", "version"):
            continue
        out.append(here)
        if isinstance(value, dict):
            out += fields(value, here)
        elif key in ("calibrators", "calibrator") and isinstance(value, list):
            out.append(here + (0,))
            out += fields(value[0], here + (0,))
    return out


def name(path):
    """A field path as the messages spell it: ``fitted.calibrators[0].calibration.alpha_``."""
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text


def names_field(path):
    """A message naming the field, not a longer one it is the start of (v_p05_, v_p05_err_)."""
    return re.escape(f"'{name(path)}") + r"['.\[]"


def get(doc, path):
    for key in path:
        doc = doc[key]
    return doc


def corrupted(doc, path, value=None, delete=False):
    out = copy.deepcopy(doc)
    parent = get(out, path[:-1])
    if delete:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return json.dumps(out)


def is_number(value):
    return type(value) in (int, float)


def is_numbers(value):
    return isinstance(value, list) and value and all(
        is_number(v) or (isinstance(v, list) and v and all(is_number(x) for x in v)) for v in value)


def wrong_type(path, value):
    if isinstance(value, str) or path[-1] == "memory":       # str is a valid type there
        return {"unexpected": 1}
    return "abc"


def wrong_shape(value):
    if isinstance(value, list) and value and isinstance(value[0], list):
        return value[:-1]                                  # one row fewer
    if isinstance(value, list):
        return value[:-1] if len(value) > 3 else [value]   # one fewer, or nested deeper
    return [[value, value]]


def with_element(value, bad):
    """``value`` (a number or a list of numbers) with its first number replaced."""
    if is_number(value):
        return bad
    value = copy.deepcopy(value)
    row = value[0] if isinstance(value[0], list) else value
    row[0] = bad
    return value


def load(cls, text):
    return cls.from_json(text)


def refused(cls, text, path, match=None):
    """Loading ``text`` fails with a ValueError naming the field at ``path``."""
    match = names_field(path) if match is None else match
    try:
        cls.from_json(text)
    except ValueError as exc:
        assert re.search(match, str(exc)), f"{name(path)}: {exc}"
    else:
        raise AssertionError(f"{name(path)}: the corrupt document loaded")


# parameters newer than the documents' version: their absence is no error (tested in
# test_spike_precision.py)
ADDED_LATER = set(LIFSamplerCalibrator._parameters_added) | set(SpikingBoltzmannMachine._parameters_added)

DOCUMENTS = {"calibrator": (LIFSamplerCalibrator, "calibrator_doc"),
             "machine": (SpikingBoltzmannMachine, "machine_doc"),
             "rbm": (SpikingBoltzmannMachine, "rbm_doc")}
# fields whose size sets a dimension: shortened, the next field of that size is
# the one that disagrees, and its message names this one ("as in ...")
SIZE_SETTERS = {"calibration.v_rest_", "params.biases", "fitted.calibrators[0].calibration.v_rest_",
                "params.calibrator[0].calibration.v_rest_"}
# fields where inf is a valid value: a degenerate fit's standard errors
INF_ALLOWED = ("v_p05_err_", "alpha_err_")
# fields where the generic corruptions are valid values
ANY_LENGTH = {"fitted.correction_errors"}


@pytest.fixture(params=sorted(DOCUMENTS))
def document(request):
    cls, fixture = DOCUMENTS[request.param]
    return cls, request.getfixturevalue(fixture)


def test_valid_documents_round_trip_exactly(document):
    cls, doc = document
    text = json.dumps(doc, indent=2)
    assert load(cls, text).to_json() == text


def test_every_field_missing_is_named(document):
    cls, doc = document
    for path in fields(doc):
        if path[-1] in ("calibration", "fitted") and "calibrators" not in path:
            continue                             # optional: the object is then unfitted
        if path[-1] in ADDED_LATER:
            continue                             # written before it existed: its default
        # an item gone from a list: the list is the field of the wrong length
        refused(cls, corrupted(doc, path, delete=True),
                path[:-1] if isinstance(path[-1], int) else path)


def test_every_field_of_a_wrong_type_is_named(document):
    cls, doc = document
    for path in fields(doc):
        refused(cls, corrupted(doc, path, wrong_type(path, get(doc, path))), path)


def test_every_field_of_a_wrong_shape_is_named(document):
    cls, doc = document
    for path in fields(doc):
        value = get(doc, path)
        if not (is_number(value) or is_numbers(value)) or name(path) in ANY_LENGTH:
            continue
        match = re.escape(f"'{name(path)}'") if name(path) in SIZE_SETTERS else names_field(path)
        refused(cls, corrupted(doc, path, wrong_shape(value)), path, match)


def test_every_number_nan_or_inf_is_named(document):
    cls, doc = document
    numeric = [p for p in fields(doc) if is_number(get(doc, p)) or is_numbers(get(doc, p))]
    assert len(numeric) > 20
    for path in numeric:
        for bad in (float("nan"), float("inf"), -float("inf")):
            if bad == float("inf") and path[-1] in INF_ALLOWED:
                continue
            refused(cls, corrupted(doc, path, with_element(get(doc, path), bad)), path)


def test_bools_are_not_numbers(document):
    cls, doc = document
    for path in fields(doc):
        if is_number(get(doc, path)) and path[-1] != "verbose":
            refused(cls, corrupted(doc, path, True), path)


def test_unknown_fields_are_named(document):
    cls, doc = document
    objects = [()] + [p for p in fields(doc) if isinstance(get(doc, p), dict)]
    for path in objects:
        refused(cls, corrupted(doc, path + ("surplus",), 1.0), path + ("surplus",))


# (field, value outside its range) -- every field with a range or an allowed set
CALIBRATOR_RANGES = [
    ("params.dt", -0.1), ("params.dt", 0), ("params.spike_precision", "exact"), ("params.duration", 0), ("params.burn_in", -1),
    ("params.n_points", 2), ("params.neuron_model", "IF_bogus"), ("params.verbose", -1),
    ("params.random_state", -1), ("params.random_state", 2**32),
    ("params.neuron_params", {"tau_x": 1.0}), ("params.neuron_params", {"cm": -0.2}),
    ("params.neuron_params", {"v_reset": -40.0}),
    ("calibration.alpha_", 0), ("calibration.alpha_", -1),
    ("calibration.p_on_", 1.5), ("calibration.p_on_", -0.01), ("calibration.p_on_std_", 0),
    ("calibration.v_p05_err_", -1), ("calibration.alpha_err_", -1),
    ("calibration.theory_alpha_", 0.005), ("calibration.tau_on_", -3), ("calibration.tau_on_", 0),
    ("calibration.tau_on_", 5.0),                  # not the on-time of neuron_params_
    ("calibration.n_rounds_", 0), ("calibration.n_rounds_", 7),
    ("calibration.n_features_in_", 2),
    ("calibration.neuron_params_.cm", 0), ("calibration.neuron_params_.tau_m", -1),
    ("calibration.neuron_params_.tau_refrac", 0), ("calibration.neuron_params_.tau_syn_E", -1),
    ("calibration.neuron_params_.tau_syn_I", 0),
    ("calibration.neuron_params_.tau_refrac_virtual", -1),
    ("calibration.neuron_params_.v_reset", -40.0),
    ("calibration.neuron_params_.e_rev_I", 10.0),
    ("calibration.noise_.class", "os.system"),
    ("calibration.noise_.params.rate_exc", -1), ("calibration.noise_.params.rate_inh", -1),
    ("calibration.noise_.params.weight_inh", -1),
    ("calibration.noise_.params.weight_exc", []),
]
MACHINE_RANGES = [
    ("params.n_hidden", -1), ("params.weights_unit", "mV"), ("params.synapse.class", "Spring"),
    ("params.synapse.params.U", 0), ("params.synapse.params.U", 1.5),
    ("params.delay", 0), ("params.delay", [[0.1]]), ("params.spike_precision", "fine"), ("params.duration", 0), ("params.burn_in", -1), ("params.dt", 0),
    ("params.n_chains", 0), ("params.correction_rounds", -1), ("params.correction_duration", 0),
    ("params.learning", "hebbian"), ("params.learning_rate", 0), ("params.batch_size", 0),
    ("params.n_iter", -1), ("params.step_duration", 0), ("params.inference", "guess"),
    ("params.inference_duration", 0), ("params.random_state", -1), ("params.verbose", -1),
    ("params.synapse.params.tau_rec", 0), ("params.synapse.params.tau_facil", -1),
    ("params.noise.class", "Loud"), ("params.noise.params.rate_exc", -1),
    ("params.noise.params.rate_inh", -5.0), ("params.noise.params.weight_exc", [-1.0]),
    ("params.noise.params.weight_inh", -1e-3), ("params.calibrator[0].params.dt", 0),
    ("params.calibrator[0].calibration.alpha_", -1),
    ("fitted.learning_steps", -1), ("fitted.correction_errors", [-0.1]),
    ("fitted.calibrators[0].calibration.alpha_", -1),
    ("fitted.calibrators[0].calibration.tau_on_", -3),
]


def _path(text):
    out = []
    for part in re.findall(r"[^.\[\]]+", text):
        out.append(int(part) if part.isdigit() else part)
    return tuple(out)


@pytest.mark.parametrize("field, bad", CALIBRATOR_RANGES)
def test_calibrator_values_out_of_range_are_named(calibrator_doc, field, bad):
    path = _path(field)
    value = get(calibrator_doc, path)
    bad = with_element(value, bad) if is_numbers(value) and is_number(bad) else bad
    refused(LIFSamplerCalibrator, corrupted(calibrator_doc, path, bad), path)


@pytest.mark.parametrize("field, bad", MACHINE_RANGES)
def test_machine_values_out_of_range_are_named(machine_doc, field, bad):
    path = _path(field)
    refused(SpikingBoltzmannMachine, corrupted(machine_doc, path, bad), path)


def test_every_ranged_field_has_a_case(calibrator_doc, machine_doc):
    # a field added with a range (or a set of allowed values) needs its case above
    unranged = {
        "params.n_jobs", "params.memory", "params.weights", "params.biases", "params.noise",
        "params.noise.params", "params.synapse", "params.synapse.params",
        "params.calibrator", "params.neuron_params",
        "calibration.v_p05_", "calibration.v_rest_", "calibration.theory_v_p05_",
        "calibration.neuron_params_", "calibration.noise_", "calibration.noise_.params",
        "fitted.biases_theo", "fitted.v_rest", "fitted.biases_effective",
    } | {f"calibration.neuron_params_.{p}" for p in ("v_rest", "v_thresh", "i_offset", "e_rev_E")}
    # with cases of their own: structure (weights), per unit (calibrators), nested documents
    elsewhere = ("fitted.weights", "fitted.calibrators", "params.calibrator[")
    covered = {f for f, _ in CALIBRATOR_RANGES + MACHINE_RANGES}
    for doc in (calibrator_doc, machine_doc):
        for path in fields(doc):
            text = name(path)
            if len(path) > 1 and not text.startswith(elsewhere):
                assert text in covered | unranged, f"{text} has no out-of-range case"


# --- the cases that loaded silently before -----------------------------------------

def _calibration(doc, **values):
    out = copy.deepcopy(doc)
    out["calibration"].update(values)
    return json.dumps(out)


def test_known_silent_corruptions_of_a_calibrator(calibrator_doc):
    cases = [
        (dict(alpha_=[1, 2]),
         r"field 'calibration.alpha_': expected a finite number > 0, got \[1, 2\]"),
        (dict(alpha_=-1), "field 'calibration.alpha_': expected a finite number > 0, got -1"),
        (dict(tau_on_=-3), "field 'calibration.tau_on_': expected a finite number > 0, got -3"),
        (dict(neuron_params_=dict(calibrator_doc["calibration"]["neuron_params_"], tau_m="abc")),
         "field 'calibration.neuron_params_.tau_m': expected a finite number, got 'abc'"),
    ]
    for values, message in cases:
        with pytest.raises(ValueError, match=message):
            LIFSamplerCalibrator.from_json(_calibration(calibrator_doc, **values))
    doc = copy.deepcopy(calibrator_doc)
    doc["params"]["neuron_params"] = {"tau_m": "abc"}
    with pytest.raises(ValueError, match="field 'params.neuron_params.tau_m': neuron parameter "
                                         "tau_m must be a real number, got 'abc'"):
        LIFSamplerCalibrator.from_json(json.dumps(doc))


def test_known_silent_corruptions_of_a_machine(machine_doc):
    doc = copy.deepcopy(machine_doc)
    doc["fitted"]["v_rest"][0] = float("nan")
    with pytest.raises(ValueError, match=r"field 'fitted.v_rest': expected 3 finite numbers "
                                         r"\(one per unit, as in 'fitted.weights_theo'\), got nan"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))
    doc = copy.deepcopy(machine_doc)
    doc["fitted"]["weights_bio"] = [[0.0, 0.001], [0.001, 0.0]]
    with pytest.raises(ValueError, match=r"field 'fitted.weights_bio': expected a 3 x 3 array"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))


@pytest.mark.parametrize("field, index", [("weights_bio", (0, 2)), ("weights_bio", (2, 0)),
                                          ("v_rest", (1,)), ("weights_effective", (0, 1)),
                                          ("biases_effective", (2,))])
def test_simulated_values_must_be_the_translation_of_the_effective_ones(machine_doc, field, index):
    # each field alone is valid (synaptic weights are per receiving unit, not symmetric),
    # but the network simulates weights_bio and v_rest: edited alone, another machine
    doc = copy.deepcopy(machine_doc)
    node = doc["fitted"][field]
    for k in index[:-1]:
        node = node[k]
    node[index[-1]] *= 1.01
    with pytest.raises(ValueError, match=r"field 'fitted.(weights_bio|v_rest)' is not the "
                                         r"translation of 'fitted.(weights|biases)_effective'"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))


def test_fitted_weights_keep_their_structure(machine_doc, rbm_doc):
    def fails(doc, field, i, j, value, message, symmetric=False):
        doc = copy.deepcopy(doc)
        doc["fitted"][field][i][j] = value
        if symmetric:
            doc["fitted"][field][j][i] = value
        with pytest.raises(ValueError, match=f"field 'fitted.{field}': {message}"):
            SpikingBoltzmannMachine.from_json(json.dumps(doc))

    # theoretical weights: symmetric exactly (a rounding error is an error too)
    w01 = machine_doc["fitted"]["weights_theo"][0][1]
    fails(machine_doc, "weights_theo", 0, 1, w01 + 0.1, "expected a symmetric matrix")
    fails(machine_doc, "weights_theo", 0, 1, np.nextafter(w01, 1.0), "expected a symmetric matrix")
    for field in ("weights_theo", "weights_bio", "weights_effective"):
        fails(machine_doc, field, 1, 1, 0.25,
              r"expected zeros on the diagonal, got 0.25 at index \[1, 1\]")
        # within the visible layer of a restricted machine
        fails(rbm_doc, field, 0, 1, 1e-3, "expected zeros on the diagonal and within the layers",
              symmetric=True)
    doc = copy.deepcopy(rbm_doc)
    doc["params"]["n_hidden"] = 3
    with pytest.raises(ValueError, match=r"field 'fitted.weights_theo': expected more units than "
                                         r"params.n_hidden = 3, got 3"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))


def test_fitted_calibrators_match_the_units(machine_doc, calibrator_doc):
    doc = copy.deepcopy(machine_doc)
    doc["fitted"]["calibrators"].pop()
    with pytest.raises(ValueError, match=r"field 'fitted.calibrators': expected 3 fitted "
                                         r"calibrator documents .*got a list of 2"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))
    doc = copy.deepcopy(machine_doc)
    del doc["fitted"]["calibrators"][2]["calibration"]
    with pytest.raises(ValueError, match=r"field .fitted.calibrators\[2\].calibration. is missing"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))
    doc = copy.deepcopy(machine_doc)
    doc["fitted"]["calibrators"][1]["format"] = "sklearn-sbs/boltzmann-machine"
    with pytest.raises(ValueError, match=r"field 'fitted.calibrators\[1\].format'"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))
    doc = copy.deepcopy(machine_doc)
    doc["fitted"]["calibrators"][1]["version"] = 99
    with pytest.raises(ValueError, match=r"field 'fitted.calibrators\[1\].version'"):
        SpikingBoltzmannMachine.from_json(json.dumps(doc))
    # loaded calibrators are checked as a lone calibrator's document is
    cal = SpikingBoltzmannMachine.from_json(json.dumps(machine_doc)).calibrators_[0]
    assert cal.to_json() == json.dumps(calibrator_doc, indent=2)


def test_header_and_top_level(calibrator_doc, machine_doc):
    for cls, doc in ((LIFSamplerCalibrator, calibrator_doc),
                     (SpikingBoltzmannMachine, machine_doc)):
        with pytest.raises(ValueError, match="format"):
            cls.from_json(json.dumps({k: v for k, v in doc.items() if k != "format"}))
        for version in ("1", [1], True, 1.0, 99):
            with pytest.raises(ValueError, match="field 'version': unsupported"):
                cls.from_json(json.dumps(dict(doc, version=version)))
        with pytest.raises(ValueError, match="field 'params' is missing"):
            cls.from_json(json.dumps({k: v for k, v in doc.items() if k != "params"}))
        with pytest.raises(ValueError, match="not a valid"):
            cls.from_json("[1, 2")
    # without its fitted part, a document loads unfitted
    unfitted = LIFSamplerCalibrator.from_json(
        json.dumps({k: v for k, v in calibrator_doc.items() if k != "calibration"}))
    with pytest.raises(NotFittedError):
        unfitted.predict([[-50.0]])


def test_load_names_the_file_and_the_field(calibrator_doc, tmp_path):
    path = tmp_path / "neuron.json"
    path.write_text(_calibration(calibrator_doc, alpha_=-1))
    with pytest.raises(ValueError, match=r"neuron.json: field 'calibration.alpha_'"):
        LIFSamplerCalibrator.load(path)


# --- saving: seeds a document cannot hold -------------------------------------------

@pytest.mark.parametrize("seed", [np.random.RandomState(0), np.random.default_rng(0)])
def test_generator_seeds_are_refused_when_saving(short_calibrator, seed):
    cal = LIFSamplerCalibrator(random_state=seed)
    with pytest.raises(ValueError, match="'random_state' parameter of LIFSamplerCalibrator must "
                                         "be an int or None to be saved"):
        cal.to_json()
    bm = SpikingBoltzmannMachine(W3, B3, random_state=seed)
    with pytest.raises(ValueError, match="'random_state' parameter of SpikingBoltzmannMachine"):
        bm.to_json()
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=LIFSamplerCalibrator(random_state=seed))
    with pytest.raises(ValueError, match="'calibrator__random_state' parameter of "
                                         "SpikingBoltzmannMachine"):
        bm.to_json()
    bm = SpikingBoltzmannMachine(W3, B3, calibrator=[FrozenEstimator(short_calibrator),
                                                      LIFSamplerCalibrator(random_state=seed)])
    with pytest.raises(ValueError, match=r"'calibrator\[1\]__random_state'"):
        bm.to_json()


def test_int_seeds_are_saved():
    doc = json.loads(LIFSamplerCalibrator(random_state=np.int64(7)).to_json())
    assert doc["params"]["random_state"] == 7
    assert LIFSamplerCalibrator.from_json(json.dumps(doc)).random_state == 7
    assert json.loads(SpikingBoltzmannMachine(W3, B3).to_json())["params"]["random_state"] is None


def test_memory_is_saved_as_its_folder(tmp_path):
    import joblib

    def saved(memory):
        return json.loads(SpikingBoltzmannMachine(W3, B3, memory=memory).to_json())["params"]["memory"]

    assert saved(str(tmp_path)) == str(tmp_path)
    assert saved(joblib.Memory(str(tmp_path), verbose=0)) == str(tmp_path)
    assert saved(joblib.Memory(None)) is None

    class Cache:
        def cache(self, func):
            return func

    with pytest.raises(ValueError, match=r"'memory' parameter .* must be a path, a joblib.Memory "
                                         r"or None to be saved"):
        SpikingBoltzmannMachine(W3, B3, memory=Cache()).to_json()


# --- fitting: a failed fit changes nothing -----------------------------------------

def _fitted_state(cal):
    return {k: v for k, v in cal.__dict__.items() if k.endswith("_") and not k.startswith("_")}


def _assert_same_state(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[key], value)
        elif key == "noise_":
            assert after[key].get_params() == value.get_params()
        else:
            assert after[key] == value, key


def test_failed_fit_keeps_the_previous_fit(short_calibrator):
    cal = copy.deepcopy(short_calibrator)           # fitted, without fitting again
    before, text = _fitted_state(cal), cal.to_json()
    # the theory runs, then the check of the noise fails (where theory_* were set before)
    cal.set_params(noise=PoissonNoise(weight_exc=1e-7, weight_inh=1e-7))
    with pytest.raises(ValueError, match="too weak"):
        cal.fit()
    _assert_same_state(before, _fitted_state(cal))
    cal.set_params(noise=None)
    assert cal.to_json() == text                     # no mixture of two fits is saved
    assert cal.predict([[cal.v_p05_]])[0] == 0.5


def test_failure_while_measuring_keeps_the_previous_fit(short_calibrator, monkeypatch):
    cal = copy.deepcopy(short_calibrator)
    before = _fitted_state(cal)

    def broken(self, *args, **kwargs):
        raise RuntimeError("the simulation broke")

    monkeypatch.setattr(LIFSamplerCalibrator, "_measure", broken)
    for X in (None, [[-52.0], [-50.0], [-48.0]]):
        with pytest.raises(RuntimeError, match="simulation broke"):
            cal.set_params(neuron_params={"tau_m": 2.0}).fit(X)
        _assert_same_state(before, _fitted_state(cal))


def test_failed_first_fit_leaves_the_calibrator_unfitted():
    cal = LIFSamplerCalibrator(noise=PoissonNoise(weight_exc=1e-7, weight_inh=1e-7))
    with pytest.raises(ValueError, match="too weak"):
        cal.fit()
    assert _fitted_state(cal) == {}
    for method, args in (("predict", ([[-50.0]],)), ("score", ()), ("bias_to_v_rest", ([0.0],)),
                         ("v_rest_to_bias", ([-50.0],)),
                         ("weights_to_bio", ([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0]))):
        with pytest.raises(NotFittedError):
            getattr(cal, method)(*args)
    assert "calibration" not in json.loads(cal.to_json())


# --- settings that cannot work: named, before any simulation -----------------------

@pytest.fixture
def no_simulation(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a simulation ran before the settings were checked")

    monkeypatch.setattr(_calibrator, "run_tasks", refuse)


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(neuron_params={"tau_refrac": 0.05}),
         r"dt=0.1 ms is longer than the refractory period tau_refrac=0.05 ms of the neuron "
         r"\(neuron_params\).*dt must be at most tau_refrac"),
        (dict(dt=20.0, duration=2000.0, burn_in=100.0),
         r"dt=20.0 ms is longer than the refractory period tau_refrac=10.0 ms"),
        (dict(neuron_params={"tau_refrac": 10.05}),
         r"dt=0.1 ms must divide the refractory period tau_refrac=10.05 ms of the neuron "
         r"\(neuron_params\) into whole steps"),
        (dict(neuron_params={"tau_refrac_virtual": 1e4}, duration=2000.0),
         r"neuron parameter tau_refrac_virtual=10000 ms, the on-time, must be shorter than "
         r"duration=2000 ms"),
        (dict(neuron_params={"tau_refrac": 300.0}, duration=200.0),
         r"neuron parameter tau_refrac=300 ms, the on-time, must be shorter than duration=200 ms"),
        (dict(neuron_params={"i_offset": 1e6}),
         r"neuron parameter i_offset=1e\+06 nA \(it moves the free membrane by .* 5e\+06 mV.*\) "
         r"is out of the sane range for a sampler and the likely cause, not the noise"),
        (dict(neuron_params={"tau_m": 1e-9}),
         r"neuron parameter tau_m=1e-09 ms \(shorter than dt=0.1 ms\) is out of the sane range "
         r"for a sampler and the likely cause, not the noise: the activation is a step"),
        (dict(neuron_params={"tau_m": 1e-9, "i_offset": -1e12}),
         r"neuron parameters tau_m=1e-09 ms .* and i_offset=-1e\+12 nA .* are out of the sane"),
        (dict(burn_in=100.05), r"burn_in=100.05 ms must be a multiple \(0 allowed\) of dt=0.1 ms"),
        (dict(duration=1000.01), r"duration=1000.01 ms must be a positive multiple of dt=0.1 ms"),
        (dict(duration=1e300), r"duration=1e\+300 ms .* at most 1e\+12 steps"),
        (dict(noise=SinusoidalPoissonNoise(frequency=6000.0)),
         r"noise__frequency=6000.0 Hz is above .* 1 / \(2 dt\) = 5000 Hz"),
        (dict(noise=PiecewisePoissonNoise([0.1, 50.05], [3000.0, 3000.0], [3000.0, 3000.0])),
         r"noise__times\[1\]=50.05 ms must be a positive multiple of dt=0.1 ms"),
    ],
)
def test_settings_that_cannot_work_name_the_parameter(no_simulation, params, message):
    with pytest.raises(ValueError, match=message):
        LIFSamplerCalibrator(**params).fit()


def test_noise_is_blamed_only_when_the_neuron_is_sane(no_simulation):
    with pytest.raises(ValueError,
                       match=r"^noise=PoissonNoise\(.*\) is too weak:.*raise the noise"):
        LIFSamplerCalibrator(noise=PoissonNoise(weight_exc=1e-7, weight_inh=1e-7)).fit()
    with pytest.raises(ValueError, match=r"^neuron parameter tau_m"):
        LIFSamplerCalibrator(neuron_params={"tau_m": 1e-9},
                             noise=PoissonNoise(weight_exc=1e-7, weight_inh=1e-7)).fit()


def test_free_membrane_times_on_its_own_grid(no_simulation):
    cal = LIFSamplerCalibrator()
    with pytest.raises(ValueError, match=r"record_dt=0.15 ms must be a positive multiple of dt=0.1"):
        cal.measure_free_membrane(duration=100.0, record_dt=0.15)
    with pytest.raises(ValueError, match=r"duration=100.0 ms must be a positive multiple of dt=0.3"):
        cal.measure_free_membrane(duration=100.0, dt=0.3)
