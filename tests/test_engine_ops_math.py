"""The rest of math's real functions (tan … erfc, atan2, hypot) against PyTorch float64.

Values and first, second and third derivatives at ordinary points (with central differences);
values and gradients, signs of zeros included, at the edges: ±0, ±inf, nan, the ends of each
domain, overflow. Where PyTorch's own gradient formula loses the answer (it underflows or
cancels) the rule is checked against the closed form instead. Breaking any rule fails a test.
"""

from __future__ import annotations

import math

import pytest
from op_checks import INF, NAN, Case, check_case, check_mutations, torch

import autograd
from autograd import Value, grad
from autograd import primitives as P

mpmath = pytest.importorskip("mpmath")


def _torch_cbrt(x):  # PyTorch has no cbrt: the real cube root written out
    return torch.sign(x) * x.abs().pow(1.0 / 3.0)


# name -> (torch function, ordinary points, edge points)
UNARY = {
    "tan": (torch.tan, [0.5, -1.2, 3.0], [0.0, -0.0, INF, -INF, NAN, math.pi / 2]),
    "sinh": (torch.sinh, [0.5, -1.2, 3.0], [0.0, -0.0, INF, -INF, NAN, 800.0, -800.0]),
    "cosh": (torch.cosh, [0.5, -1.2, 3.0], [0.0, -0.0, INF, -INF, NAN, 800.0, -800.0]),
    "asin": (torch.asin, [0.5, -0.3, 0.9], [0.0, -0.0, 1.0, -1.0, 1.5, -2.0, INF, -INF, NAN]),
    "acos": (torch.acos, [0.5, -0.3, 0.9], [0.0, -0.0, 1.0, -1.0, 1.5, -2.0, INF, -INF, NAN]),
    "atan": (torch.atan, [0.5, -1.2, 30.0], [0.0, -0.0, INF, -INF, NAN, 1e200]),
    "asinh": (torch.asinh, [0.5, -1.2, 30.0], [0.0, -0.0, INF, -INF, NAN]),
    "acosh": (torch.acosh, [1.5, 2.0, 30.0], [1.0, 0.5, -0.5, INF, -INF, NAN]),
    "atanh": (torch.atanh, [0.5, -0.3, 0.9], [0.0, -0.0, 1.0, -1.0, 1.5, -2.0, INF, -INF, NAN]),
    "log1p": (torch.log1p, [0.5, -0.3, 30.0], [0.0, -0.0, -1.0, -2.0, INF, -INF, NAN, 1e-20]),
    "expm1": (torch.expm1, [0.5, -1.2, 3.0], [0.0, -0.0, INF, -INF, NAN, 1000.0, -30.0]),
    "log2": (torch.log2, [0.5, 3.0, 30.0], [0.0, -0.0, -2.0, INF, -INF, NAN, 1.0]),
    "log10": (torch.log10, [0.5, 3.0, 30.0], [0.0, -0.0, -2.0, INF, -INF, NAN, 1.0]),
    "exp2": (torch.exp2, [0.5, -1.2, 3.0], [0.0, -0.0, INF, -INF, NAN, 2000.0, -2000.0]),
    "cbrt": (_torch_cbrt, [0.5, -1.2, 27.0], []),  # edges: closed forms, below
    "erf": (torch.erf, [0.5, -1.2, 2.0], [0.0, -0.0, INF, -INF, NAN, 7.0, -30.0]),
    "erfc": (torch.erfc, [0.5, -1.2, 2.0], [0.0, -0.0, INF, -INF, NAN, 7.0, -30.0]),
}


def _method(name):
    return lambda x: getattr(x, name)()


CASES: list[Case] = []
for _name, (_theirs, _points, _edges) in UNARY.items():
    _ours = getattr(autograd, _name) if _name == "cbrt" else _method(_name)
    CASES.append(Case(f"x.{_name}()", _ours, _theirs, [(p,) for p in _points]))
    CASES.append(Case(f"autograd.{_name}(x)", getattr(autograd, _name), _theirs, [(_points[0],)]))
    if _edges:
        CASES.append(
            Case(f"{_name} at its edges", _ours, _theirs, [(p,) for p in _edges], 1, False)
        )

PAIRS = [(1.0, 2.0), (-0.5, -1.5), (2.0, -0.3), (-3.0, 0.25)]
CASES += [
    Case("y.atan2(x)", lambda y, x: y.atan2(x), torch.atan2, PAIRS),
    Case(
        "atan2(y, 2.0)",
        lambda y: autograd.atan2(y, 2.0),
        lambda y: torch.atan2(y, y * 0 + 2),
        [(0.7,)],
    ),
    Case("x.hypot(y)", lambda x, y: x.hypot(y), torch.hypot, PAIRS),
    Case(
        "hypot(x, 3.0)",
        lambda x: autograd.hypot(x, 3.0),
        lambda x: torch.hypot(x, x * 0 + 3),
        [(-0.7,)],
    ),
    Case(
        "atan2 at its edges",
        lambda y, x: y.atan2(x),
        torch.atan2,
        [
            (0.0, 0.0),
            (1.0, 0.0),
            (0.0, -1.0),
            (-0.0, -1.0),
            (INF, INF),
            (INF, 1.0),
            (NAN, 1.0),
            (1.0, -INF),
        ],
        order=1,
        smooth=False,
    ),
    Case(
        "hypot at its edges",
        lambda x, y: x.hypot(y),
        torch.hypot,
        [(0.0, 0.0), (INF, 1.0), (INF, NAN), (NAN, 1.0), (-0.0, 2.0), (1e200, 1e200)],
        order=1,
        smooth=False,
    ),
    Case(
        "tan(x) * sinh(y), mixed",
        lambda x, y: x.tan() * y.sinh(),
        lambda x, y: x.tan() * y.sinh(),
        PAIRS[:2],
    ),
]

