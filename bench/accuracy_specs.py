"""The spec table of ``bench.accuracy``: for each function, where to draw its points, its exact
value and PyTorch's function.

``SPECS`` holds a spec for every function the project's issues name, present in the derivative
table or not; ``bench.accuracy`` measures those that are present.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from fractions import Fraction

Sampler = Callable[[random.Random], tuple]


# --- drawing points ----------------------------------------------------------------------------


def log_uniform(rng: random.Random, lo: float = -1000.0, hi: float = 1023.0) -> float:
    """A positive float whose binary exponent is uniform in [lo, hi)."""
    return math.ldexp(1.0 + rng.random(), math.floor(rng.uniform(lo, hi)))


def near(rng: random.Random, point: float) -> float:
    """A float within a few ulp to a few millionths of ``point`` (relative), either side."""
    scale = abs(point) if point else 1.0
    offset = scale * math.ldexp(1.0, -rng.randint(20, 52)) * rng.choice((-1, 1)) * rng.random()
    if point == 0:
        return rng.choice((-1, 1)) * log_uniform(rng, -1074, 0)
    return point + offset


def mixed(
    scale: float,
    specials: Sequence[float] = (),
    positive: bool = False,
    lo: float = -1000.0,
    hi: float = 1023.0,
    low: float | None = None,
) -> Sampler:
    """One argument: a third log-uniform over [2^lo, 2^hi), a third uniform over
    [-scale, scale] (or [low, scale]), a third near one of ``specials``."""

    def draw(rng: random.Random) -> tuple:
        kind = rng.random()
        if kind < 1 / 3 or (kind >= 2 / 3 and not specials):
            x = log_uniform(rng, lo, hi)
            x = x if positive or rng.random() < 0.5 else -x
        elif kind < 2 / 3:
            x = rng.uniform((0.0 if positive else -scale) if low is None else low, scale)
        else:
            x = near(rng, rng.choice(specials))
        return (x,)

    return draw


def pairs(first: Sampler, second: Sampler) -> Sampler:
    return lambda rng: first(rng) + second(rng)


def tuples(n: int, one: Sampler) -> Sampler:
    """n arguments; half of the time close to each other (a shared base, small offsets)."""

    def draw(rng: random.Random) -> tuple:
        if rng.random() < 0.5:
            return tuple(one(rng)[0] for _ in range(n))
        base = one(rng)[0]
        return tuple(
            base + rng.uniform(-4, 4) * rng.choice((1, abs(base) * 1e-9)) for _ in range(n)
        )

    return draw


def pow_points(rng: random.Random) -> tuple:
    """x^y in range: x > 0 with |y·log x| < 700, or x < 0 with an integer y."""
    x = log_uniform(rng) if rng.random() < 0.5 else rng.uniform(0.0, 4.0)
    if rng.random() < 0.2:
        x = -x
        y = float(rng.randint(-60, 60))
        if abs(y * math.log(abs(x) or 1.0)) > 700:
            y = float(rng.choice((2, 3, -1)))
        return (x, y)
    bound = 700 / max(abs(math.log(x)), 1e-300) if x > 0 else 10.0
    return (x, rng.uniform(-1, 1) * min(bound, 1e6))


# --- the specs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """How to measure one primitive (``name`` is its ``Primitive.name``)."""

    name: str
    sample: Sampler
    exact: Callable  # (mpmath, *floats) -> mpf, Fraction or float (exact)
    torch: Callable  # (torch, *float64 tensors) -> tensor
    extra: tuple = ()  # constant arguments after the sampled ones (leaky_relu's slope...)
    # What the primitive may take after the sampled arguments, tried in order (a primitive
    # may or may not take its parameters, e.g. elu's alpha): set by present_specs.
    calls: tuple = ((),)
    call: tuple | None = None


def _sigmoid(mp, x):
    return 1 / (1 + mp.exp(-x))


def _softplus(mp, x):
    return x + mp.log1p(mp.exp(-x)) if x > 0 else mp.log1p(mp.exp(x))


def _log1p_rest(mp, xs):
    """(m, log Σ e^(xⱼ − m)) with the sum's 1 kept apart: log1p of the others, so that a tiny
    remainder is not lost in 50 digits."""
    m = max(xs)
    k = list(xs).index(m)
    rest = mp.fsum(mp.exp(mp.mpf(x) - m) for j, x in enumerate(xs) if j != k)
    return mp.mpf(m), mp.log1p(rest)


def _logsumexp(mp, *xs):
    if any(mp.isnan(x) or mp.isinf(x) for x in xs):
        return mp.mpf("nan")
    m, log_sum = _log1p_rest(mp, xs)
    return m + log_sum


def _log_softmax(mp, t, *others):
    if any(mp.isnan(x) or mp.isinf(x) for x in (t, *others)):
        return mp.mpf("nan")
    m, log_sum = _log1p_rest(mp, (t, *others))
    return (mp.mpf(t) - m) - log_sum


def _bce(mp, z, y):
    z, y = mp.mpf(z), mp.mpf(y)
    return (1 - y) * z + mp.log1p(mp.exp(-z)) if z >= 0 else -y * z + mp.log1p(mp.exp(z))


def _fr(x: float) -> Fraction:
    return Fraction(x)


def _fmod(mp, x, y):
    q = _fr(x) / _fr(y)
    return _fr(x) - _fr(y) * math.trunc(q)


def _remainder(mp, x, y):
    return _fr(x) - _fr(y) * math.floor(_fr(x) / _fr(y))


def _selu(mp, x):
    alpha = mp.mpf("1.6732632423543772848170429916717")
    scale = mp.mpf("1.0507009873554804934193349852946")
    return scale * (x if x > 0 else alpha * mp.expm1(x))


def _erfc(mp, x):
    """erfc x; beyond |x| = 1e6 its asymptotic series to x⁻⁴ (relative error < 1e-24), as
    mpmath's erfc raises OverflowError for |x| > ~1e154."""
    if x > 1e6:
        return mp.exp(-x * x) / (x * mp.sqrt(mp.pi)) * (1 - 1 / (2 * x * x) + 3 / (4 * x**4))
    if x < -1e6:
        return mp.mpf(2) - _erfc(mp, -x)
    return mp.erfc(x)


