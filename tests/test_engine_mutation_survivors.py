"""Tests for the mutants of the engine that the rest of the suite let survive.

``python -m bench.mutation`` changes one token of the engine at a time and runs the tests that
execute the changed line; each test here kills at least one mutant that survived that run
(bench/MUTATION.md lists them), against a reference independent of the engine: mpmath, PyTorch
(float64, CPU), or a closed form.
"""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest

from autograd import Value, detect_anomaly, grad, no_grad
from autograd import _floats as F
from autograd import primitives as P
from autograd.backward import gradients

mpmath = pytest.importorskip("mpmath")


def _ulps(value: float, exact) -> float:
    """|value − exact| in units in the last place of the exact value rounded to a double."""
    return float(abs(mpmath.mpf(value) - exact) / math.ulp(float(exact)))


# --- _floats._cbrt: the cube root for Python 3.10 (3.11's math.cbrt replaces it) -------------


def test_the_python_3_10_cube_root_is_within_an_ulp_everywhere():
    # guards the power and the Newton step of _cbrt (a damped step is 28 ulps off)
    rng = random.Random(3)
    points = [rng.uniform(-1, 1) * 10 ** rng.uniform(-300, 300) for _ in range(300)]
    points += [8.0, -27.0, 1e-310, -5e-324, 1.7976931348623157e308]
    with mpmath.workprec(200):
        for x in points:
            exact = mpmath.cbrt(abs(mpmath.mpf(x))) * (1 if x > 0 else -1)
            assert _ulps(F._cbrt(x), exact) <= 1.0, x


@pytest.mark.parametrize("x", [0.0, -0.0, math.inf, -math.inf])
def test_the_python_3_10_cube_root_keeps_zeros_and_infinities(x):
    # guards _cbrt's first test (x == 0 or not finite): the power would give nan or 0/0
    y = F._cbrt(x)
    assert y == x and math.copysign(1.0, y) == math.copysign(1.0, x)


def test_the_python_3_10_cube_root_of_nan_is_nan():
    assert math.isnan(F._cbrt(math.nan))


# --- binary_cross_entropy_with_logits: its derivative graph (create_graph) in the tails --------


@pytest.mark.parametrize("z, y", [(40.0, 1.0), (-40.0, 0.0), (38.5, 1.0), (-45.0, 0.0)])
def test_the_bce_derivative_graph_keeps_sigma_minus_y_in_the_tails(z, y):
    # guards _bce_vjp's choice of form by the sign of z when z is a Value: σ(z) − y at z = 40,
    # y = 1 is −4.2e-18, which the other form (σ(40) − 1 = 0.0) loses
    zv = Value(z, "z")
    (dz,) = grad(P.binary_cross_entropy_with_logits(zv, y), [zv], create_graph=True)
    with mpmath.workprec(200):
        exact = 1 / (1 + mpmath.exp(-z)) - y
    assert type(dz) is Value
    assert abs(dz.data - float(exact)) <= 1e-12 * abs(float(exact))


@pytest.mark.parametrize("z", [-2.0, 0.5, 3.0])
def test_the_bce_second_derivatives_are_the_closed_forms(z):
    # guards _bce_vjp's float fast path (taken only when neither z nor y is a Value): with
    # z a Value the derivative must stay a graph, ∂²/∂z² = σ(z)(1 − σ(z)), ∂²/∂z∂y = −1
    for y in (0.3, Value(0.3, "y")):
        zv = Value(z, "z")
        (dz,) = grad(P.binary_cross_entropy_with_logits(zv, y), [zv], create_graph=True)
        s = 1 / (1 + mpmath.exp(-z))
        assert dz.data == pytest.approx(float(s - 0.3), rel=1e-12)
        assert grad(dz, [zv])[0] == pytest.approx(float(s * (1 - s)), rel=1e-12)
        if type(y) is Value:
            assert grad(dz, [y])[0] == -1.0


@pytest.mark.parametrize("z, y", [(1e-10, 0.5), (-3e-9, 0.5), (0.25, 0.5621765008857981)])
def test_the_bce_gradient_is_sigma_minus_y_without_cancellation(z, y):
    # guards _bce_vjp's float path (sigmoid_minus in double-double): the Value forms,
    # (1 − y) − σ(−z), lose all but a few digits where σ(z) is close to y
    zv = Value(z, "z")
    (dz,) = grad(P.binary_cross_entropy_with_logits(zv, y), [zv])
    with mpmath.workprec(200):
        exact = 1 / (1 + mpmath.exp(-mpmath.mpf(z))) - mpmath.mpf(y)
        assert _ulps(dz, exact) <= 1.0


