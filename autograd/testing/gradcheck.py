"""``gradcheck`` and ``gradgradcheck``: the engine's derivatives against finite differences.

A derivative rule can be checked without knowing it: nudge one input and watch the output
move. ``gradcheck`` compares what ``grad`` computes with a numeric derivative from
``finite_differences`` (a step per input, Richardson extrapolation, an error estimate), and
with ``order=2`` or ``3`` does the same one and two levels up, numerically differentiating
the analytic derivatives of the level below (``grad(..., create_graph=True)``), as JAX's
``check_grads``. ``gradgradcheck`` is the ``order=2`` shorthand.

An entry passes when |analytic - numeric| <= atol + rtol · |numeric| + the numeric value's
error estimate; a failure raises ``GradcheckError`` with a table of every entry, which says
for each failing one whether the derivative disagrees or no finite difference can be trusted
at that point (f is not finite, jumps or has a kink within the step).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from numbers import Real

from autograd.backward import grad
from autograd.testing.finite_differences import Estimate, derivatives, rounding_error
from autograd.testing.smoothness import Radius, smooth_radius
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
    """One compared derivative: which input(s), both values, the numeric one's error
    estimate and step, and the verdict."""

    name: str  # "0 (x)" for ∂f/∂x; "0 (x), 1 (y)" for ∂²f/∂x∂y
    analytic: float
    numeric: float
    failure: str  # "" when the entry passes
    error_estimate: float = 0.0  # of the numeric value
    step: float = math.nan  # the smallest step of the numeric value's differences
    trusted: bool = True  # False when no finite difference can be trusted for this entry

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
    order: int = 1,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """Check every derivative of f up to ``order`` (1, 2 or 3) against finite differences.

    ``f(*values)`` must return a scalar ``Value`` (or a plain number, whose derivatives are
    0). ``inputs`` are floats, or Values whose labels then name the rows of the report.
    Order 1 compares ∂f/∂xᵢ from ``grad`` with a numeric derivative of f; order m > 1 compares
    each ∂ᵐf/∂xᵢ…∂xₗ from ``grad(..., create_graph=True)`` with a numeric derivative, along
    xₗ, of the (analytic) derivative of order m − 1, as JAX's ``check_grads(order=m)``.

    The numeric derivatives come from ``finite_differences.derivatives``: a step chosen per
    input and Richardson extrapolation, with an error estimate. An entry passes when
    |analytic − numeric| <= atol + rtol·|numeric| + error estimate; an analytic value that is
    not finite fails. ``eps`` fixes the smallest step instead of searching for it.
    Returns True; on a failure raises ``GradcheckError`` (or returns False when
    ``raise_exception=False``), whose table says for each entry whether the derivative
    disagrees or no finite difference can be trusted there.

        >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
        True
        >>> gradcheck(lambda x: 3.0 * x, [1e12], order=3)
        True
    """
    rows = compare_derivatives(f, inputs, order=order, eps=eps, atol=atol, rtol=rtol)
    what = "∂f/∂input" if order == 1 else f"the derivatives of f up to order {order}"
    return _verdict("gradcheck", what, rows, atol, rtol, raise_exception)


def compare_derivatives(
    f: Callable[..., Value | Number],
    inputs: Inputs,
    *,
    order: int = 1,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> list[Row]:
    """What ``gradcheck`` compares, as a list of ``Row`` (every entry, passed or failed):
    for tests that need the numeric values, their error estimates or steps. Arguments and
    errors for bad arguments as for ``gradcheck``."""
    who = "gradcheck"
    if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order <= 3:
        raise ValueError(f"{who}(order): order must be 1, 2 or 3, got {order!r}")
    points, labels = _validate(f, inputs, eps, atol, rtol, who)
    _finite_output(f, _leaves(points, labels), who)
    names = _names(labels)
    rows: list[Row] = []
    for level in range(1, order + 1):
        analytic = _derivatives(f, points, labels, level, who)
        leaves, graphs = _derivative_graphs(f, points, labels, level - 1, who, keep_graph=True)
        lower = {key: v.data if isinstance(v, Value) else float(v) for key, v in graphs.items()}
        for j in range(len(points)):
            keys = [key for key in analytic if key[-1] == j]

            def phi(t: float, j: int = j, keys: list = keys, m: int = level - 1) -> list[float]:
                try:
                    moved = _derivatives(f, _moved(points, j, t), labels, m, who)
                except (ArithmeticError, ValueError):
                    # f is not defined at this step (math.exp overflows, math.log leaves its
                    # domain inside a Primitive): as an inf would, it ends the steps there
                    return [math.nan] * len(keys)
                return [moved[key[:-1]] for key in keys]

            estimates = derivatives(
                phi,
                points[j],
                [lower[key[:-1]] for key in keys],
                [rounding_error(graphs[key[:-1]], leaves[j]) for key in keys],
                [analytic[key] for key in keys],
                atol=atol,
                rtol=rtol,
                step=eps,
                within=[_smooth_radius(graphs[key[:-1]], leaves[j], level) for key in keys],
            )
            for key, estimate in zip(keys, estimates):
                name = ", ".join(names[i] for i in key)
                rows.append(_compare(name, analytic[key], estimate, atol, rtol))
    return rows


def gradgradcheck(
    f: Callable[..., Value | Number],
    inputs: Inputs,
    *,
    eps: float | None = None,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """``gradcheck(f, inputs, order=2)``: every first and second derivative ∂²f/∂xᵢ∂xⱼ.

    The analytic second derivatives differentiate ``grad(f, x, create_graph=True)`` once
    more; the numeric ones differentiate those first derivatives numerically. A row named
    "i, j" is ∂/∂xⱼ (∂f/∂xᵢ). Arguments and result as for ``gradcheck``.
    """
    return gradcheck(
        f, inputs, order=2, eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )


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
    for name, number in (("eps", 1.0 if eps is None else eps), ("atol", atol), ("rtol", rtol)):
        if isinstance(number, bool) or not isinstance(number, Real) or not math.isfinite(number):
            raise TypeError(f"{who}({name}): {name} must be a finite real number, got {number!r}")
    if eps is not None and eps <= 0:
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


def _finite_output(f, leaves: list[Value], who: str) -> Value | float:
    out = _call(f, leaves, who)
    value = out.data if isinstance(out, Value) else out
    if not math.isfinite(value):
        where = ", ".join(
            f"{n}={x.data!r}" for n, x in zip(_names([v.label for v in leaves]), leaves)
        )
        raise ValueError(f"{who}: f is {value} at {where}; check at a point where f is finite")
    return out


def _derivative_graphs(
    f, points, labels, level: int, who: str, keep_graph: bool
) -> tuple[list[Value], dict[tuple[int, ...], Value | float]]:
    """{(i₁, …, iₘ): ∂ᵐf/∂x_{i₁}…∂x_{iₘ}} at ``points`` for m = ``level`` (m = 0: {(): f}),
    each level differentiating the one before with ``grad(..., create_graph=True)``; the
    last level as graphs too when ``keep_graph``. Returns (the leaves, the derivatives)."""
    leaves = _leaves(points, labels)
    current: dict[tuple[int, ...], Value | float] = {(): _call(f, leaves, who)}
    for m in range(level):
        following: dict[tuple[int, ...], Value | float] = {}
        for key, value in current.items():
            if isinstance(value, Value):
                grads = grad(value, leaves, create_graph=keep_graph or m < level - 1)
            else:
                grads = (0.0,) * len(leaves)
            for i, g in enumerate(grads):
                following[key + (i,)] = g
        current = following
    return leaves, current


def _derivatives(f, points, labels, level: int, who: str) -> dict[tuple[int, ...], float]:
    _, graphs = _derivative_graphs(f, points, labels, level, who, keep_graph=False)
    return {key: v.data if isinstance(v, Value) else float(v) for key, v in graphs.items()}


def _smooth_radius(graph, leaf: Value, level: int) -> Radius:
    """``smooth_radius``, told that a derivative graph (level > 1) hides its rules' kinks:
    relu's slope is a constant 1 or 0 there, so the steps must stay within |x| / 4 of x."""
    radius = smooth_radius(graph, leaf)
    return radius if level == 1 else replace(radius, known=False)


