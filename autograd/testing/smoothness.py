"""How far an input may move before a function's graph stops being smooth.

A central difference, and the Richardson extrapolation built on it, assume that f is smooth
over the steps: a Taylor series in h that converges. Each operation of the engine is smooth
only within some distance of its argument: a third of a period of sin; the way to the next
stair of floor, to the kink of relu at 0, to the pole of log at 0 or of tan at π/2; the
radius set by the complex poles of tanh (±iπ/2) and σ (±iπ). Beyond it the quotients see
another function: x − sin x at 1e11 through steps of 8 has slope ≈ 1, floor through steps
above its stair slope 1, a softmax of logits at 1e11 through steps of 1e5 slope ≈ 0, and they
agree among themselves, so no error estimate can tell.

``smooth_radius(f, leaf)`` walks f's graph: for every operation that moves with the leaf, its
distance (``SMOOTH_WITHIN``, in units of its argument) divided by how fast the leaf moves that
argument, ∂argument/∂leaf (forward mode, each node's local derivatives read off its rule as
vjp(1, …)). When every such operation is the engine's own, the distance is all there is to
know; a Primitive written by a user may hide a pole anywhere, so the caller stays cautious.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# A rule: (the node's input values, how fast the leaf moves each) -> how far the leaf may move.
Rule = Callable[[Sequence[float], Sequence[float]], float]


@dataclass(frozen=True)
class Radius:
    """How far the leaf may move (``distance``), which operation decides it and why
    (``why``), and whether every moving operation is one whose distance is known
    (``known``: else a user's Primitive may hide a pole the graph cannot see)."""

    distance: float = math.inf
    why: str = ""
    known: bool = False


def smooth_radius(value, leaf) -> Radius:
    """The ``Radius`` within which ``leaf`` may move while every operation of ``value``'s
    graph stays smooth (first order in the leaf, which keeps the steps on the right side of a
    stair or within a period). A derivative graph's ``known`` must be taken with care: its
    rules chose their branches in floats (relu's slope 1 or 0 is a constant), so its kinks
    are not in the graph."""
    from autograd.value import Value

    if not isinstance(value, Value) or not value.requires_grad:
        return Radius()
    rates, partials = _rates(value, leaf)
    radius, why, known = math.inf, "", True
    for node in rates:
        if node is leaf:
            continue
        op = node.op
        rule = SMOOTH_WITHIN.get(op)
        if rule is None:
            known = known and op in ENTIRE
            continue
        inputs = node.inputs
        values = [x.data for x in inputs]
        moving = [rates.get(x, 0.0) for x in inputs]
        if (op in SATURATING or op in SOFTMAX_LIKE) and _flat(node, partials[node], rates):
            continue  # constant in floating point whatever the step: tanh at 20, σ at -800
        here = rule(values, moving)
        if here == 0 and op not in JUMPS:
            continue  # at the kink or pole itself: the steps' own checks say so
        if here < radius:
            radius = here
            shown = ", ".join(f"{v:.6g}" for v in values[: min(len(values), 3)])
            speed = max(map(abs, moving))
            why = (
                f"{op}({shown}) is smooth within {here * speed:.3g} of its argument, which "
                f"moves {speed:.3g} times as fast as this input"
            )
    return Radius(radius, why, known)


def varying(value, leaf) -> set:
    """The operation nodes of value's graph that depend on leaf."""
    from autograd.backward import topological_order

    moving: set = set()
    for node in topological_order(value):
        if any(x is leaf or x in moving for x in node.inputs):
            moving.add(node)
    return moving


def _rates(value, leaf) -> tuple[dict, dict]:
    """({node: ∂node/∂leaf}, {node: its local derivatives}) for the leaf and every node of
    value's graph that depends on it."""
    from autograd.backward import topological_order

    rates, partials = {leaf: 1.0}, {}
    for node in topological_order(value):
        inputs = node.inputs
        if any(x in rates for x in inputs):
            rule = node.primitive.vjp  # type: ignore[union-attr]  # an operation has one
            local = rule(1.0, node.data, *[x.data for x in inputs])
            partials[node] = local
            rates[node] = sum(float(p) * rates[x] for x, p in zip(inputs, local) if x in rates)
    return rates, partials


def _flat(node, local: Sequence, rates: dict) -> bool:
    """True when the node's local derivatives along every moving input are 0 in floating
    point, so that it is constant whatever the step."""
    return all(float(p) == 0 for x, p in zip(node.inputs, local) if rates.get(x, 0.0))


# --- the distances -------------------------------------------------------------------------


def _in(k: int, distance: Callable[[float], float]) -> Rule:
    """The distance of input k's value, over the speed of input k."""

    def rule(values: Sequence[float], moving: Sequence[float]) -> float:
        return _over(distance(values[k]), moving[k])

    return rule


def _any(distance: float) -> Rule:
    """A fixed distance in every input (an n-ary softmax: each logit may move that far)."""
    return lambda values, moving: _over(distance, max(map(abs, moving)))


def _over(distance: float, speed: float) -> float:
    return distance / abs(speed) if speed else math.inf


def _to_integer(x: float) -> float:
    return abs(x - round(x)) if math.isfinite(x) else math.inf


def _to_nonzero_integer(x: float) -> float:
    return 1 - abs(x) if abs(x) < 1 else _to_integer(x)


def _quotient(distance: Callable[[float], float]) -> Rule:
    """remainder(a, b), fmod(a, b): smooth while a / b stays between integers."""

    def rule(values: Sequence[float], moving: Sequence[float]) -> float:
        (a, b), (ra, rb) = values[:2], moving[:2]
        if b == 0 or not math.isfinite(a / b):
            return math.inf
        return _over(distance(a / b), (ra - a / b * rb) / b)

    return rule


def _tie(values: Sequence[float], moving: Sequence[float]) -> float:
    """maximum, minimum, amax, amin: smooth while no other input ties the chosen one."""
    ordered = sorted(values)
    gaps = [q - p for p, q in zip(ordered, ordered[1:])]
    return _over(min(gaps, default=math.inf), 2 * max(map(abs, moving)))


def _bounds(values: Sequence[float], moving: Sequence[float]) -> float:
    """clamp(x, low, high), hardtanh(x, low, high): smooth away from either bound."""
    x, *limits = values
    return _over(min((abs(x - v) for v in limits if v is not None), default=math.inf), moving[0])


def _origin(values: Sequence[float], moving: Sequence[float]) -> float:
    """hypot(a, b) and atan2(y, x) are not smooth at the origin; atan2 jumps across x < 0."""
    y, x = values[:2]
    distance = math.hypot(y, x)
    return _over(distance, abs(moving[0]) + abs(moving[1]))


def _atan2(values: Sequence[float], moving: Sequence[float]) -> float:
    """Also a jump across its branch cut, y = 0 for x < 0, which only a moving y crosses."""
    (y, x), ry = values[:2], moving[0]
    cut = _over(abs(y), ry) if x < 0 else math.inf
    return min(_origin(values, moving), cut)


def _pow(values: Sequence[float], moving: Sequence[float]) -> float:
    """x ** y: a polynomial in x for a fixed whole y ≥ 0, else singular at x = 0; in y it is
    e^(y·log x), whose scale is 1 / |log x|."""
    (x, y), (rx, ry) = values[:2], moving[:2]
    in_x = math.inf if not ry and y >= 0 and y == int(y) else _over(abs(x), rx)
    in_y = _over(2.0 / abs(math.log(abs(x))), ry) if x not in (0.0, 1.0, -1.0) else math.inf
    return min(in_x, in_y)


def _to_poles(height: float) -> Callable[[float], float]:
    """Half the way from a real a to the nearest complex pole or branch point, a ± i·height."""
    return lambda a: math.hypot(a, height) / 2


# Operations that saturate, whose Taylor series converge only up to complex poles on the
# imaginary axis (tanh at ±iπ/2; σ, softplus, silu and logsigmoid at ±iπ; atan and asinh at
# ±i): through larger steps their quotients flatten into a slope that the steps agree on.
# The n-ary ones see their logits' differences: a fixed distance. Unless flat in floating
# point (``_flat``).
SATURATING: dict[str, Callable[[float], float]] = {
    **dict.fromkeys(("tanh", "gelu_tanh"), _to_poles(math.pi / 2)),
    **dict.fromkeys(("sigmoid", "softplus", "logsigmoid", "silu"), _to_poles(math.pi)),
    **dict.fromkeys(("atan", "asinh"), _to_poles(1.0)),
}
SOFTMAX_LIKE = ("logsumexp", "log_softmax", "binary_cross_entropy_with_logits")

# Operations that jump: no step may cross, nor start on, a stair.
JUMPS = frozenset({"floor", "ceil", "trunc", "round", "remainder", "fmod", "sign", "atan2"})

# Operations smooth everywhere (entire functions): no distance, and no caution either.
ENTIRE = frozenset(
    {"add", "sub", "mul", "neg", "sum", "linear", "exp", "exp2", "expm1", "sinh", "cosh"}
    | {"erf", "erfc", "gelu"}
)

# Each operation's distance, in units of its argument: a third of a period of sin and cos;
# half the way to tan's nearest pole (|cos a| is less than that way); the way to the next
# stair, jump, kink, pole or branch point; those of ``SATURATING``.
SMOOTH_WITHIN: dict[str, Rule] = {
    "sin": _in(0, lambda a: 2.0),
    "cos": _in(0, lambda a: 2.0),
    "tan": _in(0, lambda a: min(2.0, abs(math.cos(a)) / 2)),
    "floor": _in(0, _to_integer),
    "ceil": _in(0, _to_integer),
    "trunc": _in(0, _to_nonzero_integer),
    "round": _in(0, lambda a: _to_integer(a - 0.5)),
    "remainder": _quotient(_to_integer),
    "fmod": _quotient(_to_nonzero_integer),
    **dict.fromkeys(("sign", "relu", "abs", "leaky_relu", "softsign"), _in(0, abs)),
    **dict.fromkeys(("elu", "selu"), _in(0, abs)),
    **dict.fromkeys(("log", "log2", "log10", "sqrt", "cbrt"), _in(0, lambda a: abs(a) / 2)),
    "log1p": _in(0, lambda a: abs(1 + a) / 2),
    **dict.fromkeys(("asin", "acos", "atanh"), _in(0, lambda a: (1 - abs(a)) / 2)),
    "acosh": _in(0, lambda a: (a - 1) / 2),
    "div": _in(1, lambda b: abs(b) / 2),
    "pow": _pow,
    **dict.fromkeys(("maximum", "minimum", "amax", "amin"), _tie),
    **dict.fromkeys(("clamp", "hardtanh"), _bounds),
    "hypot": _origin,
    "atan2": _atan2,
    **{op: _in(0, distance) for op, distance in SATURATING.items()},
    **dict.fromkeys(SOFTMAX_LIKE, _any(3.0)),
}
