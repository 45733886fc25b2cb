"""Tapes replayed over numpy arrays, the batch at once: the engine's numbers to 1e-12.

The reference is the engine run the ordinary way, one graph per sample, then backward().
"""

from __future__ import annotations

import math
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Primitive, Value
from autograd.tape import TapeMismatchError, record
from autograd.testing.expressions import OPS
from autograd.testing.strategies import expressions
from nn import MLP

np = pytest.importorskip("numpy")

TOLERANCE = 1e-12


def close(got, expected, abs_tol=1e-300) -> bool:
    if math.isnan(expected):
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=TOLERANCE, abs_tol=abs_tol)


def assert_close(got, expected, what="", abs_tol=1e-300):
    got, expected = [float(g) for g in got], [float(e) for e in expected]
    bad = [(g, e) for g, e in zip(got, expected) if not close(g, e, abs_tol)]
    assert not bad and len(got) == len(expected), (what, bad)


@pytest.mark.parametrize("op", list(OPS))
@settings(max_examples=10, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_expressions_batched_match_the_engine(op, data):
    e = data.draw(expressions(n_vars=3, max_depth=3, ops=[op, "mul", "add"]))
    fn = e.expression
    tape = record(fn, [Value(x, requires_grad=True) for x in e.point])
    rng = random.Random(3)
    points = [e.point] + [tuple(x + rng.uniform(-0.02, 0.02) for x in e.point) for _ in range(4)]
    try:
        batch = tape.batched().forward(np.array(points))
    except TapeMismatchError:
        return  # a nearby point takes another branch: refused (tested in test_tape.py)
    input_grads = tape.batched().backward(batch)
    for k, point in enumerate(points):
        leaves = [Value(x) for x in point]
        out = fn(*leaves)
        out.backward()
        # numpy's tanh, exp… may differ from libm's by an ulp; where a rule cancels (1 - tanh²x
        # at x = 8 is 2e-6) that ulp is a larger relative error: 1e-12 absolute there.
        assert_close([batch.outputs[k, 0]], [out.data], f"{fn} at {point}", TOLERANCE)
        assert_close(input_grads[k], [x.grad for x in leaves], f"{fn} at {point}", TOLERANCE)


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("loss", ["mse", "hinge", "bce"])
def test_mlp_batch_matches_the_engine(activation, loss):
    model = MLP(2, [6, 5, 2], activation=activation, seed=4)

    def f(a, b, t):
        out = model([a, b])
        if loss == "mse":
            term = (out[0] - t) ** 2
        elif loss == "hinge":
            term = (1.0 - out[0] * t).relu()
        else:
            term = out[0].softplus() - out[0] * t
        return [term + out[1] * out[1], *out]

    rng = random.Random(5)
    rows = [[rng.uniform(-2, 2), rng.uniform(-2, 2), rng.choice([-1.0, 1.0])] for _ in range(9)]
    tape = record(f, rows[0])
    model.zero_grad()
    outputs = [f(*[Value(v, requires_grad=False) for v in r]) for r in rows]
    mean = autograd.vsum([o[0] for o in outputs]) * (1.0 / len(rows))
    mean.backward()
    expected = [p.grad for p in model.parameters()]

    model.zero_grad()
    batched = tape.batched()
    batch = batched.forward(np.array(rows))
    batched.backward(batch, 1.0 / len(rows))
    assert_close([p.grad for p in model.parameters()], expected)
    assert_close(batch.outputs.ravel(), [v.data for o in outputs for v in o])


def test_control_flow_names_the_sample():
    def f(x):
        return x * 2.0 if x > 0 else x * 3.0

    batched = record(f, [1.0]).batched()
    assert batched.forward(np.array([[1.0], [2.0]])).outputs.ravel().tolist() == [2.0, 4.0]
    with pytest.raises(
        TapeMismatchError, match=r"x0 > 0.0 made at .*test_tape_numpy.py:\d+.* for sample 2"
    ):
        batched.forward(np.array([[1.0], [2.0], [-1.0]]))


def test_a_primitive_without_array_form_runs_sample_by_sample():
    square = Primitive("square", lambda x: x * x, lambda g, ans, x: (2.0 * g * x,))
    w = Value(0.8, "w")  # a parameter: a scalar in the batch, its gradient summed

    def f(x, y):
        return autograd.apply(square, [x * y]).tanh() + autograd.apply(square, [w]) * x

    tape = record(f, [Value(0.3), Value(0.2)])
    with pytest.warns(RuntimeWarning, match="square has no array form.*sample by sample"):
        batched = tape.batched()
    points = [(0.3, 0.2), (-1.0, 0.5), (0.7, -1.3)]
    batch = batched.forward(np.array(points))
    grads = batched.backward(batch)
    w_grad, w.grad = w.grad, 0.0
    for k, point in enumerate(points):
        leaves = [Value(v) for v in point]
        out = f(*leaves)
        out.backward()
        assert_close([batch.outputs[k, 0]], [out.data])
        assert_close(grads[k], [x.grad for x in leaves])
    assert_close([w_grad], [w.grad])


def test_wrong_shape_is_refused():
    batched = record(lambda a, b: a * b, [1.0, 2.0]).batched()
    with pytest.raises(ValueError, match=r"shape \(batch, 2\) .*\(x0, x1\), got \(3, 3\)"):
        batched.forward(np.zeros((3, 3)))


def test_no_grad_parts_batched():
    def f(x, y):
        with autograd.no_grad():
            c = x * y
        return (x * c).tanh() + y

    tape = record(f, [Value(0.7), Value(-0.3)])
    points = [(0.7, -0.3), (1.1, 0.4)]
    batched = tape.batched()
    batch = batched.forward(np.array(points))
    grads = batched.backward(batch)
    for k, point in enumerate(points):
        leaves = [Value(v) for v in point]
        out = f(*leaves)
        out.backward()
        assert_close([batch.outputs[k, 0]], [out.data])
        assert_close(grads[k], [x.grad for x in leaves])
