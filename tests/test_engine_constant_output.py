"""grad() of an output that does not depend on its inputs: zeros, as HIPS autograd gives.

A function that is constant for some drawn inputs (a clamp past its bound, a floor, a plain
number returned early) is ordinary in property tests; its gradient is 0, not a TypeError.
"""

from __future__ import annotations

import pytest

from autograd import Value, clamp, grad, no_grad


@pytest.mark.parametrize("output", [3.0, 0, -2, 1e300, True])
def test_a_plain_number_has_zero_gradient(output):
    x, y = Value(1.5), Value(-2.0)
    assert grad(output, [x, y]) == (0.0, 0.0)
    assert grad(output, x) == (0.0,)
    gs = grad(output, [x, y], create_graph=True)
    for g in gs:
        assert type(g) is Value and g.data == 0.0 and not g.requires_grad and not g.inputs
    assert gs[0] is not gs[1]  # fresh constants: the caller may relabel them
    assert grad(gs[0], [x]) == (0.0,)  # and differentiate them again


def test_a_constant_value_has_zero_gradient():
    x = Value(1.5)
    with no_grad():
        made_without_graph = x * 2
    for output in (Value(4.0, requires_grad=False), made_without_graph):
        assert grad(output, [x]) == (0.0,)
        (g,) = grad(output, [x], create_graph=True)
        assert g.data == 0.0 and not g.requires_grad


def test_a_function_constant_at_the_point():
    x = Value(3.0)
    (g,) = grad(clamp(x, max=1.0) * x.floor(), [x], create_graph=True)
    assert g.data == 0.0
    assert grad(g, [x]) == (0.0,)


def test_anything_else_is_still_a_type_error():
    with pytest.raises(TypeError, match=r"grad\(output\): expected a Value or a number, got list"):
        grad([Value(1.0)], [Value(1.0)])
