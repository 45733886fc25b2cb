"""Plain-float math with PyTorch float64 semantics.

Python's ``math`` module raises where IEEE 754 (and PyTorch) return a special value:
``math.exp(1000)`` raises ``OverflowError`` where PyTorch gives ``inf``, ``math.log(0)``
raises ``ValueError`` where PyTorch gives ``-inf``, ``1 / 0`` raises ``ZeroDivisionError``
where PyTorch gives ``inf``, and ``(-8) ** (1/3)`` is a complex number where PyTorch gives
``nan``. Every function here returns the float PyTorch would and never raises, so the
engine's forward passes and derivative rules can be written as plain formulas.
"""

from __future__ import annotations

import math

inf = math.inf
nan = math.nan


def div(a: float, b: float) -> float:
    """a / b, with a / ±0 = ±inf and 0 / 0 = nan."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return nan
        return math.copysign(inf, a) * math.copysign(1.0, b)


def _is_odd_integer(y: float) -> bool:
    return y == y and abs(y) != inf and y == int(y) and int(y) % 2 == 1


def power(x: float, y: float) -> float:
    """x ** y: nan for a negative base with a fractional exponent, ±inf on overflow or 0 ** -y."""
    try:
        return math.pow(x, y)
    except ValueError:
        if x == 0:  # 0 ** negative
            return -inf if (_is_odd_integer(y) and math.copysign(1.0, x) < 0) else inf
        return nan  # negative base, fractional exponent
    except OverflowError:
        return -inf if (x < 0 and _is_odd_integer(y)) else inf


def exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return inf


def log(x: float) -> float:
    if x > 0:
        return math.log(x)
    if x == 0:
        return -inf
    return nan  # negative or nan


def sqrt(x: float) -> float:
    return math.sqrt(x) if x >= 0 else nan


def sin(x: float) -> float:
    return math.sin(x) if abs(x) != inf else nan


def cos(x: float) -> float:
    return math.cos(x) if abs(x) != inf else nan


tanh = math.tanh  # defined everywhere (±1 at ±inf), so math's own, without a wrapper


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x), evaluated so that neither branch can overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = exp(x)  # x < 0 (or nan): e <= 1
    return e / (1.0 + e)


def softplus(x: float) -> float:
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|), stable for any x."""
    if x != x:
        return nan
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def relu(x: float) -> float:
    return 0.0 if x < 0 else x  # -0.0 and nan stay as they are, as in PyTorch


def sign(x: float) -> float:
    """-1, 0 or 1: the derivative of |x|, with abs'(0) = 0 and abs'(nan) = 0 as in PyTorch."""
    if x > 0:
        return 1.0
    if x < 0:
        return -1.0
    return 0.0  # ±0.0 or nan


def leaky_relu(x: float, slope: float) -> float:
    return x if x > 0 else x * slope


# --- the rest of math's real functions, with PyTorch's answers where math raises -------------


def tan(x: float) -> float:
    return math.tan(x) if abs(x) != inf else nan


def sinh(x: float) -> float:
    try:
        return math.sinh(x)
    except OverflowError:
        return math.copysign(inf, x)


def cosh(x: float) -> float:
    try:
        return math.cosh(x)
    except OverflowError:
        return inf


def asin(x: float) -> float:
    return math.asin(x) if -1.0 <= x <= 1.0 else nan


def acos(x: float) -> float:
    return math.acos(x) if -1.0 <= x <= 1.0 else nan


atan = math.atan  # defined everywhere: ±π/2 at ±inf
asinh = math.asinh


def acosh(x: float) -> float:
    return math.acosh(x) if x >= 1.0 else nan


def atanh(x: float) -> float:
    if -1.0 < x < 1.0:
        return math.atanh(x)
    if abs(x) == 1.0:
        return math.copysign(inf, x)
    return nan


def log1p(x: float) -> float:
    if x > -1.0:
        return math.log1p(x)
    return -inf if x == -1.0 else nan


def expm1(x: float) -> float:
    try:
        return math.expm1(x)
    except OverflowError:
        return inf


def log2(x: float) -> float:
    if x > 0:
        return math.log2(x)
    return -inf if x == 0 else nan


def log10(x: float) -> float:
    if x > 0:
        return math.log10(x)
    return -inf if x == 0 else nan


def exp2(x: float) -> float:
    try:
        return math.pow(2.0, x)  # math.exp2 is Python 3.11+; both are C's, within an ulp
    except OverflowError:
        return inf


def _cbrt(x: float) -> float:
    """The real cube root, for Python 3.10 (no math.cbrt): a power, then one Newton step."""
    if x == 0 or not math.isfinite(x):
        return x  # ±0, ±inf, nan
    y = math.copysign(abs(x) ** (1.0 / 3.0), x)
    return y - (y - x / (y * y)) / 3.0


cbrt = getattr(math, "cbrt", _cbrt)  # real cube root: cbrt(-8) = -2
erf = math.erf
erfc = math.erfc
atan2 = math.atan2  # C99's special values, as PyTorch: atan2(±0, -0) = ±π, ...


