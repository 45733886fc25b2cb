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

import math
import operator

from autograd import _array_forms as AF
from autograd import _floats as F
from autograd import _lse as L
from autograd import _lse_numpy as LN
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
            dy = g * 0.0  # PyTorch multiplies by its masked 0: an infinite or nan g gives nan
    else:
        dy = g * ans * log(x)
    return dx, dy


def _array_linear_forward(*args):
    # linear's forward on arrays, b + w₁x₁ + …, without ``+=``, which would write into b.
    n = len(args) // 2
    z = args[-1]
    for w, x in zip(args[:n], args[n:-1]):
        z = z + w * x
    return z


def _array_sigmoid(np):
    def sigmoid(x):
        e = np.exp(-np.abs(x))  # <= 1: neither branch overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    return sigmoid


def _array_pow_vjp(np):
    # _pow_vjp's conventions on arrays: dx = 0 where y = 0, dy = 0 where x = 0 and y >= 0.
    def vjp(g, ans, x, y):
        dx = np.where(y == 0, 0.0, g * y * np.power(x, y - 1.0))
        dy = np.where((x == 0) & (y >= 0), 0.0, g * ans * np.log(x))
        return dx, dy

    return vjp


# --- arithmetic -------------------------------------------------------------------------
add = Primitive(
    "add",
    operator.add,
    lambda g, ans, a, b: (g, g),
    "∂(a+b)/∂a = 1, ∂(a+b)/∂b = 1",
    array_form=lambda np: (np.add, None),
)
mul = Primitive(
    "mul",
    operator.mul,
    lambda g, ans, a, b: (g * b, g * a),
    "∂(a·b)/∂a = b, ∂(a·b)/∂b = a",
    array_form=lambda np: (np.multiply, None),
)
sub = Primitive(
    "sub",
    operator.sub,
    lambda g, ans, a, b: (g, -g),
    "∂(a−b)/∂a = 1, ∂(a−b)/∂b = −1",
    array_form=lambda np: (np.subtract, None),
)
neg = Primitive(
    "neg",
    operator.neg,
    lambda g, ans, x: (-g,),
    "∂(−x)/∂x = −1",
    array_form=lambda np: (np.negative, None),
)
# a / b has its own rule rather than a · b⁻¹: b⁻¹ and b⁻² would overflow for |b| < 1e-154
# where a / b itself is fine, and the drawing shows one "/" node.
div: Primitive = Primitive(
    "div",
    F.div,
    lambda g, ans, a, b: (div(g, b), -(g * div(ans, b))),
    "∂(a/b)/∂a = 1/b, ∂(a/b)/∂b = -(a/b)/b",
    array_form=lambda np: (np.divide, lambda g, ans, a, b: (g / b, -(g * (ans / b)))),
)
pow_ = Primitive(
    "pow",
    F.power,
    _pow_vjp,
    "∂(x^y)/∂x = y·x^(y-1), ∂(x^y)/∂y = x^y·log x",
    array_form=lambda np: (np.power, _array_pow_vjp(np)),
)
sum_ = Primitive(
    "sum",
    lambda *xs: sum(xs),
    lambda g, ans, *xs: [g] * len(xs),
    "∂(Σ xᵢ)/∂xᵢ = 1",
    array_form=lambda np: (lambda *xs: sum(xs), None),
)
linear = Primitive(
    "linear",
    _linear_forward,
    _linear_vjp,
    "z = Σ wᵢ·xᵢ + b: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1",
    array_form=lambda np: (_array_linear_forward, None),
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
    # σ(z) − y, written as (1 − y) − σ(−z) for z > 0: at z = 40, y = 1 it is −4.2e-18, not
    # 1.0 − 1 = 0. The two forms are the same function, so a derivative graph may take either
    # (at z = 0, σ(z) − y = 1/2 − y is rounded once).
    if type(z) is not Value and type(y) is not Value:
        return g * F.sigmoid_minus(z, y), -(g * z)  # and for soft targets too: see there
    if data(z) > 0:
        dz = g * ((1.0 - y) - sigmoid(-z))
    else:
        dz = g * (sigmoid(z) - y)
    return dz, -(g * z)


logsumexp = Primitive(
    "logsumexp",
    L.logsumexp,
    _logsumexp_vjp,
    "∂ log Σⱼ e^xⱼ/∂xᵢ = softmax(x)ᵢ = e^(xᵢ − logsumexp x)",
    array_form=LN.logsumexp_form,
)
# log_softmax(t, o₁, …, oₖ) = t − log(e^t + Σ e^oⱼ): the log-probability of its first input
# among all of them (one node per class: autograd.log_softmax and nn's cross_entropy).
log_softmax = Primitive(
    "log_softmax",
    L.log_softmax,
    _log_softmax_vjp,
    "∂/∂t = 1 − softmax(t), ∂/∂oⱼ = −softmax(oⱼ)",
    array_form=LN.log_softmax_form,
)
binary_cross_entropy_with_logits = Primitive(
    "binary_cross_entropy_with_logits",
    L.binary_cross_entropy_with_logits,
    _bce_vjp,
    "ℓ = softplus(z) − y·z: ∂ℓ/∂z = σ(z) − y, ∂ℓ/∂y = −z",
    array_form=LN.bce_form,
)

# --- functions of one variable --------------------------------------------------------------
exp = Primitive(
    "exp", F.exp, lambda g, ans, x: (g * ans,), "∂eˣ/∂x = eˣ", array_form=lambda np: (np.exp, None)
)
log = Primitive(
    "log",
    F.log,
    lambda g, ans, x: (div(g, x),),
    "∂log x/∂x = 1/x",
    array_form=lambda np: (np.log, lambda g, ans, x: (g / x,)),
)
sqrt = Primitive(
    "sqrt",
    F.sqrt,
    lambda g, ans, x: (div(g, 2.0 * ans),),
    "∂√x/∂x = 1/(2√x)",
    array_form=lambda np: (np.sqrt, lambda g, ans, x: (g / (2.0 * ans),)),
)
tanh = Primitive(
    "tanh",
    F.tanh,
    lambda g, ans, x: (g * (1.0 - ans * ans),),
    "∂tanh x/∂x = 1 - tanh²x",
    array_form=lambda np: (np.tanh, None),
)
sigmoid = Primitive(
    "sigmoid",
    F.sigmoid,
    lambda g, ans, x: (g * ans * (1.0 - ans),),
    "∂σ(x)/∂x = σ(x)·(1 - σ(x))",
    array_form=lambda np: (_array_sigmoid(np), None),
)
softplus = Primitive(
    "softplus",
    F.softplus,
    lambda g, ans, x: (g * sigmoid(x),),
    "∂log(1+eˣ)/∂x = σ(x)",
    array_form=lambda np: (
        lambda x: np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x))),
        lambda g, ans, x: (g * _array_sigmoid(np)(x),),
    ),
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
    array_form=lambda np: (
        lambda x: np.where(x < 0, 0.0, x),  # -0.0 and nan stay, as F.relu
        lambda g, ans, x: (np.where(ans <= 0, g * 0.0, g),),
    ),
)
leaky_relu = Primitive(
    "leaky_relu",
    F.leaky_relu,
    lambda g, ans, x, slope: (g, 0.0) if data(x) > 0 else (g * slope, g * x),
    "∂leaky_relu(x)/∂x = 1 if x > 0 else slope",
    array_form=lambda np: (
        lambda x, slope: np.where(x > 0, x, x * slope),
        lambda g, ans, x, slope: (g * np.where(x > 0, 1.0, slope), g * np.where(x > 0, 0.0, x)),
    ),
)
abs_ = Primitive(
    "abs",
    abs,
    lambda g, ans, x: (g * F.sign(data(x)),),
    "∂|x|/∂x = sign(x)",
    array_form=lambda np: (np.abs, lambda g, ans, x: (g * np.where(x == x, np.sign(x), 0.0),)),
)
sin = Primitive(
    "sin",
    F.sin,
    lambda g, ans, x: (g * cos(x),),
    "∂sin x/∂x = cos x",
    array_form=lambda np: (np.sin, lambda g, ans, x: (g * np.cos(x),)),
)
cos: Primitive = Primitive(
    "cos",
    F.cos,
    lambda g, ans, x: (g * -sin(x),),
    "∂cos x/∂x = -sin x",
    array_form=lambda np: (np.cos, lambda g, ans, x: (g * -np.sin(x),)),
)


