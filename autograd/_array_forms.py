"""Array forms of math's functions, the piecewise ones and the activations, for the table.

Each ``name(np) -> (forward, vjp)`` is the ``array_form`` of the primitive of that name in
``autograd/primitives.py``: the float rule written with numpy's elementwise functions (which
agree with libm's to an ulp or so), the vjp the table's rule term by term, the cases the float
rule picks with ``if`` picked with ``np.where``. Where numpy has no such function (erf, erfc)
the float form runs per element: exact, only slower. Batched results then equal the engine's
to 1e-12 (``tests/test_tape_numpy.py`` checks every primitive on random expressions).
"""

from __future__ import annotations

import math

from autograd import _floats as F

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _per_element(np, f):
    vectorized = np.vectorize(f, otypes=[np.float64])
    return lambda *xs: vectorized(*xs)


def _zeros(np, g):
    return np.zeros(np.shape(g))


def _sigmoid(np):
    def sigmoid(x):
        e = np.exp(-np.abs(x))  # <= 1: neither branch overflows
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

    return sigmoid


def _unary(forward_name: str, vjp):
    """An array form from numpy's function of that name and a vjp(np, g, ans, x)."""
    return lambda np: (getattr(np, forward_name), lambda g, ans, x: (vjp(np, g, ans, x),))


tan = _unary("tan", lambda np, g, ans, x: g * (1.0 + ans * ans))
sinh = _unary("sinh", lambda np, g, ans, x: g * np.cosh(x))
cosh = _unary("cosh", lambda np, g, ans, x: g * np.sinh(x))
asin = _unary("arcsin", lambda np, g, ans, x: g / np.sqrt((1.0 - x) * (1.0 + x)))
acos = _unary("arccos", lambda np, g, ans, x: -(g / np.sqrt((1.0 - x) * (1.0 + x))))
atan = _unary("arctan", lambda np, g, ans, x: g / (1.0 + x * x))
asinh = _unary("arcsinh", lambda np, g, ans, x: g / np.hypot(x, 1.0))
acosh = _unary(
    "arccosh",
    lambda np, g, ans, x: np.where(
        x >= 1.0, g / (np.sqrt(x - 1.0) * np.sqrt(x + 1.0)), g / np.sqrt((x - 1.0) * (x + 1.0))
    ),
)
atanh = _unary("arctanh", lambda np, g, ans, x: g / ((1.0 - x) * (1.0 + x)))
log1p = _unary("log1p", lambda np, g, ans, x: g / (1.0 + x))
expm1 = _unary("expm1", lambda np, g, ans, x: g * np.exp(x))
log2 = _unary("log2", lambda np, g, ans, x: g / (x * _LN2))
log10 = _unary("log10", lambda np, g, ans, x: g / (x * _LN10))
exp2 = _unary("exp2", lambda np, g, ans, x: g * (ans * _LN2))
cbrt = _unary("cbrt", lambda np, g, ans, x: g / (3.0 * ans * ans))
floor = _unary("floor", lambda np, g, ans, x: _zeros(np, g))
ceil = _unary("ceil", lambda np, g, ans, x: _zeros(np, g))
trunc = _unary("trunc", lambda np, g, ans, x: _zeros(np, g))
round_ = _unary("rint", lambda np, g, ans, x: _zeros(np, g))  # half to even, as F's


def erf(np):
    return _per_element(np, F.erf), lambda g, ans, x: (g * (_TWO_OVER_SQRT_PI * np.exp(-(x * x))),)


def erfc(np):
    return _per_element(np, F.erfc), lambda g, ans, x: (
        g * (-_TWO_OVER_SQRT_PI * np.exp(-(x * x))),
    )


def sign(np):
    def forward(x):
        return np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0))  # 0 at nan, as F.sign

    return forward, lambda g, ans, x: (_zeros(np, g),)


def atan2(np):
    def vjp(g, ans, y, x):
        h = np.hypot(y, x)
        zero = h == 0
        return (
            np.where(zero, g * x * 0.0, g * ((x / h) / h)),
            np.where(zero, g * -y * 0.0, g * ((-y / h) / h)),
        )

    return np.arctan2, vjp


def hypot(np):
    return np.hypot, lambda g, ans, x, y: (g * (x / ans), g * (y / ans))


def _nan_either(np, a, b):
    return np.isnan(a) | np.isnan(b)


def maximum(np):
    def forward(a, b):
        return np.where(_nan_either(np, a, b), np.nan, np.where(a < b, b, a))

    def vjp(g, ans, a, b):
        tie = a == b
        return (
            np.where(tie, g * 0.5, np.where(a < b, 0.0, g)),
            np.where(tie, g * 0.5, np.where(a > b, 0.0, g)),
        )

    return forward, vjp


