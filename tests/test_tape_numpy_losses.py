"""The array forms of logsumexp, log_softmax, binary cross-entropy and fit's cross-entropy node:
the engine's numbers to 1e-12 on the inputs where the float forms work hardest (huge and tiny
logits, near ties, the log-sum-exp that nearly cancels, ±inf and nan).

The reference is the engine on each sample alone (its float forms are checked against mpmath
in tests/test_losses_exact.py)."""

from __future__ import annotations

import math
import random

import pytest

from autograd import Value, apply
from autograd import primitives as P
from autograd.tape import record
from nn.compiled import CROSS_ENTROPY
from nn.losses import cross_entropy

np = pytest.importorskip("numpy")

inf, nan = math.inf, math.nan
_rng = random.Random(11)
LOGITS = [
    [_rng.gauss(0, 1) for _ in range(4)],
    [_rng.gauss(0, 30) for _ in range(4)],
    [1e8, 1e8, -1e8, 3.0],
    [-1e300, -1e300, -1e300, -1e300],
    [-0.6931471805599453, -0.6931471805599453, -800.0, -40.0],  # logsumexp ≈ 0: the decimal road
    [-1.0986122886681098, -1.0986122886681098, -1.0986122886681098, -900.0],
    [40.0, -40.0, 0.0, 1e-300],
    [2.5, 2.5, 2.5, 2.5],
    [-inf, 0.5, -inf, 1.0],
    [inf, 0.0, 1.0, 2.0],
    [nan, 0.0, 1.0, 2.0],
    [-inf, -inf, -inf, -inf],
]


def same(got: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-300)


def check(fn, rows, n_out=1):
    """The tape of ``fn`` replayed over ``rows``, every output and every input's gradient,
    against the engine on each row."""
    tape = record(fn, [Value(v, requires_grad=True) for v in LOGITS[0][: len(rows[0])]])
    batched = tape.batched()
    batch = batched.forward(np.array(rows))
    for out in range(n_out):
        grads = batched.backward(batch, 1.0, out)
        for k, row in enumerate(rows):
            leaves = [Value(v, requires_grad=True) for v in row]
            results = fn(*leaves)
            result = results[out] if isinstance(results, list) else results
            result.backward()
            assert same(float(batch.outputs[k, out]), result.data), (row, out)
            for got, x in zip(grads[k].tolist(), leaves):
                assert same(got, x.grad), (row, out, got, x.grad)


def test_logsumexp():
    check(lambda *xs: apply(P.logsumexp, xs), LOGITS)


def test_log_softmax_of_every_entry():
    def f(*xs):
        return [apply(P.log_softmax, (x, *xs[:i], *xs[i + 1 :])) for i, x in enumerate(xs)]

    check(f, LOGITS, n_out=4)


def test_binary_cross_entropy_with_logits():
    zs = [0.0, 40.0, -40.0, 1e-300, -3.7, 700.0, -800.0, inf, -inf, nan, 0.1]
    rows = [[z, y] for z in zs for y in (0.0, 1.0, 0.3)]
    check(lambda z, y: apply(P.binary_cross_entropy_with_logits, (z, y)), rows)


@pytest.mark.parametrize("target", range(4))
def test_fits_cross_entropy_node_is_the_losses(target):
    # CROSS_ENTROPY(z, y) replayed over the batch against nn's cross_entropy(z, y) alone.
    rows = [[*z, float(target)] for z in LOGITS]
    example = [*[Value(v, requires_grad=True) for v in LOGITS[0]], float(target)]
    tape = record(lambda *a: apply(CROSS_ENTROPY, a), example)
    batched = tape.batched()
    batch = batched.forward(np.array(rows))
    grads = batched.backward(batch)
    plain = [tape.forward(r) for r in rows]
    for k, z in enumerate(LOGITS):
        leaves = [Value(v, requires_grad=True) for v in z]
        loss = cross_entropy(leaves, target)
        loss.backward()
        assert same(float(batch.outputs[k, 0]), loss.data), z
        assert plain[k][tape.outputs[0]] == loss.data or math.isnan(loss.data)
        for got, x in zip(grads[k].tolist()[:4], leaves):
            assert same(got, x.grad), (z, got, x.grad)


def test_digits_trains_on_the_replay(monkeypatch):
    # A slice of the real job (digits, 10 classes, cross_entropy): the batched replay runs
    # every batch and every test evaluation, and the model learns.
    from nn import train as train_module
    from nn.__main__ import build_parser
    from nn.job import build, load_data, train

    def refuse(*args, **kwargs):
        raise AssertionError("the uncompiled step ran")

    monkeypatch.setattr(train_module, "_graph_step", refuse)
    monkeypatch.setattr(train_module, "evaluate", refuse)
    args = build_parser().parse_args(["--dataset", "digits", "--no-progress", "--epochs", "2"])
    data = load_data(args)
    data.X_train, data.y_train = data.X_train[:400], data.y_train[:400]
    data.X_test, data.y_test = data.X_test[:100], data.y_test[:100]
    result = train(args, build(args, data))
    assert result.loss == "cross_entropy"
    assert result.test_accuracy > 0.8
