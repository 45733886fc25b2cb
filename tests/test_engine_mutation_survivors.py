"""Tests for the mutants of the engine that the rest of the suite let survive.

``python -m bench.mutation`` changes one token of the engine at a time and runs the tests that
execute the changed line; each test here kills at least one mutant that survived that run
(bench/MUTATION.md lists them), against a reference independent of the engine: mpmath, PyTorch
(float64, CPU), or a closed form.
"""

from __future__ import annotations

import math
import random

import pytest

from autograd import _floats as F

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
