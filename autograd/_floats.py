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
    """cos x; within 2^-20 of its zeros ±π/2 and ±3π/2, the Taylor series of ∓sin r in the
    distance to the zero, |x| − π/2 with π/2 in three parts, summed exactly by math.fsum
    (math.cos is 0.56 ulp off at the float next to π/2)."""
    a = abs(x)
    r = a - _PIO2_HI  # exact near π/2 (Sterbenz)
    if -9.5e-07 < r < 9.5e-07:
        d = r - _PIO2_LO  # the cube of the distance, not of r: r²·lo/2 is 2^-73 of r
        return math.fsum((-r, _PIO2_LO, _PIO2_LO2, d * d * d / 6))
    r = a - _3PIO2_HI
    if -9.5e-07 < r < 9.5e-07:
        d = r - _3PIO2_LO
        return math.fsum((r, -_3PIO2_LO, -_3PIO2_LO2, -d * d * d / 6))
    return math.cos(x) if a != inf else nan


# π/2 = hi + lo + lo2 to ~160 bits, and 3π/2 likewise (hi the nearest float)
_PIO2_HI, _PIO2_LO, _PIO2_LO2 = 1.5707963267948966, 6.123233995736766e-17, -1.4973849048591698e-33
_3PIO2_HI, _3PIO2_LO, _3PIO2_LO2 = 4.71238898038469, 1.8369701987210297e-16, 7.8337969295008e-33


# --- tanh and sigmoid, to the last bit -------------------------------------------------------
# math.tanh (glibc) is off by one ulp at one point in twelve, and 1 / (1 + e^-x) rounds e^-x
# and the sum before dividing. Both are computed here from e^x in double-double (a float pair
# hi + lo holding ~100 bits): x = k·ln 2 + j/256 + v, e^x = 2^k · e^(j/256) · e^v, with e^(j/256)
# from a table (built once with ``decimal``) and e^v, |v| ≤ 1/512, from its Taylor series;
# then one quotient in double-double, rounded once. bench/accuracy.py measures the result
# against mpmath (correctly rounded at more points than PyTorch float64, at most 0.5x ulp).

_LN2_HI = 0.6931471803691238  # ln 2 in two parts, the first with 32 bits: k·_LN2_HI is exact
_LN2_LO = 1.9082149292705877e-10
_INV_LN2 = 1.4426950408889634
_ROUND = 6755399441055744.0  # 1.5·2^52: (x + _ROUND) - _ROUND is x rounded to an integer
_SPLIT = 134217729.0  # 2^27 + 1, Dekker's splitter
_STEPS = 89  # the table holds e^(j/256) for |j| ≤ 89 (|r| ≤ ln 2 / 2 < 89/256)


def _exp_table() -> dict[float, tuple[float, float]]:
    from decimal import Decimal, localcontext

    table = {}
    with localcontext() as ctx:
        ctx.prec = 40
        for j in range(-_STEPS, _STEPS + 1):
            e = (Decimal(j) / 256).exp()
            hi = float(e)
            table[float(j)] = (hi, float(e - Decimal(hi)))
    return table


_EXP_TABLE = _exp_table()  # keyed by float j, as the rounding trick gives it
_POW2 = {float(k): math.ldexp(1.0, k) for k in range(-64, 65)}


def _exp_dd(x: float) -> tuple[float, float]:
    """e^x as hi + lo (|lo| ≤ ulp(hi)/2), relative error ~2^-62, for -44 < x < 44."""
    k = (x * _INV_LN2 + _ROUND) - _ROUND
    r = x - k * _LN2_HI  # exact
    r_lo = -k * _LN2_LO
    j = (r * 256.0 + _ROUND) - _ROUND
    v_hi = r - j * 0.00390625  # exact; v = v_hi + r_lo, |v| < 1/511
    v = v_hi + r_lo
    t = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v * (1 / 120 + v * (1 / 720)))))  # e^v − 1 − v
    hi, lo = _EXP_TABLE[j]
    lo = hi * v_hi + (hi * (r_lo + t) + lo * (1.0 + v))  # e^(j/256) · e^v = hi + lo
    e = hi + lo
    scale = _POW2[k]
    return e * scale, (lo - (e - hi)) * scale


def _quotient2(n: float, n_lo: float, d: float, d_lo: float) -> tuple[float, float]:
    """(n + n_lo) / (d + d_lo) as q + c, unrounded: q = n/d, and c the exact remainder of
    n − q·d (Dekker's product) over d."""
    q = n / d
    c = _SPLIT * q
    q_hi = c - (c - q)
    q_lo = q - q_hi
    c = _SPLIT * d
    d_hi = c - (c - d)
    d_lo2 = d - d_hi
    p = q * d
    p_err = ((q_hi * d_hi - p) + q_hi * d_lo2 + q_lo * d_hi) + q_lo * d_lo2
    return q, (((n - p) - p_err) + n_lo - q * d_lo) / d


