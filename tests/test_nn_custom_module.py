"""Modules the PyTorch way: calling a module runs forward(); a user's subclass gets its
parameters found, saved and loaded; model files carry preprocessing and class labels."""

import json

import pytest

import nn
from autograd import Value
from nn import MLP, Layer, ModelFileError, Module, Neuron, load_model


class TwoLayer(Module):
    def __init__(self, seed=0):
        self.hidden = Layer(2, 3, "relu", seed=seed)
        self.out = Neuron(3, "linear", seed=seed + 1)
        self.scale = Value(2.0)
        self.extra = [Value(0.5), Value(-0.5)]

    def forward(self, x):
        h = self.hidden(x)
        return self.out(h) * self.scale + self.extra[0] * self.extra[1]


def test_calling_a_module_runs_its_forward():
    model = TwoLayer()
    x = [0.3, -1.2]
    by_hand = model.out([h for h in model.hidden(x)]).data * 2.0 - 0.25
    assert model(x).data == pytest.approx(by_hand, rel=1e-15)
    assert model(x).data == model.forward(x).data


def test_a_subclass_without_forward_says_what_to_define():
    class Empty(Module):
        pass

    with pytest.raises(NotImplementedError, match=r"Empty does not define forward\(\)"):
        Empty()([1.0])


def test_a_custom_module_finds_trains_and_saves_its_parameters(tmp_path):
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["hidden.neurons.0.w.0", "hidden.neurons.0.w.1", "hidden.neurons.0.b"]
    assert names[-7:] == ["out.w.0", "out.w.1", "out.w.2", "out.b", "scale", "extra.0", "extra.1"]
    assert len(model.parameters()) == 3 * 3 + 4 + 1 + 2
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    before = model.state_dict()
    nn.fit(model, X, y, loss="bce", epochs=2, progress=False)
    assert model.state_dict() != before

    path = tmp_path / "custom.json"
    model.save(path)
    other = TwoLayer(seed=5)
    other.load(path)
    assert other.state_dict() == model.state_dict()
    assert other(X[0]).data == model(X[0]).data


def test_load_model_says_how_to_load_a_custom_model(tmp_path):
    path = tmp_path / "custom.json"
    TwoLayer().save(path)
    with pytest.raises(ModelFileError) as info:
        load_model(path)
    message = str(info.value)
    assert "custom model, TwoLayer" in message
    assert f"model = TwoLayer(...); model.load('{path}')" in message


@pytest.mark.parametrize("model", [MLP(3, [4, 2], seed=0), Layer(3, 2, seed=0), Neuron(3, seed=0)])
def test_load_model_rebuilds_the_built_ins_with_metadata(tmp_path, model):
    model.preprocessing = nn.fit_standardize([[1, 2, 3], [2, 4, 9]], ["a", "b", "c"])
    model.classes = ["no", "yes"]
    path = tmp_path / "m.json"
    model.save(path)
    again = load_model(path)
    assert type(again) is type(model) and again.state_dict() == model.state_dict()
    assert again.preprocessing == model.preprocessing and again.classes == ["no", "yes"]


def test_models_without_metadata_have_none_and_files_omit_it(tmp_path):
    model = MLP(2, [3, 1], seed=0)
    assert model.preprocessing is None and model.classes is None
    model.save(tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert "preprocessing" not in document and "classes" not in document
    assert load_model(tmp_path / "m.json").classes is None


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("preprocessing", {"type": "minmax"}, "preprocessing must be"),
        (
            "preprocessing",
            {"type": "standardize", "mean": [0.0], "std": [0.0], "features": ["a"]},
            "standard deviation must be > 0",
        ),  # fmt: skip
        (
            "preprocessing",
            {"type": "standardize", "mean": [0.0], "std": [1.0, 2.0], "features": ["a"]},
            "same number",
        ),  # fmt: skip
        ("classes", [1, 1], "a label twice"),
        ("classes", [[1]], "must be a list of class labels"),
    ],
)
def test_bad_metadata_in_a_file_is_a_model_file_error(tmp_path, key, value, message):
    path = tmp_path / "m.json"
    MLP(1, [1], seed=0).save(path)
    document = json.loads(path.read_text())
    document[key] = value
    path.write_text(json.dumps(document))
    with pytest.raises(ModelFileError, match=message):
        load_model(path)
