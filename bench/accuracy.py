"""Accuracy of every primitive: max error in ulp and % correctly rounded, against mpmath.

``python -m bench.accuracy`` draws, for each function of the derivative table that has a spec
here (``SPECS``), ``--points`` points across its domain (tiny and huge magnitudes, both
signs, points near its zeros, poles and kinks), evaluates chaingrad's forward rule
(``Primitive.forward`` on floats) and PyTorch float64 (CPU) at the same points, and compares
both with the exact value: mpmath at 50 significant digits (exact rational arithmetic for
+, ×, Σ, fmod and remainder), rounded once to a float. It prints (or writes, ``--out``) a
Markdown table: function, max error in ulp and % correctly rounded for chaingrad, the same two
figures for PyTorch.

Specs exist for every function the project's issues name, present or not: a function not in
``autograd.primitives`` is skipped, so new primitives are measured as soon as they exist.
``tests/test_accuracy.py`` runs the same comparison on fewer points and asserts chaingrad is
no worse than PyTorch on both figures.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
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


def _gelu(mp, x):
    return x / 2 * mp.erfc(-x / mp.sqrt(2))


def _gelu_tanh(mp, x):
    x = mp.mpf(x)
    return x / 2 * (1 + mp.tanh(mp.sqrt(2 / mp.pi) * (x + mp.mpf("0.044715") * x**3)))


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
    Spec("erfc", mixed(27.0, (0.0,)), lambda mp, x: mp.erfc(x), lambda t, x: t.erfc(x)),
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


def primitives() -> dict:
    """name -> Primitive, for every primitive in ``autograd.primitives``."""
    from autograd import Primitive
    from autograd import primitives as P

    return {p.name: p for p in vars(P).values() if isinstance(p, Primitive)}


def present_specs() -> list[tuple[Spec, object]]:
    """(spec, primitive) for every spec whose primitive is in the table."""
    table = primitives()
    found = []
    for spec in SPECS:
        for name in ALIASES.get(spec.name, (spec.name,)):
            if name in table:
                call = _working_call(spec, table[name])
                if call is not None:
                    found.append((replace(spec, call=call), table[name]))
                break
    return found


def _working_call(spec: Spec, primitive) -> tuple | None:
    """The first of ``spec.calls`` the primitive accepts after a sampled point."""
    point = spec.sample(random.Random(0))
    for call in spec.calls:
        try:
            primitive.forward(*point, *call)
        except TypeError:
            continue
        return call
    return None


# --- measuring ---------------------------------------------------------------------------------


def _mpf(value):
    """An exact value as an mpf (ints, Fractions and floats converted exactly)."""
    import mpmath

    if isinstance(value, Fraction):
        with mpmath.workprec(4400):
            return mpmath.mpf(value.numerator) / value.denominator
    if isinstance(value, mpmath.mpf):
        return value  # as it is: mpmath.mpf(x) would round it to the working precision
    if isinstance(value, mpmath.mpc):  # outside the real domain
        return mpmath.mpf(value.real) if value.imag == 0 else mpmath.mpf("nan")
    return mpmath.mpf(value)


def _to_float(exact) -> float:
    """The float nearest the exact mpf (mpmath rounds to nearest; ±inf beyond the range)."""
    return float(exact)


def ulp_error(got: float, exact) -> float:
    """|got − exact| in units of the last place of the correctly rounded exact value
    (0 for the same infinity or two nans, inf for any other mismatch of special values)."""
    import mpmath

    exact = _mpf(exact)
    rounded = _to_float(exact)
    if not mpmath.isfinite(exact) or not math.isfinite(got) or math.isinf(rounded):
        same = got == rounded or (got != got and rounded != rounded)
        return 0.0 if same else math.inf
    if exact == 0:
        return 0.0 if got == 0 else math.inf
    with mpmath.workprec(64):
        return float(abs(mpmath.mpf(got) - exact) / math.ulp(rounded))


def correctly_rounded(got: float, exact) -> bool:
    rounded = _to_float(_mpf(exact))
    return got == rounded or (got != got and rounded != rounded)


@dataclass
class Row:
    name: str
    points: int
    ours_max_ulp: float
    ours_correct: float  # fraction correctly rounded
    torch_max_ulp: float | None
    torch_correct: float | None


def draw_points(spec: Spec, n: int, seed: int) -> list[tuple]:
    rng = random.Random(f"{spec.name}:{seed}")
    return [spec.sample(rng) for _ in range(n)]


# Results that are exact rationals of the arguments: computed with Fractions, no rounding.
_RATIONAL = {"add", "mul", "div", "sum", "linear", "fmod", "remainder", "leaky_relu"}
_DIVIDING = {"div", "fmod", "remainder"}


def exact_values(spec: Spec, points: Sequence[tuple]) -> list:
    """The exact value at each point, as an mpf (nan where it is not a real number)."""
    import mpmath

    values = []
    with mpmath.workdps(50):
        for point in points:
            args = [*point, *spec.extra]
            if spec.name in _RATIONAL:
                if not all(map(math.isfinite, args)) or (spec.name in _DIVIDING and args[1] == 0):
                    values.append(_rational_special(spec, args))
                    continue
                values.append(_mpf(spec.exact(mpmath, *args)))
            else:
                values.append(_mpf(spec.exact(mpmath, *[mpmath.mpf(a) for a in args])))
    return values


def _rational_special(spec: Spec, args: list):
    """IEEE's answer for inf / nan / a zero divisor, where a Fraction cannot go."""
    import mpmath

    with _quiet():
        value = {
            "add": lambda: args[0] + args[1],
            "mul": lambda: args[0] * args[1],
            "div": lambda: _ieee_div(args[0], args[1]),
            "sum": lambda: sum(args),
            "linear": lambda: args[4] + args[0] * args[2] + args[1] * args[3],
            "leaky_relu": lambda: args[0] if args[0] > 0 else args[0] * args[1],
        }.get(spec.name, lambda: math.nan)()
    return mpmath.mpf(value)


