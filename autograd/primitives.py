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
from autograd import _lse as L
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
    # At x = 0 the conventional zeros are limits as x → 0+, where the derivatives of dx and
    # dy themselves may be infinite. In a derivative graph (x, y Values) a zero must then keep
    # that slope, or a mixed partial loses it: ∂²(x^y)/∂x∂y = x^(y-1)·(1 + y·log x), which
    # tends to +inf at y = 0 and to -inf for 0 < y ≤ 1 (to 0 for y > 1, where the constant
    # is right). ±√x (and √y) are such zeros: value 0, slope ±inf, as the closed form.
    at_zero = data(x) == 0
    if data(y) == 0 and (type(y) is not Value or at_zero):
        dx = g * sqrt(y) if type(y) is Value and at_zero else 0.0
    else:
        dx = g * y * pow_(x, y - 1.0)
    if constant_exponent:
        dy = 0.0
    elif at_zero and data(y) >= 0:
        if type(x) is Value and x.requires_grad and data(y) <= 1:
            dy = g * (sqrt(x) if data(y) == 0 else -sqrt(x))
        else:
            dy = 0.0
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


# --- log-sum-exp and the losses built on it: stable n-ary nodes -------------------------------
# The forward rules (autograd/_lse.py) avoid every cancellation, and so do the float gradients;
# in a derivative graph (create_graph) the rules are the same functions written with
# primitives, so that they can be differentiated again.
def _logsumexp_vjp(g, ans, *xs):
    if type(ans) is Value:
        return [g * exp(x - ans) for x in xs]
    return [g * w for w in L.softmax_weights(xs)]


def _log_softmax_vjp(g, ans, target, *others):
    if type(ans) is Value:  # ans = t − logsumexp: softmax(t) = e^ans, softmax(o) = e^(o − t + ans)
        return [g * (1.0 - exp(ans))] + [-(g * exp(o - target + ans)) for o in others]
    return [g * d for d in L.log_softmax_grads(target, *others)]


def _bce_vjp(g, ans, z, y):
    # σ(z) − y, written as (1 − y) − σ(−z) for z ≥ 0: at z = 40, y = 1 it is −4.2e-18, not
    # 1.0 − 1 = 0. The two forms are the same function, so a derivative graph may take either.
    if type(z) is not Value and type(y) is not Value:
        return g * F.sigmoid_minus(z, y), -(g * z)  # and for soft targets too: see there
    if data(z) >= 0:
        dz = g * ((1.0 - y) - sigmoid(-z))
    else:
        dz = g * (sigmoid(z) - y)
    return dz, -(g * z)


logsumexp = Primitive(
    "logsumexp",
    L.logsumexp,
    _logsumexp_vjp,
    "∂ log Σⱼ e^xⱼ/∂xᵢ = softmax(x)ᵢ = e^(xᵢ − logsumexp x)",
)
# log_softmax(t, o₁, …, oₖ) = t − log(e^t + Σ e^oⱼ): the log-probability of its first input
# among all of them (one node per class: autograd.log_softmax and nn's cross_entropy).
log_softmax = Primitive(
    "log_softmax",
    L.log_softmax,
    _log_softmax_vjp,
    "∂/∂t = 1 − softmax(t), ∂/∂oⱼ = −softmax(oⱼ)",
)
binary_cross_entropy_with_logits = Primitive(
    "binary_cross_entropy_with_logits",
    L.binary_cross_entropy_with_logits,
    _bce_vjp,
    "ℓ = softplus(z) − y·z: ∂ℓ/∂z = σ(z) − y, ∂ℓ/∂y = −z",
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
# Where it is 0 the rule still multiplies, g · 0, so that an infinite or nan g gives nan.
relu = Primitive(
    "relu",
    F.relu,
    lambda g, ans, x: (g * 0.0 if ans <= 0 else g,),
    "∂relu(x)/∂x = 1 if x > 0 else 0",
)
leaky_relu = Primitive(
    "leaky_relu",
    F.leaky_relu,
    lambda g, ans, x, slope: (g * (1.0 if data(x) > 0 else slope), g * (0.0 if data(x) > 0 else x)),
    "∂leaky_relu(x)/∂x = 1 if x > 0 else slope",
)
abs_ = Primitive("abs", abs, lambda g, ans, x: (g * F.sign(data(x)),), "∂|x|/∂x = sign(x)")
sin = Primitive("sin", F.sin, lambda g, ans, x: (g * cos(x),), "∂sin x/∂x = cos x")
cos: Primitive = Primitive("cos", F.cos, lambda g, ans, x: (g * -sin(x),), "∂cos x/∂x = -sin x")
