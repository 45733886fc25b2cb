"""Tapes replayed in plain Python: bit for bit what building the graph and ``backward()`` give.

The reference is the engine itself run the ordinary way (a new graph for every input, then
``backward()``), which other tests hold to PyTorch; here the claim is sameness of the bits.
"""

from __future__ import annotations

import math
import random
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import autograd
from autograd import Value, no_grad
from autograd.tape import TapeMismatchError, record
from autograd.testing.expressions import OPS
from autograd.testing.strategies import expressions
from nn import MLP
from nn.optim import SGD


def bits(x: float) -> bytes:
    return struct.pack("<d", x) if x == x else b"nan"


def assert_same(got, expected, what: str = "") -> None:
    got, expected = list(got), list(expected)
    assert [bits(g) for g in got] == [bits(e) for e in expected], (what, got, expected)


def engine(fn, point):
    """Outputs and input gradients by building the graph and calling backward()."""
    leaves = [Value(x, f"x{i}") for i, x in enumerate(point)]
    out = fn(*leaves)
    out.backward()
    return out.data, [x.grad for x in leaves]


def replay(tape, point):
    values = tape.forward(point)
    return tape.outputs_of(values), tape.backward(values)


def nearby(point, seed):
    rng = random.Random(seed)
    return tuple(x + rng.uniform(-0.05, 0.05) for x in point)


@pytest.mark.parametrize("op", list(OPS))
@settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_expressions_replay_bit_for_bit(op, data):
    e = data.draw(expressions(n_vars=3, max_depth=3, ops=[op, "mul", "add"]))
    fn = e.expression
    tape = record(fn, [Value(x, requires_grad=True) for x in e.point])
    for point in (e.point, nearby(e.point, 1), nearby(e.point, 2)):
        try:
            got_out, got_grads = replay(tape, point)
        except TapeMismatchError:
            continue  # another branch: the tape refuses it (tested below)
        out, grads = engine(fn, point)
        assert_same([got_out], [out], f"{fn} at {point}")
        assert_same(got_grads, grads, f"{fn} at {point}")


def test_every_primitive_of_the_table_is_among_the_expressions():
    primitives = {v for v in vars(autograd.primitives).values() if type(v) is autograd.Primitive}
    leaves = [Value(0.3), Value(0.7)]
    used = set()
    for op in OPS.values():
        # Running each expression op once shows which primitives it records.
        args = (leaves + [Value(0.5)] * 3)[: op.arity]
        out = op.engine(*args)
        used |= {n.primitive for n in [out, *autograd.topological_order(out)] if n.primitive}
    missing = {p.name for p in primitives} - {p.name for p in used}
    assert not missing, f"primitives no expression op records: {missing}"


def mlp_loss(model, loss: str):
    def f(a, b, t):
        out = model([a, b])
        if loss == "mse":
            return (out - t) ** 2
        if loss == "hinge":
            return (1.0 - out * t).relu()
        return out.softplus() - out * t

    return f


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "leaky_relu", "linear"])
@pytest.mark.parametrize("loss", ["mse", "hinge", "bce"])
def test_mlp_batches_bit_for_bit(activation, loss):
    model = MLP(2, [6, 5, 1], activation=activation, seed=4)
    f = mlp_loss(model, loss)
    rng = random.Random(5)
    rows = [[rng.uniform(-2, 2), rng.uniform(-2, 2), rng.choice([-1.0, 1.0])] for _ in range(7)]
    tape = record(f, [0.0, 0.0, 1.0])

    model.zero_grad()  # the engine: one graph for the batch, mean, backward
    batch = autograd.vsum([f(*[Value(v, requires_grad=False) for v in r]) for r in rows])
    mean = batch * (1.0 / len(rows))
    mean.backward()
    expected = [p.grad for p in model.parameters()]

    model.zero_grad()
    traces = tape.forward_many(rows)
    tape.backward_many(traces, [1.0 * (1.0 / len(rows))] * len(rows))
    assert_same([p.grad for p in model.parameters()], expected)
    assert_same([sum([tape.outputs_of(t) for t in traces]) * (1.0 / len(rows))], [mean.data])


def test_a_tape_survives_optimizer_updates():
    model = MLP(2, [4, 1], seed=1)
    f = mlp_loss(model, "mse")
    tape = record(f, [0.1, 0.2, 1.0])
    optimizer = SGD(model.parameters(), lr=0.1)
    for step in range(3):
        point = (0.3 * step, -0.5, 1.0)
        optimizer.zero_grad()
        out = f(*[Value(v, requires_grad=False) for v in point])
        out.backward()
        expected = [p.grad for p in model.parameters()]
        optimizer.zero_grad()
        values = tape.forward(point)
        assert_same([tape.outputs_of(values)], [out.data])
        tape.backward(values)
        assert_same([p.grad for p in model.parameters()], expected)
        optimizer.step()  # changes .data: the next replay reads it


