"""The engine's fast paths against its reference paths.

Training runs two shortcuts: ``autograd.dot`` sums the Values' data itself instead of going
through ``apply``, and the first-order backward pass (floats, no detect_anomaly) sends
gradients with ``+=`` into sums started at -0.0 and applies ``linear``'s rule in place. The
general pass, which ``create_graph=True`` and ``detect_anomaly`` take, calls every primitive's
``vjp`` from the table. Both must give the same numbers, bit for bit: the same products, added
in the same order. (Whether those numbers are *right* is checked against PyTorch and finite
differences elsewhere; here, independent closed forms check the linear node itself.)
"""

import math
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Value, detect_anomaly, dot, grad, linear, vsum
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing.strategies import expressions, values


def bits(x: float) -> bytes:
    """The float's bytes: equal bits, so -0.0 differs from 0.0 and nan equals nan."""
    return struct.pack("<d", x)


def same_numbers(xs, ys) -> bool:
    """Equal floats, nan matching nan. (The sign of a zero is left out: at y = 0 the general
    pass keeps ∂(x^y)/∂x = g·y·x^(y-1), -0.0 when y is -0.0, to carry its dependence on y;
    the first-order pass gives 0, as PyTorch does.)"""
    return len(xs) == len(ys) and all(x == y or x != x and y != y for x, y in zip(xs, ys))


def three_ways(f, point: list[float]) -> tuple[list[float], list[float], list[float]]:
    """∂f/∂x at the point by the first-order pass, the general pass on Values
    (create_graph) and the general pass on floats (detect_anomaly)."""

    def gradients(**options):
        leaves = [Value(x, label=f"x{i}") for i, x in enumerate(point)]
        return [g.data if isinstance(g, Value) else g for g in grad(f(*leaves), leaves, **options)]

    fast = gradients()
    on_values = gradients(create_graph=True)
    with detect_anomaly():
        checked = gradients()
    return fast, on_values, checked


def agree(f, point) -> bool:
    """The three passes give the same bits; or, where a linear node has a Value twice among
    its inputs (whose shares the fast pass adds in another order), the same to rounding."""
    fast, on_values, checked = three_ways(f, point)
    if uses_a_rebuilt_rule(f, point):
        # logsumexp, log_softmax and the bce node send exact float gradients, but on Values
        # their rules are rebuilt from ordinary primitives (autograd/_lse.py): to rounding
        return same_numbers(fast, checked) and all(
            math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(fast, on_values)
        )
    if not repeats_an_input(f, point):
        return same_numbers(fast, on_values) and same_numbers(fast, checked)
    return on_values == checked and all(
        math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12) for a, b in zip(fast, on_values)
    )


REBUILT_ON_VALUES = ("logsumexp", "log_softmax", "binary_cross_entropy_with_logits")


def uses_a_rebuilt_rule(f, point) -> bool:
    root = f(*[Value(x) for x in point])
    return any(node.op in REBUILT_ON_VALUES for node in autograd.topological_order(root))


def repeats_an_input(f, point) -> bool:
    root = f(*[Value(x) for x in point])
    return any(
        node.op == "linear" and len(set(map(id, node.inputs))) < len(node.inputs)
        for node in autograd.topological_order(root)
    )


@given(expressions(n_vars=3, max_depth=4))
def test_first_order_pass_equals_the_general_pass_on_random_expressions(e):
    assert agree(e.expression, list(e.point))


# --- linear: the n-ary node of every neuron -----------------------------------------------------

finite = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def neurons(draw):
    """A small network over shared inputs: weights, inputs (some plain numbers), and which
    input each weight slot reads (so a Value can occur twice in one node)."""
    n = draw(st.integers(1, 8))
    point = draw(st.lists(finite, min_size=2 * n + 1, max_size=2 * n + 1))
    constants = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    reuse = draw(st.lists(st.integers(0, 2 * n), min_size=n, max_size=n))
    return n, point, constants, reuse


def network(n, constants, reuse):
    """f(w₁..wₙ, x₁..xₙ, b): two dot nodes sharing the leaves, then a nonlinearity."""

    def f(*leaves):
        ws, xs, b = list(leaves[:n]), list(leaves[n : 2 * n]), leaves[2 * n]
        xs = [x.data if constant else x for x, constant in zip(xs, constants)]
        z1 = dot(ws, xs, b)
        z2 = dot([leaves[i] for i in reuse], ws, z1)  # duplicates, and z1 as a bias
        return vsum([z1.tanh(), z2 * 0.5])

    return f


@given(neurons())
def test_linear_in_place_rule_equals_the_table_rule(case):
    n, point, constants, reuse = case
    assert agree(network(n, constants, reuse), point)


