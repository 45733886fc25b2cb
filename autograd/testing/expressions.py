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


# --- the functions of issue 10 ------------------------------------------------------------------
# Each is applied only where it is smooth: arguments squeezed into the domain (asin(0.9·tanh u),
# acosh(1.1 + u**2)), and kinks, jumps and ties refused closer than KINK_MARGIN.


def _squeezed(args: Args, values: Sequence[float]) -> Args | None:
    """0.9·tanh(u), inside (-1, 1) and off its ends: for asin, acos, atanh."""
    return (Call("mul", (Call("tanh", args[:1]), Const(0.9))),)


def _above_one(args: Args, values: Sequence[float]) -> Args | None:
    return (Call("add", (Const(1.1), Call("pow", (args[0], Const(2.0))))),)


def _off_tan_poles(args: Args, values: Sequence[float]) -> Args | None:
    return args if abs(math.cos(values[0])) >= KINK_MARGIN else None


def _distance_to_integer(x: float) -> float:
    return abs(x - round(x))


def _off_integers(args: Args, values: Sequence[float]) -> Args | None:
    return args if _distance_to_integer(values[0]) >= KINK_MARGIN else None


def _off_half_integers(args: Args, values: Sequence[float]) -> Args | None:
    return args if _distance_to_integer(values[0] - 0.5) >= KINK_MARGIN else None


def _off_origin(args: Args, values: Sequence[float]) -> Args | None:
    # atan2 and hypot are singular at (0, 0); atan2 also jumps across y = 0 for x < 0
    y, x = values
    if math.hypot(y, x) < KINK_MARGIN or (x < 0 and abs(y) < KINK_MARGIN):
        return None
    return args


def _off_modulo_jumps(args: Args, values: Sequence[float]) -> Args | None:
    # a mod b jumps where a/b is an integer: keep a that far (in a's units) from one, |b| >= 0.5
    a, b = values
    if abs(b) < 0.5 or _distance_to_integer(a / b) * abs(b) < KINK_MARGIN:
        return None
    return args


def _no_ties(args: Args, values: Sequence[float]) -> Args | None:
    ordered = sorted(values)
    return args if all(q - p >= KINK_MARGIN for p, q in zip(ordered, ordered[1:])) else None


def _off_hardtanh_kinks(args: Args, values: Sequence[float]) -> Args | None:
    return args if min(abs(values[0] - 1), abs(values[0] + 1)) >= KINK_MARGIN else None


def _math_round(x: float) -> float:
    return float(round(x))


def _math_sign(x: float) -> float:
    return (x > 0) - (x < 0) + 0.0


def _clamp(x: float, low: float, high: float) -> float:
    return min(max(x, low), high)


def _gelu(x: float) -> float:
    return 0.5 * x * (1.0 + math.erf(x / math.sqrt(2.0)))


def _gelu_tanh(x: float) -> float:
    return 0.5 * x * (1.0 + math.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x**3)))


def _elu(x: float, alpha: float) -> float:
    return x if x > 0 else alpha * (math.exp(x) - 1.0)


def _selu(x: float) -> float:
    return 1.0507009873554805 * (x if x > 0 else 1.6732632423543772 * (math.exp(x) - 1.0))


def _torch_elu(x, alpha):
    torch = _torch()
    return torch.where(x > 0, x, alpha * torch.expm1(x))


def _unary(name: str, float_f: Callable, safe: SafetyRule = _as_is) -> Op:
    """name(u): autograd's function of that name, math's, torch's (or torch.nn.functional's)."""

    def torch_f(a):
        torch = _torch()
        f = getattr(torch, name, None) or getattr(torch.nn.functional, name)
        return f(a)

    return Op(name, 1, f"{name}({{0}})", getattr(autograd, name), float_f, torch_f, safe=safe)