@pytest.mark.parametrize("y", [3e-17, 0.1, 0.7])
def test_the_bce_derivative_graph_at_zero_is_one_half_minus_y_rounded_once(y):
    # guards _bce_vjp's branch point: at z = 0, (1 − y) − σ(−z) rounds twice (0.5 for y =
    # 3e-17, whose nearest double is 0.49999999999999994)
    zv = Value(0.0, "z")
    (dz,) = grad(P.binary_cross_entropy_with_logits(zv, y), [zv], create_graph=True)
    assert dz.data == float(mpmath.mpf(0.5) - mpmath.mpf(y))


def test_the_bce_derivative_graph_near_a_matching_soft_target_for_small_z():
    # guards _bce_vjp's branch point 0 (not 1): for 0 < z < 1 and y ≈ σ(z), (1 − y) − σ(−z)
    # has only σ(−z)'s rounding (1 − y and the difference are exact, Sterbenz); σ(z) − y
    # has σ(z)'s, twice as large in absolute terms
    rng = random.Random(5)
    for _ in range(200):
        z = rng.uniform(1e-3, 1.0)
        y = F.sigmoid(z) + rng.choice([0, 1, -1, 2]) * 1.1e-16 * rng.random()
        zv = Value(z, "z")
        (dz,) = grad(P.binary_cross_entropy_with_logits(zv, y), [zv], create_graph=True)
        with mpmath.workprec(200):
            exact = 1 / (1 + mpmath.exp(-mpmath.mpf(z))) - mpmath.mpf(y)
            error = abs(mpmath.mpf(dz.data) - exact)
        assert error <= 1.5 * math.ulp(F.sigmoid(-z)), (z, y)


# --- atan2 at the origin: its derivative graph -------------------------------------------------


@pytest.mark.parametrize("y0, x0", [(0.0, 0.0), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0)])
def test_atan2_second_derivatives_at_the_origin_are_the_rule_s_constant_zero(y0, x0):
    # guards _atan2_vjp's origin case, g·x·0 and g·(−y)·0: PyTorch's first derivatives there
    # are 0 (its second are nan); the rule returns constant zeros, so its graph's slopes are 0
    # (with g·x·1 they would be g)
    y, x = Value(y0, "y"), Value(x0, "x")
    for first in grad(P.atan2(y, x), [y, x], create_graph=True):
        assert first.data == 0.0
        assert all(d == 0.0 for d in grad(first, [y, x]))


# --- relu's array form: the sign of zero --------------------------------------------------------


def test_relu_s_array_form_keeps_minus_zero_as_pytorch_and_the_float_form():
    # guards the array form's comparison (x <= 0 gave +0.0 at −0.0; PyTorch gives −0.0)
    np = pytest.importorskip("numpy")
    torch = pytest.importorskip("torch")
    forward, _ = P.relu.array_form(np)
    xs = [-0.0, 0.0, -1.0, 2.0, math.nan]
    got = forward(np.array(xs))
    expected = torch.relu(torch.tensor(xs, dtype=torch.float64)).tolist()
    for x, a, b in zip(xs, got.tolist(), expected):
        assert a == b or (math.isnan(a) and math.isnan(b)), x
        assert math.copysign(1.0, a) == math.copysign(1.0, b), x
        assert math.copysign(1.0, a) == math.copysign(1.0, F.relu(x)), x


def test_leaky_relu_s_array_vjp_is_the_closed_form_with_signs_of_zeros():
    # guards the array vjp's comparisons x > 0: ∂/∂x = g·slope and ∂/∂slope = g·x for x ≤ 0,
    # so at x = −0.0 the slope's gradient is −0.0 (g > 0), at x = 0 the input's is g·slope
    np = pytest.importorskip("numpy")
    _, vjp = P.leaky_relu.array_form(np)
    xs = [-0.0, 0.0, -1.5, 0.5, 2.0]
    for slope in (0.1, -0.5):
        x = np.array(xs)
        dx, dslope = vjp(np.full(5, 2.0), None, x, np.full(5, slope))
        for i, xv in enumerate(xs):
            expected = (2.0, 0.0) if xv > 0 else (2.0 * slope, 2.0 * xv)
            for got, want in zip((dx[i], dslope[i]), expected):
                assert got == want and math.copysign(1.0, got) == math.copysign(1.0, want)


