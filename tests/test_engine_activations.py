"""The activations gelu (exact and tanh), silu, elu, selu, softsign, logsigmoid, hardtanh
against torch.nn.functional in float64.

Values and derivatives to the third order at ordinary points (with central differences), and
values and gradients at the kinks, ±0, ±inf, nan and far out (signs of zeros included). Where
our formula is the more accurate one (gelu for x < 0), it is checked against mpmath. Breaking
any rule fails a test.
"""

from __future__ import annotations

import math

import pytest
from op_checks import INF, NAN, NEW_PRIMITIVES, Case, check_case, check_mutations, torch
from test_engine_ops_math import MATH_PRIMITIVES
from test_engine_ops_piecewise import PIECEWISE_PRIMITIVES

import autograd
from autograd import Value, elu, gelu, grad, hardtanh, logsigmoid, selu, silu, softsign
from autograd import primitives as P

mpmath = pytest.importorskip("mpmath")
tF = torch.nn.functional

POINTS = [(0.5,), (-1.3,), (2.7,), (-4.0,)]
EDGES = [(0.0,), (-0.0,), (INF,), (-INF,), (NAN,), (40.0,), (-40.0,), (1000.0,), (-1000.0,)]


def _elu_alpha(x, alpha):  # PyTorch's elu takes no tensor alpha: written out for ∂/∂alpha
    return torch.where(x > 0, x, alpha * torch.expm1(x))


ACTIVATIONS = [
    ("gelu(x)", gelu, tF.gelu),
    (
        "gelu(x, approximate='tanh')",
        lambda x: gelu(x, "tanh"),
        lambda x: tF.gelu(x, approximate="tanh"),
    ),
    ("silu(x)", silu, tF.silu),
    ("elu(x)", elu, tF.elu),
    ("elu(x, 0.5)", lambda x: elu(x, 0.5), lambda x: tF.elu(x, 0.5)),
    ("selu(x)", selu, tF.selu),
    ("softsign(x)", softsign, tF.softsign),
    ("logsigmoid(x)", logsigmoid, tF.logsigmoid),
    ("hardtanh(x)", hardtanh, tF.hardtanh),
    ("hardtanh(x, -2, 0.5)", lambda x: hardtanh(x, -2, 0.5), lambda x: tF.hardtanh(x, -2.0, 0.5)),
]
KINKS = {"hardtanh(x)": [(1.0,), (-1.0,)], "hardtanh(x, -2, 0.5)": [(-2.0,), (0.5,)]}
# Far out, PyTorch's gelu cancels (1 + erf(x/√2) for x ≪ 0): ours, accurate, is checked
# against mpmath below; here only where the two agree.
AGREE = {"gelu(x)": [(0.0,), (-0.0,), (INF,), (-INF,), (NAN,), (40.0,), (1000.0,)]}

CASES: list[Case] = []
for _name, _ours, _theirs in ACTIVATIONS:
    smooth = not _name.startswith("hardtanh")
    CASES.append(Case(_name, _ours, _theirs, POINTS, smooth=smooth))
    CASES.append(Case(f"{_name} at its edges", _ours, _theirs, AGREE.get(_name, EDGES), 1, False))
    CASES.append(
        Case(f"{_name} at its kinks", _ours, _theirs, KINKS.get(_name, [(0.0,)]), 3, False)
    )
CASES += [
    Case("elu(x, alpha)", elu, _elu_alpha, [(0.5, 1.5), (-1.3, 0.7)]),
    # torch.where's second derivative at the kink is the left one, elu's 0: first order only
    Case("elu(x, alpha) at 0", elu, _elu_alpha, [(0.0, 2.0), (-0.0, 2.0)], 1, False),
    Case("gelu(x) * x", lambda x: gelu(x) * x, lambda x: tF.gelu(x) * x, [(1.5,)]),
]

ACTIVATION_PRIMITIVES = [
    P.gelu,
    P.gelu_tanh,
    P.silu,
    P.elu,
    P.selu,
    P.softsign,
    P.logsigmoid,
    P.hardtanh,
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case):
    check_case(case)


@pytest.mark.parametrize("primitive", ACTIVATION_PRIMITIVES, ids=lambda p: p.name)
def test_breaking_the_rule_is_detected(primitive, monkeypatch):
    positions = [0, 1, None] if primitive.name == "elu" else [0]
    check_mutations(primitive, CASES, positions, monkeypatch)


def test_every_new_primitive_is_checked_in_one_of_the_three_modules():
    checked = MATH_PRIMITIVES + PIECEWISE_PRIMITIVES + ACTIVATION_PRIMITIVES
    assert sorted(p.name for p in checked) == sorted(NEW_PRIMITIVES)
    assert all(getattr(P, p.name if p.name != "round" else "round_") is p for p in checked)


mp = mpmath.mp
mp.dps = 50


def _mp_gelu(x):
    return x * mpmath.ncdf(x)


@pytest.mark.parametrize("x", [-1.0, -3.0, -8.0, -10.0, -20.0, -37.5, 0.5, 3.0])
def test_gelu_is_accurate_where_1_plus_erf_cancels(x):
    v = Value(x)
    out = gelu(v)
    (g,) = grad(out, [v])
    exact = _mp_gelu(mpmath.mpf(x))
    slope = mpmath.diff(_mp_gelu, mpmath.mpf(x))
    # erfc(-x/√2) amplifies the rounding of -x/√2 by about x²: a few hundred ulp at x = -20,
    # where PyTorch's 1 + erf(x/√2) is 0 (an infinite relative error).
    assert math.isclose(out.data, float(exact), rel_tol=1e-13 * max(1.0, x * x))
    assert math.isclose(g, float(slope), rel_tol=1e-13 * max(1.0, x * x))


def test_logsigmoid_is_exact_far_out():
    assert logsigmoid(-800.0) == -800.0
    assert logsigmoid(40.0) == -math.exp(-40.0) * (1 - math.exp(-40.0) / 2)
    assert logsigmoid(800.0) == -0.0 or logsigmoid(800.0) == 0.0
    # its slope σ(-x), not 1 - σ(x), which is 0 from x = 37 on
    x = Value(40.0)
    (slope,) = grad(logsigmoid(x), [x])
    assert math.isclose(slope, math.exp(-40.0) / (1 + math.exp(-40.0)), rel_tol=1e-15)


def test_bad_options_are_named():
    x = Value(0.5)
    with pytest.raises(ValueError, match=r"gelu\(approximate\): must be 'none' or 'tanh'"):
        gelu(x, "erf")
    with pytest.raises(ValueError, match=r"hardtanh: min_val=2.0 is greater than max_val=1.0"):
        hardtanh(x, 2, 1)
    with pytest.raises(TypeError, match=r"hardtanh\(max_val\): must be a number, got Value"):
        hardtanh(x, -1, Value(1.0))
    with pytest.raises(TypeError, match=r"elu\(alpha\): must be a number, got str"):
        elu(x, "1")


def test_floats_in_floats_out():
    for f in (gelu, silu, elu, selu, softsign, logsigmoid, hardtanh, autograd.gelu):
        assert type(f(0.5)) is float
