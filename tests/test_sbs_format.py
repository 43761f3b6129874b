"""LIFSamplerCalibrator.load_sbs: calibrations saved by the original sbs library.

The documents are written here by hand, following the original's definitions
(electronicvisions/spike-based-sampling): its ``Data.to_dict`` (sbs/db/core.py)
writes every data attribute of an object, unset ones as null, plus ``"_type"``,
the class name; ``LIFsampler.write_config`` (sbs/samplers.py) writes a
``SamplerConfiguration`` (sbs/db/__init__.py).  Each helper below names the
class whose fields it writes.
"""

import copy
import json
import math
import subprocess
import sys
import warnings

import numpy as np
import pytest
from sklearn.frozen import FrozenEstimator

from sklearn_sbs import LIFSamplerCalibrator, SpikingBoltzmannMachine
from sklearn_sbs.sources import PoissonNoise

V_P05, ALPHA = -50.6, 0.8


def neuron_parameters(model="IF_cond_exp", **changes):
    """sbs/db/neuron_parameters.py: NeuronParametersConductanceExponential (pynn_model
    "IF_cond_exp", a class constant, and cm nF, tau_m, tau_refrac, tau_syn_E, tau_syn_I ms,
    e_rev_E, e_rev_I mV, i_offset nA, v_rest, v_reset, v_thresh mV) and tau_refrac_virtual
    (ms, from NeuronParametersTauRefracVirtual); NeuronParametersCurrentExponential is the
    same without the reversal potentials."""
    types = {"IF_cond_exp": "NeuronParametersConductanceExponential",
             "IF_cond_alpha": "NeuronParametersConductanceAlpha",
             "IF_curr_exp": "NeuronParametersCurrentExponential",
             "IF_curr_alpha": "NeuronParametersCurrentAlpha"}
    doc = {"_type": types[model], "pynn_model": model, "cm": 0.2, "tau_m": 1.0,
           "tau_refrac": 10.0, "tau_syn_E": 10.0, "tau_syn_I": 10.0, "i_offset": 0.0,
           "v_rest": -50.0, "v_reset": -50.001, "v_thresh": -50.0, "tau_refrac_virtual": None}
    if model.startswith("IF_cond"):
        doc.update(e_rev_E=0.0, e_rev_I=-100.0)
    doc.update(changes)
    return doc


def poisson_sources(rates=(3000.0, 3000.0), weights=(-0.001, 0.001)):
    """sbs/db/sources.py: PoissonSourceConfiguration (rates Hz, weights µS or nA,
    positive excitatory, else inhibitory)."""
    return {"_type": "PoissonSourceConfiguration", "rates": list(rates), "weights": list(weights)}


def calibration(source_config=None, v_min=-53.0, v_max=-48.0, n=21, alpha=ALPHA, v_p05=V_P05,
                **changes):
    """sbs/db/__init__.py: Calibration (sim_name, sim_setup_kwargs, duration, dt,
    burn_in_time ms, V_rest_min, V_rest_max mV, num_samples, samples_p_on, fit,
    source_config) with its Fit (alpha, v_p05 mV); samples_p_on is measured on
    np.linspace(V_rest_min, V_rest_max, num_samples) (Calibration.get_samples_v_rest),
    here the logistic of sbs/utils.py sigmoid_trans plus a little noise."""
    v = np.linspace(v_min, v_max, n)
    p_on = 1.0 / (1.0 + np.exp(-(v - v_p05) / alpha))
    p_on = np.clip(p_on + np.random.RandomState(0).normal(0, 0.005, n), 0.0, 0.999)
    doc = {"_type": "Calibration", "sim_name": "pyNN.nest",
           "sim_setup_kwargs": {"spike_precision": "on_grid", "threads": 1},
           "duration": 1e5, "dt": 0.1, "burn_in_time": 500.0,
           "V_rest_min": v_min, "V_rest_max": v_max, "num_samples": n,
           "samples_p_on": p_on.tolist(),
           "fit": {"_type": "Fit", "alpha": alpha, "v_p05": v_p05},
           "source_config": source_config or poisson_sources()}
    doc.update(changes)
    return doc


