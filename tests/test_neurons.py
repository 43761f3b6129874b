"""Neuron models: defaults, validation, on-time."""

import doctest

import numpy as np
import pytest

import sklearn_sbs.neurons as neurons
from sklearn_sbs.neurons import NEURON_MODELS, check_neuron_params, get_model, on_time

TUTORIAL = {
    "cm": 0.2, "tau_m": 1.0, "v_rest": -50.0, "v_thresh": -50.0, "v_reset": -50.01,
    "tau_refrac": 10.0, "tau_syn_E": 10.0, "tau_syn_I": 10.0, "i_offset": 0.0,
}
REVERSAL = {"e_rev_E": 0.0, "e_rev_I": -100.0}
COND = ["IF_cond_exp", "IF_cond_alpha"]
CURR = ["IF_curr_exp", "IF_curr_alpha"]


def test_model_names():
    assert NEURON_MODELS == ("IF_cond_exp", "IF_curr_exp", "IF_cond_alpha", "IF_curr_alpha")


@pytest.mark.parametrize("name", NEURON_MODELS)
def test_defaults_are_the_tutorial_neuron(name):
    model = get_model(name)
    expected = dict(TUTORIAL, **REVERSAL) if name in COND else TUTORIAL
    assert model.name == name
    assert model.defaults == expected
    assert model.conductance_based is (name in COND)
    assert model.kernel == name.split("_")[-1]
    assert set(model.units) == set(expected) | {"tau_refrac_virtual"}
    assert model.units["cm"] == "nF" and model.units["i_offset"] == "nA"
    assert model.units["tau_refrac_virtual"] == "ms"
    assert all(model.units[p] == "mV" for p in expected if p.startswith(("v_", "e_rev")))


def test_spec_is_immutable():
    model = get_model("IF_cond_exp")
    model.defaults["cm"] = 99.0
    assert model.defaults["cm"] == 0.2
    with pytest.raises(AttributeError):
        model.kernel = "alpha"


@pytest.mark.parametrize("name", NEURON_MODELS)
def test_check_fills_defaults(name):
    params = check_neuron_params(name)
    assert params == dict(get_model(name).defaults, tau_refrac_virtual=None)
    assert check_neuron_params(name, {}) == params
    assert all(type(v) is float for k, v in params.items() if k != "tau_refrac_virtual")


def test_check_converts_and_does_not_mutate():
    given = {"v_rest": np.float32(-52), "tau_refrac": 5, "tau_refrac_virtual": np.int64(7)}
    params = check_neuron_params("IF_cond_alpha", given)
    assert params["v_rest"] == -52.0 and type(params["v_rest"]) is float
    assert params["tau_refrac"] == 5.0 and params["tau_refrac_virtual"] == 7.0
    assert given == {"v_rest": np.float32(-52), "tau_refrac": 5, "tau_refrac_virtual": np.int64(7)}
    assert check_neuron_params("IF_cond_alpha", {"tau_refrac_virtual": None})["tau_refrac_virtual"] is None


@pytest.mark.parametrize("name", ["IF_cond", "if_cond_exp", "IF_curr_delta", None, 3])
def test_unknown_model(name):
    with pytest.raises(ValueError, match=r"neuron_model must be one of .*IF_cond_exp.*IF_curr_alpha"):
        check_neuron_params(name)
    with pytest.raises(ValueError, match="neuron_model"):
        get_model(name)


@pytest.mark.parametrize("model", CURR)
@pytest.mark.parametrize("param", ["e_rev_E", "e_rev_I"])
def test_reversal_potentials_are_not_parameters_of_current_models(model, param):
    with pytest.raises(ValueError, match=f"'{param}' is not a parameter of {model}; valid .*tau_m"):
        check_neuron_params(model, {param: 0.0})


def test_unknown_parameter():
    with pytest.raises(ValueError, match="'tau_syn' is not a parameter of IF_cond_exp"):
        check_neuron_params("IF_cond_exp", {"tau_syn": 5.0})


def test_params_must_be_a_mapping():
    with pytest.raises(TypeError, match="neuron_params"):
        check_neuron_params("IF_cond_exp", [("cm", 0.2)])


@pytest.mark.parametrize("value", ["0.2", None, [0.2], True, 1j])
def test_non_numbers(value):
    with pytest.raises(TypeError, match="cm must be a real number"):
        check_neuron_params("IF_cond_exp", {"cm": value})


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("param", ["v_rest", "cm", "tau_refrac_virtual", "e_rev_E"])
def test_non_finite(param, value):
    with pytest.raises(ValueError, match=f"{param} must be finite, got {value!r}"):
        check_neuron_params("IF_cond_exp", {param: value})


@pytest.mark.parametrize("model", NEURON_MODELS)
@pytest.mark.parametrize(
    "param", ["cm", "tau_m", "tau_syn_E", "tau_syn_I", "tau_refrac", "tau_refrac_virtual"]
)
@pytest.mark.parametrize("value", [0.0, -1.0])
def test_not_positive(model, param, value):
    with pytest.raises(ValueError, match=rf"{param} must be > 0 .*got {value!r}"):
        check_neuron_params(model, {param: value})


def test_tau_refrac_message_says_why():
    with pytest.raises(ValueError, match="tau_refrac must be > 0 .*on-time"):
        check_neuron_params("IF_curr_exp", {"tau_refrac": 0.0})


@pytest.mark.parametrize("model", NEURON_MODELS)
@pytest.mark.parametrize("v_reset", [-50.0, -40.0])
def test_reset_below_threshold(model, v_reset):
    with pytest.raises(ValueError, match=f"v_reset must be below v_thresh, got v_reset={v_reset!r}"):
        check_neuron_params(model, {"v_reset": v_reset})
    assert check_neuron_params(model, {"v_reset": v_reset, "v_thresh": v_reset + 1})["v_reset"] == v_reset


@pytest.mark.parametrize("model", COND)
@pytest.mark.parametrize("e_rev_I", [0.0, 10.0])
def test_inhibitory_reversal_below_excitatory(model, e_rev_I):
    with pytest.raises(ValueError, match=f"e_rev_I must be below e_rev_E, got e_rev_I={e_rev_I!r}"):
        check_neuron_params(model, {"e_rev_I": e_rev_I})


def test_on_time():
    assert on_time(check_neuron_params("IF_curr_alpha")) == 10.0
    assert on_time(check_neuron_params("IF_curr_alpha", {"tau_refrac": 3})) == 3.0
    params = check_neuron_params("IF_cond_exp", {"tau_refrac": 3, "tau_refrac_virtual": 9.5})
    assert on_time(params) == 9.5
    assert on_time({"tau_refrac": 4.0}) == 4.0
    with pytest.raises(ValueError, match="tau_refrac"):
        on_time({"cm": 1.0})


def test_docstring_examples():
    failures, attempted = doctest.testmod(neurons, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert attempted > 0 and failures == 0
