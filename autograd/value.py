"""``Value``: a scalar node of the computation graph, and ``Primitive``: an operation on it.

A Value holds a float (``data``), the gradient accumulated by ``backward()`` (``grad``), and,
when an operation made it, that operation (``op``) and the Values it was computed from
(``inputs``). Nodes point only at their inputs — never at their consumers, never through a
closure — so a finished graph is freed by reference counting alone.

The operations themselves, each with its forward rule and its local derivatives, are in
``primitives.py``; the operators and methods here are thin wrappers around them.
"""

from __future__ import annotations

import itertools
import math
import os
import sys
from collections.abc import Callable, Sequence
from numbers import Real
from types import FrameType
from typing import Any, SupportsFloat

from autograd import modes

_active = modes.active
_state = modes.state


class Primitive:
    """An operation the engine can differentiate.

    ``forward(*floats) -> float`` computes the result; ``vjp(g, ans, *inputs)`` returns one
    gradient per input, ∂L/∂input = g · ∂ans/∂input, where g = ∂L/∂ans. ``vjp`` is written with
    operators and primitives only, so the same rule runs on floats (first-order backward) and
    on Values (``create_graph=True``, which makes the derivative itself differentiable).

    Calling a primitive on floats returns a float; on any Value it records a node.

    ``array_form`` (optional) gives the rule over numpy arrays, for the batched replay of a
    tape (``autograd.tape_numpy``): a function ``array_form(np) -> (forward, vjp)`` taking the
    numpy module (imported only when a batched replay needs it), where ``forward`` works
    elementwise on arrays and ``vjp`` is ``None`` when the table's ``vjp`` already works on
    arrays (operators only). Without one, a batched replay runs the primitive's nodes sample
    by sample through ``forward`` and ``vjp``.
    """

    __slots__ = ("name", "forward", "vjp", "formula", "array_form")

    def __init__(
        self,
        name: str,
        forward: Callable[..., float],
        vjp: Callable[..., Sequence],
        formula: str = "",
        *,
        array_form: Callable[[Any], tuple[Callable, Callable | None]] | None = None,
    ):
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.formula = formula  # the local derivatives, as text, for explanations
        self.array_form = array_form

    def __call__(self, *args):
        for position, a in enumerate(args):
            if type(a) is Value:
                return apply(self, args)
            _check_number(a, self.name, position)
        return float(self.forward(*args))

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"


_NUMBERS = frozenset((float, int, bool))  # checked by type first: isinstance(x, Real) is slow


def _to_float(x: SupportsFloat, where: str) -> float:
    try:
        return float(x)
    except OverflowError:
        raise OverflowError(f"{where}: {x!r:.40} is too large for a float") from None


def _check_number(x, op_name: str, position: int) -> None:
    if type(x) not in _NUMBERS and not isinstance(x, Real):
        raise TypeError(
            f"{op_name}: argument {position} must be a Value or a real number, "
            f"got {type(x).__name__} ({x!r:.60})"
        )


def constant(x: float) -> Value:
    """A leaf for a plain number used in an operation: it takes part, but gets no gradient.

    Constants are immutable, so the first few thousand distinct ones are shared rather than
    rebuilt at every use (``y * 1.0001`` in a loop allocates one node per step, not two).
    Zeros and nan are never shared: -0.0 == 0.0 and nan != nan would confuse the cache.
    """
    c = _constants.get(x)
    if c is not None:
        return c
    c = _new(Value)
    c.data = _to_float(x, "a number in an operation")
    c.grad = 0.0
    c.label = ""
    c.primitive = None
    c._inputs = ()
    c.requires_grad = False
    c._partial = None
    if x != 0 and x == x and len(_constants) < 4096:
        _constants[x] = c
    return c


_constants: dict = {}