def sampler_configuration(neuron=None, calib=None, **changes):
    """sbs/db/__init__.py: SamplerConfiguration (neuron_parameters, calibration,
    source_config, tso_parameters), as LIFsampler.write_config writes it: source_config
    null when it is the calibration's."""
    doc = {"_type": "SamplerConfiguration",
           "neuron_parameters": neuron or neuron_parameters(),
           "calibration": calib or calibration(),
           "source_config": None, "tso_parameters": None}
    doc.update(changes)
    return doc


def write(tmp_path, doc, name="sampler.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=2))        # Python writes NaN as the original did
    return path


def logistic(v, v_p05=V_P05, alpha=ALPHA):
    """The original's sigmoid_trans (sbs/utils.py)."""
    return 1.0 / (1.0 + np.exp(-(np.asarray(v) - v_p05) / alpha))


@pytest.fixture
def conductance(tmp_path):
    return LIFSamplerCalibrator.load_sbs(write(tmp_path, sampler_configuration()))


def test_conductance_calibration_loads(conductance):
    cal = conductance
    assert cal.neuron_model == "IF_cond_exp"
    assert cal.neuron_params_ == {**{k: v for k, v in neuron_parameters().items()
                                     if k not in ("_type", "pynn_model")}}
    assert (cal.dt, cal.duration, cal.burn_in, cal.n_points) == (0.1, 1e5, 500.0, 21)
    assert cal.noise_.get_params() == PoissonNoise(3000.0, 3000.0, 0.001, 0.001).get_params()
    assert (cal.v_p05_, cal.alpha_, cal.tau_on_, cal.n_rounds_) == (V_P05, ALPHA, 10.0, 1)
    np.testing.assert_array_equal(cal.v_rest_, np.linspace(-53.0, -48.0, 21))
    np.testing.assert_array_equal(cal.p_on_, calibration()["samples_p_on"])
    # what the original did not store, derived: binomial errors and the fit's errors
    assert np.all(cal.p_on_std_ > 0)
    assert 0 < cal.v_p05_err_ < 0.05 and 0 < cal.alpha_err_ < 0.05
    assert abs(cal.theory_v_p05_ - V_P05) < 1.0 and 0.5 < cal.theory_alpha_ < 1.2


def test_predict_is_the_originals_logistic(conductance):
    v = np.array([-52.3, -50.6, -50.0, -49.1])
    np.testing.assert_allclose(conductance.predict(v[:, None]), logistic(v), rtol=1e-12)
    np.testing.assert_allclose(conductance.bias_to_v_rest([0.0, 1.0]), [V_P05, V_P05 + ALPHA])
    assert conductance.score() > -1e-3          # the measurement is that logistic, plus noise


def test_round_trip_through_our_json(conductance, tmp_path):
    text = conductance.to_json()
    again = LIFSamplerCalibrator.from_json(text)
    assert again.to_json() == text
    conductance.save(tmp_path / "ours.json")
    assert LIFSamplerCalibrator.load(tmp_path / "ours.json").to_json() == text


def test_frozen_into_a_machine(conductance):
    W = np.array([[0.0, 0.5], [0.5, 0.0]])
    b = np.array([-0.2, 0.3])
    bm = SpikingBoltzmannMachine(W, b, calibrator=FrozenEstimator(conductance),
                                 correction_rounds=0, duration=2000.0, burn_in=100.0,
                                 random_state=0).fit()
    np.testing.assert_allclose(bm.v_rest_, V_P05 + ALPHA * b)
    Z = bm.sample()                              # a real NEST run in a worker
    assert Z.shape[1] == 2 and set(np.unique(Z)) <= {0, 1}


def test_current_based_model(tmp_path):
    doc = sampler_configuration(
        neuron_parameters("IF_curr_exp"),
        calibration(poisson_sources(rates=(1000.0, 2000.0, 1500.0),
                                    weights=(0.05, -0.04, 0.02))))     # nA
    cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, doc))
    assert cal.neuron_model == "IF_curr_exp" and "e_rev_E" not in cal.neuron_params_
    # signed weights become magnitudes per receptor, in the original's order
    assert cal.noise_.get_params() == dict(rate_exc=[1000.0, 1500.0], rate_inh=2000.0,
                                           weight_exc=[0.05, 0.02], weight_inh=0.04)
    np.testing.assert_allclose(cal.predict([[-51.0]]), logistic(-51.0))
    assert LIFSamplerCalibrator.from_json(cal.to_json()).to_json() == cal.to_json()


