"""Reverse mode: the chain rule applied node by node, in reverse topological order.

Every operation node remembers when it was made (``seq``, from one global counter). A node's
inputs exist before it, so they have smaller ``seq``: visiting nodes from the largest ``seq``
down is a reverse topological order, and a heap hands out the next one. The walk is a loop,
never a recursion, so a graph a million nodes deep is no harder than a shallow one.

A node is visited once its gradient is complete: each of its consumers has a larger ``seq``,
so it was visited earlier and has added its share (the chain rule's sum over paths). The
node's primitive then turns g = ∂root/∂node into g · ∂node/∂input for each input (``vjp``).

The gradients of one pass live in that pass's own dict, never in the nodes: a second
``backward()`` adds exactly once more (it never re-sends what an earlier pass left in
``.grad``), passes can nest, and ``grad()`` touches no ``.grad``. The dict holds only the
*frontier* — nodes that have received some gradient but are not visited yet — not the whole
graph, which keeps it small and the walk fast on big graphs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from heapq import heappop, heappush
from numbers import Real
from typing import Any

from autograd import modes
from autograd.value import Value, constant, describe_inputs


def _walk(root: Value, seed: Any, create_graph: bool, in_place: bool) -> dict[Value, Any]:
    """Send ``seed`` = ∂root/∂root back through root's graph.

    Each node's total gradient is added to ``node.grad`` (``in_place``, as ``backward()``
    does) or returned in a dict (as ``grad()`` needs). With ``create_graph`` the derivative
    rules run on Values, so the gradients are graphs themselves.
    """
    totals: dict[Value, Any] = {}
    anomaly = modes.active[0] and modes.state.anomaly
    leaves: dict[Value, Any] = {}  # a leaf's total arrives in pieces, one per consumer
    frontier: dict[Value, Any] = {root: seed}
    heap: list[tuple[int, Value]] = [(-root.seq, root)] if root.inputs else []
    take = frontier.pop
    if not heap:
        leaves[root] = take(root)
    while heap:
        node = heappop(heap)[1]
        g = take(node)  # complete: every consumer has been visited
        if in_place:
            node.grad += g
        else:
            totals[node] = g
        inputs = node.inputs
        vjp = node.primitive.vjp  # type: ignore[union-attr]  # an operation node has one
        if create_graph:
            input_grads = vjp(g, node, *inputs)
        elif len(inputs) == 2:  # most nodes: skip building a list of the inputs' data
            a, b = inputs
            input_grads = vjp(g, node.data, a.data, b.data)
        else:
            input_grads = vjp(g, node.data, *[x.data for x in inputs])
        if anomaly:
            _check_finite(node, input_grads)
        for x, gx in zip(inputs, input_grads):
            if not x.requires_grad:
                continue
            pending = frontier if x.inputs else leaves
            if x in pending:
                pending[x] = pending[x] + gx
            else:
                pending[x] = gx
                if x.inputs:
                    heappush(heap, (-x.seq, x))
    # Each leaf's total is added once, so that two backward() calls add exactly twice.
    if in_place:
        for x, g in leaves.items():
            x.grad += g
    else:
        totals.update(leaves)
    return totals


def gradients(root: Value, seed: Any = 1.0, create_graph: bool = False) -> dict[Value, Any]:
    """{node: ∂root/∂node · seed} for every node of root's graph that requires grad.

    With ``create_graph`` the gradients are Values built from the graph, so they can be
    differentiated again; otherwise they are floats.
    """
    if create_graph:
        with modes.enable_grad():
            return _walk(root, seed, True, in_place=False)
    return _walk(root, seed, False, in_place=False)


def topological_order(root: Value) -> list[Value]:
    """The operation nodes that ``root`` depends on, each after its inputs (leaves left out)."""
    seen: set[Value] = {root} if root.inputs else set()
    stack = list(seen)
    while stack:
        for x in stack.pop().inputs:
            if x.inputs and x not in seen:
                seen.add(x)
                stack.append(x)
    return sorted(seen, key=_creation_order)


def _creation_order(node: Value) -> int:
    return node.seq


def _check_finite(node: Value, input_grads: Sequence) -> None:
    for x, gx in zip(node.inputs, input_grads):
        value = gx.data if type(gx) is Value else gx
        if x.requires_grad and not math.isfinite(value):
            site = getattr(node, "_site", None) or "an unknown place (made outside detect_anomaly)"
            raise FloatingPointError(
                f"detect_anomaly: the backward pass of {node.op} gave the gradient {value} for "
                f"its input {x.label or repr(x)}; inputs {describe_inputs(node.inputs)}; "
                f"the node was created at {site}"
            )


def _check_seed(grad, where: str) -> float:
    if not isinstance(grad, Real):
        raise TypeError(
            f"{where}: the seed gradient must be a real number, got {type(grad).__name__}"
        )
    return float(grad)


def backward(root: Value, grad: float = 1.0) -> None:
    """Add ∂root/∂node · grad to ``node.grad`` for every node of root's graph."""
    if not isinstance(root, Value):
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    seed = _check_seed(grad, "backward(grad)")
    if not root.requires_grad:
        raise RuntimeError(
            "backward: this Value is a constant (made from a plain number or "
            "under no_grad()), so it has no graph to differentiate"
        )
    _walk(root, seed, False, in_place=True)


def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool = False) -> tuple:
    """(∂output/∂x for x in inputs), leaving every ``.grad`` untouched.

    An input that ``output`` does not depend on gets 0.0. With ``create_graph=True`` the
    results are Values whose own graph can be differentiated again (higher-order derivatives).
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad(output): expected a Value, got {type(output).__name__}")
    if isinstance(inputs, Value):
        inputs = (inputs,)
    try:
        inputs = tuple(inputs)
    except TypeError:
        raise TypeError(
            f"grad(inputs): expected a Value or an iterable of Values, got {type(inputs).__name__}"
        ) from None
    for i, x in enumerate(inputs):
        if not isinstance(x, Value):
            raise TypeError(f"grad(inputs): input {i} must be a Value, got {type(x).__name__}")
    seed = constant(1.0) if create_graph else 1.0
    grads = gradients(output, seed, create_graph)
    if not create_graph:
        return tuple(grads.get(x, 0.0) for x in inputs)
    return tuple(_as_value(grads.get(x, 0.0)) for x in inputs)


def _as_value(g) -> Value:
    # A leaf here is a constant (the seed 1.0, or a rule's plain number). Constants are shared
    # between graphs, so the caller gets a fresh one it may relabel or modify freely.
    if type(g) is not Value or not g.inputs:
        return Value(g.data if type(g) is Value else g, requires_grad=False)
    return g
