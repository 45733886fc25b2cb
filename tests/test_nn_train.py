"""Training: the default main job reaches ≥ 97 % test accuracy, deterministically; fit's options."""

import contextlib
import io
import json
import re

import pytest

from nn import (
    MLP,
    SGD,
    Adam,
    accuracy,
    fit,
    load_model,
    make_blobs,
    make_moons,
    make_xor,
    predict,
    signed_labels,
    train_test_split,
)
from nn.__main__ import FILES, build_parser, main, run


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """`python -m nn` with every default (only the output folder and the bar changed)."""
    out = tmp_path_factory.mktemp("default_run")
    stdout = io.StringIO()
    with contextlib.redirect_stdout(stdout):
        status = main(["--out", str(out), "--no-progress"])
    return status, out, stdout.getvalue()


def test_default_settings_reach_97_percent_test_accuracy(default_run):
    status, out, stdout = default_run
    assert status == 0
    printed = float(re.search(r"test accuracy:\s+([\d.]+)%", stdout).group(1))
    assert printed >= 97.0
    assert re.search(r"train accuracy:\s+[\d.]+%", stdout)
    # Check independently of the job's own bookkeeping: reload the saved model and score it
    # on the held-out points, regenerated from the documented defaults (300 moons, noise 0.1,
    # seed 0, a third held out).
    model = load_model(out / "model.json")
    X, y = make_moons(300, noise=0.1, seed=0)
    _, X_test, _, y_test = train_test_split(X, y, 1 / 3, seed=0)
    assert len(X_test) == 100
    assert accuracy(model, X_test, y_test) >= 0.97
    assert accuracy(model, X_test, y_test) == pytest.approx(printed / 100)


def test_the_default_run_is_deterministic(default_run):
    _, out, _ = default_run
    again = run(build_parser().parse_args(["--no-progress"]))
    assert again["history"] == json.loads((out / "history.json").read_text())
    assert again["model"].state_dict() == load_model(out / "model.json").state_dict()


def test_the_default_run_writes_every_promised_file(default_run):
    _, out, stdout = default_run
    pytest.importorskip("viz")
    for name in FILES:
        path = out / name
        assert path.is_file() and path.stat().st_size > 0, name
        assert f"wrote {path}" in stdout
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "decision_boundary.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = (out / "neuron_graph.svg").read_text()
    assert "<svg" in svg and "tanh" in svg  # the first hidden neuron's activation
    history = json.loads((out / "history.json").read_text())
    assert len(history["loss"]) == len(history["accuracy"]) == 50


def test_fit_stops_at_target_loss_and_returns_the_history():
    X, y = make_moons(60, noise=0.1, seed=1)
    model = MLP(2, [8, 1], seed=1)
    history = fit(
        model,
        X,
        y,
        loss="bce",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=200,
        batch_size=None,
        target_loss=0.2,
        progress=False,
    )
    assert set(history) == {"loss", "accuracy"}
    assert len(history["loss"]) < 200
    assert history["loss"][-1] <= 0.2 < min(history["loss"][:-1])
    assert all(0.0 <= a <= 1.0 for a in history["accuracy"])


def test_full_batch_gradient_descent_lowers_the_loss_every_step():
    # One update per epoch with a small step: the loss must go down monotonically.
    X, y = make_moons(40, noise=0.1, seed=2)
    model = MLP(2, [6, 1], seed=2)
    history = fit(
        model,
        X,
        signed_labels(y),
        loss="mse",
        optimizer=SGD(model.parameters(), lr=0.05),
        epochs=15,
        progress=False,
    )
    assert all(b < a for a, b in zip(history["loss"], history["loss"][1:]))


def test_hinge_loss_learns_xor():
    X, y = make_xor(80, seed=3)
    y = signed_labels(y)
    model = MLP(2, [8, 8, 1], seed=3)
    fit(
        model,
        X,
        y,
        loss="hinge",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=40,
        batch_size=16,
        progress=False,
    )
    assert accuracy(model, X, y) >= 0.9


def test_cross_entropy_learns_three_blobs():
    X, y = make_blobs(60, centers=3, noise=0.5, seed=4)
    model = MLP(2, [8, 3], seed=4)
    fit(
        model,
        X,
        y,
        loss="cross_entropy",
        optimizer=Adam(model.parameters(), lr=0.05),
        epochs=30,
        batch_size=10,
        progress=False,
    )
    assert accuracy(model, X, y) >= 0.95
    hits = sum(predict(model, x) == label for x, label in zip(X, y))
    assert hits / len(X) == accuracy(model, X, y)


def test_progress_bar_shows_loss_and_accuracy(capsys):
    X, y = make_moons(20, seed=0)
    fit(MLP(2, [4, 1], seed=0), X, y, epochs=2, progress=True)
    err = capsys.readouterr().err
    assert "loss=" in err and "acc=" in err and "2/2" in err


def test_fit_rejects_bad_arguments():
    X, y = make_moons(10, seed=0)
    model = MLP(2, [2, 1], seed=0)
    with pytest.raises(ValueError, match="fit: epochs must be a positive integer, got 0"):
        fit(model, X, y, epochs=0, progress=False)
    with pytest.raises(ValueError, match="fit: 10 inputs but 9 labels"):
        fit(model, X, y[:9], progress=False)
    with pytest.raises(ValueError, match="unknown loss 'l1'"):
        fit(model, X, y, loss="l1", progress=False)
    with pytest.raises(ValueError, match="hinge_loss: labels must be -1 or \\+1"):
        fit(model, X, [0] * 10, loss="hinge", epochs=1, progress=False)
