"""Double-double forms of the functions Python's ``math`` (glibc) rounds less well than PyTorch.

A double-double is a float pair hi + lo (|lo| ≤ ulp(hi)/2) holding ~106 bits; Knuth's TwoSum
and Dekker's product (Veltkamp splitting: Python 3.11 has no math.fma) are exact. Each function
evaluates its result to a relative error of about 2^-68 and rounds it once, so it is correctly
rounded except within 2^-15 ulp of a midpoint (bench/accuracy.py measures it against mpmath).

- e^x: x = k·ln 2 + j/256 + v, e^(j/256) from ``_floats._EXP_TABLE`` (built with ``decimal``),
  e^v by its Taylor series, the first-order term hi·v as an exact product.
- log x: x = 2^e·m, m = c·(1 + u) with c = j/256 the nearest table point, log c from a table
  (``decimal``), u = (m − c)/c in double-double and log1p u by its series, u² exact.
- expm1, sinh, cosh, log1p, log10, atanh, silu, gelu_tanh, selu, logsigmoid: from those two, without
  cancellation (expm1 from e^(j/256) − 1 and e^v − 1; sinh = (E + E/(1 + E))/2, E = expm1 |x|).

This module is imported at the end of ``_floats``, which re-exports its public functions
(erf and erfc: ``_erf``).
"""

from __future__ import annotations

import math
from fractions import Fraction

from autograd._floats import (
    _3PIO2_HI,
    _3PIO2_LO,
    _3PIO2_LO2,
    _EXP_TABLE,
    _INV_LN2,
    _LN2_HI,
    _LN2_LO,
    _PIO2_HI,
    _PIO2_LO,
    _PIO2_LO2,
    _ROUND,
    _SPLIT,
    SELU_SCALE,
    _quotient2,
    inf,
    nan,
)

_ldexp = math.ldexp


