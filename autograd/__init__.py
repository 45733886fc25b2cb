"""autograd: a scalar reverse-mode automatic-differentiation engine.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x          # the forward pass records a graph
>>> y.backward()               # the backward pass fills every .grad
>>> x.grad                     # dy/dx = 2x + 3
7.0
"""

from autograd.backward import backward, grad, topological_order
from autograd.functional import hessian, hvp, jacobian, jvp, value_and_grad, vjp
from autograd.modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad
from autograd.primitives import (
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
    sum_,
    tanh,
)
from autograd.softmax import log_softmax, logsumexp, softmax
from autograd.value import Primitive, Value, apply
from autograd.value import record as _record
from autograd.wrappers import (  # options, lists, and the primitives added with them
    acos,
    acosh,
    amax,
    amin,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cbrt,
    ceil,
    clamp,
    cosh,
    elu,
    erf,
    erfc,
    exp2,
    expm1,
    floor,
    fmod,
    gelu,
    hardtanh,
    hypot,
    log1p,
    log2,
    log10,
    logsigmoid,
    maximum,
    minimum,
    remainder,
    round_,
    selu,
    sign,
    silu,
    sinh,
    softsign,
    tan,
    trunc,
)


def _as_list(items, where: str) -> list:
    try:
        return list(items)
    except TypeError:
        raise TypeError(
            f"{where}: expected an iterable of Values or numbers, got {type(items).__name__}"
        ) from None


def _as_tuple(items, where: str) -> tuple:
    return items if type(items) is tuple else tuple(_as_list(items, where))


def vsum(values) -> Value:
    """Σ values as one n-ary node (one node instead of a chain of n - 1 additions)."""
    values = _as_list(values, "vsum(values)")
    if not values:
        return Value(0.0)
    return apply(sum_, values)  # a Value even when every term is a plain number


def dot(weights, xs, bias=0.0) -> Value:
    """z = Σ wᵢ·xᵢ + b as one n-ary node: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1.

    Tuples are kept as given: a neuron that passes the same tuple of weights to every node it
    makes, and a layer the same tuple of inputs to all its neurons, share them between nodes
    (see ``autograd.value.flat_inputs``).
    """
    if type(weights) is not tuple or type(xs) is not tuple:  # a neuron passes tuples
        weights, xs = _as_tuple(weights, "dot(weights)"), _as_tuple(xs, "dot(xs)")
    if len(weights) != len(xs):
        raise ValueError(f"dot: {len(weights)} weights but {len(xs)} inputs")
    # Every neuron of a network comes here: when all are Values (the usual case), linear's
    # forward loop runs on their data directly, bit for bit the same sum, without gathering
    # the data for the rule first.
    if type(bias) is Value:
        z = bias.data
        for w, x in zip(weights, xs):
            if type(w) is not Value or type(x) is not Value:
                break
            z += w.data * x.data
        else:
            return _record(linear, z, (weights, xs, bias))
    return apply(linear, (*weights, *xs, bias))  # numbers among them: lifted, or a clear error


__all__ = [
    "Value",
    "Primitive",
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "is_grad_enabled",
    "detect_anomaly",
    "topological_order",
    "vsum",
    "dot",
    "logsumexp",
    "softmax",
    "log_softmax",
    "exp",
    "log",
    "sqrt",
    "tanh",
    "sigmoid",
    "relu",
    "leaky_relu",
    "softplus",
    "sin",
    "cos",
    "abs_",
    "add",
    "mul",
    "sub",
    "neg",
    "div",
    "pow_",
    "sum_",
    "linear",
    "tan",
    "sinh",
    "cosh",
    "asin",
    "acos",
    "atan",
    "asinh",
    "acosh",
    "atanh",
    "log1p",
    "expm1",
    "log2",
    "log10",
    "exp2",
    "cbrt",
    "erf",
    "erfc",
    "atan2",
    "hypot",
    "floor",
    "ceil",
    "trunc",
    "sign",
    "fmod",
    "remainder",
    "maximum",
    "minimum",
    "silu",
    "selu",
    "softsign",
    "logsigmoid",
    "clamp",
    "amax",
    "amin",
    "round_",
    "gelu",
    "elu",
    "hardtanh",
    "value_and_grad",
    "jacobian",
    "hessian",
    "hvp",
    "jvp",
    "vjp",
]
