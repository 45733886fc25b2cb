"""fit() on a tape: "tape" is bit for bit the uncompiled fit, the default batched to 1e-12."""

from __future__ import annotations

import math

import pytest

from nn import ACTIVATIONS, MLP, fit
from nn.data import make_moons
from nn.optim import SGD, Adam

pytest.importorskip("numpy")

X, Y = make_moons(48, noise=0.2, seed=1)


def labels(loss: str) -> list[float]:
    if loss == "hinge":
        return [1.0 if t > 0 else -1.0 for t in Y]
    return [1.0 if t > 0 else 0.0 for t in Y]


def train(activation: str, loss: str, compile, optimizer=Adam):
    model = MLP(2, [5, 4, 1], activation=activation, seed=2)
    opt = optimizer(model.parameters(), lr=0.05)
    history = fit(
        model, X, labels(loss), loss=loss, optimizer=opt, epochs=3, batch_size=20,
        progress=False, compile=compile,
    )  # fmt: skip
    return history, [p.data for p in model.parameters()]


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss", ["mse", "hinge", "bce"])
def test_compiled_fit_equals_uncompiled(activation, loss):
    history, weights = train(activation, loss, compile=False)
    assert train(activation, loss, compile="tape") == (history, weights)  # bit for bit
    batched_history, batched_weights = train(activation, loss, compile=True)
    assert batched_history["accuracy"] == history["accuracy"]
    for got, expected in zip(batched_history["loss"] + batched_weights, history["loss"] + weights):
        assert math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-300)


def test_sgd_with_momentum_too():
    assert train("relu", "mse", "tape", SGD) == train("relu", "mse", False, SGD)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_compiled_cross_entropy_fit_equals_uncompiled(activation):
    y = [int(t) + (1 if x[0] > 1.0 else 0) for x, t in zip(X, Y)]  # three classes
    test = (X[:12], y[:12])

    def run(compile):
        model = MLP(2, [5, 3], activation=activation, seed=0)
        opt = Adam(model.parameters(), lr=0.05)
        history = fit(
            model, X, y, loss="cross_entropy", optimizer=opt, epochs=3, batch_size=20,
            progress=False, compile=compile, test_data=test,
        )  # fmt: skip
        return history, [p.data for p in model.parameters()]

    history, weights = run(False)
    assert len(set(y)) == 3
    assert run("tape") == (history, weights)  # bit for bit
    batched_history, batched_weights = run(True)
    assert batched_history["accuracy"] == history["accuracy"]
    assert batched_history["test_accuracy"] == history["test_accuracy"]
    got = batched_history["loss"] + batched_history["test_loss"] + batched_weights
    expected = history["loss"] + history["test_loss"] + weights
    for g, e in zip(got, expected):
        assert math.isclose(g, e, rel_tol=1e-12, abs_tol=1e-300)


def test_cross_entropy_is_replayed(monkeypatch):
    # The graph step must not run: every batch and every test evaluation on the tape.
    from nn import train as train_module

    def refuse(*args, **kwargs):
        raise AssertionError("the uncompiled step ran")

    monkeypatch.setattr(train_module, "_graph_step", refuse)
    monkeypatch.setattr(train_module, "evaluate", refuse)
    y = [int(t) for t in Y]
    for compile in ("tape", True):
        model = MLP(2, [4, 2], seed=0)
        history = fit(
            model, X, y, loss="cross_entropy", epochs=2, progress=False, compile=compile,
            test_data=(X[:10], y[:10]),
        )  # fmt: skip
        assert len(history["test_loss"]) == 2


def test_bad_compile_value():
    with pytest.raises(ValueError, match="compile must be True, False, 'tape' or 'batched'"):
        fit(MLP(2, [1]), X, labels("bce"), epochs=1, progress=False, compile="fast")


def test_bad_targets_fail_as_uncompiled():
    with pytest.raises(ValueError, match="hinge_loss: labels must be -1 or \\+1"):
        fit(MLP(2, [1]), X, labels("bce"), loss="hinge", epochs=1, progress=False)


def test_a_bad_sample_is_reported_as_uncompiled():
    bad = [list(x) for x in X]
    bad[7] = [0.1, 0.2, 0.3]
    with pytest.raises(ValueError, match="MLP: expected 2 inputs, got 3"):
        fit(MLP(2, [1]), bad, labels("bce"), epochs=1, progress=False)
