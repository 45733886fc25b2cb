"""Your own data: nn.load_csv, standardisation saved with the model, and `python -m nn --csv`
with its one-line errors (file, line and column; exit status 2; nothing written)."""

import csv
import json
import math
import os
import random
import subprocess
import sys

import pytest

import nn
from nn import CSVDataError, load_csv, load_model
from nn.preprocessing import apply_preprocessing, fit_standardize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return str(path)


def run_nn(*args, cwd):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "nn", *args, "--no-progress"],
        cwd=cwd, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip


def five_classes(path, n=150, seed=0):
    """Five Gaussian clusters in 3-D, labelled with names, and a column of large numbers."""
    rng = random.Random(seed)
    names = ["ant", "bee", "cat", "dog", "eel"]
    rows = [["x", "y", "big", "kind"]]
    for i in range(n):
        k = i % 5
        rows.append(
            [
                round(3 * math.cos(k) + rng.gauss(0, 0.4), 4),
                round(3 * math.sin(k) + rng.gauss(0, 0.4), 4),
                round(1000 + 10 * k + rng.gauss(0, 2), 3),
                names[k],
            ]
        )
    return write(path, rows), names


def test_class_names_map_to_indices_in_sorted_order(tmp_path):
    path = write(tmp_path / "d.csv", [["a", "b", "label"], [1, 2, "zebra"], [3, 4, "ant"],
                                       [5, 6, "zebra"]])  # fmt: skip
    data = load_csv(path, target="label")
    X, y = data
    assert X == [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]
    assert y == [1, 0, 1] and data.classes == ["ant", "zebra"]
    assert data.features == ["a", "b"]


def test_integer_classes_are_ordered_as_numbers_and_kept_as_ints(tmp_path):
    path = write(tmp_path / "d.csv", [["t", "f"], [10, 0.5], [2, 1.5], [-1, 2], [2, 0]])
    data = load_csv(path, target="t")
    assert data.classes == [-1, 2, 10] and data.y == [2, 1, 0, 1]
    assert data.X == [[0.5], [1.5], [2.0], [0.0]]


def test_the_target_column_may_be_anywhere_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("\ufeffx,class,y\n1,a,2\n\n3,b,4\n", encoding="utf-8")  # BOM, blank line
    data = load_csv(path, target="class")
    assert data.X == [[1.0, 2.0], [3.0, 4.0]] and data.y == [0, 1]


@pytest.mark.parametrize(
    "text, target, message",
    [
        ("", "y", "d.csv: the file is empty"),
        ("a,b\n", "b", "d.csv: no data rows after the header"),
        ("a,b\n1,2\n", "label", "d.csv:1: no target column 'label' in the header (columns: a, b)"),
        ("a,y\n1,p\n2,q\nx3,p\n", "y", "d.csv:4: column 'a': 'x3' is not a number"),
        ("a,y\n1,p\n,q\n", "y", "d.csv:3: column 'a': an empty field is not a number"),
        ("a,y\n1,p\nnan,q\n", "y", "d.csv:3: column 'a': 'nan' is not finite"),
        ("a,b,y\n1,2,p\n3,q\n", "y", "d.csv:3: 2 fields, but the header has 3 columns"),
        ("a,b,y\n1,2,p\n3,4,5,q\n", "y", "d.csv:3: 4 fields, but the header has 3 columns"),
        ("a,y\n1,p\n2,p\n3,p\n", "y", "d.csv: column 'y': every row has the class 'p'"),
        ("a,y\n1,p\n2,\n", "y", "d.csv:3: column 'y': empty class label"),
        ("a,a,y\n1,2,p\n", "y", "d.csv:1: column 'a' appears twice in the header"),
        ("y\np\nq\n", "y", "d.csv:1: no feature columns besides 'y'"),
    ],
)
def test_bad_files_name_the_file_line_and_column(tmp_path, text, target, message):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CSVDataError) as info:
        load_csv(path, target=target)
    assert str(info.value).startswith(str(tmp_path / message.split(":")[0]))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_a_missing_file_is_a_csv_data_error(tmp_path):
    with pytest.raises(CSVDataError, match="no such file"):
        load_csv(tmp_path / "nope.csv", target="y")


