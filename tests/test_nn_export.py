"""nn.export: chaingrad ⇄ PyTorch and chaingrad → ONNX, checked against PyTorch (float64) and
ONNX Runtime (the commands are in test_nn_export_cli.py)."""

import json
import math
import os
import sys

import pytest

import nn
from nn import MLP, Layer, Neuron, export_onnx, from_torch, to_torch
from nn.export import to_onnx
from nn.layers import ACTIVATIONS

F64 = {"rtol": 1e-12, "atol": 1e-12}
F32 = {"rtol": 1e-4, "atol": 1e-5}
#: The activations added with the operations of issue 10, checked once more one by one.
NEW_ACTIVATIONS = ["gelu", "gelu_tanh", "silu", "elu", "selu", "softsign", "logsigmoid", "hardtanh"]
EVERY_ACTIVATION = list(ACTIVATIONS)  # whatever nn has when the tests run


@pytest.fixture
def torch():
    return pytest.importorskip("torch")


@pytest.fixture
def ort():
    pytest.importorskip("onnx")
    return pytest.importorskip("onnxruntime")


@pytest.fixture
def np():
    return pytest.importorskip("numpy")


def outputs(model, X):
    """chaingrad's outputs, one row of floats per input."""
    rows = []
    for x in X:
        out = model(list(x))
        rows.append([v.data for v in out] if isinstance(out, list) else [out.data])
    return rows


def run_onnx(ort, model_or_path, X, dtype="float64"):
    import numpy

    source = model_or_path
    if not isinstance(source, (str, os.PathLike)):
        source = to_onnx(source, dtype).SerializeToString()
    session = ort.InferenceSession(
        os.fspath(source) if isinstance(source, os.PathLike) else source,
        providers=["CPUExecutionProvider"],
    )
    return session.run(None, {"input": numpy.asarray(X, dtype=dtype)})[0]


def random_inputs(np, n=40, nin=3, seed=0):
    return np.random.default_rng(seed).normal(0.0, 2.0, size=(n, nin))


def model_with(activation, nout, seed=1):
    return MLP(3, [5, 4, nout], activation=activation, output_activation=activation, seed=seed)


# --- chaingrad → torch → chaingrad --------------------------------------------------------


@pytest.mark.parametrize("nout", [1, 3])
@pytest.mark.parametrize("activation", EVERY_ACTIVATION)
def test_torch_round_trip_gives_identical_weights(torch, activation, nout):
    model = model_with(activation, nout)
    back = from_torch(to_torch(model))
    assert back.config() == model.config()
    assert back.state_dict() == model.state_dict()  # bit for bit
    assert back.preprocessing is None and back.classes is None


@pytest.mark.parametrize("nout", [1, 3])
@pytest.mark.parametrize("activation", EVERY_ACTIVATION)
def test_torch_predictions_equal_chaingrads(torch, np, activation, nout):
    model = model_with(activation, nout)
    X = random_inputs(np)
    expected = np.array(outputs(model, X))
    sequential = to_torch(model)
    assert sequential[0].weight.dtype == torch.float64
    with torch.no_grad():
        got = sequential(torch.tensor(X)).numpy()
    assert got.shape == (len(X), nout)
    np.testing.assert_allclose(got, expected, **F64)
    with torch.no_grad():
        got32 = to_torch(model, dtype=torch.float32)(torch.tensor(X, dtype=torch.float32))
    np.testing.assert_allclose(got32.numpy(), expected, **F32)


def test_to_torch_takes_a_layer_and_a_neuron(torch, np):
    X = random_inputs(np)
    for model in (Layer(3, 4, "relu", seed=2), Neuron(3, "sigmoid", seed=3)):
        with torch.no_grad():
            got = to_torch(model)(torch.tensor(X)).numpy()
        np.testing.assert_allclose(got, outputs(model, X), **F64)


def test_to_torch_layout(torch):
    model = MLP(2, [4, 1], activation="leaky_relu", seed=0)
    sequential = to_torch(model)
    kinds = [type(m) for m in sequential]
    assert kinds == [torch.nn.Linear, torch.nn.LeakyReLU, torch.nn.Linear]  # linear: no module
    assert sequential[1].negative_slope == 0.01
    assert sequential[0].weight[2, 1].item() == model.layers[0].neurons[2].w[1].data
    assert sequential[2].bias[0].item() == model.layers[1].neurons[0].b.data


def test_to_torch_rejects_what_it_cannot_export(torch):
    with pytest.raises(TypeError, match="MLP, a Layer or a Neuron"):
        to_torch(nn.Module())
    with pytest.raises(TypeError, match="dtype"):
        to_torch(MLP(2, [1]), dtype=torch.int64)
    layer = Layer(2, 2)
    layer.neurons[1].activation = "relu"
    with pytest.raises(ValueError, match="different activations"):
        to_torch(layer)


