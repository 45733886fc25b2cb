"""Reverse mode: the chain rule applied node by node, in reverse topological order.

A backward pass has two steps.

1. *Order.* Collect the nodes the root depends on (an explicit stack, never recursion, so a
   graph a million nodes deep is no harder than a shallow one) and sort the operation nodes
   by ``seq``, the creation order stamped on each: inputs always exist before the nodes
   computed from them, so decreasing ``seq`` is a reverse topological order.
2. *Chain rule.* Visit the operation nodes in that order. When a node's turn comes, every
   consumer has been visited and has added its share: its gradient g = ∂root/∂node is
   complete (the chain rule's sum over paths). Its primitive's ``vjp`` turns g into
   g · ∂node/∂input for each input, and each input adds that to its own running sum.

The running sums belong to the pass, not to the result: they sit in each node's ``_partial``
slot only while the pass runs (None otherwise) and reach ``.grad`` once, complete. So a second
``backward()`` adds exactly once more — it never re-sends what an earlier pass left in
``.grad``, the bug micrograd has — and ``grad()`` touches no ``.grad`` at all. (A dict keyed by
node would do the same, but on big graphs its lookups cost two to four times as much as a
slot; see bench/.) A lock keeps two threads from sharing those slots; a pass started from
inside another one (a derivative rule that itself calls ``grad()``) works on a graph of its
own, and meeting the outer pass's nodes is reported as an error rather than mixing sums.

The chain rule is applied in one of two ways over the same order. ``_send_general`` runs each
primitive's ``vjp`` as the table gives it, on Values when the gradient must itself be
differentiable (``create_graph``) and with every gradient checked under ``detect_anomaly``.
``_send_first_order`` is the one training runs (plain floats, no checks), trimmed for speed;
tests hold the two to the same numbers (to rounding in one case: see the linear rule there).
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Sequence
from numbers import Real
from operator import attrgetter
from typing import Any

from autograd import modes
from autograd.value import Value, constant, describe_inputs

_creation_order = attrgetter("seq")
_lock = threading.RLock()


class _Claim:
    """What ``_partial`` holds while a general pass has claimed a node but sent it nothing yet."""

    __slots__ = ()


def _claim(root: Value, claim: Any) -> tuple[list[Value], list[Value]]:
    """(operation nodes, leaves) of root's graph that require grad, each marked ``claim``;
    the operations sorted for the walk, root first."""
    if root._partial is not None:
        raise _busy()
    root._partial = claim
    if not root._inputs:
        return [], [root]
    operations: list[Value] = [root]
    leaves: list[Value] = []
    add_operation, add_leaf = operations.append, leaves.append
    searched: set[int] = set()  # ids of linear nodes' tuples of weights and of xs
    try:
        # The list of operations found so far is also the list still to search: a list's
        # iterator goes on to the items appended while it runs (no recursion, no stack).
        for node in operations:
            inputs: Sequence[Any] = node._inputs
            if node.primitive is linear:
                # (weights, xs, bias), whose tuples are shared between nodes: each is
                # searched once (see value.flat_inputs).
                weights, xs, bias = inputs
                inputs = [bias]
                if id(weights) not in searched:
                    searched.add(id(weights))
                    inputs += weights
                if id(xs) not in searched:
                    searched.add(id(xs))
                    inputs += xs
            for x in inputs:
                if x._partial is not claim:  # most often it is: a shared weight, seen before
                    if x._partial is not None:
                        raise _busy()
                    if x.requires_grad:
                        x._partial = claim
                        if x._inputs:
                            add_operation(x)
                        else:
                            add_leaf(x)
    except BaseException:
        _release(operations, leaves)
        raise
    operations.sort(key=_creation_order, reverse=True)
    return operations, leaves


def _busy() -> RuntimeError:
    return RuntimeError(
        "backward: a node of this graph is in another backward pass that has not finished "
        "(grad() or backward() called from inside a derivative rule, on a graph that shares "
        "nodes with the outer one)"
    )


def _release(*groups: list[Value]) -> None:
    for group in groups:
        for x in group:
            x._partial = None


def _finish(leaves: list[Value], totals: dict[Value, Any] | None) -> None:
    # A leaf's sum is complete once every operation is done; it reaches .grad once, so that
    # two backward() calls add exactly twice.
    for x in leaves:
        if totals is None:
            x.grad += x._partial
        else:
            totals[x] = x._partial
        x._partial = None


def _walk(root: Value, seed: Any, create_graph: bool, totals: dict[Value, Any] | None) -> None:
    """Send ``seed`` = ∂root/∂root back through root's graph.

    Each node's total gradient is added to ``node.grad`` (``totals is None``, as
    ``backward()`` does) or stored in ``totals`` (as ``grad()`` does). With ``create_graph``
    the derivative rules run on Values, so the gradients are graphs themselves.
    """
    anomaly = bool(modes.active[0] and modes.state.anomaly)
    first_order = not (create_graph or anomaly)
    # The first-order walk's sums start at -0.0, the exact additive identity (-0.0 + x is x,
    # bit for bit, -0.0 included), so sending a gradient is one `+=`. Its -0.0 is a new float
    # object: its identity is this pass's claim mark, told apart from any other pass's.
    claim: Any = -float(0) if first_order else _Claim()
    with _lock:
        operations, leaves = _claim(root, claim)
        root._partial = float(seed) if first_order else seed
        try:
            if first_order:
                _send_first_order(operations, totals)
            else:
                _send_general(operations, claim, create_graph, anomaly, totals)
            _finish(leaves, totals)
        except BaseException:  # leave nothing claimed, whatever stopped the pass
            _release(operations, leaves)
            raise


def _send_general(
    operations: list[Value],
    claim: _Claim,
    create_graph: bool,
    anomaly: bool,
    totals: dict[Value, Any] | None,
) -> None:
    """The chain rule for any seed and any rule: gradients may be Values (``create_graph``),
    and under detect_anomaly every gradient is checked. A running sum starts as the first
    gradient sent, so a derivative graph gets no ``0 + …`` nodes."""
    for node in operations:
        g = node._partial
        node._partial = None
        if totals is None:
            node.grad += g
        else:
            totals[node] = g
        inputs = node.inputs
        vjp = node.primitive.vjp  # type: ignore[union-attr]  # an operation has one
        if create_graph and anomaly:
            input_grads = _rule_on_values(vjp, g, node, inputs)
        elif create_graph:
            input_grads = vjp(g, node, *inputs)
        else:
            input_grads = vjp(g, node.data, *[x.data for x in inputs])
        if anomaly:
            _check_finite(node, input_grads)
        for x, gx in zip(inputs, input_grads):
            if x.requires_grad:
                partial = x._partial
                x._partial = gx if partial is claim else partial + gx


def _rule_on_values(vjp, g: Any, node: Value, inputs: Sequence[Value]) -> Sequence:
    """A rule run under create_graph and detect_anomaly: the nodes it builds are not checked
    one by one (that would blame an internal div of sqrt's rule, at the grad() line), its
    results are, by ``_check_finite``, which names the primitive and where its node was made."""
    state = modes.state
    previous = state.in_rule
    state.in_rule = True
    try:
        return vjp(g, node, *inputs)
    finally:
        state.in_rule = previous


def _send_first_order(operations: list[Value], totals: dict[Value, Any] | None) -> None:
    """The chain rule as training runs it: float gradients, no checks, every sum started at
    -0.0. The same steps as ``_send_general``, with one- and two-input nodes (most of any
    graph) unrolled and ``linear`` applying its rule in place.
    """
    for node in operations:
        g = node._partial
        node._partial = None
        if totals is None:
            node.grad += g
        else:
            totals[node] = g
        inputs = node._inputs
        primitive = node.primitive
        if primitive is linear:
            # linear's rule, ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1, sent straight into the running
            # sums: a neuron's weighted sum carries most of a network's edges, and building
            # its list of 2n + 1 gradients first would double the pass's time. The table's
            # vjp stays the reference; tests check the two agree, bit for bit except where
            # one Value occurs twice in a node (dot([a], [a])): its two shares arrive here
            # pair by pair (wᵢ, xᵢ), not all wᵢ first, so their sum may round differently.
            weights, xs, bias = inputs
            for w, x in zip(weights, xs):
                if w.requires_grad:
                    w._partial += g * x.data
                if x.requires_grad:
                    x._partial += g * w.data
            if bias.requires_grad:
                bias._partial += g
            continue
        arity = len(inputs)
        if arity == 2:
            a, b = inputs
            ga, gb = primitive.vjp(g, node.data, a.data, b.data)  # type: ignore[union-attr]
            if a.requires_grad:
                a._partial += ga
            if b.requires_grad:
                b._partial += gb
        elif arity == 1:
            x = inputs[0]
            if x.requires_grad:
                x._partial += primitive.vjp(g, node.data, x.data)[0]  # type: ignore[union-attr]
        else:
            input_grads = primitive.vjp(g, node.data, *[x.data for x in inputs])  # type: ignore[union-attr]
            for x, gx in zip(inputs, input_grads):
                if x.requires_grad:
                    x._partial += gx


def gradients(root: Value, seed: Any = 1.0, create_graph: bool = False) -> dict[Value, Any]:
    """{node: ∂root/∂node · seed} for every node of root's graph that requires grad.

    With ``create_graph`` the gradients are Values built from the graph, so they can be
    differentiated again; otherwise they are floats.
    """
    totals: dict[Value, Any] = {}
    if create_graph:
        with modes.enable_grad():
            _walk(root, seed, True, totals)
    else:
        _walk(root, seed, False, totals)
    return totals


def topological_order(root: Value) -> list[Value]:
    """The operation nodes that ``root`` depends on, each after its inputs (leaves left out)."""
    seen: set[Value] = {root} if root._inputs else set()
    stack = list(seen)
    while stack:
        for x in stack.pop().inputs:
            if x._inputs and x not in seen:
                seen.add(x)
                stack.append(x)
    return sorted(seen, key=_creation_order)


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
    _walk(root, seed, False, None)


def grad(output: Value, inputs: Value | Iterable[Value], create_graph: bool = False) -> tuple:
    """(∂output/∂x for x in inputs), leaving every ``.grad`` untouched.

    An input that ``output`` does not depend on gets 0.0. With ``create_graph=True`` the
    results are Values whose own graph can be differentiated again (higher-order derivatives).
    An ``output`` that is a plain number is a constant: every input gets 0.0 (a constant zero
    Value with ``create_graph``), as in HIPS autograd.
    """
    constant_output = isinstance(output, Real) and not isinstance(output, Value)
    if not constant_output and not isinstance(output, Value):
        raise TypeError(f"grad(output): expected a Value or a number, got {type(output).__name__}")
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
    if constant_output:
        grads: dict[Value, Any] = {}
    else:
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


# Imported last, like value.py's primitives: the table needs the Value class loaded first.
from autograd.primitives import linear  # noqa: E402