def test_alpha_model_and_virtual_refractory_time(tmp_path):
    calib = calibration()
    calib["samples_p_on"][-1] = 1.02            # spikes x on-time / duration can pass 1
    doc = sampler_configuration(neuron_parameters("IF_cond_alpha", tau_refrac_virtual=12.0),
                                calib)
    cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, doc))
    assert cal.neuron_model == "IF_cond_alpha"
    assert cal.tau_on_ == 12.0 and cal.neuron_params["tau_refrac_virtual"] == 12.0
    assert cal.p_on_[-1] == 1.0


@pytest.mark.parametrize("rates", [3000.0, [3000.0], [[3000.0], [3000.0]]])
def test_a_single_rate_as_the_original_broadcasts_it(tmp_path, rates):
    calib = calibration()
    calib["source_config"]["rates"] = rates
    cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, sampler_configuration(calib=calib)))
    assert cal.noise_.rate_exc == cal.noise_.rate_inh == 3000.0


def test_spike_precision_as_the_original_set_up_pynn(conductance, tmp_path):
    assert conductance.spike_precision == "on_grid"           # given to sim.setup
    calib = calibration(sim_setup_kwargs={"threads": 4})
    neuron = neuron_parameters("IF_curr_exp")
    cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, sampler_configuration(neuron, calib)))
    assert cal.spike_precision == "off_grid"                   # PyNN's default for NEST
    calib["sim_setup_kwargs"] = None
    cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, sampler_configuration(neuron, calib)))
    assert cal.spike_precision == "off_grid"


def test_num_samples_written_as_a_float(tmp_path):
    cal = LIFSamplerCalibrator.load_sbs(
        write(tmp_path, sampler_configuration(calib=calibration(num_samples=21.0))))
    assert cal.n_points == 21 and isinstance(cal.n_points, int)


def _drop(doc, path):
    *parents, last = path.split(".")
    for p in parents:
        doc = doc[p]
    del doc[last]


def _set(doc, path, value):
    *parents, last = path.split(".")
    for p in parents:
        doc = doc[p]
    doc[last] = value


BAD = [
    # (what, path, value or _drop, phrase in the message)
    ("missing field", "calibration.dt", _drop, "field 'calibration.dt' is missing"),
    ("missing neuron parameter", "neuron_parameters.tau_m", _drop,
     "field 'neuron_parameters.tau_m' is missing"),
    ("wrong type", "neuron_parameters.cm", "0.2", "field 'neuron_parameters.cm': expected a "
     "finite number, got '0.2'"),
    ("null parameter", "neuron_parameters.i_offset", None, "'neuron_parameters.i_offset'"),
    ("non-finite alpha", "calibration.fit.alpha", math.nan,
     "field 'calibration.fit.alpha': expected a finite number > 0, got nan"),
    ("negative alpha", "calibration.fit.alpha", -0.8, "'calibration.fit.alpha'"),
    ("infinite v_p05", "calibration.fit.v_p05", math.inf, "'calibration.fit.v_p05'"),
    ("no fit", "calibration.fit", None, "'calibration.fit': the calibration has no fit"),
    ("unknown neuron model", "neuron_parameters._type", "NeuronParametersAdEx",
     "field 'neuron_parameters._type': expected one of"),
    ("random refractory neuron", "neuron_parameters._type",
     "ConductanceExponentialRandomRefractory", "'neuron_parameters._type': "
     "'ConductanceExponentialRandomRefractory'"),
    ("model and type disagree", "neuron_parameters.pynn_model", "IF_curr_exp",
     "field 'neuron_parameters.pynn_model': expected 'IF_cond_exp'"),
    ("unsupported noise source", "calibration.source_config._type",
     "SinusPoissonSourceConfiguration", "field 'calibration.source_config._type': only "
     "'PoissonSourceConfiguration'"),
    ("no noise source", "calibration.source_config", None, "'calibration.source_config'"),
    ("excitatory noise only", "calibration.source_config.weights", [0.001, 0.002],
     "field 'calibration.source_config.weights': expected excitatory"),
    ("rates and weights disagree", "calibration.source_config.rates", [1.0, 2.0, 3.0],
     "field 'calibration.source_config.rates': expected one rate or one per weight"),
    ("negative rate", "calibration.source_config.rates", [3000.0, -1.0],
     "'calibration.source_config.rates'"),
    ("absurd weight", "calibration.source_config.weights", [-0.001, 1e5],
     "'calibration.source_config'"),
    ("measurement and grid disagree", "calibration.num_samples", 20,
     "field 'calibration.samples_p_on': expected 20 activations"),
    ("fractional count", "calibration.num_samples", 20.5, "'calibration.num_samples'"),
    ("negative activation", "calibration.samples_p_on", [-0.1] * 21,
     "'calibration.samples_p_on'"),
    ("empty grid", "calibration.V_rest_max", -60.0, "'calibration.V_rest_max'"),
    ("dt against tau_refrac", "calibration.dt", 0.3, "field 'calibration.dt'"),
    ("inconsistent neuron", "neuron_parameters.v_reset", -40.0,
     "field 'neuron_parameters.v_reset': neuron parameter v_reset must be below v_thresh"),
    ("no sampler", "calibration.fit.v_p05", 500.0, "field 'calibration.fit'"),
    ("unknown spike precision", "calibration.sim_setup_kwargs.spike_precision", "exact",
     "field 'calibration.sim_setup_kwargs.spike_precision': expected 'on_grid' or 'off_grid'"),
    ("unknown field", "calibration.seed", 1, "field 'calibration.seed': unknown field"),
    ("not a sampler configuration", "_type", "Calibration", "field '_type'"),
]


