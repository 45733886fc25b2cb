"""The saved-model commands, ``python -m nn export`` and ``python -m nn predict``, and a model
trained by ``python -m nn --dataset iris`` exported to ONNX (helpers from test_nn_export)."""

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from test_nn_export import (
    CLASSES,
    F32,
    F64,
    PREPROCESSING,
    outputs,
    random_inputs,
    run_onnx,
    standardize,
    standardized_model,
)

import nn
from nn import MLP, ModelFileError, load_model, to_torch
from nn.cli_model import main as model_main
from nn.cli_model import predict_rows

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


@pytest.fixture
def saved(tmp_path):
    model = MLP(2, [5, 3], activation="tanh", seed=6)
    path = tmp_path / "model.json"
    model.save(path)
    return model, path


def test_cli_export_onnx(ort, np, saved, tmp_path, capsys):
    model, path = saved
    out = tmp_path / "model.onnx"
    assert model_main(["export", str(path), "--to", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    X = random_inputs(np, nin=2)
    np.testing.assert_allclose(run_onnx(ort, out, X), outputs(model, X), **F64)
    out32 = tmp_path / "model32.onnx"
    assert model_main(["export", str(path), "--to", str(out32), "--dtype", "float32"]) == 0
    np.testing.assert_allclose(run_onnx(ort, out32, X, "float32"), outputs(model, X), **F32)


def test_cli_export_state_dict(torch, np, saved, tmp_path):
    model, path = saved
    out = tmp_path / "model.pt"
    assert model_main(["export", str(path), "--to", str(out)]) == 0
    state = torch.load(out, weights_only=True)  # plain tensors: no pickle of code
    sequential = to_torch(MLP(2, [5, 3], seed=99))  # another model's weights, then the file's
    sequential.load_state_dict(state)
    X = random_inputs(np, nin=2)
    with torch.no_grad():
        got = sequential(torch.tensor(X)).numpy()
    np.testing.assert_allclose(got, outputs(model, X), **F64)


def test_cli_predict(np, saved, tmp_path, capsys):
    model, path = saved
    X = random_inputs(np, n=7, nin=2).tolist()
    points = tmp_path / "points.csv"
    points.write_text("x1,x2\n" + "".join(f"{a!r},{b!r}\n" for a, b in X))
    assert model_main(["predict", str(path), "--csv", str(points)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["score_0", "score_1", "score_2", "class"]
    expected = outputs(model, X)
    assert [[float(v) for v in row[:3]] for row in rows[1:]] == expected  # repr: exact
    assert [int(row[3]) for row in rows[1:]] == [nn.predict(model, x) for x in X]
    out = tmp_path / "preds.csv"
    points.write_text("".join(f"{a!r},{b!r}\n" for a, b in X))  # no header
    assert model_main(["predict", str(path), "--csv", str(points), "--out", str(out)]) == 0
    assert list(csv.reader(out.open())) == rows


def test_predict_standardises_and_names_classes(np):
    model = standardized_model()
    X = (random_inputs(np, n=5) * 3).tolist()
    header, rows = predict_rows(model, X)
    assert header == ["score_0", "score_1", "score_2", "class"]
    expected = outputs(model, standardize(X))
    assert [[float(v) for v in row[:3]] for row in rows] == expected
    assert [row[3] for row in rows] == [CLASSES[max(range(3), key=e.__getitem__)] for e in expected]


def test_cli_predict_takes_the_feature_columns_by_name(saved, tmp_path, capsys):
    # A saved model keeps its standardisation and class names (nn.load_model reads them).
    model = standardized_model()
    path = tmp_path / "standardized.json"
    model.save(path)
    document = json.loads(path.read_text())
    document.update(preprocessing=PREPROCESSING, classes=CLASSES)
    path.write_text(json.dumps(document))
    assert load_model(path).preprocessing == PREPROCESSING
    points = tmp_path / "points.csv"
    points.write_text("age,label,weight,height\n3.0,x,1.0,2.0\n")
    assert model_main(["predict", str(path), "--csv", str(points)]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert [float(v) for v in rows[1][:3]] == outputs(model, standardize([[2.0, 1.0, 3.0]]))[0]


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "{model}", "--to", "{tmp}/m.bin"], "must end in .onnx, .pt or .pth"),
        (["export", "{tmp}/missing.json", "--to", "{tmp}/m.onnx"], "no such file"),
        (["export", "{tmp}/foreign.json", "--to", "{tmp}/m.onnx"], "not a chaingrad model"),
        (
            ["predict", "{model}", "--csv", "{tmp}/ok.csv", "--out", "{tmp}/no/p.csv"],
            "cannot write",
        ),
        (["predict", "{model}", "--csv", "{tmp}/missing.csv"], "cannot read"),
        (["predict", "{model}", "--csv", "{tmp}/bad.csv"], "bad.csv:3: column 2: 'abc' is not a"),
        (["predict", "{model}", "--csv", "{tmp}/inf.csv"], "inf.csv:2: column 1: 'inf' is not fi"),
        (
            ["predict", "{model}", "--csv", "{tmp}/ragged.csv"],
            "ragged.csv:2: 3 fields, but the model takes 2 inputs",
        ),
        (["predict", "{model}", "--csv", "{tmp}/empty.csv"], "no rows"),
        (["predict", "{model}"], "required: --csv"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_cli_errors_are_one_line_with_exit_status_2(saved, tmp_path, capsys, args, message):
    _, path = saved
    (tmp_path / "foreign.json").write_text('{"weights": [1, 2]}')
    (tmp_path / "bad.csv").write_text("1,2\n3,4\n5,abc\n")
    (tmp_path / "ragged.csv").write_text("1,2\n3,4,5\n")
    (tmp_path / "inf.csv").write_text("1,2\ninf,4\n")
    (tmp_path / "empty.csv").write_text("\n")
    (tmp_path / "ok.csv").write_text("1,2\n")
    args = [a.format(model=path, tmp=tmp_path) for a in args]
    assert exit_status(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err, err
    assert not os.path.exists(tmp_path / "m.onnx") and not os.path.exists(tmp_path / "m.bin")


def exit_status(args):
    try:
        return model_main(args)
    except SystemExit as e:  # argparse's errors
        return e.code


def test_cli_model_file_error_is_the_same_as_loads(saved, tmp_path, capsys):
    foreign = tmp_path / "foreign.json"
    foreign.write_text('{"format": "keras"}')
    with pytest.raises(ModelFileError) as caught:
        load_model(foreign)
    assert model_main(["export", str(foreign), "--to", str(tmp_path / "m.onnx")]) == 2
    assert str(caught.value) in capsys.readouterr().err


def run_command(*args, cwd):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([ROOT, os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-m", "nn", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_python_m_nn_export_and_predict(saved, tmp_path):
    pytest.importorskip("onnx")
    _, path = saved
    done = run_command("export", str(path), "--to", "out.onnx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out.onnx").exists()
    (tmp_path / "p.csv").write_text("0.5,1.5\n")
    done = run_command("predict", str(path), "--csv", "p.csv", cwd=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("score_0,"), done.stderr
    done = run_command("predict", "nope.json", "--csv", "p.csv", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "cannot load model from 'nope.json': no such file" in done.stderr


# --- a real data set, end to end ----------------------------------------------------------


def test_a_model_trained_on_iris_classifies_identically_in_onnx(ort, np, tmp_path):
    done = run_command(
        "--dataset", "iris", "--epochs", "5", "--no-progress", "--out", "run", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    model = load_model(tmp_path / "run" / "model.json")
    X, _ = nn.load_dataset("iris")  # raw features, as a CSV would give them
    X = [[float(v) for v in x] for x in X]  # every point: the test set and the training set
    pre = getattr(model, "preprocessing", None)
    inputs = X
    if pre is not None:
        inputs = [[(v - m) / s for v, m, s in zip(x, pre["mean"], pre["std"])] for x in X]
    expected = [nn.predict(model, x) for x in inputs]
    got = run_onnx(ort, model, X)  # raw features: the graph standardises them
    assert [int(np.argmax(row)) if len(row) > 1 else int(row[0] > 0) for row in got] == expected
    np.testing.assert_allclose(got, outputs(model, inputs), **F64)