def minimum(np):
    def forward(a, b):
        return np.where(_nan_either(np, a, b), np.nan, np.where(b < a, b, a))

    def vjp(g, ans, a, b):
        tie = a == b
        return (
            np.where(tie, g * 0.5, np.where(a > b, 0.0, g)),
            np.where(tie, g * 0.5, np.where(a < b, 0.0, g)),
        )

    return forward, vjp


def _clamp_forward(np):
    def forward(x, low, high):
        nan = np.isnan(x) | np.isnan(low) | np.isnan(high)
        inside = np.where(x < low, low, x)
        return np.where(nan, np.nan, np.where((low > high) | (x > high), high, inside))

    return forward


def clamp(np):
    def vjp(g, ans, x, low, high):
        ordered = low < high  # as _clamp_vjp and torch.clamp: at low = high no input gets g
        return (
            np.where((low <= x) & (x <= high), g, 0.0),
            np.where((x < low) & ordered, g, 0.0),
            np.where((x > high) | (low > high), g, 0.0),
        )

    return _clamp_forward(np), vjp


def hardtanh(np):
    def vjp(g, ans, x, low, high):
        return np.where((x <= low) | (x >= high), 0.0, g), _zeros(np, g), _zeros(np, g)

    return _clamp_forward(np), vjp


# --- activations --------------------------------------------------------------------------------
def gelu(np):
    erfc_ = _per_element(np, F.erfc)

    def forward(x):
        return 0.5 * x * erfc_(x * -F.SQRT1_2)  # F.gelu's formula

    def vjp(g, ans, x):
        cdf = 0.5 * erfc_(x * -F.SQRT1_2)
        pdf = np.exp(x * x * -0.5) * F.INV_SQRT_2PI
        return (g * (cdf + x * pdf),)

    return forward, vjp


def gelu_tanh(np):
    sigmoid = _sigmoid(np)

    def forward(x):
        return x * sigmoid(2.0 * F.GELU_BETA * (x + F.GELU_KAPPA * x * x * x))

    def vjp(g, ans, x):
        t = (x + x * x * x * F.GELU_KAPPA) * (2.0 * F.GELU_BETA)
        s = sigmoid(t)
        du = (1.0 + x * x * (3.0 * F.GELU_KAPPA)) * (2.0 * F.GELU_BETA)
        return (g * (s + x * s * sigmoid(-t) * du),)

    return forward, vjp


def silu(np):
    sigmoid = _sigmoid(np)
    return (
        lambda x: x * sigmoid(x),
        lambda g, ans, x: (g * (sigmoid(x) * (1.0 + x * sigmoid(-x))),),
    )


def elu(np):
    def forward(x, alpha):
        return np.where(x >= 0, x, alpha * np.expm1(x))  # x itself at ±0, as F.elu

    def vjp(g, ans, x, alpha):
        dx = np.where(x < 0, g * alpha * np.exp(x), np.where(x == 0, g * alpha, g))
        dalpha = np.where(x <= 0, g * np.expm1(x), g * 0.0)
        return dx, dalpha

    return forward, vjp


def selu(np):
    def forward(x):
        return np.where(x > 0, x * F.SELU_SCALE, np.expm1(x) * F.SELU_NEGATIVE)

    def vjp(g, ans, x):
        return (np.where(x <= 0, g * (F.SELU_NEGATIVE * np.exp(x)), g * F.SELU_SCALE),)

    return forward, vjp


def softsign(np):
    def vjp(g, ans, x):
        d = 1.0 + np.abs(x)
        return (np.where(np.abs(x) == np.inf, g * np.nan, (g / d) / d),)

    return (lambda x: x / (1.0 + np.abs(x))), vjp


def logsigmoid(np):
    sigmoid = _sigmoid(np)
    return (
        lambda x: np.minimum(x, 0.0) - np.log1p(np.exp(-np.abs(x))),
        lambda g, ans, x: (g * sigmoid(-x),),
    )


def _extreme(np, pick):
    def forward(*xs):
        X = np.stack(np.broadcast_arrays(*[np.asarray(x, dtype=np.float64) for x in xs]))
        return np.where(np.isnan(X).any(axis=0), np.nan, pick(X, axis=0))

    def vjp(g, ans, *xs):
        hits = [x == ans for x in xs]
        share = g / sum(h * 1.0 for h in hits)
        return [np.where(h, share, share * 0.0) for h in hits]

    return forward, vjp


def amax(np):
    return _extreme(np, np.max)


def amin(np):
    return _extreme(np, np.min)