def apply(op: Primitive, args: Sequence) -> Value:
    """Apply ``op`` to Values and numbers, recording a node."""
    inputs = tuple(args)  # no copy when it already is one
    # One pass gathers the data and checks the types: plain numbers are the rare case.
    data = [a.data for a in inputs if type(a) is Value]
    if len(data) != len(inputs):
        inputs = tuple([_lift(a, op.name, position) for position, a in enumerate(inputs)])
        data = [a.data for a in inputs]
    result = op.forward(*data)
    if op is linear:  # kept as (weights, xs, bias): see flat_inputs
        n = len(inputs) // 2
        inputs = (inputs[:n], inputs[n:-1], inputs[-1])
    return record(op, result, inputs)


def apply1(op: Primitive, x: Value) -> Value:
    """``op`` applied to one Value: the fast path of the methods (``x.tanh()``...)."""
    return record(op, op.forward(x.data), (x,))


def _lift(a, op_name: str, position: int) -> Value:
    if type(a) is Value:
        return a
    _check_number(a, op_name, position)
    return constant(a)


def record(op: Primitive, data: float, inputs: tuple) -> Value:
    """The node for ``op`` applied to ``inputs`` (as the node keeps them: see
    ``flat_inputs``), whose forward value is ``data``."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._partial = None
    if _active[0] and _record_in_mode(out, op, inputs):
        return out
    out.primitive = op
    out._inputs = inputs
    out.requires_grad = True
    out.seq = _next_seq()
    return out


def _record_in_mode(out: Value, op: Primitive, inputs: tuple) -> bool:
    """Handle no_grad / detect_anomaly; True when ``out`` must stay a constant leaf."""
    if not _state.grad_enabled:
        if _state.taping:  # a tape must recompute it: it keeps its operation, as a constant
            out.primitive = op
            out._inputs = inputs
            out.seq = _next_seq()
        else:
            out.primitive = None
            out._inputs = ()
        out.requires_grad = False
        return True
    if _state.anomaly:
        out._site = user_site()
        if not math.isfinite(out.data) and not _state.in_rule:
            raise FloatingPointError(
                f"detect_anomaly: {op.name} produced {out.data} from "
                f"{describe_inputs(flat_inputs(op, inputs))}, at {out._site}"
            )
    return False


# With the separator, so that a user's directory named e.g. "autograd_examples" is not taken
# for part of the package.
_package_dir = os.path.dirname(os.path.abspath(__file__)) + os.sep


def user_site() -> str:
    """file:line of the innermost caller outside the autograd package."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_package_dir):
        frame = frame.f_back
    if frame is None:
        return "<unknown>"
    return f"{frame.f_code.co_filename}:{frame.f_lineno}"


def flat_inputs(op: Primitive | None, inputs: tuple) -> tuple[Value, ...]:
    """A node's inputs in its primitive's argument order, from the tuple the node keeps.

    A ``linear`` node keeps (weights, xs, bias): two tuples and the bias, not 2n + 1 Values.
    A neuron hands the same tuple of weights to every node it makes, and a layer the same
    tuple of inputs to all its neurons, so those tuples are shared, and the cyclic collector
    and the backward pass's search meet each once, not once per node (a tenth of a training
    step, measured with bench/). Every other node keeps its inputs as they are.
    """
    if op is linear:
        weights, xs, bias = inputs
        return (*weights, *xs, bias)
    return inputs


def describe_inputs(inputs: Sequence[Value]) -> str:
    return ", ".join(f"{v.label or 'input ' + str(i)}={v.data!r}" for i, v in enumerate(inputs))


_new = object.__new__
# Creation order, stamped on every operation node: inputs are always made before the nodes
# computed from them, which is what lets backward.py visit nodes in reverse topological order.
_next_seq = itertools.count().__next__