def hypot(x: float, y: float) -> float:
    """√(x² + y²) without overflow; hypot(±inf, nan) = inf, as PyTorch."""
    return math.hypot(x, y)


# --- piecewise functions ------------------------------------------------------------------------


def _integral(x: float, rounded: int) -> float:
    # A zero result keeps the sign of x, as C's floor/ceil/trunc/nearbyint (ceil(-0.5) = -0.0).
    return float(rounded) if rounded != 0 else math.copysign(0.0, x)


def floor(x: float) -> float:
    """math.floor as a float: nan and ±inf pass through, -0.0 stays -0.0."""
    return _integral(x, math.floor(x)) if math.isfinite(x) else x


def ceil(x: float) -> float:
    return _integral(x, math.ceil(x)) if math.isfinite(x) else x


def trunc(x: float) -> float:
    return _integral(x, math.trunc(x)) if math.isfinite(x) else x


def round_half_even(x: float) -> float:
    """Nearest integer, ties to even (torch.round, Python's round)."""
    return _integral(x, round(x)) if math.isfinite(x) else x


def fmod(a: float, b: float) -> float:
    """C's fmod (torch.fmod): the remainder of a / b truncated, with the sign of a."""
    try:
        return math.fmod(a, b)
    except ValueError:  # a = ±inf or b = 0
        return nan


def remainder(a: float, b: float) -> float:
    """torch.remainder: a - floor(a / b)·b, the sign of b (fmod, then shifted by b)."""
    mod = fmod(a, b)
    if mod != 0 and (b < 0) != (mod < 0):
        mod += b
    return mod


def floor_divide(a: float, b: float) -> float:
    """floor(a / b) as torch.div(a, b, rounding_mode="floor") computes it (from fmod, so that
    it is exact where a / b rounds up to an integer)."""
    if b == 0:
        return div(a, b)
    mod = fmod(a, b)
    q = (a - mod) / b
    if mod != 0 and (b < 0) != (mod < 0):
        q -= 1.0
    if q == 0:
        return math.copysign(0.0, div(a, b))
    result = floor(q)
    return result + 1.0 if q - result > 0.5 else result


def trunc_divide(a: float, b: float) -> float:
    """trunc(a / b), as torch.div(a, b, rounding_mode="trunc")."""
    return trunc(div(a, b))


def maximum(a: float, b: float) -> float:
    """torch.maximum: nan if either is nan; a at a tie (so maximum(-0.0, 0.0) = -0.0)."""
    if a != a or b != b:
        return nan
    return b if a < b else a


def minimum(a: float, b: float) -> float:
    if a != a or b != b:
        return nan
    return b if b < a else a


def amax(*xs: float) -> float:
    """The largest of xs, the first of equals; nan if any is nan (torch.amax)."""
    result = xs[0]
    for x in xs:
        if x != x:
            return nan
        if x > result:
            result = x
    return result


def amin(*xs: float) -> float:
    result = xs[0]
    for x in xs:
        if x != x:
            return nan
        if x < result:
            result = x
    return result


def hardtanh(x: float, low: float, high: float) -> float:
    return clamp(x, low, high)


def clamp(x: float, low: float, high: float) -> float:
    """torch.clamp: nan if any is nan; high everywhere if low > high; x itself on the bounds."""
    if x != x or low != low or high != high:
        return nan
    if low > high or x > high:
        return high
    return low if x < low else x


# --- activations --------------------------------------------------------------------------------

SQRT1_2 = math.sqrt(0.5)
INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
GELU_BETA = math.sqrt(2.0 / math.pi)  # gelu's tanh form: the constants PyTorch uses
GELU_KAPPA = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SELU_NEGATIVE = SELU_ALPHA * SELU_SCALE


def gelu(x: float) -> float:
    """x·Φ(x) = ½x·erfc(-x/√2): erfc, unlike PyTorch's 1 + erf(x/√2), does not cancel for x < 0."""
    return 0.5 * x * math.erfc(x * -SQRT1_2)


def gelu_tanh(x: float) -> float:
    """½x·(1 + tanh(β(x + κx³))) (PyTorch's approximate="tanh") as x·σ(2β(x + κx³)), the same
    function without the cancellation of 1 + tanh for x < 0."""
    return x * sigmoid(2.0 * GELU_BETA * (x + GELU_KAPPA * x * x * x))


def silu(x: float) -> float:
    return x * sigmoid(x)


def elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * expm1(x)  # nan stays nan


def selu(x: float) -> float:
    return x * SELU_SCALE if x > 0 else expm1(x) * SELU_NEGATIVE


def softsign(x: float) -> float:
    return x / (1.0 + abs(x))  # nan at ±inf, as PyTorch's x / (1 + |x|)


def logsigmoid(x: float) -> float:
    """log σ(x) = min(x, 0) - log1p(e^-|x|), stable for any x (PyTorch's formula)."""
    return min(x, 0.0) - math.log1p(math.exp(-abs(x)))