@given(
    st.integers(1, 12).flatmap(lambda n: st.lists(finite, min_size=2 * n + 1, max_size=2 * n + 1))
)
def test_dot_equals_linear_on_floats_and_the_closed_form(point):
    n = len(point) // 2
    leaves = [Value(x) for x in point]
    z = dot(leaves[:n], leaves[n : 2 * n], leaves[-1])
    assert bits(z.data) == bits(linear(*point))  # the fast forward is the rule's forward
    exact = math.fsum([point[-1]] + [w * x for w, x in zip(point[:n], point[n : 2 * n])])
    assert z.data == pytest.approx(exact, rel=1e-9, abs=1e-9)
    z.backward()  # the closed forms: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1
    expected = point[n : 2 * n] + point[:n] + [1.0]
    assert [v.grad for v in leaves] == expected


def test_dot_of_one_value_with_itself_gets_both_shares():
    a, b = Value(3.0), Value(0.5)
    dot([a], [a], b).backward()  # z = a² + b
    assert (a.grad, b.grad) == (6.0, 1.0)


@given(values(-5, 5), values(-5, 5))
def test_negative_zero_gradients_keep_their_sign(x, w):
    # -0.0 + g is g bit for bit, so a gradient of -0.0 arrives as -0.0, as in the general pass.
    a = Value(x)
    (g,) = grad(a * -0.0 + w, [a])
    assert bits(g) == bits(-0.0)  # ∂(a·(-0))/∂a = 1 · -0.0
    assert agree(lambda a: a * -0.0 * w, [x])


def test_the_comparison_can_fail(monkeypatch):
    # Two rules for linear that disagree are found at once: here the table's (which the
    # general pass runs) is made to forget the bias.
    f = network(2, [False, False], [0, 1])
    point = [0.5, -1.5, 2.0, 0.25, 0.75]
    assert agree(f, point)
    right = linear.vjp
    monkeypatch.setattr(linear, "vjp", lambda g, ans, *args: [*right(g, ans, *args)[:-1], 0.0])
    assert not agree(f, point)


def test_dot_refuses_an_object_that_only_looks_like_a_value():
    class Lookalike:  # e.g. another library's scalar, with a .data of its own
        data = 1.0

    x = Value(2.0)
    with pytest.raises(TypeError, match=r"linear: argument 0 .* got Lookalike"):
        dot([Lookalike()], [x], Value(0.0))
    with pytest.raises(TypeError, match=r"linear: argument 1 .* got Lookalike"):
        dot([x], [Lookalike()], Value(0.0))


def test_dot_with_plain_numbers_and_modes():
    x = Value(2.0)
    assert dot([3, x], [x, 0.5], 1).data == 3 * 2.0 + 2.0 * 0.5 + 1
    with autograd.no_grad():
        z = dot([x], [x], Value(1.0))
    assert z.data == 5.0 and z.inputs == () and not z.requires_grad
    with detect_anomaly(), pytest.raises(FloatingPointError, match="linear produced inf"):
        dot([Value(1e308)], [Value(10.0)], Value(0.0))


# --- failures in the first-order pass ----------------------------------------------------------


def test_a_first_order_pass_that_fails_midway_leaves_nothing_claimed():
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")

    def vjp(g, ans, a):
        raise ValueError("rule failed")

    y = dot([w, w], [x, autograd.Primitive("fails", lambda a: a, vjp)(x)], w)
    with pytest.raises(ValueError, match="rule failed"):
        y.backward()
    for v in (w, x, y):
        v.grad = 0.0
    z = dot([w], [x], w) * 3.0  # the same leaves, in a new pass: right, not offset
    z.backward()
    assert (w.grad, x.grad) == (3.0 * (2.0 + 1.0), 3.0 * 0.5)


def test_tuples_shared_between_linear_nodes_pass_every_gradient():
    # One tuple of weights and one of inputs read by three nodes, in both roles, as a neuron's
    # weights and a layer's inputs are; some weights are themselves computed and one input is
    # a constant. The backward pass searches each tuple once: finite differences check that
    # nothing behind them is missed, at first and second order.
    def f(a, b, c, d):
        weights = (a * 2.0, b, a.tanh())
        xs = (c, d * d, Value(0.5, requires_grad=False))
        z1 = dot(weights, xs, c)
        z2 = dot(weights, xs, d)
        z3 = dot(xs, weights, a)
        return (z1 * z2 + z3.sigmoid()).tanh()

    point = [0.3, -0.7, 0.9, 0.4]
    assert gradcheck(f, [Value(x) for x in point])
    assert gradgradcheck(f, point)
