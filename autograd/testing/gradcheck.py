"""``gradcheck`` and ``gradgradcheck``: the engine's derivatives against finite differences.

A derivative rule can be checked without knowing it: nudge one input by ±eps and watch the
output move. The central difference

    ∂f/∂xᵢ ≈ (f(x + eps·eᵢ) - f(x - eps·eᵢ)) / (2·eps)

has an error of order eps² (the even terms of the Taylor series cancel), so with eps = 1e-6
it agrees with the true derivative to about 1e-10 · |f|: rounding, not truncation, dominates.
``gradcheck`` compares it with what ``grad`` computes; ``gradgradcheck`` does the same one
level up, differencing the first derivatives to check ``grad(..., create_graph=True)``.

An entry passes when |analytic - numeric| <= atol + rtol · |numeric| (the rule of
``torch.allclose``); a failure raises ``GradcheckError`` with a table of every entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real

from autograd.backward import grad
from autograd.value import Value

Number = float | int
Inputs = Number | Value | Sequence[Number | Value]


class GradcheckError(AssertionError):
    """A gradient disagreed with finite differences; ``rows`` holds every compared entry."""

    __module__ = "autograd.testing"  # where users import it from, and how tracebacks name it

    def __init__(self, message: str, rows: list[Row]):
        super().__init__(message)
        self.rows = rows


@dataclass(frozen=True)
class Row:
    """One compared derivative: which input(s), both estimates, and the verdict."""

    name: str  # "0 (x)" for ∂f/∂x; "0 (x), 1 (y)" for ∂²f/∂x∂y
    analytic: float
    numeric: float
    failure: str  # "" when the entry passes

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        error = self.abs_error
        if error == 0:
            return 0.0
        return error / abs(self.numeric) if self.numeric != 0 else math.inf


def gradcheck(
    f: Callable[..., Value | Number],
    inputs: Inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check ∂f/∂xᵢ from ``grad`` against central finite differences at ``inputs``.

    ``f(*values)`` must return a scalar ``Value`` (or a plain number, whose gradient is 0).
    ``inputs`` are floats, or Values whose labels then name the rows of the report.
    Returns True; on a mismatch raises ``GradcheckError`` (or returns False when
    ``raise_exception=False``).

        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
        True
    """
    points, labels = _validate(f, inputs, eps, atol, rtol, "gradcheck")
    analytic = _first_derivatives(f, points, labels, "gradcheck", center=True)
    rows = []
    for i, name in enumerate(_names(labels)):
        plus = _evaluate(f, _nudge(points, i, eps), labels, "gradcheck")
        minus = _evaluate(f, _nudge(points, i, -eps), labels, "gradcheck")
        numeric = (plus - minus) / (2 * eps)
        rows.append(_compare(name, analytic[i], numeric, atol, rtol))
    return _verdict("gradcheck", "∂f/∂input", rows, eps, atol, rtol, raise_exception)