# --- the rest of math's real functions ----------------------------------------------------------
# Each rule is its derivative in the form least prone to overflow and cancellation: 1/√(1-x²) as
# 1/√((1-x)(1+x)), 1/√(x²+1) as 1/hypot(x, 1), ∂expm1 as eˣ (PyTorch's 1 + expm1 x is 0 below
# x = -37). Outside a function's domain the rules give what PyTorch's give.
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _acosh_vjp(g, ans, x):
    if data(x) >= 1.0:  # the product of roots: (x-1)(x+1) would overflow for x > 1e154
        return (div(g, sqrt(x - 1.0) * sqrt(x + 1.0)),)
    return (div(g, sqrt((x - 1.0) * (x + 1.0))),)


def _atan2_vjp(g, ans, y, x):
    # ∂atan2(y, x)/∂y = x/(x²+y²), ∂/∂x = -y/(x²+y²), as x/h/h with h = hypot(x, y), which
    # neither overflows nor underflows. At the origin both are 0, as PyTorch gives.
    h = hypot(y, x)
    if data(h) == 0:
        return g * x * 0.0, g * -y * 0.0
    return g * div(div(x, h), h), g * div(div(-y, h), h)


tan = Primitive(
    "tan",
    F.tan,
    lambda g, ans, x: (g * (1.0 + ans * ans),),
    "∂tan x/∂x = 1 + tan²x",
    array_form=AF.tan,
)
sinh = Primitive(
    "sinh", F.sinh, lambda g, ans, x: (g * cosh(x),), "∂sinh x/∂x = cosh x", array_form=AF.sinh
)
cosh: Primitive = Primitive(
    "cosh", F.cosh, lambda g, ans, x: (g * sinh(x),), "∂cosh x/∂x = sinh x", array_form=AF.cosh
)
asin = Primitive(
    "asin",
    F.asin,
    lambda g, ans, x: (div(g, sqrt((1.0 - x) * (1.0 + x))),),
    "∂asin x/∂x = 1/√(1 - x²)",
    array_form=AF.asin,
)
acos = Primitive(
    "acos",
    F.acos,
    lambda g, ans, x: (-div(g, sqrt((1.0 - x) * (1.0 + x))),),
    "∂acos x/∂x = -1/√(1 - x²)",
    array_form=AF.acos,
)
atan = Primitive(
    "atan",
    F.atan,
    lambda g, ans, x: (div(g, 1.0 + x * x),),
    "∂atan x/∂x = 1/(1 + x²)",
    array_form=AF.atan,
)
asinh = Primitive(
    "asinh",
    F.asinh,
    lambda g, ans, x: (div(g, hypot(x, 1.0)),),
    "∂asinh x/∂x = 1/√(x² + 1)",
    array_form=AF.asinh,
)
acosh = Primitive("acosh", F.acosh, _acosh_vjp, "∂acosh x/∂x = 1/√(x² - 1)", array_form=AF.acosh)
atanh = Primitive(
    "atanh",
    F.atanh,
    lambda g, ans, x: (div(g, (1.0 - x) * (1.0 + x)),),
    "∂atanh x/∂x = 1/(1 - x²)",
    array_form=AF.atanh,
)
log1p = Primitive(
    "log1p",
    F.log1p,
    lambda g, ans, x: (div(g, 1.0 + x),),
    "∂log(1+x)/∂x = 1/(1 + x)",
    array_form=AF.log1p,
)
expm1 = Primitive(
    "expm1", F.expm1, lambda g, ans, x: (g * exp(x),), "∂(eˣ - 1)/∂x = eˣ", array_form=AF.expm1
)
log2 = Primitive(
    "log2",
    F.log2,
    lambda g, ans, x: (div(g, x * _LN2),),
    "∂log₂x/∂x = 1/(x·ln 2)",
    array_form=AF.log2,
)
log10 = Primitive(
    "log10",
    F.log10,
    lambda g, ans, x: (div(g, x * _LN10),),
    "∂log₁₀x/∂x = 1/(x·ln 10)",
    array_form=AF.log10,
)
exp2 = Primitive(
    "exp2", F.exp2, lambda g, ans, x: (g * (ans * _LN2),), "∂2ˣ/∂x = 2ˣ·ln 2", array_form=AF.exp2
)
cbrt = Primitive(
    "cbrt",
    F.cbrt,
    lambda g, ans, x: (div(g, 3.0 * ans * ans),),
    "∂∛x/∂x = 1/(3·∛x²)",
    array_form=AF.cbrt,
)
erf = Primitive(
    "erf",
    F.erf,
    lambda g, ans, x: (g * (_TWO_OVER_SQRT_PI * exp(-(x * x))),),
    "∂erf x/∂x = 2/√π·e^(-x²)",
    array_form=AF.erf,
)
erfc = Primitive(
    "erfc",
    F.erfc,
    lambda g, ans, x: (g * (-_TWO_OVER_SQRT_PI * exp(-(x * x))),),
    "∂erfc x/∂x = -2/√π·e^(-x²)",
    array_form=AF.erfc,
)
atan2 = Primitive(
    "atan2",
    F.atan2,
    _atan2_vjp,
    "∂atan2(y,x)/∂y = x/(x²+y²), ∂atan2(y,x)/∂x = -y/(x²+y²)",
    array_form=AF.atan2,
)
hypot: Primitive = Primitive(
    "hypot",
    F.hypot,
    lambda g, ans, x, y: (g * div(x, ans), g * div(y, ans)),
    "∂√(x²+y²)/∂x = x/√(x²+y²), ∂√(x²+y²)/∂y = y/√(x²+y²)",
    array_form=AF.hypot,
)

