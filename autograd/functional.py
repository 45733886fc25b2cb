"""Function transforms, as in JAX: ``value_and_grad``, ``jacobian``, ``hessian``, ``hvp``,
``vjp`` and forward-mode ``jvp``.

Calling convention. ``f`` takes one Value per input, positionally, and returns a scalar
Value (or a number) or, for ``jacobian``, ``jvp`` and ``vjp``, a list or tuple of them::

    f = lambda x, y: x * y.sin()
    value, (dx, dy) = value_and_grad(f)(1.5, 0.3)
    H = hessian(f)(1.5, 0.3)                          # [[∂²f/∂x², ∂²f/∂x∂y], [...]]
    out, tangent_out = jvp(f, [1.5, 0.3], [1.0, 0.0])  # f and ∂f/∂x

A transform's inputs may be numbers or Values. Given numbers, it works on fresh leaves and
returns floats. Given Values, it differentiates with ``create_graph=True`` and returns Values
built from them, so transforms compose: ``jacobian(lambda *xs: value_and_grad(f)(*xs)[1])``
is the Hessian, and ``jacobian(jacobian(f))`` too.

Forward mode needs no forward rule per primitive: it is derived from the reverse rules by
the transpose trick. For a cotangent u, the reverse pass gives Jᵀu, a function linear in u
(built as a graph with ``create_graph``); its inner product with the tangent t is uᵀJt, whose
gradient with respect to u is the Jacobian-vector product Jt. Two reverse passes over the
same derivative table, so every primitive has forward mode as soon as it has a ``vjp``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any

from autograd.backward import grad
from autograd.value import Value

__all__ = ["value_and_grad", "jacobian", "hessian", "hvp", "jvp", "vjp"]


def value_and_grad(f: Callable[..., Any]) -> Callable[..., tuple[Any, tuple]]:
    """``g(*inputs) -> (f(*inputs), (∂f/∂x₀, ∂f/∂x₁, …))`` for a scalar-valued f."""
    _check_callable(f, "value_and_grad")

    def value_and_grad_f(*inputs):
        xs, nested = _leaves(inputs, "value_and_grad")
        out = _scalar(f(*xs), "value_and_grad")
        grads = _grad(out, xs, nested)
        return _result(out, nested), tuple(_result(g, nested) for g in grads)

    return value_and_grad_f


def jacobian(f: Callable[..., Any]) -> Callable[..., list]:
    """``J(*inputs)``: for f returning a list of m Values, the m × n list of lists
    J[i][j] = ∂fᵢ/∂xⱼ (one reverse pass per output); for a scalar f, the gradient list."""
    _check_callable(f, "jacobian")

    def jacobian_f(*inputs):
        xs, nested = _leaves(inputs, "jacobian")
        outs, single = _outputs(f(*xs), "jacobian")
        rows = [[_result(g, nested) for g in _grad(out, xs, nested)] for out in outs]
        return rows[0] if single else rows

    return jacobian_f


def hessian(f: Callable[..., Any]) -> Callable[..., list[list]]:
    """``H(*inputs)``: the n × n list of lists H[i][j] = ∂²f/∂xᵢ∂xⱼ of a scalar f."""
    _check_callable(f, "hessian")

    def hessian_f(*inputs):
        xs, nested = _leaves(inputs, "hessian")
        out = _scalar(f(*xs), "hessian")
        first = _grad(out, xs, True)
        return [[_result(h, nested) for h in _grad(g, xs, nested)] for g in first]

    return hessian_f


def hvp(f: Callable[..., Any]) -> Callable[[Sequence, Sequence], list]:
    """``hvp(f)(inputs, v)``: the Hessian-vector product H·v of a scalar f, as a list, without
    building H: the gradient of ⟨∇f, v⟩, two reverse passes whatever the number of inputs."""
    _check_callable(f, "hvp")

    def hvp_f(inputs: Sequence, v: Sequence) -> list:
        xs, nested = _leaves(_sequence(inputs, "hvp(inputs)"), "hvp")
        vs = _vector(v, len(xs), "hvp(v)")
        out = _scalar(f(*xs), "hvp")
        first = _grad(out, xs, True)
        directional = _inner(first, vs)
        return [_result(h, nested) for h in _grad(directional, xs, nested)]

    return hvp_f


def jvp(f: Callable[..., Any], primals: Sequence, tangents: Sequence) -> tuple[Any, Any]:
    """Forward mode: ``(f(primals), J·tangents)``, the value and the directional derivative of
    f at ``primals`` along ``tangents`` (both one entry per input of f). For f returning a
    list, both results are lists. Derived from the reverse rules by the transpose trick (see
    the module's docstring)."""
    _check_callable(f, "jvp")
    xs, nested = _leaves(_sequence(primals, "jvp(primals)"), "jvp")
    ts = _vector(tangents, len(xs), "jvp(tangents)")
    outs, single = _outputs(f(*xs), "jvp")
    # A cotangent per output; its value does not matter (the result is linear in it), 1.0
    # keeps every intermediate finite where the outputs' own gradients are.
    us = [Value(1.0, "u") for _ in outs]
    pullback = _grad(_inner(us, outs), xs, True)  # Jᵀu, a graph linear in u
    tangent_outs = _grad(_inner(pullback, ts), us, nested)  # ∂(uᵀJt)/∂u = Jt
    values = [_result(out, nested) for out in outs]
    results = [_result(t, nested) for t in tangent_outs]
    return (values[0], results[0]) if single else (values, results)


def vjp(f: Callable[..., Any], *primals) -> tuple[Any, Callable[[Any], tuple]]:
    """Reverse mode as a function: ``(f(*primals), pullback)``, where ``pullback(cotangent)``
    (one number per output of f; a number for a scalar f) returns uᵀJ, one entry per input."""
    _check_callable(f, "vjp")
    xs, nested = _leaves(primals, "vjp")
    outs, single = _outputs(f(*xs), "vjp")

    def pullback(cotangent) -> tuple:
        us = _vector([cotangent] if single else cotangent, len(outs), "vjp(cotangent)")
        return tuple(_result(g, nested) for g in _grad(_inner(us, outs), xs, nested))

    values = [_result(out, nested) for out in outs]
    return (values[0] if single else values), pullback


# --- helpers ----------------------------------------------------------------------------------


def _check_callable(f, who: str) -> None:
    if not callable(f):
        raise TypeError(
            f"{who}(f): f must be a callable taking one Value per input, got {type(f).__name__}"
        )


def _leaves(inputs: Sequence, who: str) -> tuple[list[Value], bool]:
    """The Values to differentiate with respect to, and whether the caller gave Values (then
    the results are graphs built from them)."""
    if not inputs:
        raise ValueError(f"{who}: no inputs; give one number or Value per argument of f")
    nested = any(isinstance(x, Value) for x in inputs)
    leaves = []
    for i, x in enumerate(inputs):
        if isinstance(x, Value):
            leaves.append(x)
        elif isinstance(x, Real) and not isinstance(x, bool):
            leaves.append(Value(float(x), f"x{i}"))
        else:
            raise TypeError(
                f"{who}: input {i} must be a number or a Value, got {type(x).__name__} ({x!r:.40})"
            )
    return leaves, nested


def _sequence(items, where: str) -> Sequence:
    if isinstance(items, (Value, Real, str, bytes)) or not isinstance(items, Sequence):
        raise TypeError(
            f"{where}: expected a list of numbers or Values, got {type(items).__name__}"
        )
    return items


def _vector(items, n: int, where: str) -> list:
    items = list(_sequence(items, where))
    if len(items) != n:
        raise ValueError(f"{where}: expected {n} entries (one per input), got {len(items)}")
    for i, t in enumerate(items):
        if isinstance(t, bool) or not isinstance(t, (Real, Value)):
            raise TypeError(f"{where}: entry {i} must be a number or a Value, got {t!r:.40}")
        if not isinstance(t, Value) and not math.isfinite(t):
            raise ValueError(f"{where}: entry {i} is {t}; give finite numbers")
    return items


def _scalar(out, who: str) -> Value | float:
    if isinstance(out, Value):
        return out
    if isinstance(out, Real) and not isinstance(out, bool):
        return float(out)
    raise TypeError(
        f"{who}(f): f must return a scalar Value or a number, got {type(out).__name__} "
        f"({out!r:.60})"
    )


def _outputs(out, who: str) -> tuple[list, bool]:
    if isinstance(out, (list, tuple)):
        if not out:
            raise ValueError(f"{who}(f): f returned an empty {type(out).__name__}")
        return [_scalar(o, who) for o in out], False
    return [_scalar(out, who)], True


def _grad(out, xs: list[Value], create_graph: bool) -> tuple:
    if not isinstance(out, Value):
        return (0.0,) * len(xs)
    return grad(out, xs, create_graph=create_graph)


def _inner(a: Sequence, b: Sequence):
    """Σ aᵢ·bᵢ, a Value when any term is one."""
    total: Any = 0.0
    for x, y in zip(a, b):
        total = total + x * y
    return total


def _result(x, nested: bool):
    if nested:
        return x
    return x.data if isinstance(x, Value) else float(x)