class Value:
    """A scalar in a computation graph: ``Value(2.0, label="x")``.

    - ``data``: the number (a float).
    - ``grad``: ∂root/∂self, accumulated by ``root.backward()``; starts at 0.0.
    - ``label``: a name for drawings and error messages.
    - ``op``: the name of the operation that made this Value (``""`` for a leaf), and
      ``primitive``: that operation itself.
    - ``inputs``: the Values it was computed from.
    - ``requires_grad``: False for constants (plain numbers used in an operation); ``backward``
      gives them no gradient.
    """

    __slots__ = (
        "data",
        "grad",
        "label",
        "primitive",
        "_inputs",
        "requires_grad",
        "seq",
        "_partial",
        "_site",
    )
    data: float
    grad: float
    label: str
    primitive: Primitive | None
    _inputs: tuple  # the inputs as the node keeps them: see flat_inputs
    requires_grad: bool
    seq: int  # creation order; set on operation nodes only
    _partial: Any  # a backward pass's running sum of ∂root/∂self; None between passes
    _site: str  # where the node was made; set under detect_anomaly only

    def __init__(self, data: float, label: str = "", *, requires_grad: bool = True):
        if type(data) not in _NUMBERS and not isinstance(data, Real):
            hint = (
                " (use .detach() for a new leaf with the same data)"
                if isinstance(data, Value)
                else ""
            )
            raise TypeError(
                f"Value(data): data must be a real number (int, float or bool), "
                f"got {type(data).__name__}{hint}"
            )
        if not isinstance(label, str):
            raise TypeError(f"Value(label): label must be a str, got {type(label).__name__}")
        self.data = _to_float(data, "Value(data)")
        self.grad = 0.0
        self.label = label
        self.primitive = None
        self._inputs = ()
        self.requires_grad = bool(requires_grad)
        self._partial = None

    @property
    def inputs(self) -> tuple[Value, ...]:
        """The Values this one was computed from, in its primitive's argument order
        (``()`` for a leaf)."""
        return flat_inputs(self.primitive, self._inputs)

    @property
    def op(self) -> str:
        """Name of the operation that produced this Value, or ``""`` for a leaf."""
        return self.primitive.name if self.primitive is not None else ""

    def __repr__(self) -> str:
        label = f"label={self.label!r}, " if self.label else ""
        return f"Value({label}data={self.data:.6g}, grad={self.grad:.6g})"

    def __float__(self) -> float:
        return self.data

    # --- arithmetic: thin wrappers over the primitives add, mul, sub, neg and pow ---------

    # + and * are most of every graph, so they build their node inline: the same steps as
    # `record`, without its call.
    def __add__(self, other):
        if type(other) is not Value:
            if type(other) not in _NUMBERS and not isinstance(other, Real):
                return NotImplemented
            other = constant(other)
        if _active[0]:
            return record(add, add.forward(self.data, other.data), (self, other))
        out = _new(Value)
        out.data = add.forward(self.data, other.data)
        out.grad = 0.0
        out.label = ""
        out.primitive = add
        out._inputs = (self, other)
        out.requires_grad = True
        out.seq = _next_seq()
        out._partial = None
        return out

    def __mul__(self, other):
        if type(other) is not Value:
            if type(other) not in _NUMBERS and not isinstance(other, Real):
                return NotImplemented
            other = constant(other)
        if _active[0]:
            return record(mul, mul.forward(self.data, other.data), (self, other))
        out = _new(Value)
        out.data = mul.forward(self.data, other.data)
        out.grad = 0.0
        out.label = ""
        out.primitive = mul
        out._inputs = (self, other)
        out.requires_grad = True
        out.seq = _next_seq()
        out._partial = None
        return out

    def __pow__(self, exponent):
        if not isinstance(exponent, (Value, Real)):
            return NotImplemented
        return apply(pow_, (self, exponent))

    def __rpow__(self, base):
        if not isinstance(base, Real):
            return NotImplemented
        return apply(pow_, (base, self))

    # other + self and other · self, other a number: recorded in the order written (2 + x is
    # add(2, x)), so that drawings and explanations show what the user wrote. Built inline,
    # as + and * are: the same steps as `record`, without its call.
    def __radd__(self, other):
        if type(other) not in _NUMBERS and not isinstance(other, Real):
            return NotImplemented
        other = constant(other)
        if _active[0]:
            return record(add, add.forward(other.data, self.data), (other, self))
        out = _new(Value)
        out.data = add.forward(other.data, self.data)
        out.grad = 0.0
        out.label = ""
        out.primitive = add
        out._inputs = (other, self)
        out.requires_grad = True
        out.seq = _next_seq()
        out._partial = None
        return out

    def __rmul__(self, other):
        if type(other) not in _NUMBERS and not isinstance(other, Real):
            return NotImplemented
        other = constant(other)
        if _active[0]:
            return record(mul, mul.forward(other.data, self.data), (other, self))
        out = _new(Value)
        out.data = mul.forward(other.data, self.data)
        out.grad = 0.0
        out.label = ""
        out.primitive = mul
        out._inputs = (other, self)
        out.requires_grad = True
        out.seq = _next_seq()
        out._partial = None
        return out

    # Subtraction and negation are primitives of their own (as in PyTorch), so that a - b is
    # one "−" node with a and b as its inputs. (So is division: see `div` in primitives.py.)
    def __neg__(self):
        return apply1(neg, self)

    def __sub__(self, other):
        if type(other) is not Value:
            if type(other) not in _NUMBERS and not isinstance(other, Real):
                return NotImplemented
            other = constant(other)
        return record(sub, sub.forward(self.data, other.data), (self, other))

    def __rsub__(self, other):  # other - self, other a number
        if not isinstance(other, Real):
            return NotImplemented
        return apply(sub, (other, self))

    def __truediv__(self, other):
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        return apply(div, (self, other))

    def __rtruediv__(self, other):  # other / self, other a number
        if not isinstance(other, Real):
            return NotImplemented
        return apply(div, (other, self))

    def __abs__(self):
        return apply1(abs_, self)

    def __pos__(self):
        return self

    # --- comparisons look at data; == and hash stay by identity ---------------------------
    def __lt__(self, other):
        return self.data < _data_of(other)

    def __le__(self, other):
        return self.data <= _data_of(other)

    def __gt__(self, other):
        return self.data > _data_of(other)

    def __ge__(self, other):
        return self.data >= _data_of(other)

    __hash__ = object.__hash__

    # --- functions ---------------------------------------------------------------------------
    def exp(self) -> Value:
        """e^x"""
        return apply1(exp, self)

    def log(self) -> Value:
        """Natural logarithm: -inf at 0, nan below."""
        return apply1(log, self)

    def sqrt(self) -> Value:
        """√x (nan below 0; its derivative is inf at 0)."""
        return apply1(sqrt, self)

    def tanh(self) -> Value:
        """tanh x; derivative 1 - tanh²x."""
        return apply1(tanh, self)

    def sigmoid(self) -> Value:
        """σ(x) = 1 / (1 + e^-x); derivative σ(x)(1 - σ(x))."""
        return apply1(sigmoid, self)

    def relu(self) -> Value:
        """max(x, 0); derivative 1 for x > 0, else 0."""
        return apply1(relu, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """x for x > 0, else slope · x."""
        return leaky_relu(self, slope)

    def softplus(self) -> Value:
        """log(1 + e^x); derivative σ(x)."""
        return apply1(softplus, self)

    def sin(self) -> Value:
        return apply1(sin, self)

    def cos(self) -> Value:
        return apply1(cos, self)

    # The rest of math's functions and PyTorch's piecewise ones, under torch.Tensor's method
    # names (the functions themselves, and their rules, are in primitives.py / wrappers.py).
    def tan(self) -> Value:
        return apply1(_P.tan, self)

    def sinh(self) -> Value:
        return apply1(_P.sinh, self)

    def cosh(self) -> Value:
        return apply1(_P.cosh, self)

    def asin(self) -> Value:
        """arcsin x: nan outside [-1, 1]."""
        return apply1(_P.asin, self)

    def acos(self) -> Value:
        """arccos x: nan outside [-1, 1]."""
        return apply1(_P.acos, self)

    def atan(self) -> Value:
        return apply1(_P.atan, self)

    def asinh(self) -> Value:
        return apply1(_P.asinh, self)

    def acosh(self) -> Value:
        """arcosh x: nan below 1."""
        return apply1(_P.acosh, self)

    def atanh(self) -> Value:
        """artanh x: ±inf at ±1, nan beyond."""
        return apply1(_P.atanh, self)

    def log1p(self) -> Value:
        """log(1 + x), accurate for small x."""
        return apply1(_P.log1p, self)

    def expm1(self) -> Value:
        """eˣ - 1, accurate for small x."""
        return apply1(_P.expm1, self)

    def log2(self) -> Value:
        return apply1(_P.log2, self)

    def log10(self) -> Value:
        return apply1(_P.log10, self)

    def exp2(self) -> Value:
        """2ˣ"""
        return apply1(_P.exp2, self)

    def erf(self) -> Value:
        return apply1(_P.erf, self)

    def erfc(self) -> Value:
        """1 - erf x, accurate where erf x is near 1."""
        return apply1(_P.erfc, self)

    def atan2(self, other) -> Value:
        """atan2(self, other): the angle of the point (x=other, y=self)."""
        return _P.atan2(self, other)

    def hypot(self, other) -> Value:
        """√(self² + other²) without overflow."""
        return _P.hypot(self, other)

    def floor(self) -> Value:
        """⌊x⌋ (gradient 0)."""
        return apply1(_P.floor, self)

    def ceil(self) -> Value:
        """⌈x⌉ (gradient 0)."""
        return apply1(_P.ceil, self)

    def trunc(self) -> Value:
        """x rounded towards 0 (gradient 0)."""
        return apply1(_P.trunc, self)

    def round(self, decimals: int = 0) -> Value:
        """x rounded to ``decimals`` places, ties to even, as torch.round (gradient 0)."""
        return _F.round_(self, decimals)

    def sign(self) -> Value:
        """-1, 0 or 1 (0 at nan, as torch.sign; gradient 0)."""
        return apply1(_P.sign, self)

    def fmod(self, other) -> Value:
        """The remainder of self / other truncated, with the sign of self (torch.fmod)."""
        return _P.fmod(self, other)

    def remainder(self, other) -> Value:
        """self - ⌊self / other⌋·other, with the sign of other (torch.remainder, Python's %)."""
        return _P.remainder(self, other)

    def maximum(self, other) -> Value:
        """The larger of the two (torch.maximum): a tie splits the gradient evenly."""
        return _P.maximum(self, other)

    def minimum(self, other) -> Value:
        """The smaller of the two (torch.minimum): a tie splits the gradient evenly."""
        return _P.minimum(self, other)

    def clamp(self, min=None, max=None) -> Value:  # noqa: A002 (PyTorch's argument names)
        """self limited to [min, max], as torch.clamp: gradient 1 on the closed interval."""
        return _F.clamp(self, min, max)

    def __mod__(self, other):
        if not isinstance(other, (Value, Real)):
            return NotImplemented
        return _P.remainder(self, other)

    def __rmod__(self, other):
        if not isinstance(other, Real):
            return NotImplemented
        return _P.remainder(other, self)

    def __floor__(self) -> Value:  # math.floor(v)
        return apply1(_P.floor, self)

    def __ceil__(self) -> Value:
        return apply1(_P.ceil, self)

    def __trunc__(self) -> Value:
        return apply1(_P.trunc, self)

    def __round__(self, ndigits: int | None = None) -> Value:  # round(v), round(v, 2)
        return _F.round_(self, 0 if ndigits is None else ndigits)

    # --- gradients ---------------------------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Add ∂self/∂v · grad to ``v.grad`` for every node v of the graph, leaves and
        intermediates alike. Calling it twice adds twice."""
        from autograd.backward import backward

        backward(self, grad)

    def detach(self) -> Value:
        """A new leaf with the same data and label, cut off from this graph."""
        return Value(self.data, self.label)


def _data_of(x) -> float:
    if type(x) is Value:
        return x.data
    if isinstance(x, Real):
        return float(x)
    raise TypeError(f"cannot compare Value with {type(x).__name__}")


# The primitives need the Value class, so they are imported last.
from autograd import primitives as _P  # noqa: E402
from autograd import wrappers as _F  # noqa: E402
from autograd.primitives import (  # noqa: E402
    abs_,
    add,
    cos,
    div,
    exp,
    leaky_relu,
    linear,
    log,
    mul,
    neg,
    pow_,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    sub,
    tanh,
)