@pytest.mark.parametrize("what, path, value, phrase", BAD, ids=[b[0] for b in BAD])
def test_bad_documents_name_the_field(tmp_path, what, path, value, phrase):
    doc = copy.deepcopy(sampler_configuration())
    if value is _drop:
        _drop(doc, path)
    else:
        _set(doc, path, value)
    file = write(tmp_path, doc)
    with pytest.raises(ValueError) as info:
        LIFSamplerCalibrator.load_sbs(file)
    message = str(info.value)
    assert message.startswith(str(file)) and phrase in message, message


def test_current_model_has_no_reversal_potentials(tmp_path):
    neuron = neuron_parameters("IF_curr_exp", e_rev_E=0.0)
    with pytest.raises(ValueError, match="'neuron_parameters.e_rev_E': unknown field"):
        LIFSamplerCalibrator.load_sbs(write(tmp_path, sampler_configuration(neuron)))


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '"SamplerConfiguration"'])
def test_not_a_sampler_configuration(tmp_path, content):
    path = tmp_path / "x.json"
    path.write_text(content)
    with pytest.raises(ValueError, match="x.json"):
        LIFSamplerCalibrator.load_sbs(path)


def test_sampling_settings_are_not_carried_over(tmp_path):
    tso = {"_type": "TsoParameters", "U": 1.0, "u": 1.0, "x": 0.0, "tau_rec": 10.0,
           "tau_fac": None, "weight_rescale": 1.0}
    same = sampler_configuration(source_config=poisson_sources())
    with warnings.catch_warnings():
        warnings.simplefilter("error")           # the calibration's own noise: no warning
        LIFSamplerCalibrator.load_sbs(write(tmp_path, same))
    other = sampler_configuration(source_config=poisson_sources(rates=(2000.0, 2000.0)),
                                  tso_parameters=tso)
    with pytest.warns(UserWarning) as record:
        cal = LIFSamplerCalibrator.load_sbs(write(tmp_path, other))
    assert {str(w.message).split(":")[0] for w in record} == {"field 'source_config'",
                                                              "field 'tso_parameters'"}
    assert cal.noise_.rate_exc == 3000.0          # the calibration's noise


def test_loading_imports_no_simulator(tmp_path):
    path = write(tmp_path, sampler_configuration())
    code = ("import sys; from sklearn_sbs import LIFSamplerCalibrator; "
            f"LIFSamplerCalibrator.load_sbs({str(path)!r}).predict([[-50.0]]); "
            "assert 'pyNN' not in sys.modules and 'nest' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
