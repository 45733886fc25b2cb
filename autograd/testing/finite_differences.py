"""Numeric derivatives that know how far they can be trusted.

A central difference ``(φ(x + h) − φ(x − h)) / 2h`` is only as good as its step h. Too large
and the truncation error (∝ h²·φ''') dominates; too small and rounding does (∝ ε·|φ| / h);
at |x| = 1e12 a step of 1e-6 is not even represented (``x + 1e-6 == x``). A fixed step,
as in PyTorch's ``gradcheck`` and JAX's ``check_grads``, therefore fails on correct
derivatives of large or small inputs. Here, for each input:

- the steps are powers of two, so ``x ± h`` is exact wherever it can be, and every quotient
  divides by the step actually represented, ``(x + h) − (x − h)`` as computed;
- the first step is set from the input's magnitude (never below two ulps of x nor above
  |x| / 16) and the function's scale (the smallest h at which the rounding error noise / h
  stays a hundredth of the tolerance; noise is φ's own rounding error, the larger of
  ε·Σ|∂φ/∂n · n| over the nodes n of its graph, which sees cancellation inside φ:
  log(1 + x²) at x = 1e-3 is 1e-6 but is off by ε·1, not ε·1e-6, and the noise measured
  as ECNoise does, which sees rounding inside one operation); the steps then double, up
  to max(|x|, 1) / 4, or further when every operation's smoothness is known;
- Richardson extrapolation over three consecutive steps (h, 2h, 4h) cancels the h² and h⁴
  error terms, and the estimate's error is the change when the steps double (truncation)
  plus the rounding bound of the quotients (numdifftools' idea: a sequence of steps, an
  extrapolated estimate and an error estimate for each, the best one chosen);
- the search stops at the first step whose error estimate is a hundredth of the tolerance,
  or once the error estimates, having come within the tolerance, grow again (truncation
  taking over from rounding); the estimate with the smallest error so far is taken. Steps
  far beyond the function's scale are never reached, where an oscillating function (sin
  at 1e15) gives quotients that are small and consistent by chance.

No step is taken beyond the distance the input can move before some operation of φ's graph
stops being smooth (``smoothness.smooth_radius``): a period of sin, a stair of floor, the
kink of relu, the pole of log, the complex poles that make tanh saturate. Without that
bound, x − sin x at 1e11 (whose rounding calls for steps of 8) or floor(x) · x at 3e9 give
quotients that agree among themselves on a wrong slope, and a correct derivative would be
blamed.

Where no quotient is finite (φ overflows or leaves its domain within the step), or the
estimates do not settle as the step shrinks (a jump), or the one-sided slopes keep apart
(a kink), or φ is smooth only within less than the smallest step, the estimate says so
(``Estimate.untrusted``), so that a checker can report that no finite difference can be
trusted instead of blaming the derivative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from autograd.testing.smoothness import Radius, varying

# Factor on the rounding error bound of a quotient: 2·noise / 2h for the difference of two
# values, each off by up to noise, with a margin for the bound being a first-order one.
SAFETY = 4.0
# An estimate is "accurate enough" (ends the search) when its error estimate is this
# fraction of the tolerance.
GOOD = 0.01
# Operations whose result is exact: they add no rounding of their own.
EXACT = frozenset(
    {"neg", "abs", "relu", "sign", "floor", "ceil", "trunc", "round", "fmod"}
    | {"maximum", "minimum", "amax", "amin", "clamp", "hardtanh"}
)
# Rounding of a result in the subnormal range is absolute, half an ulp of the smallest
# subnormal, whatever its size (x0 / 5 at x0 = 2e-311 keeps only 13 bits).
SUBNORMAL_ROUNDING = 2.0**-1074


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
    within: Sequence[Radius] | None = None,
) -> list[Estimate]:
    """dφₑ/dx at x for every entry e of the vector function ``phi`` (one float per entry).

    ``center`` is φ(x), ``noise`` a bound on the rounding error of each entry of φ near x
    (see ``rounding_error``); ``scale`` the expected size of each derivative (it sets the
    tolerance atol + rtol·|scale| that decides which step is accurate enough). ``within``
    gives for each entry how far x may move while φₑ stays smooth, and why (a
    ``smoothness.Radius``): no quotient of that entry uses a larger step, and where every
    operation's distance is known, no other bound is set (else steps stay below |x| / 4, as a
    pole the graph cannot see may lie anywhere beyond x). ``step`` fixes the
    smallest step instead of searching. Returns one ``Estimate`` per entry.
    """
    n = len(center)
    lowest = 2 * math.ulp(x) if x != 0 else 2.0**-60
    highest = _power_of_two(max(abs(x), 1.0) / 4)
    bands = [atol + rtol * abs(s) for s in scale]
    radii = [r.distance for r in within] if within is not None else [math.inf] * n
    if within is not None and n and all(r.known for r in within):
        highest = _power_of_two(max(abs(x), 1.0) * 2.0**20)
    if n and step is None:
        highest = min(highest, max(radii))
        noise = [max(r, m) for r, m in zip(noise, measured_noise(phi, x, center, scale))]
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
        # and low enough that the entry smooth over the shortest distance gets four steps
        start = min(start, _power_of_two(min(radii, default=math.inf)) / 8)
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
            if represented > radii[e]:
                done[e] = True
            if done[e]:
                continue
            fp, fm = upper[e], lower[e]
            quotients[e].append(
                _Quotient(
                    represented,
                    _central(fp, fm, represented),
                    # where the steps leave x far behind (x·x at 1e-300 is 0, at x ± 1e-154
                    # it is 1e-308), f's rounding there, not at x, bounds the quotient
                    SAFETY * max(noise[e], _grown(fp, fm, center[e])) / represented,
                    ((fp / 2 - center[e] / 2) + (fm / 2 - center[e] / 2)) / represented * 2,
                )
            )
            if len(quotients[e]) >= 4:
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
    reasons = [r.why for r in within] if within is not None else [""] * n
    return [
        _judge(b, q, band, lowest, highest, radius, why)
        for b, q, band, radius, why in zip(best, quotients, bands, radii, reasons)
    ]


def measured_noise(
    phi: Callable[[float], Sequence[float]],
    x: float,
    center: Sequence[float],
    scale: Sequence[float],
) -> list[float]:
    """The rounding error of each entry of φ near x, as measured (Moré and Wild, "Estimating
    computational noise", SIAM J. Sci. Comput. 33, 2011, their ECNoise): φ at nine points a
    tiny spacing apart, where a smooth φ barely moves, so that its k-th differences (k = 3…6)
    are rounding alone; an order counts only where its differences change sign (a smooth
    trend keeps one). σ = √(γₖ · mean(Δᵏφ)²), γₖ = (k!)² / (2k)!; the bound returned is 3σ.
    The spacing starts at 6 ulps of x (not a power of two, which a power-of-two step inside
    φ would alias into exact steps) and grows a hundredfold, up to |x| / 16, while fewer than
    half of the values differ (φ rounds its argument more coarsely than x), unless the expected
    derivative (``scale``) is 0: then φ is flat (a stair of floor), not coarse. This sees
    what the graph cannot: the rounding inside a Primitive written by a user (sin(1000·x)
    as one operation rounds 1000·x first; log(1 + x) rounds 1 + x). 0 where φ is not
    finite there."""
    unit = math.ulp(x) if x != 0 else 2.0**-60
    widest = abs(x) / 16 if x != 0 else 2.0**-40
    noise = [0.0] * len(center)
    pending = set(range(len(center)))
    for spacing in (6 * unit * 100.0**i for i in range(12)):
        if spacing > widest:
            break
        rows = [center if j == 0 else phi(x + j * spacing) for j in range(-4, 5)]
        for e in list(pending):
            table = [row[e] for row in rows]
            if not all(math.isfinite(v) for v in table):
                pending.discard(e)
            elif 2 * len(set(table)) > len(table) or scale[e] == 0:
                noise[e] = _noise_of(table)
                pending.discard(e)
        if not pending:
            break
    return noise


def _noise_of(table: list[float]) -> float:
    """3σ from the difference table, where three consecutive orders agree within a factor of
    4 (noise gives the same σ at every order; a smooth φ sampled coarsely, sin at 1e15 six
    ulps = 0.75 apart, gives σₖ that fall with k, and is no noise at all), else 0."""
    sigmas = []
    for k in range(1, 7):
        table = [b - a for a, b in zip(table, table[1:])]
        if k >= 3:
            sigma = 0.0
            if min(table) < 0 < max(table):
                gamma = math.factorial(k) ** 2 / math.factorial(2 * k)
                top = max(map(abs, table))  # scaled: d² overflows for φ near the largest float
                rms = top * math.sqrt(sum((d / top) ** 2 for d in table) / len(table))
                sigma = math.sqrt(gamma) * rms
            sigmas.append(sigma)
    agreeing = [
        max(run)
        for run in zip(sigmas, sigmas[1:], sigmas[2:])
        if min(run) > 0 and max(run) <= 4 * min(run)
    ]
    return 3 * max(agreeing, default=0.0)


def rounding_error(value, leaf) -> float:
    """A first-order bound on the rounding error of a Value's data as ``leaf`` moves: each
    operation node n of its graph that depends on the leaf was rounded by up to ε·|n| (or
    by the subnormal floor), which moves the value by ∂value/∂n times that. (Nodes that do
    not depend on the leaf round the same way at every point along it; an input, and the
    result of an ``EXACT`` operation, are exact.)"""
    from autograd.backward import gradients
    from autograd.value import Value

    epsilon = 2.0**-52
    if not isinstance(value, Value) or not value.requires_grad:
        # A constant: made by a rule from data alone, a piecewise-constant factor (relu's
        # slope, abs's sign), exact. (A rule that cuts the graph gives a constant that is
        # rounded, but it is wrong anyway, and its check fails.)
        return 0.0
    varies = varying(value, leaf)
    total = 0.0
    for node, g in gradients(value).items():
        if node not in varies or node.op in EXACT:
            continue
        term = abs(g) * (epsilon * _rounded_magnitude(node) + SUBNORMAL_ROUNDING)
        if math.isfinite(term):
            total += term
    return total


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
    # (64·d0 − 20·d1 + d2) / 45, written as two corrections so that a derivative near the
    # largest float (e^709) does not overflow on the way
    once, twice = d0 + (d0 - d1) / 3, d1 + (d1 - d2) / 3
    estimate = once + (once - twice) / 15
    r0, r1, r2 = (item.rounding for item in q)
    rounding = r0 * (64 / 45) + r1 * (20 / 45) + r2 / 45
    return estimate, rounding


def _grown(upper: float, lower: float, center: float) -> float:
    """The rounding a value at a step may have beyond that of f(x): ε times the size by which
    it outgrows f(x) (0 where f stays the same size: a constant, floor on a stair)."""
    return 2.0**-52 * max(0.0, max(abs(upper), abs(lower)) - abs(center))


def _central(upper: float, lower: float, step: float) -> float:
    """(upper − lower) / 2·step, without overflow when the difference exceeds the largest
    float but the quotient does not."""
    difference = upper - lower
    if math.isfinite(difference):
        return difference / (2 * step)
    return (upper / 2 - lower / 2) / step


def _extrapolate(q: Sequence[_Quotient]) -> Estimate | None:
    """The estimate from the first three of four consecutive quotients, its error the change
    when the steps double plus rounding; None if any quotient is not finite."""
    if not all(math.isfinite(item.central) for item in q):
        return None
    value, rounding = _richardson(q[:3])
    coarser, _ = _richardson(q[1:])
    if not (math.isfinite(value) and math.isfinite(coarser)):
        return None
    return Estimate(value, abs(value - coarser) + rounding, q[0].step)


def _judge(
    best: Estimate | None,
    quotients: list[_Quotient],
    band: float,
    lowest: float,
    highest: float,
    radius: float,
    why: str,
) -> Estimate:
    if radius < 8 * lowest:
        return Estimate(
            best.value if best else math.nan,
            best.error if best else math.inf,
            best.step if best else lowest,
            f"f is smooth only within {radius:.3g} of this point ({why}), too close for "
            f"the steps a finite difference can take here (from {lowest:.3g})",
        )
    if best is None:
        return Estimate(
            math.nan,
            math.inf,
            quotients[0].step if quotients else lowest,
            f"f is not finite within the steps tried ({lowest:.3g} to {highest:.3g}) of this "
            f"point: it overflows, jumps to inf or leaves its domain",
        )
    if best.error > band:
        smooth = f"; f is smooth only within {radius:.3g} ({why})" if radius < highest else ""
        return Estimate(
            best.value,
            best.error,
            best.step,
            f"the difference quotients do not settle as the step shrinks (f jumps, or is not "
            f"smooth at the scale of the steps tried, {lowest:.3g} to "
            f"{min(highest, radius):.3g}{smooth})",
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
