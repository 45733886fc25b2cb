"""The function transforms of autograd.functional against PyTorch's torch.func (float64) and
against finite differences, on random expressions: first, second and mixed derivatives,
forward mode (jvp) and reverse mode (vjp)."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, hessian, hvp, jacobian, jvp, value_and_grad, vjp
from autograd.testing.expressions import OPS, Call, Const
from autograd.testing.finite_differences import derivatives
from autograd.testing.strategies import expressions, values

first = expressions(n_vars=3, max_depth=3)
second = expressions(n_vars=2, max_depth=3)
directions = st.lists(values(-2, 2), min_size=3, max_size=3)


def close(actual, expected, rel=1e-9):
    """Entry-wise, on the scale of the largest entry (the engine and PyTorch round apart)."""
    flat_a = [a for row in actual for a in (row if isinstance(row, list) else [row])]
    flat_e = [e for row in expected for e in (row if isinstance(row, list) else [row])]
    scale = 1.0 + max(abs(e) for e in flat_e)
    return len(flat_a) == len(flat_e) and all(
        abs(a - e) <= rel * scale for a, e in zip(flat_a, flat_e)
    )


def torch_function(torch, expression):
    """The expression on a 1-d tensor, with a variable exponent written a**b = exp(b·log a)
    (the strategies keep such bases >= 1): PyTorch's pow backward loses the dependence of
    ∂(a**b)/∂a on b at b = 0, so its second derivatives there are wrong."""

    def evaluate(node, xs):
        if isinstance(node, Call):
            args = [evaluate(a, xs) for a in node.args]
            if node.op == "pow" and not isinstance(node.args[1], Const):
                return torch.exp(args[1] * torch.log(args[0]))
            return OPS[node.op].torch(*args)
        if isinstance(node, Const):
            return torch.tensor(node.value, dtype=torch.float64)
        return xs[node.index]

    return lambda x: evaluate(expression, [x[i] for i in range(x.shape[0])])


def tensor(torch, xs):
    return torch.tensor(list(xs), dtype=torch.float64)


@given(first)
def test_value_and_grad_and_jacobian_match_torch(e):
    torch = pytest.importorskip("torch")
    f, point = torch_function(torch, e.expression), tensor(torch, e.point)
    value, gradient = value_and_grad(e.expression)(*e.point)
    assert close([value], [f(point).item()])
    assert close(list(gradient), torch.func.jacrev(f)(point).tolist())
    assert close(jacobian(e.expression)(*e.point), list(gradient), rel=0)


@given(second)
def test_hessian_matches_torch(e):
    torch = pytest.importorskip("torch")
    f, point = torch_function(torch, e.expression), tensor(torch, e.point)
    assert close(hessian(e.expression)(*e.point), torch.func.hessian(f)(point).tolist())


@given(second, directions)
def test_hvp_is_the_hessian_times_the_vector(e, v):
    torch = pytest.importorskip("torch")
    v = v[:2]
    f, point = torch_function(torch, e.expression), tensor(torch, e.point)
    expected = (torch.func.hessian(f)(point) @ tensor(torch, v)).tolist()
    assert close(hvp(e.expression)(e.point, v), expected)


@given(first, directions)
def test_jvp_matches_torch_func_jvp(e, t):
    torch = pytest.importorskip("torch")
    f, point = torch_function(torch, e.expression), tensor(torch, e.point)
    value, tangent = jvp(e.expression, e.point, t)
    torch_value, torch_tangent = torch.func.jvp(f, (point,), (tensor(torch, t),))
    assert close([value, tangent], [torch_value.item(), torch_tangent.item()])


@given(st.data())
def test_jvp_and_vjp_of_a_vector_function_match_torch(data):
    torch = pytest.importorskip("torch")
    point = data.draw(st.tuples(*[values(-2, 2)] * 3), label="point")
    outputs = [data.draw(expressions(n_vars=3, max_depth=3, at=point)).expression for _ in "ab"]
    f = lambda *xs: [out(*xs) for out in outputs]  # noqa: E731
    fs = [torch_function(torch, out) for out in outputs]
    f_torch = lambda x: torch.stack([g(x) for g in fs])  # noqa: E731
    x = tensor(torch, point)
    t = data.draw(directions, label="tangent")
    u = data.draw(st.lists(values(-2, 2), min_size=2, max_size=2), label="cotangent")
    values_, tangents = jvp(f, point, t)
    torch_values, torch_tangents = torch.func.jvp(f_torch, (x,), (tensor(torch, t),))
    assert close(values_, torch_values.tolist()) and close(tangents, torch_tangents.tolist())
    out, pullback = vjp(f, *point)
    _, torch_pullback = torch.func.vjp(f_torch, x)
    assert close(list(pullback(u)), torch_pullback(tensor(torch, u))[0].tolist())
    assert close(jacobian(f)(*point), torch.func.jacrev(f_torch)(x).tolist())


# --- against finite differences (no PyTorch needed) ----------------------------------------------


def numeric_directional(f, point, direction, scale):
    """d/ds f(point + s·direction) at s = 0, numerically, with its error estimate."""

    def phi(s):
        out = f(*[x + s * d for x, d in zip(point, direction)])
        return [o.data if isinstance(o, Value) else float(o) for o in out]

    center = phi(0.0)
    (estimate,) = derivatives(
        phi, 0.0, center, [2e-16 * (1 + abs(c)) for c in center], [scale], atol=1e-6, rtol=1e-6
    )
    return estimate


@settings(max_examples=25)
@given(first, directions)
def test_jvp_matches_finite_differences(e, t):
    _, tangent = jvp(e.expression, e.point, t)
    estimate = numeric_directional(lambda *xs: [e.expression(*xs)], e.point, t, tangent)
    assert abs(tangent - estimate.value) <= 1e-5 * (1 + abs(tangent)) + estimate.error


@settings(max_examples=25)
@given(second, directions)
def test_hvp_matches_finite_differences_of_the_gradient(e, v):
    v = v[:2]
    product = hvp(e.expression)(e.point, v)
    gradient = lambda *xs: list(value_and_grad(e.expression)(*xs)[1])  # noqa: E731
    for i, entry in enumerate(product):
        estimate = numeric_directional(lambda *xs, i=i: [gradient(*xs)[i]], e.point, v, entry)
        assert abs(entry - estimate.value) <= 1e-5 * (1 + abs(entry)) + estimate.error


# --- composition, Values in and out, and bad arguments -------------------------------------------


def test_transforms_compose_when_given_values():
    f = lambda x, y: (x * y).sin() + x**3
    point = (0.4, -1.3)
    h = hessian(f)(*point)
    nested = jacobian(jacobian(f))(*[Value(p) for p in point])  # Values come back
    assert close([[v.data for v in row] for row in nested], h, rel=1e-14)
    via_grad = jacobian(lambda *xs: list(value_and_grad(f)(*xs)[1]))(*point)
    assert close(via_grad, h, rel=1e-14)
    x = Value(0.4)
    (d,) = value_and_grad(lambda x: x**3)(x)[1]
    assert isinstance(d, Value) and d.data == pytest.approx(3 * 0.16)
    # a third derivative through the Value result: d/dx 3x² = 6x
    assert value_and_grad(lambda x: value_and_grad(lambda y: y**3)(x)[1][0])(0.4)[1][0] == (
        pytest.approx(6 * 0.4)
    )


def test_forward_mode_needs_no_rule_of_its_own_for_a_users_primitive():
    from autograd import Primitive

    cube = Primitive("cube", lambda x: x**3, lambda g, ans, x: (g * 3.0 * x * x,))
    assert jvp(lambda x: cube(x), [2.0], [0.5]) == (8.0, 0.5 * 12.0)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: value_and_grad("f"), TypeError, "callable"),
        (lambda: value_and_grad(lambda x: [x])(1.0), TypeError, "scalar Value"),
        (lambda: hessian(lambda x: x)(), ValueError, "no inputs"),
        (lambda: jacobian(lambda x: x)("1"), TypeError, "input 0 must be a number"),
        (lambda: jvp(lambda x: x, [1.0], [1.0, 2.0]), ValueError, "expected 1 entries"),
        (lambda: jvp(lambda x: x, [1.0], [math.nan]), ValueError, "entry 0 is nan"),
        (lambda: hvp(lambda x: x)(1.0, [1.0]), TypeError, "expected a list"),
        (lambda: jacobian(lambda x: [])(1.0), ValueError, "empty list"),
        (lambda: vjp(lambda x: [x, x], 1.0)[1]([1.0]), ValueError, "expected 2 entries"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, match):
    with pytest.raises(error, match=match):
        call()