_NEW_OPS = (
    _unary("tan", math.tan, _off_tan_poles),
    _unary("sinh", math.sinh),
    _unary("cosh", math.cosh),
    _unary("asin", math.asin, _squeezed),
    _unary("acos", math.acos, _squeezed),
    _unary("atan", math.atan),
    _unary("asinh", math.asinh),
    _unary("acosh", math.acosh, _above_one),
    _unary("atanh", math.atanh, _squeezed),
    _unary("log1p", math.log1p, lambda args, values: (Call("pow", (args[0], Const(2.0))),)),
    _unary("expm1", math.expm1),
    _unary("log2", math.log2, lambda args, values: (_one_plus_square(args[0]),)),
    _unary("log10", math.log10, lambda args, values: (_one_plus_square(args[0]),)),
    _unary("exp2", lambda x: 2.0**x),
    Op(
        "cbrt",
        1,
        "cbrt({0})",
        autograd.cbrt,
        lambda x: math.copysign(abs(x) ** (1.0 / 3.0), x),
        lambda a: _torch().sign(a) * a.abs().pow(1.0 / 3.0),
        safe=_away_from_kink,
    ),
    _unary("erf", math.erf),
    _unary("erfc", math.erfc),
    Op(
        "atan2",
        2,
        "atan2({0}, {1})",
        autograd.atan2,
        math.atan2,
        lambda y, x: _torch().atan2(y, x),
        safe=_off_origin,
    ),
    Op(
        "hypot",
        2,
        "hypot({0}, {1})",
        autograd.hypot,
        math.hypot,
        lambda x, y: _torch().hypot(x, y),
        safe=_off_origin,
    ),
    _unary("floor", lambda x: float(math.floor(x)), _off_integers),
    _unary("ceil", lambda x: float(math.ceil(x)), _off_integers),
    _unary("trunc", lambda x: float(math.trunc(x)), _off_integers),
    Op(
        "round_",
        1,
        "round_({0})",
        autograd.round_,
        _math_round,
        lambda a: _torch().round(a),
        safe=_off_half_integers,
    ),
    _unary("sign", _math_sign, _away_from_kink),
    Op(
        "remainder",
        2,
        "{0} % {1}",
        lambda a, b: a % b,
        lambda a, b: a % b,
        lambda a, b: _torch().remainder(a, b),
        PRODUCT,
        (PRODUCT, PRODUCT + 1),
        safe=_off_modulo_jumps,
    ),
    Op(
        "fmod",
        2,
        "fmod({0}, {1})",
        autograd.fmod,
        math.fmod,
        lambda a, b: _torch().fmod(a, b),
        safe=_off_modulo_jumps,
    ),
    Op(
        "maximum",
        2,
        "maximum({0}, {1})",
        autograd.maximum,
        max,
        lambda a, b: _torch().maximum(a, b),
        safe=_no_ties,
    ),
    Op(
        "minimum",
        2,
        "minimum({0}, {1})",
        autograd.minimum,
        min,
        lambda a, b: _torch().minimum(a, b),
        safe=_no_ties,
    ),
    Op(
        "amax",
        3,
        "amax([{0}, {1}, {2}])",
        lambda *xs: autograd.amax(xs),
        lambda *xs: max(xs),
        lambda *xs: _torch().amax(_torch().stack(xs)),
        safe=_no_ties,
    ),
    Op(
        "amin",
        3,
        "amin([{0}, {1}, {2}])",
        lambda *xs: autograd.amin(xs),
        lambda *xs: min(xs),
        lambda *xs: _torch().amin(_torch().stack(xs)),
        safe=_no_ties,
    ),
    Op(
        "clamp",
        3,
        "clamp({0}, {1}, {2})",
        autograd.clamp,
        _clamp,
        lambda x, low, high: _torch().clamp(x, low, high),
        safe=_no_ties,
    ),
    _unary("gelu", _gelu),
    Op(
        "gelu_tanh",
        1,
        "gelu({0}, approximate='tanh')",
        lambda a: autograd.gelu(a, approximate="tanh"),
        _gelu_tanh,
        lambda a: _torch().nn.functional.gelu(a, approximate="tanh"),
    ),
    _unary("silu", lambda x: x / (1.0 + math.exp(-x))),
    Op("elu", 2, "elu({0}, {1})", autograd.elu, _elu, _torch_elu, safe=_away_from_kink),
    _unary("selu", _selu, _away_from_kink),
    _unary("softsign", lambda x: x / (1.0 + abs(x)), _away_from_kink),
    _unary("logsigmoid", lambda x: -_softplus(-x)),
    _unary("hardtanh", lambda x: min(max(x, -1.0), 1.0), _off_hardtanh_kinks),
)


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
    *_NEW_OPS,
    Op(
        "logsumexp",
        3,
        "logsumexp([{0}, {1}, {2}])",
        lambda *xs: autograd.logsumexp(xs),
        lambda *xs: _float_logsumexp(xs),
        lambda *xs: _torch().logsumexp(_torch().stack(xs), 0),
    ),
    Op(
        "log_softmax",
        3,
        "log_softmax([{0}, {1}, {2}])[0]",
        lambda *xs: autograd.log_softmax(xs)[0],
        lambda *xs: xs[0] - _float_logsumexp(xs),
        lambda *xs: _torch().log_softmax(_torch().stack(xs), 0)[0],
    ),
    Op(
        "binary_cross_entropy_with_logits",
        1,
        "binary_cross_entropy_with_logits({0}, 0.25)",
        lambda z: autograd.primitives.binary_cross_entropy_with_logits(z, 0.25),
        lambda z: max(z, 0.0) - 0.25 * z + math.log1p(math.exp(-abs(z))),
        lambda z: _torch().nn.functional.binary_cross_entropy_with_logits(
            z, _torch().tensor(0.25, dtype=_torch().float64)
        ),
    ),
)


def _float_logsumexp(xs) -> float:
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))