MATH_PRIMITIVES = [getattr(P, n) for n in (*UNARY, "atan2", "hypot")]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("primitive", MATH_PRIMITIVES, ids=lambda p: p.name)
def test_breaking_the_rule_is_detected(primitive, monkeypatch):
    positions = [0, 1, None] if primitive.name in ("atan2", "hypot") else [0]
    check_mutations(primitive, CASES + CLOSED_FORM_CASES, positions, monkeypatch)


# --- where PyTorch's formula loses the answer: the closed form, by mpmath -------------------------

mp = mpmath.mp
mp.dps = 50


def _d(f, x):
    """f'(x) by mpmath, to 50 digits, rounded to a float."""
    return float(mpmath.diff(f, mpmath.mpf(x)))


CLOSED_FORM = [
    # (name, ours, point, expected value, expected gradient)
    ("asinh at 1e200", lambda x: x.asinh(), (1e200,), float(mpmath.asinh(1e200)), 1e-200),
    ("acosh at 1e200", lambda x: x.acosh(), (1e200,), float(mpmath.acosh(1e200)), 1e-200),
    ("acosh at 1 + 2⁻⁵²", lambda x: x.acosh(), (1 + 2**-52,), None, None),
    ("expm1 at -40", lambda x: x.expm1(), (-40.0,), float(mpmath.expm1(-40)), math.exp(-40)),
    ("atanh at 1 - 2⁻⁵³", lambda x: x.atanh(), (1 - 2**-53,), None, None),
    ("asin at 1 - 2⁻⁵³", lambda x: x.asin(), (1 - 2**-53,), None, None),
    ("cbrt at 0", autograd.cbrt, (0.0,), 0.0, INF),
    ("cbrt at -0.0", autograd.cbrt, (-0.0,), -0.0, INF),
    ("cbrt at -8", autograd.cbrt, (-8.0,), -2.0, 1 / 12),
    ("cbrt at inf", autograd.cbrt, (INF,), INF, 0.0),
    ("cbrt at -inf", autograd.cbrt, (-INF,), -INF, 0.0),
    ("cbrt at nan", autograd.cbrt, (NAN,), NAN, NAN),
    ("cbrt at 1e-300", autograd.cbrt, (1e-300,), 1e-100, 1 / 3 * 1e200),
]
_EXACT = {"acosh": mpmath.acosh, "atanh": mpmath.atanh, "asin": mpmath.asin}


@pytest.mark.parametrize(
    "name, ours, point, value, slope", CLOSED_FORM, ids=[c[0] for c in CLOSED_FORM]
)
def test_closed_form_where_torch_loses_it(name, ours, point, value, slope):
    x = Value(point[0])
    out = ours(x)
    (g,) = grad(out, [x])
    if value is None:  # near a pole: the exact derivative, by mpmath
        f = _EXACT[name.split()[0]]
        value, slope = float(f(mpmath.mpf(point[0]))), _d(f, point[0])
    for got, want, what in ((out.data, value, "value"), (g, slope, "gradient")):
        if math.isnan(want):
            assert math.isnan(got), f"{name}: {what} {got!r}, expected nan"
        else:
            assert got == want or math.isclose(got, want, rel_tol=1e-13), (
                f"{name}: {what} {got!r}, expected {want!r}"
            )
            assert math.copysign(1, got) == math.copysign(1, want), f"{name}: {what} sign"


CLOSED_FORM_CASES = [
    # the rules above through three derivatives where PyTorch loses them: checked by mutation
    Case("cbrt at -8", autograd.cbrt, lambda x: -((-x) ** (1 / 3)), [(-8.0,)]),
]


def test_atan2_gradient_does_not_underflow():
    # ∂atan2(y, x)/∂y = x/(x² + y²): x² + y² underflows to 0 at 1e-200, where PyTorch gives 0.
    y, x = Value(1e-200), Value(2e-200)
    gy, gx = grad(y.atan2(x), [y, x])
    exact_y, exact_x = (mpmath.mpf(v) for v in (1e-200, 2e-200))
    assert math.isclose(gy, float(exact_x / (exact_x**2 + exact_y**2)), rel_tol=1e-14)
    assert math.isclose(gx, float(-exact_y / (exact_x**2 + exact_y**2)), rel_tol=1e-14)


def test_floats_in_floats_out_and_math_never_raises():
    for name in UNARY:
        f = getattr(autograd, name)
        for x in (0.5, -2.0, 0.0, INF, -INF, NAN, 1e308, -1e308):
            assert type(f(x)) is float, name
    assert autograd.atan2(1.0, 0.0) == math.pi / 2
    assert autograd.hypot(3, 4) == 5.0