def _two_prod(a: float, b: float) -> tuple[float, float]:
    """a·b = p + err exactly (Dekker; |a|, |b| < 2^995)."""
    p = a * b
    c = _SPLIT * a
    a_hi = c - (c - a)
    a_lo = a - a_hi
    c = _SPLIT * b
    b_hi = c - (c - b)
    b_lo = b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _two_sum(a: float, b: float) -> tuple[float, float]:
    """a + b = s + err exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _log_table() -> dict[float, tuple[float, float]]:
    from decimal import Decimal, localcontext

    table = {}
    with localcontext() as ctx:
        ctx.prec = 40
        for j in range(181, 364):  # c = j/256 covers [1/√2, √2]
            value = (Decimal(j) / 256).ln()
            hi = float(value)
            table[float(j)] = (hi, float(value - Decimal(hi)))
    return table


_LOG_TABLE = _log_table()
_EXPM1_TABLE = {j: (hi - 1.0, lo) for j, (hi, lo) in _EXP_TABLE.items()}  # hi − 1 is exact
_INV_LN10_HI = 0.4342944819032518  # 1/ln 10 = hi + lo
_INV_LN10_LO = 1.098319650216765e-17


def _exp_parts(x: float) -> tuple[float, float, int]:
    """e^x = (hi + lo)·2^k, hi + lo in [0.7, 1.42], for |x| < 746."""
    k = (x * _INV_LN2 + _ROUND) - _ROUND
    r = x - k * _LN2_HI  # exact
    r_lo = -k * _LN2_LO
    j = (r * 256.0 + _ROUND) - _ROUND
    v_hi = r - j * 0.00390625  # exact
    v = v_hi + r_lo
    t = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v * (1 / 120 + v * (1 / 720 + v / 5040)))))
    hi, lo = _EXP_TABLE[j]
    p, p_err = _two_prod(hi, v_hi)
    s = hi + p  # |p| < |hi|: Fast2Sum
    lo = (p - (s - hi)) + (p_err + hi * (r_lo + t) + lo * (1.0 + v))
    e = s + lo
    return e, lo - (e - s), int(k)


def _expm1_dd(x: float) -> tuple[float, float]:
    """e^x − 1 as hi + lo, for -40 ≤ x ≤ 709.78."""
    k = (x * _INV_LN2 + _ROUND) - _ROUND
    if k != 0:
        e, e_lo, n = _exp_parts(x)
        s, err = _two_sum(_ldexp(e, n), -1.0)
        lo = err + _ldexp(e_lo, n)
        hi = s + lo
        return hi, lo - (hi - s)
    r_lo = -0.0  # k = 0: r = x
    j = (x * 256.0 + _ROUND) - _ROUND
    v_hi = x - j * 0.00390625
    v = v_hi
    t = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v * (1 / 120 + v * (1 / 720 + v / 5040)))))
    a, lo = _EXPM1_TABLE[j]  # e^(j/256) − 1 = a + lo, and e^(j/256) = (a + 1) + lo
    p, p_err = _two_prod(a + 1.0, v_hi)
    s, err = _two_sum(a, p)
    rest = err + (p_err + lo + (a + 1.0) * (r_lo + t) + lo * v)
    hi = s + rest
    return hi, rest - (hi - s)


def _log_dd(s: float, t: float) -> tuple[float, float]:
    """log(s + t) as hi + lo, for s > 0 finite (not subnormal when t ≠ 0), |t| ≤ ulp(s)."""
    m, e = math.frexp(s)
    if m < 0.7071067811865476:
        m *= 2.0
        e -= 1
    j = (m * 256.0 + _ROUND) - _ROUND
    c = j * 0.00390625
    n, n_lo = _two_sum(m - c, _ldexp(t, -e) if t else 0.0)  # m − c is exact
    q, q_c = _quotient2(n, n_lo, c, 0.0)
    u = q + q_c
    u_lo = q_c - (u - q)
    sq, sq_err = _two_prod(u, u)
    tail = sq * u * (1 / 3 + u * (-1 / 4 + u * (1 / 5 + u * (-1 / 6 + u * (1 / 7 - u / 8)))))
    t_hi, t_lo = _LOG_TABLE[j]
    a, err1 = _two_sum(e * _LN2_HI, t_hi)  # e·_LN2_HI is exact
    a, err2 = _two_sum(a, u)
    a, err3 = _two_sum(a, -0.5 * sq)
    lo = (err1 + err2 + err3) + (e * _LN2_LO + t_lo + u_lo - 0.5 * sq_err - u * u_lo + tail)
    hi = a + lo
    return hi, lo - (hi - a)


# --- the functions --------------------------------------------------------------------------


def expm1(x: float) -> float:
    """e^x − 1, correctly rounded but for ~2^-15 of points; inf beyond 709.78, -1 below -40."""
    if -40.0 <= x <= 709.782712893384:
        if -8.673617379884035e-19 < x < 8.673617379884035e-19:
            return x  # ±0 keeps its sign; e^x − 1 = x (1 + x/2) rounds to x below 2^-60
        hi, lo = _expm1_dd(x)
        return hi + lo
    if x > 0:
        return inf
    return -1.0 if x < 0 else x  # nan stays nan


def log1p(x: float) -> float:
    """log(1 + x): -inf at -1, nan below; x itself for |x| < 2^-60 (and ±0)."""
    if -1.0 < x < inf:
        if -8.673617379884035e-19 < x < 8.673617379884035e-19:
            return x
        s, t = _two_sum(1.0, x)
        hi, lo = _log_dd(s, t)
        return hi + lo
    if x == -1.0:
        return -inf
    return x if x == inf else nan


def log10(x: float) -> float:
    """log₁₀ x = log x · (1/ln 10) in double-double; -inf at 0, nan below."""
    if 0.0 < x < inf:
        hi, lo = _log_dd(x, 0.0)
        p, p_err = _two_prod(hi, _INV_LN10_HI)
        return p + (p_err + hi * _INV_LN10_LO + lo * _INV_LN10_HI)
    if x == 0.0:
        return -inf
    return x if x == inf else nan


def atanh(x: float) -> float:
    """½·log1p(2|x|/(1 − |x|)) with the sign of x; ±inf at ±1, nan beyond."""
    a = abs(x)
    if a < 3.725290298461914e-09:  # 2^-28: x + x³/3
        return x + x * x * x / 3.0
    if a < 1.0:
        d, d_lo = _two_sum(1.0, -a)
        q, q_c = _quotient2(2.0 * a, 0.0, d, d_lo)
        u = q + q_c
        s, t = _two_sum(1.0, u)
        hi, lo = _log_dd(s, t + (q_c - (u - q)))
        y = 0.5 * (hi + lo)
        return y if x > 0 else -y
    if a == 1.0:
        return math.copysign(inf, x)
    return nan


def sinh(x: float) -> float:
    """(E + E/(1 + E))/2 with E = e^|x| − 1 (no cancellation); e^|x|/2 beyond 40."""
    a = abs(x)
    if a < 3.725290298461914e-09:  # sinh x = x (1 + x²/6) rounds to x
        return x
    if a <= 40.0:
        e, e_lo = _expm1_dd(a)
        d, d_lo = _two_sum(1.0, e)
        q, q_c = _quotient2(e, e_lo, d, d_lo + e_lo)
        s, err = _two_sum(e, q)
        y = 0.5 * (s + (err + e_lo + q_c))
    elif a < 710.5:  # e^-a is below 2^-110 of e^a
        e, e_lo, k = _exp_parts(a)
        try:
            y = _ldexp(e + e_lo, k - 1)
        except OverflowError:
            y = inf
    elif a == a:
        y = inf
    else:
        return x  # nan
    return y if x > 0 else -y


def cosh(x: float) -> float:
    """(E + 1/E)/2 with E = e^|x| in double-double; e^|x|/2 beyond 40."""
    a = abs(x)
    if a <= 40.0:
        if a < 1.4901161193847656e-08:  # 2^-26: 1 + x²/2 rounds to 1
            return 1.0
        e, e_lo, k = _exp_parts(a)
        e, e_lo = _ldexp(e, k), _ldexp(e_lo, k)
        q, q_c = _quotient2(1.0, 0.0, e, e_lo)
        s, err = _two_sum(e, q)
        return 0.5 * (s + (err + e_lo + q_c))
    if a < 710.5:
        e, e_lo, k = _exp_parts(a)
        try:
            return _ldexp(e + e_lo, k - 1)
        except OverflowError:
            return inf
    return inf if a == a else a


def selu(x: float) -> float:
    """λ·x for x > 0, λα·(e^x − 1) below: e^x − 1 in double-double times λα, rounded once."""
    if -1e-290 < x < 1e-290:  # λ·x or λα·x, one exact quotient (Dekker fails on subnormals)
        if x == 0:
            return x * SELU_SCALE
        n, d = x.as_integer_ratio()
        c = _SELU_SCALE_Q if x > 0 else _SELU_NEGATIVE_Q
        return (n * c.numerator) / (d * c.denominator)
    if x > 0:
        if x > 1e300:
            return x * SELU_SCALE
        p, p_err = _two_prod(x, SELU_SCALE)
        return p + (p_err + x * _SELU_SCALE_LO)
    if x < -40.0:
        return -_SELU_NEGATIVE_HI
    if x != x or x == 0:
        return x * SELU_SCALE
    hi, lo = _expm1_dd(x)
    p, p_err = _two_prod(hi, _SELU_NEGATIVE_HI)
    return p + (p_err + lo * _SELU_NEGATIVE_HI + hi * _SELU_NEGATIVE_LO)


# λα and λ in two parts each, from PyTorch's 32-digit constants (SELU_NEGATIVE, their rounded
# product, is 1 ulp below λα)
_SELU_NEGATIVE_HI = 1.7580993408473768
_SELU_NEGATIVE_LO = 1.41535193800845e-17
_SELU_SCALE_LO = 3.9874847667154144e-17
_SELU_SCALE_Q = Fraction(SELU_SCALE) + Fraction(_SELU_SCALE_LO)
_SELU_NEGATIVE_Q = Fraction(_SELU_NEGATIVE_HI) + Fraction(_SELU_NEGATIVE_LO)


def silu(x: float) -> float:
    """x·σ(x), rounded once (``_times_sigmoid``)."""
    if x > 745.0:
        return x  # σ(x) rounds to 1
    if not x >= -800.0:
        return -0.0 if x > -inf else nan  # x·e^x is below the smallest subnormal; -inf·0
    if x == 0:
        return x
    return _times_sigmoid(x, x, 0.0)


def gelu_tanh(x: float) -> float:
    """½x·(1 + tanh u), u = β(x + κx³) (PyTorch's approximate="tanh"), as x·σ(2u) with 2u in
    double-double (κ = 0.044715 and β = √(2/π) in two parts each), rounded once."""
    if x > 12.0:
        return x  # σ(2u) > 1 − 2^-180
    if not x >= -25.0:
        return -0.0 if x > -inf else nan  # x·e^(2u) < 2^-1100; -inf·0 (and nan)
    if x == 0:
        return x
    w, w_err = _two_prod(x, x)
    a, a_err = _two_prod(_KAPPA_HI, w)
    s, s_err = _two_sum(1.0, a)
    s_lo = s_err + (a_err + _KAPPA_HI * w_err + _KAPPA_LO * w)
    xs, xs_err = _two_prod(x, s)
    z, z_err = _two_prod(_TWO_BETA_HI, xs)
    return _times_sigmoid(x, z, z_err + (_TWO_BETA_HI * (xs_err + x * s_lo) + _TWO_BETA_LO * xs))


_KAPPA_HI, _KAPPA_LO = 0.044715, 2.1960211427085595e-18  # 0.044715 = hi + lo
_TWO_BETA_HI, _TWO_BETA_LO = 1.5957691216057308, -9.96930880911092e-17  # 2√(2/π) = hi + lo


def _times_sigmoid(x: float, z: float, z_lo: float) -> float:
    """x·σ(z + z_lo) for |z| ≤ 800: e = e^-|z| = (hi + lo)·2^k as in ``_exp_parts`` but with
    hi·v rounded (relative error ~2^-62: activations are training's hot path, written out),
    σ = 1/(1 + e), or e/(1 + e) with e kept unscaled, as q + c (Dekker's remainder), times x
    as an exact product (q's split reused), rounded once, then scaled by 2^k (exact but for
    subnormal results)."""
    w = -z if z >= 0 else z
    k = (w * _INV_LN2 + _ROUND) - _ROUND
    r = w - k * _LN2_HI
    r_lo = (z_lo if z < 0 else -z_lo) - k * _LN2_LO
    j = (r * 256.0 + _ROUND) - _ROUND
    v_hi = r - j * 0.00390625
    v = v_hi + r_lo
    t = v * v * (0.5 + v * (1 / 6 + v * (1 / 24 + v * (1 / 120 + v * (1 / 720)))))
    hi, lo = _EXP_TABLE[j]
    lo = hi * v_hi + (hi * (r_lo + t) + lo * (1.0 + v))
    e = hi + lo
    lo -= e - hi  # e^w = e + lo, unscaled
    k = int(k)
    scale = _ldexp(1.0, k)
    d = 1.0 + e * scale
    d_lo = ((1.0 - d) + e * scale) + lo * scale  # 1 + e·2^k = d + d_lo (Fast2Sum: e·2^k ≤ 1)
    if z >= 0:
        n, n_lo, k = 1.0, 0.0, 0
    else:
        n, n_lo = e, lo  # σ(z)/2^k = (e + lo)/(d + d_lo)
    q = n / d
    c = _SPLIT * q
    q_hi = c - (c - q)
    q_lo = q - q_hi
    c = _SPLIT * d
    d_hi = c - (c - d)
    d_lo2 = d - d_hi
    p = q * d
    c = (
        ((n - p) - (((q_hi * d_hi - p) + q_hi * d_lo2 + q_lo * d_hi) + q_lo * d_lo2))
        + n_lo
        - q * d_lo
    ) / d
    a = _SPLIT * x
    x_hi = a - (a - x)
    x_lo = x - x_hi
    p = x * q
    y = p + ((((x_hi * q_hi - p) + x_hi * q_lo + x_lo * q_hi) + x_lo * q_lo) + x * c)
    if k:
        return _ldexp(y, k)
    return y if y else p  # an underflow to zero keeps the sign of x


def logsigmoid(x: float) -> float:
    """log σ(x) = min(x, 0) − log1p(e^-|x|), e^-|x| and log1p in double-double, rounded once."""
    if x < -37.0:
        return x - math.exp(x) if x > -746.0 else x  # log1p(e) = e(1 − e/2 …), e < 2^-53
    if x > 800.0 or x != x:
        return 0.0 if x == x else x  # 0 − log1p(0), as PyTorch
    hi, lo, k = _exp_parts(-abs(x))
    e, e_lo = _ldexp(hi, k), _ldexp(lo, k)
    if x > 37.0:
        return 0.0 - (e + (e_lo - 0.5 * e * e))
    s, t = _two_sum(1.0, e)
    hi, lo = _log_dd(s, t + e_lo)
    if x >= 0:
        return -(hi + lo)
    s, err = _two_sum(x, -hi)
    return s + (err - lo)


def tan(x: float) -> float:
    """tan x; within 2^-20 of its poles ±π/2 and ±3π/2, −cot r = −1/r + r/3 with r = |x| − pole
    in double-double (π/2 and 3π/2 in three parts), as ``_floats.cos`` does near its zeros
    (math.tan is 0.53 ulp off at the float next to 3π/2)."""
    a = abs(x)
    for pole, lo, lo2 in _POLES:
        r = a - pole  # exact near the pole (Sterbenz)
        if -9.5e-07 < r < 9.5e-07:
            s, err = _two_sum(r, -lo)
            q, c = _quotient2(-1.0, 0.0, s, err - lo2)
            y = q + (c + s / 3.0)
            return y if x > 0 else -y
    return math.tan(x) if a != inf else nan


_POLES = ((_PIO2_HI, _PIO2_LO, _PIO2_LO2), (_3PIO2_HI, _3PIO2_LO, _3PIO2_LO2))
