"""Expressions as small trees that can be evaluated three ways and printed as formulas.

A random test of a derivative needs a function and two independent ways to run it. Here a
function is a tree of immutable nodes — ``Var(0)`` is x0, ``Const(2.0)`` a number,
``Call("tanh", (Var(0),))`` an operation — and ``node.evaluate(env, backend)`` runs it with

- ``"engine"``: autograd's operators and primitives (on Values: records a graph),
- ``"float"``: Python's ``math``, written here independently of the engine,
- ``"torch"``: PyTorch (imported only when used), the oracle for values and gradients.

``str(node)`` is Python source such as ``tanh(x0 * x1) + log(1 + x2**2)``, so a failing
example shrunk by hypothesis reads like a formula (it is also valid code after
``from autograd import *``, with x0, x1, ... bound to Values).

Every operation lives in one table, ``OPS``: its arity, how it prints, its three
implementations and ``safe``, the rule that keeps it inside its domain when the strategies
in ``autograd.testing.strategies`` compose it. To add an operation, add one entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import autograd

BACKENDS = ("engine", "float", "torch")

# How tightly each node binds when printed, Python's own order: a child that binds less
# tightly than its position needs gets parentheses.
SUM, PRODUCT, UNARY, POWER, ATOM = 10, 20, 30, 40, 100

# relu, abs and leaky_relu are applied only where their argument is at least this far from
# their kink at 0, so that derivatives there are well defined and finite differences agree.
KINK_MARGIN = 0.1


class Node:
    """Base of the three node types. ``node(*xs)`` evaluates with the engine."""

    precedence = ATOM

    def evaluate(self, env: Sequence, backend: str = "engine") -> Any:
        raise NotImplementedError

    def __call__(self, *xs):
        return self.evaluate(xs, "engine")

    def __repr__(self) -> str:
        return str(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        # The IPython pretty-printing hook, which hypothesis also uses when it reports a
        # falsifying example: without it, it would print the dataclass fields, not the formula.
        printer.text(repr(self))

    def walk(self):
        """This node and every node below it, parents first."""
        yield self
        for child in getattr(self, "args", ()):
            yield from child.walk()

    def variables(self) -> tuple[int, ...]:
        """Indices of the variables that occur, sorted."""
        return tuple(sorted({n.index for n in self.walk() if isinstance(n, Var)}))

    def ops(self) -> tuple[str, ...]:
        """Names of the operations that occur, sorted."""
        return tuple(sorted({n.op for n in self.walk() if isinstance(n, Call)}))


@dataclass(frozen=True, repr=False)
class Var(Node):
    """The variable x{index}: ``env[index]`` when evaluated."""

    index: int

    def evaluate(self, env: Sequence, backend: str = "engine") -> Any:
        if not 0 <= self.index < len(env):
            raise ValueError(f"evaluate: no value for x{self.index} (env has {len(env)})")
        return env[self.index]

    def __str__(self) -> str:
        return f"x{self.index}"


@dataclass(frozen=True, repr=False)
class Const(Node):
    """A number; a constant for every backend (no gradient flows into it)."""

    value: float

    def __post_init__(self):
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise TypeError(f"Const: value must be a real number, got {self.value!r:.40}")
        object.__setattr__(self, "value", float(self.value))

    def evaluate(self, env: Sequence, backend: str = "engine") -> Any:
        _check_backend(backend)
        if backend == "torch":
            torch = _torch()
            return torch.tensor(self.value, dtype=torch.float64)
        return self.value

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return UNARY if self.value < 0 else ATOM

    def __str__(self) -> str:
        v = self.value
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)


@dataclass(frozen=True, repr=False)
class Call(Node):
    """The operation ``OPS[op]`` applied to ``args``."""

    op: str
    args: tuple[Node, ...]

    def __post_init__(self):
        if self.op not in OPS:
            raise ValueError(f"Call: unknown op {self.op!r}; known: {', '.join(OPS)}")
        if len(self.args) != OPS[self.op].arity:
            raise ValueError(
                f"Call: {self.op} takes {OPS[self.op].arity} arguments, got {len(self.args)}"
            )

    def evaluate(self, env: Sequence, backend: str = "engine") -> Any:
        _check_backend(backend)
        function = getattr(OPS[self.op], backend)
        return function(*[a.evaluate(env, backend) for a in self.args])

    @property
    def precedence(self) -> int:  # type: ignore[override]
        return OPS[self.op].precedence

    def __str__(self) -> str:
        op = OPS[self.op]
        shown = []
        for arg, needed in zip(self.args, op.arg_precedence):
            text = str(arg)
            shown.append(f"({text})" if arg.precedence < needed else text)
        return op.template.format(*shown)


def _check_backend(backend: str) -> None:
    if backend not in BACKENDS:
        raise ValueError(f"evaluate: unknown backend {backend!r}; use one of {BACKENDS}")


def _torch():
    import torch  # imported on first use: the engine and these trees never need it

    return torch


@dataclass(frozen=True, repr=False)
class ExpressionAt:
    """An expression together with the point it was drawn at: x{i} = point[i]."""

    expression: Node
    point: tuple[float, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f"x{i}" for i in range(len(self.point)))

    def leaves(self) -> list:
        """Fresh engine leaves at the point, labelled x0, x1, ..."""
        return [autograd.Value(x, name) for x, name in zip(self.point, self.names)]

    def __repr__(self) -> str:
        where = ", ".join(f"{n}={x!r}" for n, x in zip(self.names, self.point))
        return f"{self.expression}  at  {where}"

    _repr_pretty_ = Node._repr_pretty_


# --- the table of operations ------------------------------------------------------------------

Args = tuple[Node, ...]


# (arguments, their values at the point) -> safe arguments, or None: do not apply here
SafetyRule = Callable[[Args, Sequence[float]], Args | None]


def _as_is(args: Args, values: Sequence[float]) -> Args | None:
    return args


def _one_plus_square(u: Node) -> Node:
    """1 + u**2 >= 1: a safe argument for log, a divisor, a base for any exponent."""
    return Call("add", (Const(1.0), Call("pow", (u, Const(2.0)))))


def _away_from_kink(args: Args, values: Sequence[float]) -> Args | None:
    return args if abs(values[0]) >= KINK_MARGIN else None


def _safe_divisor(args: Args, values: Sequence[float]) -> Args | None:
    numerator, divisor = args
    if isinstance(divisor, Const) and divisor.value != 0:
        return args
    return numerator, _one_plus_square(divisor)


def _safe_power(args: Args, values: Sequence[float]) -> Args | None:
    base, exponent = args
    if isinstance(exponent, Const) and exponent.value.is_integer() and exponent.value > 0:
        return args  # u**2, u**3: defined and smooth for every u
    return _one_plus_square(base), exponent


@dataclass(frozen=True)
class Op:
    """One operation: arity, printing, the three implementations, and its domain rule.

    ``template`` formats the printed arguments ({0}, {1}, ...); an argument whose precedence
    is below ``arg_precedence[k]`` is parenthesized. ``safe(args, values)`` (``values`` are
    the arguments' floats at the drawn point) returns arguments inside the domain, possibly
    wrapped (log u -> log(1 + u**2)), or None where the op must not be applied.
    """

    name: str
    arity: int
    template: str
    engine: Callable
    float: Callable
    torch: Callable
    precedence: int = ATOM
    arg_precedence: tuple[int, ...] = (0, 0, 0, 0, 0)
    safe: SafetyRule = _as_is


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def _softplus(x: float) -> float:
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))  # log(1 + eˣ) without overflow


def _torch_softplus(x):
    return _torch().nn.functional.softplus(x)


def _table(*ops: Op) -> dict:
    return {op.name: op for op in ops}


OPS = _table(
    Op(
        "add",
        2,
        "{0} + {1}",
        lambda a, b: a + b,
        lambda a, b: a + b,
        lambda a, b: a + b,
        SUM,
        (SUM, SUM + 1),
    ),
    Op(
        "sub",
        2,
        "{0} - {1}",
        lambda a, b: a - b,
        lambda a, b: a - b,
        lambda a, b: a - b,
        SUM,
        (SUM, SUM + 1),
    ),
    Op(
        "mul",
        2,
        "{0} * {1}",
        lambda a, b: a * b,
        lambda a, b: a * b,
        lambda a, b: a * b,
        PRODUCT,
        (PRODUCT, PRODUCT + 1),
    ),
    Op(
        "div",
        2,
        "{0} / {1}",
        lambda a, b: a / b,
        lambda a, b: a / b,
        lambda a, b: a / b,
        PRODUCT,
        (PRODUCT, PRODUCT + 1),
        safe=_safe_divisor,
    ),
    Op("neg", 1, "-{0}", lambda a: -a, lambda a: -a, lambda a: -a, UNARY, (UNARY + 1,)),
    Op(
        "pow",
        2,
        "{0}**{1}",
        lambda a, b: a**b,
        math.pow,
        lambda a, b: _torch().pow(a, b),
        POWER,
        (POWER + 1, UNARY),
        safe=_safe_power,
    ),
    Op("exp", 1, "exp({0})", autograd.exp, math.exp, lambda a: _torch().exp(a)),
    Op(
        "log",
        1,
        "log({0})",
        autograd.log,
        math.log,
        lambda a: _torch().log(a),
        safe=lambda args, values: (_one_plus_square(args[0]),),
    ),
    Op(
        "sqrt",
        1,
        "sqrt({0})",
        autograd.sqrt,
        math.sqrt,
        lambda a: _torch().sqrt(a),
        safe=lambda args, values: (Call("add", (Call("softplus", args), Const(0.1))),),
    ),
    Op("tanh", 1, "tanh({0})", autograd.tanh, math.tanh, lambda a: _torch().tanh(a)),
    Op("sigmoid", 1, "sigmoid({0})", autograd.sigmoid, _sigmoid, lambda a: _torch().sigmoid(a)),
    Op("softplus", 1, "softplus({0})", autograd.softplus, _softplus, _torch_softplus),
    Op("sin", 1, "sin({0})", autograd.sin, math.sin, lambda a: _torch().sin(a)),
    Op("cos", 1, "cos({0})", autograd.cos, math.cos, lambda a: _torch().cos(a)),
    Op(
        "relu",
        1,
        "relu({0})",
        autograd.relu,
        lambda a: a if a > 0 else 0.0,
        lambda a: _torch().relu(a),
        safe=_away_from_kink,
    ),
    Op("abs", 1, "abs({0})", abs, abs, lambda a: _torch().abs(a), safe=_away_from_kink),
    Op(
        "leaky_relu",
        2,
        "leaky_relu({0}, {1})",
        autograd.leaky_relu,
        lambda x, slope: x if x > 0 else slope * x,
        lambda x, slope: _torch().where(x > 0, x, slope * x),
        safe=_away_from_kink,
    ),
    Op(
        "vsum",
        3,
        "vsum([{0}, {1}, {2}])",
        lambda *xs: autograd.vsum(xs),
        lambda a, b, c: a + b + c,
        lambda a, b, c: a + b + c,
    ),
    Op(
        "dot",
        5,
        "dot([{0}, {1}], [{2}, {3}], {4})",
        lambda w0, w1, x0, x1, b: autograd.dot([w0, w1], [x0, x1], b),
        lambda w0, w1, x0, x1, b: b + w0 * x0 + w1 * x1,
        lambda w0, w1, x0, x1, b: b + w0 * x0 + w1 * x1,
    ),
)
