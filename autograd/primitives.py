"""The derivative table: every primitive's forward rule beside its local derivatives.

Each entry reads ``name = Primitive(name, forward, vjp)``:

- ``forward(*xs)`` computes the result on floats (``_floats`` gives PyTorch's answers where
  Python's ``math`` would raise);
- ``vjp(g, ans, *xs)`` returns, for each input x, ``g · ∂ans/∂x`` — the upstream gradient
  times the local derivative, the chain rule's one step.

A rule uses only operators and primitives, so it runs on floats in an ordinary ``backward()``
and on Values under ``grad(..., create_graph=True)``, where it builds the graph of the
derivative itself: that is all higher-order derivatives need. Factors that are piecewise
constant (the slope of relu, the sign in abs) are taken from ``data`` and carry no gradient.

To add an operation, add one entry here and, if it should be a method, a one-line wrapper
in ``value.py``.
"""

from __future__ import annotations

import operator

from autograd import _floats as F
from autograd.value import Primitive, Value


def data(x) -> float:
    """The float inside a Value, or the float itself."""
    return x.data if type(x) is Value else x


def _linear_forward(*args: float) -> float:
    n = len(args) // 2
    if len(args) != 2 * n + 1:
        raise TypeError(
            f"linear: expects w1..wn, x1..xn, b (an odd number of arguments), "
            f"got {len(args)} arguments"
        )
    # b + w₁x₁ + w₂x₂ + …, added in this order, as ``autograd.dot`` does (not sum(), whose
    # rounding differs between Python versions).
    z = args[-1]
    for w, x in zip(args[:n], args[n:-1]):
        z += w * x
    return z


def _linear_vjp(g, ans, *args):
    n = len(args) // 2
    return [g * x for x in args[n : 2 * n]] + [g * w for w in args[:n]] + [g]


def _pow_vjp(g, ans, x, y):
    # d/dx x^y = y·x^(y-1) (0 when y = 0); d/dy x^y = x^y·log x (0 at x = 0 for y >= 0),
    # the same conventions as PyTorch's pow backward.
    # A constant exponent (x ** 2, 1 / x ** 3) is used as the number it is: y - 1 stays
    # a number in a derivative graph, and dy, not needed, is not built (its log x is nan for
    # x < 0, which detect_anomaly would report under create_graph).
    constant_exponent = type(y) is Value and not y.requires_grad
    if constant_exponent:
        y = y.data
    # At y = 0 the shortcut dx = 0 avoids 0·x^-1 = nan at x = 0; in a derivative graph
    # (y a Value) it is taken only there, so that dx keeps its dependence on y.
    if data(y) == 0 and (type(y) is not Value or data(x) == 0):
        dx = 0.0
    else:
        dx = g * y * pow_(x, y - 1.0)
    if constant_exponent:
        dy = 0.0
    elif data(x) == 0 and data(y) >= 0:
        dy = g * 0.0  # PyTorch multiplies by its masked 0: an infinite or nan g gives nan
    else:
        dy = g * ans * log(x)
    return dx, dy


# --- arithmetic -------------------------------------------------------------------------
add = Primitive("add", operator.add, lambda g, ans, a, b: (g, g), "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1")
mul = Primitive(
    "mul", operator.mul, lambda g, ans, a, b: (g * b, g * a), "∂(a·b)/∂a = b, ∂(a·b)/∂b = a"
)
# a / b has its own rule rather than a · b⁻¹: b⁻¹ and b⁻² would overflow for |b| < 1e-154
# where a / b itself is fine, and the drawing shows one "/" node.
div: Primitive = Primitive(
    "div",
    F.div,
    lambda g, ans, a, b: (div(g, b), -(g * div(ans, b))),
    "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -(a/b)/b",
)
pow_ = Primitive("pow", F.power, _pow_vjp, "∂(x^y)/∂x = y·x^(y-1), ∂(x^y)/∂y = x^y·log x")
sum_ = Primitive("sum", lambda *xs: sum(xs), lambda g, ans, *xs: [g] * len(xs), "∂(Σ xᵢ)/∂xᵢ = 1")
linear = Primitive(
    "linear", _linear_forward, _linear_vjp, "z = Σ wᵢ·xᵢ + b: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1"
)

# --- functions of one variable --------------------------------------------------------------
exp = Primitive("exp", F.exp, lambda g, ans, x: (g * ans,), "∂eˣ/∂x = eˣ")
log = Primitive("log", F.log, lambda g, ans, x: (div(g, x),), "∂log x/∂x = 1/x")
sqrt = Primitive("sqrt", F.sqrt, lambda g, ans, x: (div(g, 2.0 * ans),), "∂√x/∂x = 1/(2√x)")
tanh = Primitive(
    "tanh", F.tanh, lambda g, ans, x: (g * (1.0 - ans * ans),), "∂tanh x/∂x = 1 - tanh²x"
)
sigmoid = Primitive(
    "sigmoid", F.sigmoid, lambda g, ans, x: (g * ans * (1.0 - ans),), "∂σ(x)/∂x = σ(x)·(1 - σ(x))"
)
softplus = Primitive(
    "softplus", F.softplus, lambda g, ans, x: (g * sigmoid(x),), "∂log(1+eˣ)/∂x = σ(x)"
)
# relu'(x) is 0 where x <= 0, else 1: relu'(0) = 0 and relu'(nan) = 1, as in PyTorch. The rule
# reads the case off ans = relu(x), which is <= 0 exactly where x is (and nan where x is nan).
# Where it is 0 the gradient is 0 whatever g is, inf and nan included: PyTorch selects, it
# does not multiply.
relu = Primitive(
    "relu",
    F.relu,
    lambda g, ans, x: (0.0 if ans <= 0 else g,),
    "∂relu(x)/∂x = 1 if x > 0 else 0",
)
leaky_relu = Primitive(
    "leaky_relu",
    F.leaky_relu,
    lambda g, ans, x, slope: (g, 0.0) if data(x) > 0 else (g * slope, g * x),
    "∂leaky_relu(x)/∂x = 1 if x > 0 else slope",
)
abs_ = Primitive("abs", abs, lambda g, ans, x: (g * F.sign(data(x)),), "∂|x|/∂x = sign(x)")
sin = Primitive("sin", F.sin, lambda g, ans, x: (g * cos(x),), "∂sin x/∂x = cos x")
cos: Primitive = Primitive("cos", F.cos, lambda g, ans, x: (g * -sin(x),), "∂cos x/∂x = -sin x")