def _gelu(mp, x):
    return x / 2 * _erfc(mp, -x / mp.sqrt(2))


def _gelu_tanh(mp, x):
    """½x·(1 + tanh u) as x·σ(2u), the same number: 1 + tanh u cancels to 0 in 50 digits for
    u < -58 (x < -11), where the value is still ~1e-50·x."""
    x = mp.mpf(x)
    return x * _sigmoid(mp, 2 * mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3))


def _clamp(v, lo, hi):
    return min(max(v, lo), hi)


PI = math.pi
ANY = mixed(20.0, (0.0,))
POS = mixed(20.0, (1.0,), positive=True)
UNIT = mixed(1.0, (-1.0, 0.0, 1.0), lo=-1000, hi=0)  # |x| ≤ 1
TRIG = mixed(10.0, (0.0, PI / 2, PI, -PI / 2, 3 * PI / 2, 100 * PI), hi=60)
KINK = mixed(3.0, (0.0, -1.0, 1.0, 0.5, -0.5, 2.5))

SPECS: list[Spec] = [
    # arithmetic (exact references: fractions)
    Spec("add", pairs(ANY, ANY), lambda mp, a, b: _fr(a) + _fr(b), lambda t, a, b: a + b),
    Spec("mul", pairs(ANY, ANY), lambda mp, a, b: _fr(a) * _fr(b), lambda t, a, b: a * b),
    Spec("sub", pairs(ANY, ANY), lambda mp, a, b: _fr(a) - _fr(b), lambda t, a, b: a - b),
    Spec("neg", ANY, lambda mp, x: -_fr(x), lambda t, x: -x),
    Spec("div", pairs(ANY, ANY), lambda mp, a, b: _fr(a) / _fr(b), lambda t, a, b: a / b),
    Spec("pow", pow_points, lambda mp, x, y: mp.power(x, y), lambda t, x, y: t.pow(x, y)),
    Spec(
        "sum",
        tuples(3, ANY),
        lambda mp, *xs: sum(map(_fr, xs)),
        lambda t, a, b, c: t.stack([a, b, c]).sum(0),
    ),
    Spec(
        "linear",
        tuples(5, ANY),
        lambda mp, w1, w2, x1, x2, b: _fr(w1) * _fr(x1) + _fr(w2) * _fr(x2) + _fr(b),
        lambda t, w1, w2, x1, x2, b: b + w1 * x1 + w2 * x2,
    ),
    # functions of one variable
    Spec("exp", mixed(700.0, (0.0, 709.7, -745.0)), lambda mp, x: mp.exp(x), lambda t, x: t.exp(x)),
    Spec("log", POS, lambda mp, x: mp.log(x), lambda t, x: t.log(x)),
    Spec("sqrt", POS, lambda mp, x: mp.sqrt(x), lambda t, x: t.sqrt(x)),
    Spec("tanh", mixed(20.0, (0.0, 0.55, -0.55)), lambda mp, x: mp.tanh(x), lambda t, x: t.tanh(x)),
    Spec("sigmoid", mixed(40.0, (0.0,)), _sigmoid, lambda t, x: t.sigmoid(x)),
    Spec("softplus", mixed(40.0, (0.0, 20.0)), _softplus, lambda t, x: t.nn.functional.softplus(x)),
    Spec("relu", KINK, lambda mp, x: max(x, 0.0), lambda t, x: t.relu(x)),
    Spec(
        "leaky_relu",
        KINK,
        lambda mp, x, s: x if x > 0 else _fr(x) * _fr(s),
        lambda t, x: t.nn.functional.leaky_relu(x, 0.01),
        extra=(0.01,),
        calls=((0.01,),),
    ),
    Spec("abs", KINK, lambda mp, x: abs(x), lambda t, x: t.abs(x)),
    Spec("sin", TRIG, lambda mp, x: mp.sin(x), lambda t, x: t.sin(x)),
    Spec("cos", TRIG, lambda mp, x: mp.cos(x), lambda t, x: t.cos(x)),
    # n-ary log-sum-exp and the losses' nodes
    Spec(
        "logsumexp",
        tuples(3, ANY),
        _logsumexp,
        lambda t, a, b, c: t.logsumexp(t.stack([a, b, c]), 0),
    ),
    Spec(
        "log_softmax",
        tuples(3, ANY),
        _log_softmax,
        lambda t, a, b, c: t.log_softmax(t.stack([a, b, c]), 0)[0],
    ),
    Spec(
        "binary_cross_entropy_with_logits",
        pairs(mixed(40.0, (0.0,)), lambda rng: (rng.choice((0.0, 1.0, rng.random())),)),
        _bce,
        lambda t, z, y: t.nn.functional.binary_cross_entropy_with_logits(z, y, reduction="none"),
    ),
    # the rest of math's differentiable functions
    Spec("tan", TRIG, lambda mp, x: mp.tan(x), lambda t, x: t.tan(x)),
    Spec("sinh", mixed(700.0, (0.0,)), lambda mp, x: mp.sinh(x), lambda t, x: t.sinh(x)),
    Spec("cosh", mixed(700.0, (0.0,)), lambda mp, x: mp.cosh(x), lambda t, x: t.cosh(x)),
    Spec("asin", UNIT, lambda mp, x: mp.asin(x), lambda t, x: t.asin(x)),
    Spec("acos", UNIT, lambda mp, x: mp.acos(x), lambda t, x: t.acos(x)),
    Spec("atan", ANY, lambda mp, x: mp.atan(x), lambda t, x: t.atan(x)),
    Spec("asinh", ANY, lambda mp, x: mp.asinh(x), lambda t, x: t.asinh(x)),
    Spec(
        "acosh",
        mixed(20.0, (1.0,), positive=True, lo=0, low=1.0),
        lambda mp, x: mp.acosh(x),
        lambda t, x: t.acosh(x),
    ),
    Spec("atanh", UNIT, lambda mp, x: mp.atanh(x), lambda t, x: t.atanh(x)),
    Spec(
        "log1p",
        mixed(20.0, (-1.0, 0.0), low=-1.0, lo=-1000, hi=1023, positive=True),
        lambda mp, x: mp.log1p(x),
        lambda t, x: t.log1p(x),
    ),
    Spec("expm1", mixed(700.0, (0.0,)), lambda mp, x: mp.expm1(x), lambda t, x: t.expm1(x)),
    Spec("log2", POS, lambda mp, x: mp.log(x, 2), lambda t, x: t.log2(x)),
    Spec("log10", POS, lambda mp, x: mp.log10(x), lambda t, x: t.log10(x)),
    Spec(
        "exp2",
        mixed(1000.0, (0.0, 1023.9, -1074.0)),
        lambda mp, x: mp.power(2, x),
        lambda t, x: t.exp2(x),
    ),
    Spec(
        "cbrt",
        ANY,
        lambda mp, x: mp.cbrt(x) if x >= 0 else -mp.cbrt(-x),
        lambda t, x: t.sign(x) * t.abs(x).pow(1 / 3),  # PyTorch has no cbrt
    ),
    Spec("erf", mixed(6.0, (0.0,)), lambda mp, x: mp.erf(x), lambda t, x: t.erf(x)),
    Spec("erfc", mixed(27.0, (0.0,)), _erfc, lambda t, x: t.erfc(x)),
    Spec("atan2", pairs(ANY, ANY), lambda mp, y, x: mp.atan2(y, x), lambda t, y, x: t.atan2(y, x)),
    Spec("hypot", pairs(ANY, ANY), lambda mp, x, y: mp.hypot(x, y), lambda t, x, y: t.hypot(x, y)),
    # piecewise functions (exact: any error is a bug, not rounding)
    Spec("floor", KINK, lambda mp, x: math.floor(_fr(x)), lambda t, x: t.floor(x)),
    Spec("ceil", KINK, lambda mp, x: math.ceil(_fr(x)), lambda t, x: t.ceil(x)),
    Spec("trunc", KINK, lambda mp, x: math.trunc(_fr(x)), lambda t, x: t.trunc(x)),
    Spec("round", KINK, lambda mp, x: round(_fr(x)), lambda t, x: t.round(x)),
    Spec("sign", KINK, lambda mp, x: (x > 0) - (x < 0), lambda t, x: t.sign(x)),
    Spec("fmod", pairs(ANY, ANY), _fmod, lambda t, x, y: t.fmod(x, y)),
    Spec("remainder", pairs(ANY, ANY), _remainder, lambda t, x, y: t.remainder(x, y)),
    Spec("maximum", pairs(KINK, KINK), lambda mp, a, b: max(a, b), lambda t, a, b: t.maximum(a, b)),
    Spec("minimum", pairs(KINK, KINK), lambda mp, a, b: min(a, b), lambda t, a, b: t.minimum(a, b)),
    Spec(
        "clamp",
        KINK,
        lambda mp, x, lo, hi: _clamp(x, lo, hi),
        lambda t, x: t.clamp(x, -1.0, 1.0),
        extra=(-1.0, 1.0),
        calls=((-1.0, 1.0),),
    ),
    Spec("amax", tuples(3, KINK), lambda mp, *xs: max(xs), lambda t, *xs: t.stack(xs).amax(0)),
    Spec("amin", tuples(3, KINK), lambda mp, *xs: min(xs), lambda t, *xs: t.stack(xs).amin(0)),
    # activations
    Spec("gelu", mixed(40.0, (0.0,)), _gelu, lambda t, x: t.nn.functional.gelu(x)),
    Spec(
        "gelu_tanh",
        mixed(40.0, (0.0,)),
        _gelu_tanh,
        lambda t, x: t.nn.functional.gelu(x, approximate="tanh"),
    ),
    Spec(
        "silu",
        mixed(40.0, (0.0,)),
        lambda mp, x: x * _sigmoid(mp, x),
        lambda t, x: t.nn.functional.silu(x),
    ),
    Spec(
        "elu",
        mixed(40.0, (0.0,)),
        lambda mp, x: x if x > 0 else mp.expm1(x),
        lambda t, x: t.nn.functional.elu(x),
        calls=((), (1.0,)),
    ),
    Spec("selu", mixed(40.0, (0.0,)), _selu, lambda t, x: t.nn.functional.selu(x)),
    Spec(
        "softsign",
        ANY,
        lambda mp, x: x / (1 + abs(mp.mpf(x))),
        lambda t, x: t.nn.functional.softsign(x),
    ),
    Spec(
        "logsigmoid",
        mixed(40.0, (0.0,)),
        lambda mp, x: -_softplus(mp, -mp.mpf(x)),
        lambda t, x: t.nn.functional.logsigmoid(x),
    ),
    Spec(
        "hardtanh",
        KINK,
        lambda mp, x: _clamp(x, -1.0, 1.0),
        lambda t, x: t.nn.functional.hardtanh(x),
        calls=((), (-1.0, 1.0)),
    ),
]

# Names the table may use for the same function (``round_`` for ``round``...).
ALIASES = {"round": ("round", "round_"), "pow": ("pow", "pow_"), "abs": ("abs", "abs_")}