# --- backward.gradients with a seed that is a Value, or not a float ----------------------------


def test_a_value_seed_stays_in_the_derivative_graph():
    # guards _walk's seed under create_graph (kept as the Value it is, not float(seed)):
    # gradients(y, s) is ∂y/∂x · s, a function of s too
    x, s = Value(1.5, "x"), Value(2.0, "s")
    g = gradients(x * x, s, create_graph=True)[x]
    assert g.data == 6.0
    assert grad(g, [s, x]) == (3.0, 4.0)


def test_a_fraction_seed_gives_float_gradients():
    # guards _walk's float(seed) in the first-order walk: a Fraction seed gives floats
    x = Value(1.5, "x")
    for root in (x, x * x):
        g = gradients(root, Fraction(1, 3))[x]
        assert type(g) is float
        assert g == (1 / 3 if root is x else 2 * 1.5 * (1 / 3))


# --- value.py: constants -----------------------------------------------------------------------


def test_a_constant_is_a_leaf_whose_grad_stays_zero():
    # guards constant(): a plain number in an operation is a leaf with .grad 0.0 (no gradient
    # reaches it; viz draws it), before and after backward, cached or not (0.0 never is)
    x = Value(2.0, "x")
    product = x * 3.0
    y = product + 0.0
    y.backward()
    constants = [product.inputs[1], y.inputs[1]]
    for c in constants:
        assert not c.requires_grad and c.inputs == ()
        assert type(c.grad) is float and c.grad == 0.0
    assert x.grad == 3.0


@pytest.mark.parametrize("name", ["2 + x", "2 * x", "x + 2", "x * 2"])
def test_inline_add_and_mul_obey_no_grad_and_detect_anomaly(name):
    # guards the `if _active[0]` of the inline +, * and their reflected forms (2 + x, 2 * x):
    # under a mode they must go through record, which applies it
    op = {
        "2 + x": lambda x: 2.0 + x,
        "2 * x": lambda x: 2.0 * x,
        "x + 2": lambda x: x + 2.0,
        "x * 2": lambda x: x * 2.0,
    }[name]
    x = Value(1.5, "x")
    assert op(x).requires_grad
    with no_grad():
        y = op(x)
    assert not y.requires_grad and y.inputs == () and y.primitive is None
    with detect_anomaly(), pytest.raises(FloatingPointError, match="detect_anomaly"):
        op(Value(math.inf, "big"))


def test_a_fraction_on_either_side_of_plus_and_times_is_a_number():
    # guards the type test of the inline + and * and their reflected forms (not a float, int
    # or bool, and not Real: refused): x + Fraction(1, 2), Fraction(1, 2) * x... are nodes
    x = Value(1.5, "x")
    half = Fraction(1, 2)
    for total, product in [(half + x, half * x), (x + half, x * half)]:
        assert (total.data, product.data) == (2.0, 0.75)
        assert grad(total + product, [x]) == (1.5,)
    assert (x - half).data == 1.0 and grad(x - half, [x]) == (1.0,)
    with pytest.raises(TypeError):
        "a" + x  # noqa: B018
    with pytest.raises(TypeError):
        "a" * x  # noqa: B018
    with pytest.raises(TypeError):
        x + "a"  # noqa: B018
    with pytest.raises(TypeError):
        x * "a"  # noqa: B018
    with pytest.raises(TypeError):
        x - "a"  # noqa: B018


def test_comparisons_look_at_data_ties_included():
    # guards Value's <, <=, >, >= (each against its or-equal twin) at a tie, against a number
    # and a Value, and at nan (every comparison false)
    for a, b in [(1.0, 1.0), (1.0, 2.0), (2.0, 1.0), (math.nan, 1.0)]:
        x = Value(a, "x")
        for other in (b, Value(b, "y")):
            assert (x < other, x <= other, x > other, x >= other) == (a < b, a <= b, a > b, a >= b)