def branchy(x):
    if x > 0:
        return x * 2.0
    return x * 3.0


def test_data_dependent_control_flow_is_caught():
    tape = record(branchy, [Value(1.0, requires_grad=True)])
    assert tape(2.0) == 4.0
    with pytest.raises(TapeMismatchError) as caught:
        tape.forward([-1.0])
    message = str(caught.value)
    assert "x0 > 0.0" in message and "test_tape.py:" in message
    assert "True when the tape was recorded" in message


def test_comparisons_between_values_and_in_max_are_guards():
    def f(a, b):
        return max(a, b) * 1.0  # max compares the two Values

    tape = record(f, [Value(1.0), Value(2.0)])
    assert tape(1.0, 3.0) == 3.0
    with pytest.raises(TapeMismatchError, match=r"x1 > x0|x0 < x1|x1 < x0|x0 > x1"):
        tape(3.0, 1.0)


def test_no_grad_parts_are_recomputed_and_pass_no_gradient():
    def f(x, y):
        with no_grad():
            c = x * y
        return (x * c).tanh() + y

    tape = record(f, [Value(0.7), Value(-0.3)])
    assert "no_grad" in tape.explain()
    for point in ((0.7, -0.3), (1.1, 0.4)):
        out, grads = engine(f, point)
        got_out, got_grads = replay(tape, point)
        assert_same([got_out], [out])
        assert_same(got_grads, grads)


def test_wrong_input_count_is_refused_clearly():
    tape = record(lambda a, b: a * b, [1.0, 2.0])
    with pytest.raises(ValueError, match=r"recorded with 2 inputs \(x0, x1\), got 3"):
        tape.forward([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="sequence of 2 numbers"):
        tape.forward(5.0)  # type: ignore[arg-type]


def test_record_refuses_non_values():
    with pytest.raises(TypeError, match="must return a Value or a list of Values, got float"):
        record(lambda a: 1.0, [1.0])
    with pytest.raises(TypeError, match="output 1 of the function is a str"):
        record(lambda a: [a, "a"], [1.0])


def test_tape_is_flat_and_small():
    def chain(x):
        for _ in range(10_000):
            x = x * 1.0001 + 0.001
        return x

    tape = record(chain, [Value(0.5)])
    assert len(tape) == 20_000
    assert tape.nbytes() / len(tape) <= 64
    # No Value of the graph is kept: only the (here no) parameters.
    assert tape.parameters == []
    values = tape.forward([0.5])
    assert math.isclose(tape.backward(values)[0], 1.0001**10_000, rel_tol=1e-9)


def test_explain_and_rebuilt_graph():
    model = MLP(2, [3, 1], seed=0)
    tape = record(lambda a, b: model([a, b]).tanh(), [0.5, -0.5])
    text = tape.explain()
    assert "linear(" in text and "tanh(" in text
    graph = tape.to_graph()
    assert_same([graph.data], [tape(0.5, -0.5)])
    viz = pytest.importorskip("viz")
    assert "tanh" in viz.draw_dot(graph).source


def test_a_value_twice_in_one_linear_node():
    # The engine sends such a node's shares pair by pair: the replay must too.
    def f(a, b, c):
        # b is a weight of the second pair and an input of the first; the product with b,
        # made last, sends to b first.
        return autograd.dot([a, b, a], [a, a, b], b).tanh() + autograd.dot([a, b], [b, c]) * b

    rng = random.Random(7)
    points = [tuple(rng.uniform(-2, 2) for _ in range(3)) for _ in range(200)]
    tape = record(f, [Value(x) for x in points[0]])
    for point in points:
        out, grads = engine(f, point)
        got_out, got_grads = replay(tape, point)
        assert_same([got_out], [out])
        assert_same(got_grads, grads)


def test_layers_are_replayed_as_units():
    from autograd.tape_layers import LinearGroup, MapGroup

    model = MLP(3, [4, 4, 1], activation="leaky_relu", seed=0)
    tape = record(lambda a, b, c: model([a, b, c]), [0.0, 0.0, 0.0])
    kinds = [type(u) for u in tape.plain().units]
    assert kinds == [LinearGroup, MapGroup, LinearGroup, MapGroup, LinearGroup]
