"""Numeric derivatives that know how far they can be trusted.

A central difference ``(φ(x + h) − φ(x − h)) / 2h`` is only as good as its step h. Too large
and the truncation error (∝ h²·φ''') dominates; too small and rounding does (∝ ε·|φ| / h);
at |x| = 1e12 a step of 1e-6 is not even represented (``x + 1e-6 == x``). A fixed step,
as in PyTorch's ``gradcheck`` and JAX's ``check_grads``, therefore fails on correct
derivatives of large or small inputs. Here, for each input:

- the steps are powers of two, so ``x ± h`` is exact wherever it can be, and every quotient
  divides by the step actually represented, ``(x + h) − (x − h)`` as computed;
- the first step is set from the input's magnitude (never below two ulps of x nor above
  |x| / 16) and the
  function's scale (the smallest h at which the rounding error noise / h stays a hundredth
  of the tolerance; noise is φ's own rounding error, ε·Σ|∂φ/∂n · n| over the nodes n of
  its graph, which sees cancellation inside φ: log(1 + x²) at x = 1e-3 is 1e-6 but is off
  by ε·1, not ε·1e-6); the steps then double, up to max(|x|, 1) / 4;
- Richardson extrapolation over three consecutive steps (h, 2h, 4h) cancels the h² and h⁴
  error terms, and the estimate's error is the change when the steps double (truncation)
  plus the rounding bound of the quotients (numdifftools' idea: a sequence of steps, an
  extrapolated estimate and an error estimate for each, the best one chosen);
- the search stops at the first step whose error estimate is a hundredth of the tolerance,
  or once the error estimates, having come within the tolerance, grow again (truncation
  taking over from rounding); the estimate with the smallest error so far is taken. Steps
  far beyond the function's scale are never reached, where an oscillating function (sin
  at 1e15) gives quotients that are small and consistent by chance.

Where no quotient is finite (φ overflows or leaves its domain within the step), or the
estimates do not settle as the step shrinks (a jump), or the one-sided slopes keep apart
(a kink), the estimate says so (``Estimate.untrusted``), so that a checker can report that
no finite difference can be trusted instead of blaming the derivative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# Factor on the rounding error bound of a quotient: 2·noise / 2h for the difference of two
# values, each off by up to noise, with a margin for the bound being a first-order one.
SAFETY = 4.0
# An estimate is "accurate enough" (ends the search) when its error estimate is this
# fraction of the tolerance.
GOOD = 0.01


@dataclass(frozen=True)
class Estimate:
    """A numeric derivative: ``value`` ± ``error``, from the steps ``step``, 2·step, 4·step.

    ``untrusted`` is "" when the estimate can be relied on, else the reason it cannot."""

    value: float
    error: float
    step: float
    untrusted: str = ""


@dataclass
class _Quotient:
    step: float  # the step actually represented: ((x + h) − (x − h)) / 2
    central: float  # (φ(x+h) − φ(x−h)) / 2step
    rounding: float  # bound on central's rounding error
    curvature: float  # (φ(x+h) − 2φ(x) + φ(x−h)) / step: forward minus backward slope


def derivatives(
    phi: Callable[[float], Sequence[float]],
    x: float,
    center: Sequence[float],
    noise: Sequence[float],
    scale: Sequence[float],
    *,
    atol: float,
    rtol: float,
    step: float | None = None,
) -> list[Estimate]:
    """dφₑ/dx at x for every entry e of the vector function ``phi`` (one float per entry).

    ``center`` is φ(x), ``noise`` a bound on the rounding error of each entry of φ near x
    (see ``rounding_error``); ``scale`` the expected size of each derivative (it sets the
    tolerance atol + rtol·|scale| that decides which step is accurate enough). ``step``
    fixes the smallest step instead of searching. Returns one ``Estimate`` per entry.
    """
    n = len(center)
    lowest = 2 * math.ulp(x) if x != 0 else 2.0**-60
    highest = _power_of_two(max(abs(x), 1.0) / 4)
    bands = [atol + rtol * abs(s) for s in scale]
    if step is not None:
        h, highest = step, 8 * step
    else:
        needed = [
            SAFETY * r / (GOOD * band) if band > 0 else math.inf for r, band in zip(noise, bands)
        ]
        # never above |x| / 16: a step small against x first (relu at 1e-300 is smooth
        # only within 1e-300 of it)
        start = min(_power_of_two(min(needed, default=math.inf)), highest / 16)
        if x != 0:
            start = min(start, _power_of_two(abs(x) / 16))
        # four octaves lower: the noise bound can be pessimistic (x·-1 is exact), and a
        # search that starts too high may never meet an accurate step
        h = max(lowest, start / 16)
    quotients: list[list[_Quotient]] = [[] for _ in range(n)]
    best: list[Estimate | None] = [None] * n
    done = [False] * n
    while True:
        plus, minus = x + h, x - h
        represented = (plus - minus) / 2
        upper, lower = phi(plus), phi(minus)
        for e in range(n):
            fp, fm = upper[e], lower[e]
            quotients[e].append(
                _Quotient(
                    represented,
                    (fp - fm) / (2 * represented),
                    SAFETY * noise[e] / represented,
                    (fp - 2 * center[e] + fm) / represented,
                )
            )
            if len(quotients[e]) >= 4 and not done[e]:
                candidate = _extrapolate(quotients[e][-4:])
                previous = best[e]
                if candidate is None:
                    continue
                if previous is None:
                    best[e] = candidate
                    done[e] = candidate.error <= GOOD * bands[e]
                elif abs(candidate.value - previous.value) > (
                    8 * (previous.error + candidate.error) + bands[e]
                ):
                    # A larger step contradicts a smaller one beyond both error estimates: the
                    # larger steps see f at another scale (sin at 1e10 aliased by steps of
                    # 1e3), so their agreement among themselves means nothing. Keep the smaller.
                    done[e] = True
                elif candidate.error < previous.error:
                    best[e] = candidate
                    done[e] = candidate.error <= GOOD * bands[e]
                elif previous.error <= bands[e]:
                    done[e] = True  # past the most accurate step: truncation takes over
        if all(done) or h >= highest:
            break
        h *= 2
    return [_judge(b, q, band, lowest, highest) for b, q, band in zip(best, quotients, bands)]


def rounding_error(value, leaf) -> float:
    """A first-order bound on the rounding error of a Value's data as ``leaf`` moves: each
    operation node n of its graph that depends on the leaf was rounded by up to ε·|n|,
    which moves the value by ∂value/∂n times that. (Nodes that do not depend on the leaf
    round the same way at every point along it, and an input is exact.)"""
    from autograd.backward import gradients, topological_order
    from autograd.value import Value

    epsilon = 2.0**-52
    if not isinstance(value, Value) or not value.requires_grad:
        # A constant: made by a rule from data alone, a piecewise-constant factor (relu's
        # slope, abs's sign), exact. (A rule that cuts the graph gives a constant that is
        # rounded, but it is wrong anyway, and its check fails.)
        return 0.0
    varies: dict[Value, bool] = {}
    for node in topological_order(value):
        varies[node] = any(x is leaf or varies.get(x, False) for x in node.inputs)
    total = 0.0
    for node, g in gradients(value).items():
        if not varies.get(node, False):
            continue
        term = abs(g) * _rounded_magnitude(node)
        if math.isfinite(term):
            total += term
    return epsilon * total


def _rounded_magnitude(node) -> float:
    """The size at which a node's result is rounded: |result| for one operation; an n-ary
    sum rounds each partial sum, so Σ|term| times the number of terms (the dot in
    2 + 2e-8 - 2 = 2e-8 is off by ε·2, not by ε·2e-8)."""
    inputs = node.inputs
    if len(inputs) <= 2:
        return abs(node.data)
    data = [x.data for x in inputs]
    if node.op == "linear":
        n = len(data) // 2
        terms = [w * x for w, x in zip(data[:n], data[n : 2 * n])] + [data[-1]]
    else:
        terms = data
    return max(abs(node.data), len(terms) * sum(abs(t) for t in terms))


def _power_of_two(x: float) -> float:
    """The largest power of two <= x (x > 0), or x itself when it is 0 or infinite."""
    if not 0 < x < math.inf:
        return x
    return math.ldexp(1.0, math.frexp(x)[1] - 1)


def _richardson(q: Sequence[_Quotient]) -> tuple[float, float]:
    """(estimate, its rounding bound) from quotients at steps h, 2h, 4h: the central
    difference's error is a₂h² + a₄h⁴ + …, and two eliminations leave O(h⁶)."""
    d0, d1, d2 = (item.central for item in q)
    estimate = (64 * d0 - 20 * d1 + d2) / 45
    rounding = (64 * q[0].rounding + 20 * q[1].rounding + q[2].rounding) / 45
    return estimate, rounding


