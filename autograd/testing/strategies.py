"""Hypothesis strategies for gradient tests: bounded floats and random expressions.

    >>> from hypothesis import given
    >>> from autograd.testing import gradcheck
    >>> from autograd.testing.strategies import expressions
    >>> @given(expressions(n_vars=3, max_depth=3))
    ... def test_gradients(e):
    ...     assert gradcheck(e.expression, e.leaves())

``expressions`` draws a point first, then grows a tree over it from the ops table in
``autograd.testing.expressions``. Each op is made safe where it is applied: its ``safe``
rule wraps arguments that could leave the domain (log u -> log(1 + u**2)) and refuses kinks
closer than ``KINK_MARGIN``; a node whose value at the point is not finite or exceeds
``BOUND`` in size is dropped in favour of its first argument. So every drawn expression is
smooth near its point, and its derivatives there can be checked by any method.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real

from hypothesis import strategies as st

from autograd.testing.expressions import OPS, Call, Const, ExpressionAt, Node, Var

# Magnitude allowed for any node's value at the drawn point: big enough for exp and powers to
# matter, small enough that finite differences (error ~ 1e-16·|f| / eps) stay accurate.
BOUND = 1e4

# Numbers an operation may take as a later argument (a pow exponent, a divisor, a slope).
# Hypothesis shrinks towards the first one.
CONSTANTS = (2.0, 0.5, -1.0, 3.0, -0.5, 1.5)

DEFAULT_OPS = tuple(OPS)


# The magnitudes drawn by ``magnitudes=True``: the whole range of normal floats.
WHOLE_RANGE = (2.0**-1022, 1.7976931348623157e308)


def values(
    min_value: float = -10.0,
    max_value: float = 10.0,
    *,
    exclude: float | Iterable[float] = (),
    margin: float = 1e-3,
    magnitudes: bool | tuple[float, float] = False,
) -> st.SearchStrategy[float]:
    """Finite floats in [min_value, max_value], at least ``margin`` away from each point of
    ``exclude`` (kinks, poles: ``values(-3, 3, exclude=0)`` for relu).

    ``magnitudes=(smallest, largest)`` draws instead ±m with log10 m uniform in
    [log10 smallest, log10 largest], so that every scale is drawn as often (1e-300 as often as
    1e15); ``magnitudes=True`` spans the whole float range. min_value and max_value (which
    may then be infinite) still bound the result: ``values(-inf, inf, magnitudes=True)``.
    """
    for name, bound in (("min_value", min_value), ("max_value", max_value)):
        infinite_allowed = magnitudes is not False and not math.isnan(bound)
        if (
            isinstance(bound, bool)
            or not isinstance(bound, Real)
            or not (math.isfinite(bound) or infinite_allowed)
        ):
            raise ValueError(f"values({name}): must be a finite number, got {bound!r}")
    if min_value > max_value:
        raise ValueError(f"values: min_value={min_value!r} is greater than max_value={max_value!r}")
    if isinstance(margin, bool) or not isinstance(margin, Real) or not margin >= 0:
        raise ValueError(f"values(margin): must be a number >= 0, got {margin!r}")
    points = (exclude,) if isinstance(exclude, Real) else tuple(exclude)
    for p in points:
        if isinstance(p, bool) or not isinstance(p, Real) or math.isnan(p):
            raise ValueError(f"values(exclude): {p!r} is not a number")
    floats = st.floats(min_value, max_value, allow_nan=False, allow_infinity=False)
    if magnitudes is not False:
        floats = _by_magnitude(min_value, max_value, magnitudes)
    if not points:
        return floats
    if _covered(min_value, max_value, points, margin):
        raise ValueError(
            f"values: every number in [{min_value}, {max_value}] lies within "
            f"margin={margin} of an excluded point {points}"
        )
    return floats.filter(lambda x: all(abs(x - p) >= margin for p in points))


def _by_magnitude(
    min_value: float, max_value: float, magnitudes: bool | tuple[float, float]
) -> st.SearchStrategy[float]:
    if magnitudes is True:
        magnitudes = WHOLE_RANGE
    if (
        not isinstance(magnitudes, tuple)
        or len(magnitudes) != 2
        or not all(isinstance(m, Real) and not isinstance(m, bool) for m in magnitudes)
        or not 0 < magnitudes[0] <= magnitudes[1] < math.inf
    ):
        raise ValueError(
            f"values(magnitudes): must be True or (smallest, largest) with "
            f"0 < smallest <= largest < inf, got {magnitudes!r}"
        )
    low, high = math.log10(magnitudes[0]), math.log10(magnitudes[1])
    sign = st.sampled_from((1.0, -1.0))
    # Shrinks towards the smallest magnitude, positive.
    exponent = st.floats(low, high, allow_nan=False, allow_infinity=False)

    def scaled(pair: tuple[float, float]) -> float:
        s, e = pair
        try:
            m = 10.0**e
        except OverflowError:  # 10**308.25 rounds past the largest float
            m = magnitudes[1]  # type: ignore[index]
        m = min(max(m, magnitudes[0]), magnitudes[1])  # type: ignore[index]
        return s * m

    drawn = st.tuples(sign, exponent).map(scaled)
    if min_value > -magnitudes[1] or max_value < magnitudes[1]:  # type: ignore[index]
        drawn = drawn.filter(lambda x: min_value <= x <= max_value)
    return drawn


def _covered(low: float, high: float, points: Sequence[float], margin: float) -> bool:
    """True if the intervals [p - margin, p + margin] cover all of [low, high]."""
    reach = low
    for p in sorted(points):
        if p - margin > reach:
            return False
        reach = max(reach, p + margin)
    return reach >= high


def expressions(
    n_vars: int = 2,
    max_depth: int = 3,
    ops: Iterable[str] | None = None,
    *,
    min_value: float = -2.0,
    max_value: float = 2.0,
    at: Sequence[float] | None = None,
    magnitudes: bool | tuple[float, float] = False,
) -> st.SearchStrategy[ExpressionAt]:
    """Random expressions over x0 … x{n_vars-1}, with the point they are drawn at.

    ``max_depth`` bounds the nesting of drawn operations (domain guards such as
    ``1 + u**2`` come on top); ``ops`` picks operations by name from
    ``autograd.testing.expressions.OPS`` (all by default). The point is drawn from
    [min_value, max_value], or fixed with ``at``; with ``magnitudes`` (as for ``values``) each
    coordinate is drawn across that range of magnitudes instead, and nodes may then take any
    finite value (not only up to ``BOUND``). Returns ``ExpressionAt(expression, point)``.
    """
    if isinstance(n_vars, bool) or not isinstance(n_vars, int) or n_vars < 1:
        raise ValueError(f"expressions(n_vars): must be an int >= 1, got {n_vars!r}")
    if isinstance(max_depth, bool) or not isinstance(max_depth, int) or max_depth < 0:
        raise ValueError(f"expressions(max_depth): must be an int >= 0, got {max_depth!r}")
    names = DEFAULT_OPS if ops is None else tuple(ops)
    if isinstance(ops, str):
        raise TypeError(f"expressions(ops): give a list of op names, not the string {ops!r}")
    unknown = [name for name in names if name not in OPS]
    if unknown or not names:
        raise ValueError(f"expressions(ops): unknown or no ops {unknown}; known: {', '.join(OPS)}")
    if at is not None:
        at = tuple(at)
        if len(at) != n_vars or not all(isinstance(x, Real) and math.isfinite(x) for x in at):
            raise ValueError(f"expressions(at): need {n_vars} finite numbers, got {at!r}")
        point = st.just(tuple(float(x) for x in at))
    elif magnitudes is not False:
        coordinate = values(-math.inf, math.inf, magnitudes=magnitudes)
        point = st.tuples(*[coordinate] * n_vars)
    else:
        point = st.tuples(*[values(min_value, max_value)] * n_vars)
    bound = BOUND if magnitudes is False else math.inf
    return _expressions(point, max_depth, names, bound)


@st.composite
def _expressions(
    draw, point_strategy, max_depth: int, ops: tuple[str, ...], bound: float
) -> ExpressionAt:
    point = draw(point_strategy)
    node, _ = _draw_node(draw, max_depth, point, ops, bound)
    return ExpressionAt(node, point)


def _draw_node(
    draw, depth: int, point: tuple[float, ...], ops, bound: float = BOUND
) -> tuple[Node, float]:
    """A subtree and its value at ``point``. Its first argument is always a subtree, so every
    subtree contains a variable (no constant-only branches)."""
    # Integers shrink towards 0, so a failing example shrinks towards leaves, x0, ops[0].
    if depth == 0 or draw(st.integers(0, 3)) == 0:
        i = draw(st.integers(0, len(point) - 1))
        return Var(i), point[i]
    op = OPS[draw(st.sampled_from(ops))]
    args: list[Node] = []
    arg_values: list[float] = []
    for position in range(op.arity):
        if position > 0 and draw(st.integers(0, 3)) == 0:
            c = draw(st.sampled_from(CONSTANTS))
            args.append(Const(c))
            arg_values.append(c)
        else:
            child, value = _draw_node(draw, depth - 1, point, ops, bound)
            args.append(child)
            arg_values.append(value)
    safe_args = op.safe(tuple(args), arg_values)
    if safe_args is None:
        return args[0], arg_values[0]
    node = Call(op.name, safe_args)
    node_value = _value_at(node, point, bound)
    if node_value is None:
        return args[0], arg_values[0]
    return node, node_value


def _value_at(node: Node, point: tuple[float, ...], bound: float = BOUND) -> float | None:
    """The node's float value, or None if it is not finite or exceeds ``bound``."""
    try:
        value = node.evaluate(point, "float")
    except (ArithmeticError, ValueError):  # math raises on overflow and domain errors
        return None
    if isinstance(value, complex) or not math.isfinite(value) or abs(value) > bound:
        return None
    return value
