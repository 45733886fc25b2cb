"""Saving and loading models: JSON, atomic writes, clear errors, the model left unchanged."""

import json
import os

import pytest

import nn.serialization
from nn import MLP, ModelFileError, ModelFileNotFoundError, Neuron, load_model

POINTS = [[0.1, 0.2], [-1.0, 0.5], [2.0, -3.0], [0.0, 0.0]]


def predictions(model):
    return [model(p).data for p in POINTS]


def test_save_then_load_gives_identical_predictions(tmp_path):
    trained = MLP(2, [8, 4, 1], activation="relu", seed=1)
    path = tmp_path / "model.json"
    trained.save(path)
    fresh = MLP(2, [8, 4, 1], activation="relu", seed=2)
    assert predictions(fresh) != predictions(trained)
    fresh.load(path)
    assert predictions(fresh) == predictions(trained)  # exactly: JSON floats round-trip
    rebuilt = load_model(str(path))
    assert repr(rebuilt) == repr(trained)
    assert predictions(rebuilt) == predictions(trained)


def test_the_file_is_plain_json_with_named_parameters(tmp_path):
    model = Neuron(2, activation="sigmoid", seed=0)
    path = tmp_path / "neuron.json"
    model.save(path)
    document = json.loads(path.read_text())
    assert document["format"] == "chaingrad.nn" and document["model"] == "Neuron"
    assert document["config"] == {"nin": 2, "activation": "sigmoid"}
    assert document["parameters"] == {
        "w.0": model.w[0].data,
        "w.1": model.w[1].data,
        "b": model.b.data,
    }
    assert not [f for f in os.listdir(tmp_path) if f != "neuron.json"]  # no temp file left


def _bad_files(tmp_path, good):
    other_architecture = MLP(2, [5, 1], seed=0)
    other_architecture.save(tmp_path / "other.json")
    other_activation = MLP(2, [4, 1], activation="relu", seed=0)
    other_activation.save(tmp_path / "relu.json")
    document = json.loads(good.read_text())
    document["parameters"]["layers.0.neurons.2.w.1"] = "abc"
    (tmp_path / "text_value.json").write_text(json.dumps(document))
    document["parameters"]["layers.0.neurons.2.w.1"] = None
    (tmp_path / "null_value.json").write_text(json.dumps(document))
    document["parameters"]["layers.0.neurons.2.w.1"] = 1.0
    del document["parameters"]["layers.1.neurons.0.b"]
    (tmp_path / "missing_param.json").write_text(json.dumps(document))
    (tmp_path / "nan.json").write_text(
        good.read_text().replace('"layers.0.neurons.0.b": ', '"layers.0.neurons.0.b": NaN, "x": ')
    )
    (tmp_path / "truncated.json").write_text(good.read_text()[:100])
    (tmp_path / "garbage.json").write_bytes(b"\x80\x81 not json")
    (tmp_path / "list.json").write_text("[1, 2, 3]")
    return [
        ("does_not_exist.json", ModelFileNotFoundError, "no such file"),
        ("truncated.json", ModelFileError, "not a JSON file"),
        ("garbage.json", ModelFileError, "cannot load model"),
        ("list.json", ModelFileError, "not a chaingrad model file"),
        ("nan.json", ModelFileError, "not a JSON file .*NaN"),
        ("other.json", ModelFileError, r"another architecture, MLP\(nin=2, nouts=\[5, 1\]"),
        ("relu.json", ModelFileError, "another architecture.*activation='relu'"),
        ("text_value.json", ModelFileError, "'layers.0.neurons.2.w.1' is not a number: 'abc'"),
        ("null_value.json", ModelFileError, "'layers.0.neurons.2.w.1' is not a number: None"),
        ("missing_param.json", ModelFileError, "missing 1 name .*'layers.1.neurons.0.b'"),
    ]


def test_each_bad_file_gives_its_error_and_leaves_the_model_unchanged(tmp_path):
    good = tmp_path / "good.json"
    MLP(2, [4, 1], seed=9).save(good)
    model = MLP(2, [4, 1], seed=3)
    before = model.state_dict()
    for name, error, message in _bad_files(tmp_path, good):
        path = str(tmp_path / name)
        with pytest.raises(error, match=message) as info:
            model.load(path)
        assert path in str(info.value), name  # the message names the file
        assert model.state_dict() == before, name
        if name not in ("other.json", "relu.json"):  # those are good files of other models
            with pytest.raises(error, match=message):
                load_model(path)
    assert issubclass(ModelFileNotFoundError, FileNotFoundError)
    model.load(good)  # and a good file still loads
    assert model.state_dict() != before


def test_an_interrupted_save_leaves_the_old_file_readable(tmp_path, monkeypatch):
    path = tmp_path / "model.json"
    old = MLP(2, [4, 1], seed=0)
    old.save(path)
    new = MLP(2, [4, 1], seed=1)

    real_dump = json.dump

    def crash_mid_write(obj, f, **kwargs):
        real_dump({"format": "chaingrad.nn", "parameters": {"half": 1}}, f)  # some bytes
        raise KeyboardInterrupt("simulated crash while writing")

    monkeypatch.setattr(nn.serialization.json, "dump", crash_mid_write)
    with pytest.raises(KeyboardInterrupt):
        new.save(path)
    monkeypatch.setattr(nn.serialization.json, "dump", real_dump)

    def crash_at_rename(src, dst):
        raise OSError("simulated crash before the rename")

    monkeypatch.setattr(nn.serialization.os, "replace", crash_at_rename)
    with pytest.raises(OSError, match="simulated"):
        new.save(path)
    monkeypatch.undo()

    assert os.listdir(tmp_path) == ["model.json"]  # the temporary files were cleaned up
    check = MLP(2, [4, 1], seed=5)
    check.load(path)
    assert check.state_dict() == old.state_dict()
    new.save(path)  # and an uninterrupted save does replace it
    check.load(path)
    assert check.state_dict() == new.state_dict()


def test_a_model_with_nan_weights_is_not_saved_over_a_good_file(tmp_path):
    path = tmp_path / "model.json"
    model = MLP(2, [2, 1], seed=0)
    model.save(path)
    text = path.read_text()
    model.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(ValueError, match="'layers.0.neurons.0.b' is not finite"):
        model.save(path)
    assert path.read_text() == text


def test_load_model_checks_the_config_against_the_parameters_before_building(tmp_path):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    document = json.loads(path.read_text())
    document["config"]["nouts"] = [10**9, 1]  # would need billions of Values
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="does not match its 13 parameters"):
        load_model(path)
    document["config"]["nouts"] = "many"
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=str(path)):
        load_model(path)


@pytest.mark.parametrize("model", [["MLP"], {"name": "MLP"}, 3, None])
def test_load_model_names_a_model_type_that_is_not_a_name(tmp_path, model):
    path = tmp_path / "model.json"
    MLP(2, [3, 1], seed=0).save(path)
    document = json.loads(path.read_text())
    document["model"] = model
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match="unknown model"):
        load_model(path)
