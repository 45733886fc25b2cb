"""The README's "Property-test your gradients" example, verbatim, so that it is known to work.
(If you change one, change the other: /tmp/readme_testing.md holds the README text.)"""

import math

from hypothesis import given, settings

from autograd import Primitive, Value, sigmoid
from autograd.testing import gradcheck, gradgradcheck
from autograd.testing.strategies import expressions, values

# Your own operation, with a derivative worked out by hand:
# silu(x) = x·σ(x),  silu'(x) = σ(x)·(1 + x·(1 - σ(x))).
silu = Primitive(
    "silu",
    lambda x: x / (1 + math.exp(-x)),
    lambda g, ans, x: (g * sigmoid(x) * (1 + x * (1 - sigmoid(x))),),
)


def loss(w: Value, x: Value) -> Value:
    """A function of your own, built from engine operations and your primitive."""
    return (silu(w * x) - 1) ** 2


# No deadline: at tiny inputs gradcheck tries many steps, which can take longer than
# hypothesis's default 200 ms per example.
@settings(deadline=None)
@given(values(-5, 5), values(-5, 5))
def test_loss_gradients(w, x):
    assert gradcheck(loss, [Value(w, "w"), Value(x, "x")])  # first derivatives
    assert gradgradcheck(loss, [w, x])  # second derivatives


@settings(deadline=None)
@given(expressions(n_vars=3, max_depth=3))
def test_random_expressions(e):
    assert gradcheck(e.expression, e.leaves())