def _moved(points: Sequence[float], i: int, value: float) -> list[float]:
    moved = list(points)
    moved[i] = value
    return moved


# --- comparing and reporting ----------------------------------------------------------------


def _names(labels: Sequence[str]) -> list[str]:
    return [f"{i} ({label})" if label else str(i) for i, label in enumerate(labels)]


def _compare(name: str, analytic: float, estimate: Estimate, atol: float, rtol: float) -> Row:
    numeric, error = estimate.value, estimate.error
    trusted = not estimate.untrusted
    # An untrusted estimate's error is no bound (x·x.detach() beside a term of 1e16 is ±244),
    # so it widens nothing: such an entry passes only on agreement within the tolerance.
    allowed = atol + rtol * abs(numeric) + (error if trusted else 0.0)
    if math.isfinite(analytic) and abs(analytic - numeric) <= allowed:
        failure = ""
    elif not trusted:
        failure = f"no finite difference can be trusted: {estimate.untrusted}"
        if not math.isfinite(analytic):
            failure += f" (and the analytic value is {analytic})"
    elif not math.isfinite(analytic):
        failure = f"analytic is {analytic}"
    else:
        failure = (
            f"abs error > atol + rtol·|numeric| + error estimate (atol={atol:g}, rtol={rtol:g})"
        )
    return Row(name, analytic, numeric, failure, error, estimate.step, trusted)


def format_table(rows: Sequence[Row]) -> str:
    """The rows as an aligned text table (the body of a ``GradcheckError``)."""
    header = ("input", "analytic", "numeric", "abs error", "rel error", "error est.", "step")
    body = [
        (
            r.name,
            f"{r.analytic:.10g}",
            f"{r.numeric:.10g}",
            f"{r.abs_error:.3g}",
            f"{r.rel_error:.3g}",
            f"{r.error_estimate:.3g}",
            f"{r.step:.3g}",
            _result(r),
        )
        for r in rows
    ]
    columns = len(header)
    widths = [max(len(line[k]) for line in [header, *body]) for k in range(columns)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths))
        + "  "
        + (line[columns] if len(line) > columns else "result")
        for line in [header, *body]
    ]
    return "\n".join("  " + line.rstrip() for line in lines)


def _result(row: Row) -> str:
    """The table's last column: ok; FAIL, the derivative disagrees; CANNOT CHECK, no finite
    difference can tell (the failure says why)."""
    if not row.failure:
        return "ok"
    return ("FAIL: " if row.trusted else "CANNOT CHECK: ") + row.failure


def _verdict(who: str, what: str, rows: list[Row], atol, rtol, raise_exception) -> bool:
    failed = [r for r in rows if r.failure]
    if not failed:
        return True
    if not raise_exception:
        return False
    raise GradcheckError(
        f"{who}: {len(failed)} of {len(rows)} entries of {what} disagree with finite "
        f"differences or cannot be checked; an entry passes when |analytic - numeric| <= "
        f"atol + rtol·|numeric| + the numeric value's error estimate (atol={atol:g}, "
        f"rtol={rtol:g})\n{format_table(rows)}",
        rows,
    )