# --- torch → chaingrad --------------------------------------------------------------------


def test_a_model_trained_in_torch_predicts_the_same_in_chaingrad(torch, np):
    torch.manual_seed(0)
    sequential = torch.nn.Sequential(
        torch.nn.Linear(2, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 8),
        torch.nn.Tanh(),
        torch.nn.Linear(8, 3),
    ).double()
    X = torch.randn(60, 2, dtype=torch.float64)
    y = (X[:, 0] > 0).long() + (X[:, 1] > 0.5).long()
    optimizer = torch.optim.Adam(sequential.parameters(), lr=0.05)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(sequential(X), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]  # it did train
    model = from_torch(sequential)
    assert model.config() == {
        "nin": 2,
        "nouts": [8, 8, 3],
        "activation": "tanh",
        "output_activation": "linear",
    }
    with torch.no_grad():
        expected = sequential(X).numpy()
    np.testing.assert_allclose(outputs(model, X.tolist()), expected, **F64)


def test_from_torch_float32_and_no_bias(torch, np):
    torch.manual_seed(1)
    sequential = torch.nn.Sequential(
        torch.nn.Identity(),
        torch.nn.Linear(3, 4, bias=False),
        torch.nn.ReLU(),
        torch.nn.Linear(4, 1),
    )
    model = from_torch(sequential)
    assert all(n.b.data == 0.0 for n in model.layers[0].neurons)
    X = torch.randn(20, 3)
    with torch.no_grad():
        expected = sequential(X).double().numpy()
    np.testing.assert_allclose(outputs(model, X.double().tolist()), expected, **F32)
    assert from_torch(torch.nn.Linear(3, 2)).config()["nouts"] == [2]


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda t: [t.Linear(2, 4), t.Tanh(), t.Dropout(0.5), t.Linear(4, 1)], r"layer 2, Dropout"),
        (
            lambda t: [t.Linear(2, 4), t.Tanh(), t.Linear(4, 4), t.ReLU(), t.Linear(4, 1)],
            r"layer 3",
        ),
        (lambda t: [t.Linear(2, 4), t.LeakyReLU(0.2)], r"layer 1, LeakyReLU.*slope 0.01"),
        (lambda t: [t.Linear(2, 4), t.ReLU6()], r"layer 1, ReLU6"),
        (lambda t: [t.Linear(2, 4), t.Linear(5, 1)], r"layer 1, Linear.*takes 5 inputs"),
        (lambda t: [t.Tanh(), t.Linear(2, 1)], r"layer 0, Tanh.*before the first Linear"),
        (lambda t: [t.Linear(2, 4), t.Tanh(), t.Tanh()], r"layer 2, Tanh.*second activation"),
        (lambda t: [t.Linear(2, 4), t.Sequential(t.Tanh())], r"layer 1, Sequential"),
        (lambda t: [t.Tanh()], r"layer 0"),
        (lambda t: [], r"no torch.nn.Linear"),
    ],
)
def test_from_torch_names_the_first_layer_it_cannot_express(torch, build, message):
    with pytest.raises(ValueError, match=message):
        from_torch(torch.nn.Sequential(*build(torch.nn)))


def test_from_torch_wants_a_sequential(torch):
    with pytest.raises(TypeError, match="torch.nn.Sequential"):
        from_torch(torch.nn.Tanh())
    sequential = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with torch.no_grad():
        sequential[0].weight[0, 0] = math.nan
    with pytest.raises(ValueError, match="not finite"):
        from_torch(sequential)


# --- chaingrad → ONNX ---------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("nout", [1, 3])
@pytest.mark.parametrize("activation", EVERY_ACTIVATION)
def test_onnx_runtime_predictions_equal_chaingrads(ort, np, activation, nout, dtype):
    model = model_with(activation, nout)
    X = random_inputs(np)
    got = run_onnx(ort, model, X, dtype)
    assert got.shape == (len(X), nout) and got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, outputs(model, X), **(F64 if dtype == "float64" else F32))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("activation", NEW_ACTIVATIONS)
def test_onnx_form_of_every_mapped_activation_equals_torch(torch, ort, np, activation, dtype):
    # The ONNX graph against the torch module directly, over a range that reaches erf's
    # clamp at |x| = 6 and the tails.
    model = model_with(activation, 2)
    X = random_inputs(np, n=400) * 2  # reaches erf's clamp at |x| = 6 and the tails
    with torch.no_grad():
        expected = to_torch(model)(torch.tensor(X)).numpy()
    got = run_onnx(ort, model, X, dtype)
    np.testing.assert_allclose(got, expected, **(F64 if dtype == "float64" else F32))
    assert from_torch(to_torch(model)).config() == model.config()