# --- piecewise functions ------------------------------------------------------------------------
# Rounding has derivative 0 wherever it has one; PyTorch gives 0 at the jumps too, whatever the
# upstream gradient. The rules return the number 0.0: a constant, exactly what a derivative
# graph needs (nothing below a zero derivative depends on anything).
floor = Primitive("floor", F.floor, lambda g, ans, x: (0.0,), "∂⌊x⌋/∂x = 0", array_form=AF.floor)
ceil = Primitive("ceil", F.ceil, lambda g, ans, x: (0.0,), "∂⌈x⌉/∂x = 0", array_form=AF.ceil)
trunc = Primitive(
    "trunc", F.trunc, lambda g, ans, x: (0.0,), "∂trunc x/∂x = 0", array_form=AF.trunc
)
round_ = Primitive(
    "round", F.round_half_even, lambda g, ans, x: (0.0,), "∂round x/∂x = 0", array_form=AF.round_
)
sign = Primitive("sign", F.sign, lambda g, ans, x: (0.0,), "∂sign x/∂x = 0", array_form=AF.sign)
# a - q·b with q = floor(a/b) (remainder) or trunc(a/b) (fmod), q piecewise constant: PyTorch's
# rules, 1 and -q, at every point (the jumps included).
remainder = Primitive(
    "remainder",
    F.remainder,
    lambda g, ans, a, b: (g, g * -F.floor_divide(data(a), data(b))),
    "∂(a mod b)/∂a = 1, ∂(a mod b)/∂b = -⌊a/b⌋",
)
fmod = Primitive(
    "fmod",
    F.fmod,
    lambda g, ans, a, b: (g, g * -F.trunc_divide(data(a), data(b))),
    "∂fmod(a,b)/∂a = 1, ∂fmod(a,b)/∂b = -trunc(a/b)",
)


