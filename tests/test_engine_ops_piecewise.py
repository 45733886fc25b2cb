"""PyTorch's piecewise functions against PyTorch float64: rounding, sign, remainder and fmod,
maximum/minimum, clamp, amax/amin.

Values and derivatives to the third order at ordinary points (with central differences where
the function is smooth), and at every edge: jumps, ties, the bounds, ±0, ±inf, nan, signs of
zeros included. Breaking any rule fails a test.
"""

from __future__ import annotations

import math

import pytest
from op_checks import INF, NAN, Case, check_case, check_mutations, torch

import autograd
from autograd import Value, amax, amin, clamp, grad, maximum, minimum
from autograd import primitives as P

ROUNDING = {
    "floor": torch.floor,
    "ceil": torch.ceil,
    "trunc": torch.trunc,
    "round": torch.round,
    "sign": torch.sign,
}
ROUNDING_POINTS = [0.3, -0.3, 0.5, -0.5, 1.5, 2.5, -2.5, 0.0, -0.0, 3.0, 1e300, INF, -INF, NAN]

CASES: list[Case] = []
for _name, _theirs in ROUNDING.items():
    CASES.append(
        Case(
            f"x.{_name}()",
            lambda x, n=_name: getattr(x, n)(),
            _theirs,
            [(p,) for p in ROUNDING_POINTS],
            smooth=False,
        )
    )
CASES += [
    Case("x.floor() * x", lambda x: x.floor() * x, lambda x: x.floor() * x, [(2.5,), (-1.5,)]),
    Case("math.floor(x)", math.floor, torch.floor, [(-1.5,)], smooth=False),
    Case("math.ceil(x)", math.ceil, torch.ceil, [(-1.5,)], smooth=False),
    Case("math.trunc(x)", math.trunc, torch.trunc, [(-1.5,)], smooth=False),
    Case("round(x)", round, torch.round, [(-1.5,), (0.5,)], smooth=False),
    Case(
        "round(x, 2)",
        lambda x: round(x, 2),
        lambda x: torch.round(x, decimals=2),
        [(1.2345,), (-0.125,)],
        smooth=False,
    ),
    Case(
        "x.round(-1)",
        lambda x: x.round(-1),
        lambda x: torch.round(x, decimals=-1),
        [(1234.5,), (-15.0,)],
        smooth=False,
    ),
    Case("autograd.round_(x)", autograd.round_, torch.round, [(2.5,)], smooth=False),
    Case("autograd.sign(x)", autograd.sign, torch.sign, [(-2.0,)], smooth=False),
]

MOD_POINTS = [(5.3, 3.0), (-5.3, 3.0), (5.3, -3.0), (-5.3, -3.0), (0.7, 0.25)]
MOD_EDGES = [
    (6.0, 3.0),
    (-6.0, 3.0),
    (6.0, -3.0),
    (-0.0, 3.0),
    (0.0, -3.0),
    (-7.5, 2.5),
    (5.0, 0.0),
    (0.0, 0.0),
    (INF, 3.0),
    (5.0, INF),
    (-5.0, INF),
    (5.0, -INF),
    (NAN, 1.0),
    (1.0, NAN),
    (1e300, 1e-300),
]
CASES += [
    Case("a % b", lambda a, b: a % b, torch.remainder, MOD_POINTS),
    Case("a.remainder(b)", lambda a, b: a.remainder(b), torch.remainder, MOD_POINTS[:2]),
    Case("a.fmod(b)", lambda a, b: a.fmod(b), torch.fmod, MOD_POINTS),
    Case("a % b at its edges", lambda a, b: a % b, torch.remainder, MOD_EDGES, 1, False),
    Case("a.fmod(b) at its edges", lambda a, b: a.fmod(b), torch.fmod, MOD_EDGES, 1, False),
    Case("a % 0.75", lambda a: a % 0.75, lambda a: torch.remainder(a, 0.75), [(-2.0,), (2.0,)]),
    Case("7 % b", lambda b: 7 % b, lambda b: torch.remainder(b * 0 + 7, b), [(-2.5,), (2.5,)]),
    Case("fmod(a, -2)", lambda a: autograd.fmod(a, -2.0), lambda a: torch.fmod(a, -2.0), [(-5.5,)]),
    Case(
        "fmod(-7, b)",
        lambda b: autograd.fmod(-7.0, b),
        lambda b: torch.fmod(b * 0 - 7, b),
        [(2.5,)],
    ),
]