def gradgradcheck(
    f: Callable[..., Value | Number],
    inputs: Inputs,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check every second derivative ∂²f/∂xᵢ∂xⱼ against finite differences.

    The analytic Hessian differentiates ``grad(f, x, create_graph=True)`` once more; the
    numeric one differences the first-order gradients: (∂f/∂xᵢ at x + eps·eⱼ minus at
    x - eps·eⱼ) / 2eps. The first derivatives themselves are ``gradcheck``'s business.
    Arguments and result as for ``gradcheck``.
    """
    points, labels = _validate(f, inputs, eps, atol, rtol, "gradgradcheck")
    leaves = _leaves(points, labels)
    out = _finite_output(f, leaves, "gradgradcheck")
    first = grad(out, leaves, create_graph=True) if isinstance(out, Value) else [0.0] * len(leaves)
    # hessian[i][j] = ∂/∂xⱼ (∂f/∂xᵢ)
    hessian = [grad(g, leaves) if isinstance(g, Value) else [0.0] * len(leaves) for g in first]
    names = _names(labels)
    rows = []
    for j in range(len(points)):
        plus = _first_derivatives(f, _nudge(points, j, eps), labels, "gradgradcheck")
        minus = _first_derivatives(f, _nudge(points, j, -eps), labels, "gradgradcheck")
        for i in range(len(points)):
            numeric = (plus[i] - minus[i]) / (2 * eps)
            rows.append(_compare(f"{names[i]}, {names[j]}", hessian[i][j], numeric, atol, rtol))
    return _verdict("gradgradcheck", "∂²f/∂input∂input", rows, eps, atol, rtol, raise_exception)


# --- checking the arguments -----------------------------------------------------------------


def _validate(f, inputs, eps, atol, rtol, who: str) -> tuple[list[float], list[str]]:
    if not callable(f):
        raise TypeError(
            f"{who}(f): f must be a callable taking one Value per input, got {type(f).__name__}"
        )
    if isinstance(inputs, (Value, Real)):
        inputs = [inputs]
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(
            f"{who}(inputs): inputs must be a sequence of numbers or Values, "
            f"got {type(inputs).__name__}"
        )
    if len(inputs) == 0:
        raise ValueError(
            f"{who}(inputs): inputs is empty; give the point to check at, "
            f"one number per argument of f"
        )
    points, labels = [], []
    for position, given in enumerate(inputs):
        x, label = (given.data, given.label) if isinstance(given, Value) else (given, "")
        if isinstance(x, bool) or not isinstance(x, Real):
            raise TypeError(
                f"{who}(inputs): input {position} must be a real number or a "
                f"Value, got {type(x).__name__} ({x!r:.40})"
            )
        if not math.isfinite(x):
            raise ValueError(
                f"{who}(inputs): input {position} is {x}; finite differences need a finite point"
            )
        points.append(float(x))
        labels.append(label)
    for name, number in (("eps", eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(number, bool) or not isinstance(number, Real) or not math.isfinite(number):
            raise TypeError(f"{who}({name}): {name} must be a finite real number, got {number!r}")
    if eps <= 0:
        raise ValueError(f"{who}(eps): eps must be > 0, got {eps!r}")
    if atol < 0 or rtol < 0:
        raise ValueError(f"{who}: atol and rtol must be >= 0, got atol={atol!r}, rtol={rtol!r}")
    return points, labels


# --- evaluating f ---------------------------------------------------------------------------


def _leaves(points: Sequence[float], labels: Sequence[str]) -> list[Value]:
    return [Value(x, label) for x, label in zip(points, labels)]


def _call(f, leaves: list[Value], who: str) -> Value | float:
    out = f(*leaves)
    if isinstance(out, Value):
        return out
    if isinstance(out, Real) and not isinstance(out, bool):
        return float(out)
    raise TypeError(
        f"{who}(f): f must return a scalar Value or a number, got "
        f"{type(out).__name__} ({out!r:.60})"
    )


def _evaluate(f, points: Sequence[float], labels: Sequence[str], who: str) -> float:
    """f at ``points`` as a float. The graph is recorded as usual, since f may itself call
    ``grad()`` or ``backward()`` (to check a gradient penalty, or a derivative of a derivative)."""
    out = _call(f, _leaves(points, labels), who)
    return out.data if isinstance(out, Value) else out


def _finite_output(f, leaves: list[Value], who: str) -> Value | float:
    out = _call(f, leaves, who)
    value = out.data if isinstance(out, Value) else out
    if not math.isfinite(value):
        where = ", ".join(
            f"{n}={x.data!r}" for n, x in zip(_names([v.label for v in leaves]), leaves)
        )
        raise ValueError(f"{who}: f is {value} at {where}; check at a point where f is finite")
    return out


def _first_derivatives(f, points, labels, who: str, center: bool = False) -> list[float]:
    """grad of f at ``points``; at the center point f must be finite (near it, a non-finite
    value just makes the numeric estimate, and so the check, fail)."""
    leaves = _leaves(points, labels)
    out = _finite_output(f, leaves, who) if center else _call(f, leaves, who)
    if not isinstance(out, Value):
        return [0.0] * len(leaves)
    return list(grad(out, leaves))


def _nudge(points: Sequence[float], i: int, step: float) -> list[float]:
    moved = list(points)
    moved[i] += step
    return moved


# --- comparing and reporting ----------------------------------------------------------------


def _names(labels: Sequence[str]) -> list[str]:
    return [f"{i} ({label})" if label else str(i) for i, label in enumerate(labels)]


def _compare(name: str, analytic: float, numeric: float, atol: float, rtol: float) -> Row:
    if not math.isfinite(numeric):
        failure = "numeric not finite: f is undefined or infinite within eps of this point"
    elif not math.isfinite(analytic):
        failure = "analytic not finite"
    elif abs(analytic - numeric) > atol + rtol * abs(numeric):
        failure = f"abs error > atol={atol:g} and rel error > rtol={rtol:g}"
    else:
        failure = ""
    return Row(name, analytic, numeric, failure)


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned text table (the body of a ``GradcheckError``)."""
    header = ("input", "analytic", "numeric", "abs error", "rel error", "result")
    body = [
        (
            r.name,
            f"{r.analytic:.10g}",
            f"{r.numeric:.10g}",
            f"{r.abs_error:.3g}",
            f"{r.rel_error:.3g}",
            "FAIL: " + r.failure if r.failure else "ok",
        )
        for r in rows
    ]
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths)) + "  " + line[5]
        for line in [header, *body]
    ]
    return "\n".join("  " + line.rstrip() for line in lines)


def _verdict(who: str, what: str, rows: list[Row], eps, atol, rtol, raise_exception) -> bool:
    failed = [r for r in rows if r.failure]
    if not failed:
        return True
    if not raise_exception:
        return False
    raise GradcheckError(
        f"{who}: {len(failed)} of {len(rows)} entries of {what} disagree with central finite "
        f"differences (eps={eps:g}); an entry passes when |analytic - numeric| <= "
        f"atol + rtol·|numeric| (atol={atol:g}, rtol={rtol:g})\n{format_table(rows)}",
        rows,
    )