def _maximum_vjp(g, ans, a, b):
    # As torch.maximum: the larger one gets g, a tie splits it evenly, nan gives g to both.
    a, b = data(a), data(b)
    if a == b:
        return g * 0.5, g * 0.5
    if a < b:
        return 0.0, g
    if a > b:
        return g, 0.0
    return g, g


def _minimum_vjp(g, ans, a, b):
    a, b = data(a), data(b)
    if a == b:
        return g * 0.5, g * 0.5
    if a > b:
        return 0.0, g
    if a < b:
        return g, 0.0
    return g, g


def _extreme_vjp(g, ans, *xs):
    # As torch.amax/amin: g shared evenly among the inputs equal to the result; 0 for the others
    # (g · 0, so that a nan result, equal to none, gives nan everywhere, as PyTorch).
    extreme = data(ans)
    count = float(sum(1 for x in xs if data(x) == extreme))
    share = div(g, count)
    return [share if data(x) == extreme else share * 0.0 for x in xs]


def _clamp_vjp(g, ans, x, low, high):
    # As torch.clamp: x gets g on the closed interval; below it low gets g (no input does if
    # low = high: PyTorch's convention), above it high; if
    # low > high the result is high everywhere, and so is the gradient. A nan compares false:
    # with x or a bound nan, only "x > high" or "low > high" can still send g (to high).
    x, low, high = data(x), data(low), data(high)
    dx = g if low <= x <= high else 0.0
    dlow = g if x < low and low < high else 0.0
    dhigh = g if x > high or low > high else 0.0
    return dx, dlow, dhigh


maximum = Primitive(
    "maximum",
    F.maximum,
    _maximum_vjp,
    "∂max(a,b)/∂a = 1 if a > b, ½ if a = b, else 0",
    array_form=AF.maximum,
)
minimum = Primitive(
    "minimum",
    F.minimum,
    _minimum_vjp,
    "∂min(a,b)/∂a = 1 if a < b, ½ if a = b, else 0",
    array_form=AF.minimum,
)
amax = Primitive(
    "amax",
    F.amax,
    _extreme_vjp,
    "∂max(x₁…xₙ)/∂xᵢ = 1/k for the k maxima, else 0",
    array_form=AF.amax,
)
amin = Primitive(
    "amin",
    F.amin,
    _extreme_vjp,
    "∂min(x₁…xₙ)/∂xᵢ = 1/k for the k minima, else 0",
    array_form=AF.amin,
)
clamp = Primitive(
    "clamp",
    F.clamp,
    _clamp_vjp,
    "∂clamp(x,lo,hi)/∂x = 1 if lo ≤ x ≤ hi, else 0 (then ∂/∂lo or ∂/∂hi)",
    array_form=AF.clamp,
)

