"""Thin wrappers over the primitives of the same names (``autograd.primitives``): the functions
that take options or a list.

The one-argument functions (``tan``, ``erf``, ``floor``...) and the two-argument ones
(``atan2``, ``hypot``, ``maximum``, ``fmod``...) are primitives, called directly. Here are the
ones that take options or a list, each with PyTorch's name and semantics: ``clamp``, ``amax``,
``amin``, ``round_``, ``gelu``, ``elu``, ``hardtanh``. (``silu``, ``selu``, ``softsign`` and
``logsigmoid`` are primitives too.) Each works on Values (recording a node)
and on plain numbers (returning a float), like the primitives.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real

from autograd import primitives as P
from autograd.primitives import (  # the primitives among the functions, exported from here
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cbrt,
    ceil,
    cosh,
    erf,
    erfc,
    exp2,
    expm1,
    floor,
    fmod,
    hypot,
    log1p,
    log2,
    log10,
    logsigmoid,
    maximum,
    minimum,
    remainder,
    selu,
    sign,
    silu,
    sinh,
    softsign,
    tan,
    trunc,
)
from autograd.value import Value


def _check_option(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"{where}: must be a number, got {type(value).__name__} ({value!r:.40})")
    return float(value)


def clamp(x, min=None, max=None):  # noqa: A002 (PyTorch's argument names)
    """x limited to [min, max] (torch.clamp); ``None`` leaves that side open.

    The gradient is 1 on the closed interval and 0 outside, where it goes to the bound that
    was hit when that bound is a Value; if min > max the result is max everywhere. Raises
    ``ValueError`` when both bounds are None, as PyTorch does.
    """
    if min is None and max is None:
        raise ValueError("clamp: at least one of min and max must be given")
    low = -math.inf if min is None else min
    high = math.inf if max is None else max
    return P.clamp(x, low, high)


def _values(values, where: str) -> list:
    try:
        items = list(values)
    except TypeError:
        raise TypeError(
            f"{where}: expected a list of Values or numbers, got {type(values).__name__}"
        ) from None
    if not items:
        raise ValueError(f"{where}: needs at least one value, got an empty list")
    return items


def amax(values: Iterable) -> Value | float:
    """The largest of ``values`` (torch.amax over a list) as one n-ary node.

    Tied maxima share the gradient evenly; a nan among them makes the result nan. Raises
    ``ValueError`` for an empty list. (Python's ``max`` would pick one Value, with no node.)
    """
    return P.amax(*_values(values, "amax(values)"))


def amin(values: Iterable) -> Value | float:
    """The smallest of ``values`` (torch.amin over a list); ties share the gradient evenly."""
    return P.amin(*_values(values, "amin(values)"))


def round_(x, decimals: int = 0):
    """x rounded to ``decimals`` decimal places, ties to even (torch.round); gradient 0.

    As torch.round, with decimals: round(x·10ᵈ)/10ᵈ for d > 0, round(x/10⁻ᵈ)·10⁻ᵈ for d < 0.
    """
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise TypeError(f"round_(decimals): must be an int, got {type(decimals).__name__}")
    if decimals == 0:
        return P.round_(x)
    if decimals > 0:
        scale = 10.0**decimals
        return P.round_(x * scale) / scale
    scale = 10.0**-decimals
    return P.round_(x / scale) * scale


def gelu(x, approximate: str = "none"):
    """x·Φ(x), Φ the standard normal distribution function (torch.nn.functional.gelu).

    ``approximate="tanh"``: ½x·(1 + tanh(√(2/π)(x + 0.044715x³))), PyTorch's approximation.
    Raises ``ValueError`` for any other ``approximate``.
    """
    if approximate == "none":
        return P.gelu(x)
    if approximate == "tanh":
        return P.gelu_tanh(x)
    raise ValueError(f"gelu(approximate): must be 'none' or 'tanh', got {approximate!r}")


def elu(x, alpha=1.0):
    """x for x > 0, else α·(eˣ - 1) (torch.nn.functional.elu); α may be a Value."""
    if type(alpha) is not Value:
        alpha = _check_option(alpha, "elu(alpha)")
    return P.elu(x, alpha)


def hardtanh(x, min_val: float = -1.0, max_val: float = 1.0):
    """x limited to [min_val, max_val] (torch.nn.functional.hardtanh): gradient 1 strictly
    inside, 0 on the bounds and outside. The bounds are numbers; ``clamp`` takes Values.
    Raises ``ValueError`` if min_val > max_val, as PyTorch does."""
    low = _check_option(min_val, "hardtanh(min_val)")
    high = _check_option(max_val, "hardtanh(max_val)")
    if low > high:
        raise ValueError(f"hardtanh: min_val={low!r} is greater than max_val={high!r}")
    return P.hardtanh(x, low, high)


__all__ = [
    "acos",
    "acosh",
    "amax",
    "amin",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "cbrt",
    "ceil",
    "clamp",
    "cosh",
    "elu",
    "erf",
    "erfc",
    "exp2",
    "expm1",
    "floor",
    "fmod",
    "gelu",
    "hardtanh",
    "hypot",
    "log10",
    "log1p",
    "log2",
    "logsigmoid",
    "maximum",
    "minimum",
    "remainder",
    "round_",
    "selu",
    "sign",
    "silu",
    "sinh",
    "softsign",
    "tan",
    "trunc",
]
