"""Every primitive's array form (``array_form`` in the table) against its float forms, forward
and vjp, on a grid of hard inputs (±0, ±inf, nan, huge, tiny, the edges of the domains): the
same numbers to 1e-12, the same nan. The float forms are the engine's (checked against mpmath
and PyTorch in tests/test_accuracy.py and tests/test_engine_ops_math.py)."""

from __future__ import annotations

import itertools
import math

import pytest

from autograd import primitives as P
from autograd.value import Primitive

np = pytest.importorskip("numpy")

inf, nan = math.inf, math.nan
GRID = [-inf, -1e300, -40.0, -2.0, -1.5, -1.0, -0.5, -0.0, 0.0, 1e-300, 0.5, 0.999, 1.0, 1.5]
GRID += [2.0, 40.0, 700.0, 1e300, inf, nan]
ARITY = {"atan2": 2, "hypot": 2, "maximum": 2, "minimum": 2, "elu": 2, "pow": 2, "div": 2}
ARITY.update(add=2, sub=2, mul=2, leaky_relu=2, binary_cross_entropy_with_logits=2)
BOUNDED = {"clamp", "hardtanh"}  # (x, low, high)
NARY = {"amax", "amin", "logsumexp", "log_softmax", "sum", "linear"}
TABLE = {p.name: p for p in vars(P).values() if isinstance(p, Primitive)}
WITHOUT = {"remainder", "fmod"}  # their rules divide per element: the fallback is as fast


def arguments(name: str) -> list[tuple]:
    if name in BOUNDED:
        bounds = [(-1.0, 1.0), (1.0, -1.0), (nan, 1.0), (-inf, 0.5), (0.5, 0.5)]
        return [(x, lo, hi) for x in GRID for lo, hi in bounds]
    if name in NARY:
        if name == "linear":
            return [(w, 0.5, x, -2.0, 0.25) for w in GRID for x in (-1.0, 0.0, 3.0)]
        return [(a, b, 0.5) for a, b in itertools.product(GRID, repeat=2)] + [(1.0, 1.0, 1.0)]
    return list(itertools.product(GRID, repeat=ARITY.get(name, 1)))


def same(got: float, expected: float) -> bool:
    if math.isnan(expected):
        return math.isnan(got)
    return math.isclose(got, expected, rel_tol=1e-12, abs_tol=1e-12)


def test_which_primitives_have_an_array_form():
    assert {name for name, p in TABLE.items() if p.array_form is None} == WITHOUT


@pytest.mark.parametrize("name", sorted(set(TABLE) - WITHOUT))
def test_array_form_equals_the_float_forms(name):
    primitive = TABLE[name]
    forward, vjp = primitive.array_form(np)
    vjp = vjp or primitive.vjp
    rows = arguments(name)
    columns = [np.array(c) for c in zip(*rows)]
    g = np.linspace(0.5, 2.0, len(rows))
    with np.errstate(all="ignore"):
        results = np.broadcast_to(forward(*columns), (len(rows),))
        grads = [np.broadcast_to(d, (len(rows),)) for d in vjp(g, results, *columns)]
    checked = 0
    for r, args in enumerate(rows):
        try:
            expected = primitive.forward(*args)
        except (ValueError, OverflowError, ZeroDivisionError):
            continue  # the float form refuses it (a domain error the engine reports)
        assert same(float(results[r]), expected), (name, args, results[r], expected)
        expected_grads = primitive.vjp(float(g[r]), expected, *args)
        for j, e in enumerate(expected_grads):
            assert same(float(grads[j][r]), float(e)), (name, args, j, grads[j][r], e)
        checked += 1
    assert checked > len(rows) // 2
