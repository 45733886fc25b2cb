"""Accuracy of every primitive: max error in ulp and % correctly rounded, against mpmath.

``python -m bench.accuracy`` draws, for each function of the derivative table that has a
spec in ``bench/accuracy_specs.py`` (``SPECS``), ``--points`` points across its domain (tiny
and huge magnitudes, both signs, points near its zeros, poles and kinks). It evaluates
chaingrad's forward rule (``Primitive.forward`` on floats) and PyTorch float64 (CPU) at the
same points and compares both with the exact value: mpmath at 50 significant digits (exact
rationals for +, ×, Σ, fmod and remainder), rounded once to a float. It prints (or writes,
``--out``) a Markdown table: function, max error in ulp and % correctly rounded for
chaingrad, the same two figures for PyTorch.

A function not in ``autograd.primitives`` is skipped, so new primitives are measured as soon
as they exist. ``tests/test_accuracy.py`` runs the same comparison on fewer points and asserts
chaingrad is no worse than PyTorch on both figures.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from bench.accuracy_specs import ALIASES, SPECS, Spec, log_uniform

__all__ = ["ALIASES", "SPECS", "Spec", "log_uniform", "measure", "present_specs", "ulp_error"]


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
_RATIONAL = {
    *("add", "sub", "neg", "mul", "div", "sum", "linear", "fmod", "remainder", "leaky_relu"),
    *("floor", "ceil", "trunc", "round"),
}
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
            "sub": lambda: args[0] - args[1],
            "neg": lambda: -args[0],
            "mul": lambda: args[0] * args[1],
            "div": lambda: _ieee_div(args[0], args[1]),
            "sum": lambda: sum(args),
            "linear": lambda: args[4] + args[0] * args[2] + args[1] * args[3],
            "leaky_relu": lambda: args[0] if args[0] > 0 else args[0] * args[1],
            "floor": lambda: args[0],  # ±inf and nan are their own floor, ceil, trunc, round
            "ceil": lambda: args[0],
            "trunc": lambda: args[0],
            "round": lambda: args[0],
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
