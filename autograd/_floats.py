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