# --- activations --------------------------------------------------------------------------------


def _gelu_vjp(g, ans, x):
    # Φ(x) + x·φ(x), Φ the normal distribution function, φ its density.
    cdf = 0.5 * erfc(x * -F.SQRT1_2)
    pdf = exp(x * x * -0.5) * F.INV_SQRT_2PI
    return (g * (cdf + x * pdf),)


def _gelu_tanh_vjp(g, ans, x):
    # x·σ(2u), u = β(x + κx³): σ(2u) + 2x·σ(2u)·σ(-2u)·β(1 + 3κx²).
    t = (x + x * x * x * F.GELU_KAPPA) * (2.0 * F.GELU_BETA)
    s = sigmoid(t)
    du = (1.0 + x * x * (3.0 * F.GELU_KAPPA)) * (2.0 * F.GELU_BETA)
    return (g * (s + x * s * sigmoid(-t) * du),)


# At the kink x = 0 PyTorch takes the slope from the left, α·e⁰ = α, but its higher derivatives
# are 0 there: the rule gives α as a number (g·α), whose derivative in x is 0.
def _elu_vjp(g, ans, x, alpha):
    xv = data(x)
    if xv < 0:
        return g * alpha * exp(x), g * expm1(x)
    if xv == 0:
        return g * alpha, g * expm1(x)
    return g, g * 0.0  # x > 0, and nan, as in PyTorch


def _selu_vjp(g, ans, x):
    xv = data(x)
    if xv < 0:
        return (g * (F.SELU_NEGATIVE * exp(x)),)
    if xv == 0:
        return (g * F.SELU_NEGATIVE,)
    return (g * F.SELU_SCALE,)


def _softsign_vjp(g, ans, x):
    if abs(data(x)) == math.inf:  # PyTorch's value there is nan (∞/∞), and so is its gradient
        return (g * math.nan,)
    d = 1.0 + abs_(x)
    return (div(div(g, d), d),)


def _hardtanh_vjp(g, ans, x, low, high):
    # 0 on and outside the bounds (torch.nn.functional.hardtanh), g inside and at nan.
    xv = data(x)
    return (0.0 if xv <= data(low) or xv >= data(high) else g), 0.0, 0.0


gelu = Primitive("gelu", F.gelu, _gelu_vjp, "∂(x·Φ(x))/∂x = Φ(x) + x·φ(x)", array_form=AF.gelu)
gelu_tanh = Primitive(
    "gelu_tanh",
    F.gelu_tanh,
    _gelu_tanh_vjp,
    "∂(x·σ(2u))/∂x, u = √(2/π)(x + 0.044715x³)",
    array_form=AF.gelu_tanh,
)
silu = Primitive(
    "silu",
    F.silu,
    lambda g, ans, x: (g * (sigmoid(x) * (1.0 + x * sigmoid(-x))),),
    "∂(x·σ(x))/∂x = σ(x)·(1 + x·(1 - σ(x)))",
    array_form=AF.silu,
)
elu = Primitive("elu", F.elu, _elu_vjp, "∂elu(x)/∂x = 1 if x > 0 else α·eˣ", array_form=AF.elu)
selu = Primitive(
    "selu", F.selu, _selu_vjp, "∂selu(x)/∂x = λ if x > 0 else λα·eˣ", array_form=AF.selu
)
softsign = Primitive(
    "softsign", F.softsign, _softsign_vjp, "∂(x/(1+|x|))/∂x = 1/(1+|x|)²", array_form=AF.softsign
)
logsigmoid = Primitive(
    "logsigmoid",
    F.logsigmoid,
    lambda g, ans, x: (g * sigmoid(-x),),
    "∂log σ(x)/∂x = σ(-x)",
    array_form=AF.logsigmoid,
)
hardtanh = Primitive(
    "hardtanh",
    F.hardtanh,
    _hardtanh_vjp,
    "∂hardtanh(x)/∂x = 1 if min < x < max, else 0",
    array_form=AF.hardtanh,
)