MAX_POINTS = [(1.0, 2.0), (3.0, -1.0), (-0.5, -0.25)]
TIES = [(1.0, 1.0), (-0.0, 0.0), (0.0, -0.0), (INF, INF), (-INF, -INF)]
NANS = [(NAN, 1.0), (1.0, NAN), (NAN, NAN), (INF, 1.0), (-INF, 1.0)]
CASES += [
    Case("maximum(a, b)", maximum, torch.maximum, MAX_POINTS),
    Case("a.maximum(b)", lambda a, b: a.maximum(b), torch.maximum, MAX_POINTS[:1]),
    Case("minimum(a, b)", minimum, torch.minimum, MAX_POINTS),
    Case("a.minimum(b)", lambda a, b: a.minimum(b), torch.minimum, MAX_POINTS[:1]),
    Case("maximum at ties", maximum, torch.maximum, TIES, smooth=False),
    Case("minimum at ties", minimum, torch.minimum, TIES, smooth=False),
    Case("maximum with nan and inf", maximum, torch.maximum, NANS, 1, False),
    Case("minimum with nan and inf", minimum, torch.minimum, NANS, 1, False),
    Case(
        "maximum(a, a·a)",
        lambda a: maximum(a, a * a),
        lambda a: torch.maximum(a, a * a),
        [(1.0,), (2.0,)],
        smooth=False,
    ),
    Case(
        "maximum(a, 0.5)",
        lambda a: maximum(a, 0.5),
        lambda a: torch.clamp(a, min=0.5),
        [(1.0,), (0.2,)],
    ),
]

CLAMP_POINTS = [(-2.0,), (0.5,), (3.0,)]
CLAMP_EDGES = [(0.0,), (1.0,), (-0.0,), (NAN,), (INF,), (-INF,)]
CLAMP3 = [
    (0.5, 0.0, 1.0),
    (-1.0, 0.0, 1.0),
    (2.0, 0.0, 1.0),
    (0.0, 0.0, 1.0),
    (1.0, 0.0, 1.0),
    (0.5, 1.0, 0.0),
    (2.0, 1.0, 0.0),
    (-1.0, 1.0, 0.0),
    (1.0, 1.0, 1.0),
    (-0.0, 0.0, 1.0),
    (0.0, -0.0, 1.0),
    (NAN, 0.0, 1.0),
    (0.5, NAN, 1.0),
    (0.5, 0.0, NAN),
    (2.0, NAN, 1.0),
    (NAN, 1.0, 0.0),
]
CASES += [
    Case(
        "x.clamp(0, 1)",
        lambda x: x.clamp(0, 1),
        lambda x: torch.clamp(x, 0.0, 1.0),
        CLAMP_POINTS + CLAMP_EDGES,
        smooth=False,
    ),
    Case(
        "x.clamp(min=0)",
        lambda x: x.clamp(min=0),
        lambda x: torch.clamp(x, min=0.0),
        CLAMP_POINTS + CLAMP_EDGES,
        smooth=False,
    ),
    Case(
        "clamp(x, max=1)",
        lambda x: clamp(x, max=1),
        lambda x: torch.clamp(x, max=1.0),
        CLAMP_POINTS + CLAMP_EDGES,
        smooth=False,
    ),
    Case("clamp(x, lo, hi)", clamp, torch.clamp, CLAMP3, smooth=False),
    Case(
        "clamp(x*x, lo, hi)",
        lambda x, lo, hi: clamp(x * x, lo, hi),
        lambda x, lo, hi: torch.clamp(x * x, lo, hi),
        [(0.5, 0.0, 1.0), (3.0, 0.0, 1.0)],
    ),
]


def _stacked(f):
    return lambda *xs: f(torch.stack(xs))