def test_standardisation_matches_an_independent_computation():
    rng = random.Random(3)
    X = [[rng.uniform(-5, 50), 7.0, rng.gauss(1000, 30)] for _ in range(40)]
    pre = fit_standardize(X, ["a", "b", "c"])
    np = pytest.importorskip("numpy")
    array = np.array(X)
    mean, std = array.mean(axis=0), array.std(axis=0)  # population std, as StandardScaler
    std[std == 0] = 1.0
    assert pre["mean"] == pytest.approx(mean.tolist(), rel=1e-12)
    assert pre["std"] == pytest.approx(std.tolist(), rel=1e-12)
    got = [v for row in apply_preprocessing(pre, X) for v in row]
    assert got == pytest.approx(((array - mean) / std).ravel().tolist(), abs=1e-12)
    with pytest.raises(ValueError, match="row 0 has 2 features, the model was trained on 3"):
        apply_preprocessing(pre, [[1.0, 2.0]])


def test_python_m_nn_trains_on_a_five_class_csv_and_saves_the_mapping(tmp_path):
    path, names = five_classes(tmp_path / "animals.csv")
    out = tmp_path / "run"
    done = run_nn("--csv", path, "--target", "kind", "--epochs", "30", "--out", str(out),
                  cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "3 features, 5 classes), loss cross_entropy" in done.stdout
    assert (out / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((out / "model.json").read_text())
    assert saved["classes"] == names
    assert saved["config"]["nouts"][-1] == 5
    assert saved["preprocessing"]["features"] == ["x", "y", "big"]

    # The statistics are the training split's (a quarter held out, seed 0), not the whole file's.
    data = load_csv(path, target="kind")
    X_train, X_test, _, y_test = nn.train_test_split(data.X, data.y, 0.25, seed=0)
    assert saved["preprocessing"]["mean"] == pytest.approx(fit_standardize(X_train)["mean"])
    assert saved["preprocessing"]["mean"] != pytest.approx(fit_standardize(data.X)["mean"])
    # Prediction on raw rows applies the saved standardisation again.
    model = load_model(out / "model.json")
    assert model.classes == names
    ready = apply_preprocessing(model.preprocessing, X_test)
    right = sum(nn.predict(model, x) == t for x, t in zip(ready, y_test)) / len(y_test)
    printed = float(done.stdout.split("test accuracy:")[1].split("%")[0])
    assert right == pytest.approx(printed / 100, abs=0.0005) and right >= 0.9
    raw = sum(nn.predict(model, x) == t for x, t in zip(X_test, y_test)) / len(y_test)
    assert raw < right  # unstandardised, the 'big' column swamps everything


@pytest.mark.parametrize(
    "text, expected",
    [
        ("a,y\n1,p\n2,q\nx3,p\n", "d.csv:4: column 'a': 'x3' is not a number"),
        ("a,b,y\n1,2,p\n3,q\n", "d.csv:3: 2 fields, but the header has 3 columns"),
        ("", "d.csv: the file is empty"),
        ("a,y\n1,p\n2,p\n", "every row has the class 'p'"),
        ("a,b\n1,2\n", "no target column 'y'"),
        ("a,y\n1,p\n2,q\n", "d.csv: 2 data rows are too few to hold 25% out"),
    ],
)
def test_python_m_nn_bad_csv_is_one_line_exit_2_nothing_written(tmp_path, text, expected):
    path = tmp_path / "d.csv"
    path.write_text(text, encoding="utf-8")
    done = run_nn("--csv", str(path), "--target", "y", cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("python -m nn: error: ") and expected in done.stderr
    assert str(path) in done.stderr
    assert not (tmp_path / "runs").exists()


def test_csv_option_errors(tmp_path, capsys):
    from nn.__main__ import main

    for argv, message in [
        (["--csv", "d.csv"], "--target COLUMN"),
        (["--target", "y"], "there is no --csv"),
        (["--csv", "d.csv", "--target", "y", "--dataset", "iris"], "not both"),
        (["--csv", "d.csv", "--target", "y", "--samples", "10"], "only for the generated"),
    ]:
        with pytest.raises(SystemExit) as info:
            main(argv)
        assert info.value.code == 2
        assert message in capsys.readouterr().err
