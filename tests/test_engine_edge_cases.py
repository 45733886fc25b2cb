"""The edge cases of issue 2, as closed forms that need no PyTorch.

Each is a fact of IEEE 754 arithmetic or a derivative convention PyTorch follows (and
``test_engine_ops.py`` checks against PyTorch itself): relu'(0) = 0, abs'(0) = 0,
sqrt'(0) = inf, log(0) = -inf, log(-1) = nan, 1/0 = inf, 0/0 = nan, ∂(x^y)/∂y = 0 at x = 0 for
y >= 0, a negative base with a fractional exponent gives nan, and the squashing functions
saturate at ±1000 without an ``OverflowError``. None of them may raise.
"""

import math

import pytest

import autograd
from autograd import Value, grad

inf, nan = math.inf, math.nan


def value_and_grads(f, *point):
    """f(*point) by the engine, and its gradient, by backward() (checked equal to grad())."""
    xs = [Value(p) for p in point]
    out = f(*xs)
    out.backward()
    by_grad = grad(out, xs)
    for x, g in zip(xs, by_grad):
        assert x.grad == g or (math.isnan(x.grad) and math.isnan(g))
    assert type(out.data) is float
    return (out.data, *[x.grad for x in xs])


def same(a: float, b: float) -> bool:
    """Equal, nan equal to nan; infinities with their sign."""
    return (math.isnan(a) and math.isnan(b)) or a == b


@pytest.mark.parametrize(
    "f, point, expected",
    [
        (lambda x: x.relu(), (0.0,), (0.0, 0.0)),  # relu'(0) = 0
        (lambda x: x.relu(), (-0.0,), (0.0, 0.0)),
        (lambda x: abs(x), (0.0,), (0.0, 0.0)),  # abs'(0) = 0
        (lambda x: x.leaky_relu(0.1), (0.0,), (0.0, 0.1)),  # x <= 0 takes the slope
        (lambda x: x.sqrt(), (0.0,), (0.0, inf)),  # sqrt'(0) = inf
        (lambda x: x.sqrt(), (-1.0,), (nan, nan)),
        (lambda x: x.log(), (0.0,), (-inf, inf)),  # log(0) = -inf, log'(0) = 1/0
        (lambda x: x.log(), (-1.0,), (nan, -1.0)),  # log(-1) = nan; 1/x stays -1
        (lambda x: 1 / x, (0.0,), (inf, -inf)),  # 1/0 = inf, d(1/x)/dx = -1/x²
        (lambda x: 1 / x, (-0.0,), (-inf, -inf)),
        (lambda x, y: x / y, (0.0, 0.0), (nan, inf, nan)),  # 0/0 = nan
        (lambda x, y: x / y, (3.0, 0.0), (inf, inf, -inf)),  # 3/0 = inf, ∂/∂y = -3/0²
        (lambda x: x / 0, (-2.0,), (-inf, inf)),
        (lambda x, y: x**y, (0.0, 0.0), (1.0, 0.0, 0.0)),  # 0⁰ = 1, both derivatives 0
        (lambda x, y: x**y, (0.0, 2.0), (0.0, 0.0, 0.0)),  # ∂/∂y = 0 at x = 0, y >= 0
        (lambda x, y: x**y, (0.0, 0.5), (0.0, inf, 0.0)),
        (lambda x, y: x**y, (0.0, 1.0), (0.0, 1.0, 0.0)),
        (lambda x, y: x**y, (0.0, -1.0), (inf, -inf, -inf)),  # 0⁻¹ = inf; inf·log 0 = -inf
        (lambda x, y: x**y, (-8.0, 1 / 3), (nan, nan, nan)),  # never a complex number
        (lambda x, y: x**y, (-2.0, 3.0), (-8.0, 12.0, nan)),  # integer exponent: fine in x
        (lambda x: x**0.5, (-4.0,), (nan, nan)),
        (lambda x: x**2, (0.0,), (0.0, 0.0)),
        (lambda x: 2**x, (2000.0,), (inf, inf)),  # overflow, not OverflowError
        (lambda x: (-10) ** x, (401.0,), (-inf, nan)),
        (lambda x: x.exp(), (1000.0,), (inf, inf)),
        (lambda x: x.exp(), (-1000.0,), (0.0, 0.0)),
        (lambda x: x.sigmoid(), (1000.0,), (1.0, 0.0)),
        (lambda x: x.sigmoid(), (-1000.0,), (0.0, 0.0)),
        (lambda x: x.tanh(), (1000.0,), (1.0, 0.0)),
        (lambda x: x.tanh(), (-1000.0,), (-1.0, 0.0)),
        (lambda x: x.softplus(), (1000.0,), (1000.0, 1.0)),
        (lambda x: x.softplus(), (-1000.0,), (0.0, 0.0)),
        (lambda x: x.sin(), (inf,), (nan, nan)),
        (lambda x: x.cos(), (inf,), (nan, nan)),
    ],
)
def test_edge_case(f, point, expected):
    got = value_and_grads(f, *point)
    assert all(same(g, e) for g, e in zip(got, expected)), f"{got} != {expected}"


@pytest.mark.parametrize(
    "call, expected",
    [
        (lambda: autograd.exp(1000.0), inf),
        (lambda: autograd.log(0.0), -inf),
        (lambda: autograd.log(-1.0), nan),
        (lambda: autograd.sqrt(-1.0), nan),
        (lambda: autograd.pow_(-8.0, 1 / 3), nan),
        (lambda: autograd.pow_(0.0, -1.0), inf),
        (lambda: autograd.pow_(-0.0, -1.0), -inf),
        (lambda: autograd.pow_(10.0, 400.0), inf),
        (lambda: autograd.sigmoid(-1000.0), 0.0),
        (lambda: autograd.softplus(1000.0), 1000.0),
        (lambda: autograd.sin(-inf), nan),
    ],
)
def test_primitive_on_plain_floats_gives_the_torch_float(call, expected):
    got = call()
    assert type(got) is float and same(got, expected)


def test_softplus_is_accurate_far_out():
    # log(1 + e^x) ≈ e^x for x ≪ 0 and ≈ x + e^-x for x ≫ 0: no cancellation either way.
    assert math.isclose(Value(-50.0).softplus().data, math.exp(-50.0), rel_tol=1e-12)
    assert math.isclose(Value(50.0).softplus().data, 50.0 + math.exp(-50.0), rel_tol=1e-15)
    assert math.isclose(Value(-50.0).sigmoid().data, math.exp(-50.0), rel_tol=1e-12)