def _extrapolate(q: Sequence[_Quotient]) -> Estimate | None:
    """The estimate from the first three of four consecutive quotients, its error the change
    when the steps double plus rounding; None if any quotient is not finite."""
    if not all(math.isfinite(item.central) for item in q):
        return None
    value, rounding = _richardson(q[:3])
    coarser, _ = _richardson(q[1:])
    return Estimate(value, abs(value - coarser) + rounding, q[0].step)


def _judge(
    best: Estimate | None, quotients: list[_Quotient], band: float, lowest: float, highest: float
) -> Estimate:
    if best is None:
        return Estimate(
            math.nan,
            math.inf,
            quotients[0].step,
            f"f is not finite within the steps tried ({lowest:.3g} to {highest:.3g}) of this "
            f"point: it overflows, jumps to inf or leaves its domain",
        )
    if best.error > band:
        return Estimate(
            best.value,
            best.error,
            best.step,
            f"the difference quotients do not settle as the step shrinks (f jumps, or is not "
            f"smooth at the scale of the steps tried, {lowest:.3g} to {highest:.3g})",
        )
    at = next(i for i, item in enumerate(quotients) if item.step == best.step)
    here, doubled = quotients[at].curvature, quotients[at + 1].curvature
    # Smooth: forward − backward slope = φ''·h, doubling with the step; at a kink it is
    # the jump in slope, whatever the step.
    if abs(here) > band + 4 * quotients[at].rounding and abs(doubled) < 1.5 * abs(here):
        return Estimate(
            best.value,
            best.error,
            best.step,
            f"f has a kink here: its one-sided slopes differ by {here:.6g} at every step",
        )
    return best