def tanh(x: float) -> float:
    """tanh x: its Taylor series below 1/64; (1 − e^-2|x|) / (1 + e^-2|x|) in double-double
    up to 3; 1 − 2e/(1 + e), e = e^-2|x|, beyond, where e's rounding moves the result by less
    than 1/200 ulp; ±1 beyond 19.1 (where tanh rounds to ±1); with the sign of x."""
    a = x if x >= 0 else -x
    if a < 0.015625:
        if a < 7.450580596923828e-09:  # 2^-27: tanh x rounds to x
            return x
        z = x * x
        return x + x * (z * (-1 / 3 + z * (2 / 15 + z * (-17 / 315 + z * (62 / 2835)))))
    if a < 3.0:  # _exp_dd(-2a) and _quotient2, written out: this is training's hot path
        k = (a * -2.8853900817779268 + _ROUND) - _ROUND  # round(-2a / ln 2)
        r = -2.0 * a - k * _LN2_HI
        r_lo = -k * _LN2_LO
        j = (r * 256.0 + _ROUND) - _ROUND
        v_hi = r - j * 0.00390625
        v = v_hi + r_lo
        t = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v * (1 / 120 + v * (1 / 720)))))
        hi, lo = _EXP_TABLE[j]
        lo = hi * v_hi + (hi * (r_lo + t) + lo * (1.0 + v))
        e = hi + lo
        scale = _POW2[k]
        e_lo = (lo - (e - hi)) * scale
        e *= scale
        n = 1.0 - e  # 1 − e = n + n_lo exactly (Fast2Sum: e ≤ 1), then − e_lo
        n_lo = ((1.0 - n) - e) - e_lo
        d = 1.0 + e
        d_lo = (e - (d - 1.0)) + e_lo
        q = n / d
        c = _SPLIT * q
        q_hi = c - (c - q)
        q_lo = q - q_hi
        c = _SPLIT * d
        d_hi = c - (c - d)
        d_lo2 = d - d_hi
        p = q * d
        p_err = ((q_hi * d_hi - p) + q_hi * d_lo2 + q_lo * d_hi) + q_lo * d_lo2
        y = q + (((n - p) - p_err) + n_lo - q * d_lo) / d
    elif a < 19.1:
        e = math.exp(-2.0 * a)
        y = 1.0 - 2.0 * e / (1.0 + e)
    elif a == a:
        return math.copysign(1.0, x)
    else:
        return x  # nan
    return y if x > 0 else -y


def sigmoid(x: float) -> float:
    """1 / (1 + e^-x) for x ≥ 0, e^x / (1 + e^x) below (neither can overflow), with the
    rounding of 1 + e taken back (Fast2Sum): q/(1 + δ) ≈ q − q·δ. Cheaper than the
    double-double of ``sigmoid_minus``, and still more often correctly rounded than PyTorch
    (bench/accuracy.py)."""
    if x >= 0:
        e = math.exp(-x)
        d = 1.0 + e
        q = 1.0 / d
        return q - q * q * (e - (d - 1.0))
    if x != x:
        return x
    e = math.exp(x)
    d = 1.0 + e
    q = e / d
    return q - q * ((e - (d - 1.0)) / d)


def sigmoid_minus(x: float, y: float) -> float:
    """σ(x) − y, rounded once from σ(x) in double-double: no cancellation when y is close to
    σ(x) (the gradient of binary cross-entropy with a soft target, σ(z) − 0.5 at z ≈ 0)."""
    if x >= 0:
        if x > 37.0:  # σ(x) = 1 − e^-x (1 − …), e^-x < 2^-53
            return (1.0 - y) - math.exp(-x) if y else 1.0
        e, e_lo = _exp_dd(-x)
        d = 1.0 + e
        q, c = _quotient2(1.0, 0.0, d, (e - (d - 1.0)) + e_lo)
        return (q - y) + c
    if x < -42.0:
        return math.exp(x) - y  # e^x / (1 + e^x) = e^x (1 − e^x …), e^x < 2^-60
    if x != x:
        return x
    e, e_lo = _exp_dd(x)
    d = 1.0 + e
    q, c = _quotient2(e, e_lo, d, (e - (d - 1.0)) + e_lo)
    return (q - y) + c


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


def asin(x: float) -> float:
    return math.asin(x) if -1.0 <= x <= 1.0 else nan


def acos(x: float) -> float:
    return math.acos(x) if -1.0 <= x <= 1.0 else nan


atan = math.atan  # defined everywhere: ±π/2 at ±inf
asinh = math.asinh


def acosh(x: float) -> float:
    return math.acosh(x) if x >= 1.0 else nan


def log2(x: float) -> float:
    if x > 0:
        return math.log2(x)
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


def elu(x: float, alpha: float) -> float:
    return x if x >= 0 else alpha * expm1(x)  # x itself at ±0 for any alpha, as PyTorch


def softsign(x: float) -> float:
    return x / (1.0 + abs(x))  # nan at ±inf, as PyTorch's x / (1 + |x|)


# Computed in double-double where glibc rounds less well than PyTorch (autograd/_dd.py).
from autograd._dd import (  # noqa: E402, F401
    atanh,
    cosh,
    expm1,
    gelu_tanh,
    log1p,
    log10,
    logsigmoid,
    selu,
    silu,
    sinh,
    tan,
)
from autograd._erf import erf, erfc  # noqa: E402, F401