def _ieee_div(a: float, b: float) -> float:
    if b != 0:
        return a / b
    if a == 0 or a != a:
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


class _quiet:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is OverflowError


def measure(spec: Spec, primitive, n: int, seed: int = 0, torch=None) -> Row:
    """Compare chaingrad (and PyTorch, when given) with the exact values at n points."""
    points = draw_points(spec, n, seed)
    exact = exact_values(spec, points)
    call = spec.extra if spec.call is None else spec.call
    ours = [float(primitive.forward(*p, *call)) for p in points]
    row = _row(spec.name, ours, exact)
    if torch is not None and spec.torch is not None:
        columns = [torch.tensor(c, dtype=torch.float64) for c in zip(*points)]
        with torch.no_grad():
            theirs = spec.torch(torch, *columns).tolist()
        t = _row(spec.name, theirs, exact)
        row.torch_max_ulp, row.torch_correct = t.ours_max_ulp, t.ours_correct
    return row


def _row(name: str, got: list[float], exact: list) -> Row:
    errors = [ulp_error(g, e) for g, e in zip(got, exact)]
    correct = sum(correctly_rounded(g, e) for g, e in zip(got, exact))
    return Row(name, len(got), max(errors), correct / len(got), None, None)


# --- the table ---------------------------------------------------------------------------------


def _ulp(x: float | None) -> str:
    if x is None:
        return "—"
    return "inf" if math.isinf(x) else f"{x:.2f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f}%"


def markdown(rows: Sequence[Row]) -> str:
    lines = [
        "| function | chaingrad max ulp | chaingrad correctly rounded | "
        "PyTorch max ulp | PyTorch correctly rounded |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| `{r.name}` | {_ulp(r.ours_max_ulp)} | {_pct(r.ours_correct)} | "
            f"{_ulp(r.torch_max_ulp)} | {_pct(r.torch_correct)} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.accuracy", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--points", type=int, default=10_000, help="points per function")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="these functions only")
    parser.add_argument("--out", help="write the Markdown table here (default: print it)")
    args = parser.parse_args(argv)
    try:
        import mpmath  # noqa: F401
    except ImportError:
        print("python -m bench.accuracy: needs mpmath (pip install mpmath)", file=sys.stderr)
        return 2
    try:
        import torch
    except ImportError:
        torch = None
    rows = []
    for spec, primitive in present_specs():
        if args.only and spec.name not in args.only:
            continue
        rows.append(measure(spec, primitive, args.points, args.seed, torch))
        print(f"{spec.name}: done", file=sys.stderr)
    table = (
        f"{args.points:,} points per function (seed {args.seed}); "
        f"error against mpmath at 50 digits.\n\n" + markdown(rows)
    )
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(table)
    else:
        print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