EXTREMES = [
    (1.0, 3.0, 2.0),
    (1.0, 3.0, 3.0),
    (2.0, 2.0, 2.0),
    (-1.0, NAN, 3.0),
    (-INF, -INF, -INF),
    (INF, 1.0, INF),
    (-0.0, 0.0, -1.0),
    (0.0, -0.0, -1.0),
    (1.0, -0.0, 0.0),
]
CASES += [
    Case("amax([a, b, c])", lambda *xs: amax(xs), _stacked(torch.amax), EXTREMES, smooth=False),
    Case("amin([a, b, c])", lambda *xs: amin(xs), _stacked(torch.amin), EXTREMES, smooth=False),
    Case("amax([a, b, c])", lambda *xs: amax(xs), _stacked(torch.amax), [(1.0, 3.0, 2.0)]),
    Case("amin([a, b, c])", lambda *xs: amin(xs), _stacked(torch.amin), [(1.0, 3.0, 2.0)]),
    Case(
        "amax([a·a, b, a, 2])",
        lambda a, b: amax([a * a, b, a, 2.0]),
        lambda a, b: torch.amax(torch.stack([a * a, b, a, a * 0 + 2])),
        [(3.0, 1.0), (1.0, 1.0), (-1.0, 5.0)],
        smooth=False,
    ),
]

PIECEWISE_PRIMITIVES = [
    P.floor,
    P.ceil,
    P.trunc,
    P.round_,
    P.sign,
    P.remainder,
    P.fmod,
    P.maximum,
    P.minimum,
    P.amax,
    P.amin,
    P.clamp,
]
POSITIONS = {
    "remainder": [0, 1, None],
    "fmod": [0, 1, None],
    "maximum": [0, 1, None],
    "minimum": [0, 1, None],
    "amax": [0, -1, None],
    "amin": [0, -1, None],
    "clamp": [0, 1, 2, None],
}


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("primitive", PIECEWISE_PRIMITIVES, ids=lambda p: p.name)
def test_breaking_the_rule_is_detected(primitive, monkeypatch):
    check_mutations(primitive, CASES, POSITIONS.get(primitive.name, [0]), monkeypatch)


def test_python_max_and_min_are_not_needed_any_more():
    # Python's builtins pick an operand and build no node; clamp and amax do.
    x = Value(-1.0)
    y = clamp(x, 0.0, 1.0)
    assert y.data == 0.0 and y.op == "clamp"
    z = amax([x, 0.5, x * 2])
    assert z.data == 0.5 and z.op == "amax"
    assert grad(z, [x]) == (0.0,)


def test_errors_name_the_function_and_argument():
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"clamp: at least one of min and max"):
        clamp(x)
    with pytest.raises(ValueError, match=r"amax\(values\): needs at least one value"):
        amax([])
    with pytest.raises(TypeError, match=r"amin\(values\): expected a list .* got Value"):
        amin(x)
    with pytest.raises(TypeError, match=r"round_\(decimals\): must be an int, got float"):
        round(x, 1.5)
    with pytest.raises(TypeError, match=r"unsupported operand"):
        x % "a"


def test_floats_in_floats_out():
    assert autograd.remainder(-7.5, 2.0) == 0.5 and autograd.fmod(-7.5, 2.0) == -1.5
    assert math.isnan(autograd.remainder(1.0, 0.0))
    assert clamp(5, max=1) == 1.0 and amax([1, 4, 2]) == 4.0 and amin([3.0, -1]) == -1.0
    for f in (autograd.floor, autograd.ceil, autograd.trunc, autograd.round_, autograd.sign):
        assert type(f(2.5)) is float and f(INF) in (INF, 1.0)


def test_clamp_with_value_bounds_sends_the_gradient_where_pytorch_does():
    # Every order of x, low and high, ties and nan included; at x < low = high PyTorch gives no
    # input the gradient (a mutation survivor: low gets it if ``low < high`` becomes ``<=``).
    grid = [0.0, 1.0, 2.0, NAN]
    for point in [(x, lo, hi) for x in grid for lo in grid for hi in grid]:
        ts = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
        theirs = torch.autograd.grad(torch.clamp(*ts), ts)
        xs = [Value(v) for v in point]
        ours = grad(clamp(*xs), xs)
        for a, b in zip(ours, theirs):
            assert a == b.item() or (math.isnan(a) and math.isnan(b.item())), point
