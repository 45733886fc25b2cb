"""Reverse mode: the chain rule applied node by node, in reverse topological order.

``backward(root)`` and ``grad(root, inputs)`` share one pass, ``gradients``: it orders the
graph (iteratively, so a million-deep chain cannot overflow the stack), then walks it from the
root, handing each node's gradient g = ∂root/∂node to its primitive's ``vjp``, which returns
g · ∂node/∂input for every input. Contributions from several paths are summed.

The gradients of one pass live in a dict that belongs to that pass, not in the nodes: a
second ``backward()`` adds exactly once more (it never re-sends what an earlier pass left in
``.grad``), passes can nest, and ``grad()`` touches no ``.grad`` at all.
"""

from __future__ import annotations

import math
from numbers import Real
from typing import Dict, List, Sequence, Tuple, Union

from autograd import modes
from autograd.value import Value, constant, describe_inputs


def topological_order(root: Value) -> List[Value]:
    """The operation nodes that ``root`` depends on, each after its inputs.

    Leaves are left out: they have no inputs to pass a gradient on to. The depth-first search
    keeps its own stack, so a graph a million nodes deep needs no recursion.
    """
    if not root.inputs:
        return []  # a leaf: no operations
    finished: Dict[Value, None] = {}  # an insertion-ordered set: the order being built
    expanded = set()
    stack = [root]
    pop, push, expand = stack.pop, stack.append, expanded.add
    while stack:
        node = stack[-1]
        if node in expanded:
            # Back on top: everything pushed above it, its inputs, is finished. (A node pushed
            # by two consumers sits twice on the stack; the dict keeps its first finish.)
            pop()
            finished[node] = None
            continue
        expand(node)
        for parent in node.inputs:
            if parent.inputs and parent not in expanded:
                push(parent)
    return list(finished)


def gradients(root: Value, seed, create_graph: bool = False) -> Dict[Value, object]:
    """{node: ∂root/∂node · seed} for every node of root's graph that requires grad.

    With ``create_graph`` the gradients are Values built from the graph, so they can be
    differentiated again; otherwise they are floats.
    """
    if create_graph:
        return _value_gradients(root, seed)
    grads: Dict[Value, float] = {root: seed}
    if not root.inputs:
        return grads
    get = grads.get
    anomaly = modes.active[0] and modes.state.anomaly
    for node in reversed(topological_order(root)):
        inputs = node.inputs
        vjp = node.primitive.vjp
        if len(inputs) == 2 and not anomaly:  # the common case, unrolled
            a, b = inputs
            ga, gb = vjp(grads[node], node.data, a.data, b.data)
            if a.requires_grad:
                grads[a] = get(a, 0.0) + ga
            if b.requires_grad:
                grads[b] = get(b, 0.0) + gb
            continue
        input_grads = vjp(grads[node], node.data, *[x.data for x in inputs])
        if anomaly:
            _check_finite(node, input_grads)
        for x, gx in zip(inputs, input_grads):
            if x.requires_grad:
                grads[x] = get(x, 0.0) + gx
    return grads


def _value_gradients(root: Value, seed: Value) -> Dict[Value, Value]:
    """As ``gradients``, but every rule runs on Values: the result is itself a graph."""
    grads: Dict[Value, Value] = {root: seed}
    if not root.inputs:
        return grads
    anomaly = modes.active[0] and modes.state.anomaly
    with modes.enable_grad():
        for node in reversed(topological_order(root)):
            input_grads = node.primitive.vjp(grads[node], node, *node.inputs)
            if anomaly:
                _check_finite(node, input_grads)
            for x, gx in zip(node.inputs, input_grads):
                if x.requires_grad:
                    grads[x] = grads[x] + gx if x in grads else gx
    return grads


def _check_finite(node: Value, input_grads: Sequence) -> None:
    for x, gx in zip(node.inputs, input_grads):
        value = gx.data if type(gx) is Value else gx
        if x.requires_grad and not math.isfinite(value):
            site = getattr(node, "_site", None) or "an unknown place (made outside detect_anomaly)"
            raise FloatingPointError(
                f"detect_anomaly: the backward pass of {node.op} gave the gradient {value} for "
                f"its input {x.label or repr(x)}; inputs {describe_inputs(node.inputs)}; "
                f"the node was created at {site}")


def _check_seed(grad, where: str) -> float:
    if not isinstance(grad, Real):
        raise TypeError(f"{where}: the seed gradient must be a real number, "
                        f"got {type(grad).__name__}")
    return float(grad)


def backward(root: Value, grad: float = 1.0) -> None:
    """Add ∂root/∂node · grad to ``node.grad`` for every node of root's graph."""
    if not isinstance(root, Value):
        raise TypeError(f"backward: expected a Value, got {type(root).__name__}")
    seed = _check_seed(grad, "backward(grad)")
    if not root.requires_grad:
        raise RuntimeError("backward: this Value is a constant (made from a plain number or "
                           "under no_grad()), so it has no graph to differentiate")
    for node, g in gradients(root, seed).items():
        node.grad += g


def grad(output: Value, inputs: Union[Value, Sequence[Value]], create_graph: bool = False
         ) -> Tuple:
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
        raise TypeError(f"grad(inputs): expected a Value or an iterable of Values, "
                        f"got {type(inputs).__name__}") from None
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