def test_export_onnx_writes_a_checked_file(ort, np, tmp_path):
    import onnx

    model = MLP(2, [3, 1], seed=4)
    path = tmp_path / "model.onnx"
    assert export_onnx(model, path) == str(path)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.opset_import[0].version == nn.export.OPSET
    assert [n.op_type for n in proto.graph.node][:2] == ["Gemm", "Tanh"]
    X = random_inputs(np, nin=2)
    np.testing.assert_allclose(run_onnx(ort, path, X), outputs(model, X), **F64)
    # A failed export leaves the old file as it was, and no temporary file behind.
    before = path.read_bytes()
    with pytest.raises(ValueError, match="dtype"):
        export_onnx(MLP(2, [4, 1]), path, dtype="float16")
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.onnx"]


def test_export_onnx_rejects_other_modules():
    pytest.importorskip("onnx")
    with pytest.raises(TypeError, match="MLP, a Layer or a Neuron"):
        to_onnx(nn.Module())


# --- standardisation and class names (saved with the model) ----------------------------------

PREPROCESSING = {
    "type": "standardize",
    "mean": [1.5, -2.0, 0.25],
    "std": [2.0, 0.5, 3.0],
    "features": ["height", "weight", "age"],
}
CLASSES = ["setosa", "versicolor", "virginica"]


def standardized_model():
    model = MLP(3, [6, 3], activation="relu", seed=5)
    model.preprocessing = json.loads(json.dumps(PREPROCESSING))
    model.classes = list(CLASSES)
    return model


def standardize(X):
    return [
        [(v - m) / s for v, m, s in zip(x, PREPROCESSING["mean"], PREPROCESSING["std"])] for x in X
    ]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_onnx_includes_the_standardisation_and_the_class_names(ort, np, dtype):
    model = standardized_model()
    X = random_inputs(np) * 3 + 1
    expected = outputs(model, standardize(X.tolist()))  # chaingrad takes standardised inputs
    np.testing.assert_allclose(
        run_onnx(ort, model, X, dtype), expected, **(F64 if dtype == "float64" else F32)
    )
    proto = to_onnx(model, dtype)
    assert [n.op_type for n in proto.graph.node][:3] == ["Sub", "Div", "Gemm"]
    metadata = {p.key: p.value for p in proto.metadata_props}
    assert json.loads(metadata["classes"]) == CLASSES
    assert json.loads(metadata["preprocessing"]) == PREPROCESSING


def test_torch_includes_the_standardisation_and_the_class_names(torch, np):
    model = standardized_model()
    X = random_inputs(np) * 3 + 1
    sequential = to_torch(model)
    assert type(sequential[0]).__name__ == "Standardize"
    assert sequential.classes == CLASSES
    with torch.no_grad():
        got = sequential(torch.tensor(X)).numpy()
    np.testing.assert_allclose(got, outputs(model, standardize(X.tolist())), **F64)
    back = from_torch(sequential)
    assert back.preprocessing == PREPROCESSING and back.classes == CLASSES
    assert back.state_dict() == model.state_dict()


@pytest.mark.parametrize(
    "change, message",
    [
        ({"type": "minmax"}, "standardize"),
        ({"mean": [0.0, 1.0]}, r"\['mean'\] must list 3 numbers"),
        ({"std": [1.0, 0.0, 1.0]}, r"\['std'\]\[1\] must be a positive"),
        ({"mean": [0.0, math.nan, 1.0]}, r"\['mean'\]\[1\] must be a finite"),
        ({"features": ["a", "b"]}, "features"),
    ],
)
def test_bad_preprocessing_is_named(change, message):
    pytest.importorskip("onnx")
    model = standardized_model()
    model.preprocessing.update(change)
    with pytest.raises(ValueError, match=message):
        to_onnx(model)


def test_bad_classes_are_named():
    pytest.importorskip("onnx")
    model = standardized_model()
    model.classes = ["a", "b"]
    with pytest.raises(ValueError, match="must list 3 class labels"):
        to_onnx(model)


# --- optional dependencies ----------------------------------------------------------------


def test_without_torch_or_onnx_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    monkeypatch.setitem(sys.modules, "onnx", None)
    model = MLP(2, [1])
    with pytest.raises(ImportError, match=r"nn.to_torch needs PyTorch.*CPU build"):
        to_torch(model)
    with pytest.raises(ImportError, match=r"nn.from_torch needs PyTorch"):
        from_torch(object())
    with pytest.raises(ImportError, match=r"pip install \"chaingrad\[export\]\""):
        export_onnx(model, "never-written.onnx")
    assert not os.path.exists("never-written.onnx")
