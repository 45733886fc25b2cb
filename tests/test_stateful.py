"""A hypothesis state machine that grows one graph node by node and checks every gradient.

Rules apply operations to nodes already built (so subexpressions are shared, as in real
models), call ``backward()`` on any node with any seed, or ``grad()``, or zero the gradients.
The reference is forward mode, written here with its own derivative formulas: seeding node k
with tangent 1 and pushing tangents forward through the recorded steps gives ∂root/∂node_k,
which is what ``backward()`` must have added to ``node_k.grad`` — for leaves and intermediate
nodes alike. Forward and reverse mode share no code, so they cannot share a mistake.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, multiple, rule

import autograd
from autograd import Value, grad
from autograd.testing.strategies import values

BOUND = 1e4  # a step whose value would be larger is not taken
KINK_MARGIN = 0.1  # relu, abs and leaky_relu are applied only this far from 0


def _sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def _softplus(x):
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


@dataclass(frozen=True)
class Step:
    """An operation: how the engine builds it, its float value, and its partial derivatives
    ∂out/∂input given the input floats and the output value."""

    engine: Callable
    value: Callable
    partials: Callable
    kink: bool = False


UNARY = {
    "tanh": Step(lambda a: a.tanh(), math.tanh, lambda a, v: (1 - v * v,)),
    "sin": Step(lambda a: a.sin(), math.sin, lambda a, v: (math.cos(a),)),
    "cos": Step(lambda a: a.cos(), math.cos, lambda a, v: (-math.sin(a),)),
    "exp": Step(lambda a: a.exp(), math.exp, lambda a, v: (v,)),
    "sigmoid": Step(lambda a: a.sigmoid(), _sigmoid, lambda a, v: (v * (1 - v),)),
    "softplus": Step(lambda a: a.softplus(), _softplus, lambda a, v: (_sigmoid(a),)),
    "log(1 + a**2)": Step(
        lambda a: (1 + a**2).log(),
        lambda a: math.log(1 + a * a),
        lambda a, v: (2 * a / (1 + a * a),),
    ),
    "sqrt(softplus(a) + 0.1)": Step(
        lambda a: (a.softplus() + 0.1).sqrt(),
        lambda a: math.sqrt(_softplus(a) + 0.1),
        lambda a, v: (_sigmoid(a) / (2 * v),),
    ),
    "a**2": Step(lambda a: a**2, lambda a: a * a, lambda a, v: (2 * a,)),
    "-a": Step(lambda a: -a, lambda a: -a, lambda a, v: (-1.0,)),
    "relu": Step(
        lambda a: a.relu(), lambda a: max(a, 0.0), lambda a, v: (float(a > 0),), kink=True
    ),
    "abs": Step(abs, abs, lambda a, v: (math.copysign(1.0, a),), kink=True),
    "leaky_relu": Step(
        lambda a: a.leaky_relu(0.1),
        lambda a: a if a > 0 else 0.1 * a,
        lambda a, v: (1.0 if a > 0 else 0.1,),
        kink=True,
    ),
}

BINARY = {
    "a + b": Step(lambda a, b: a + b, lambda a, b: a + b, lambda a, b, v: (1.0, 1.0)),
    "a - b": Step(lambda a, b: a - b, lambda a, b: a - b, lambda a, b, v: (1.0, -1.0)),
    "a * b": Step(lambda a, b: a * b, lambda a, b: a * b, lambda a, b, v: (b, a)),
    "a / (1 + b**2)": Step(
        lambda a, b: a / (1 + b**2),
        lambda a, b: a / (1 + b * b),
        lambda a, b, v: (1 / (1 + b * b), -2 * a * b / (1 + b * b) ** 2),
    ),
    "(1 + a**2)**b": Step(
        lambda a, b: (1 + a**2) ** b,
        lambda a, b: (1 + a * a) ** b,
        lambda a, b, v: (b * (1 + a * a) ** (b - 1) * 2 * a, v * math.log(1 + a * a)),
    ),
}

NARY = {
    "vsum": Step(
        lambda *xs: autograd.vsum(xs), lambda *xs: sum(xs), lambda *xs: (1.0,) * (len(xs) - 1)
    ),
    "dot": Step(
        lambda w1, w2, x1, x2, b: autograd.dot([w1, w2], [x1, x2], b),
        lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
        lambda w1, w2, x1, x2, b, v: (x1, x2, w1, w2, 1.0),
    ),
}


@dataclass(eq=False)
class Node:
    """One node of the growing graph: the engine's Value and how it was made."""

    index: int
    value: Value
    data: float  # computed independently of the engine
    step: str = "leaf"
    inputs: tuple["Node", ...] = ()
    constant: float = 0.0  # for "a * c"

    def __repr__(self) -> str:
        return f"n{self.index}"


def close(a: float, b: float, scale: float = 1.0) -> bool:
    return abs(a - b) <= 1e-9 * (scale + abs(b))


def repeats_an_input(v: Value) -> bool:
    return v.op == "linear" and len(set(map(id, v.inputs))) < len(v.inputs)


class GrowingGraph(RuleBasedStateMachine):
    nodes = Bundle("nodes")

    def __init__(self):
        super().__init__()
        self.graph = []  # every Node, in creation order (a topological order)
        self.expected = {}  # Node -> the .grad that the backward() calls so far must give

    # --- building -----------------------------------------------------------------------
    @initialize(target=nodes, point=st.lists(values(-2, 2), min_size=1, max_size=3))
    def leaves(self, point):
        return multiple(*[self._add(Value(x, f"x{i}"), x) for i, x in enumerate(point)])

    def _add(self, value, data, step="leaf", inputs=(), constant=0.0):
        node = Node(len(self.graph), value, data, step, tuple(inputs), constant)
        assert close(value.data, data), f"{step}: engine {value.data}, reference {data}"
        self.graph.append(node)
        self.expected[node] = 0.0
        return node

    def _apply(self, name, table, inputs):
        step = table[name]
        xs = [n.data for n in inputs]
        if step.kink and abs(xs[0]) < KINK_MARGIN:
            return multiple()
        try:
            data = step.value(*xs)
        except OverflowError:
            return multiple()
        if not math.isfinite(data) or abs(data) > BOUND:
            return multiple()
        return self._add(step.engine(*[n.value for n in inputs]), data, name, inputs)

    @rule(target=nodes, name=st.sampled_from(sorted(UNARY)), a=nodes)
    def unary(self, name, a):
        return self._apply(name, UNARY, [a])

    @rule(target=nodes, name=st.sampled_from(sorted(BINARY)), a=nodes, b=nodes)
    def binary(self, name, a, b):
        return self._apply(name, BINARY, [a, b])

    @rule(target=nodes, a=nodes, b=nodes, c=nodes)
    def vsum(self, a, b, c):
        return self._apply("vsum", NARY, [a, b, c])

    @rule(target=nodes, w1=nodes, w2=nodes, x1=nodes, x2=nodes, b=nodes)
    def dot(self, w1, w2, x1, x2, b):
        return self._apply("dot", NARY, [w1, w2, x1, x2, b])

    @rule(target=nodes, a=nodes, c=values(-3, 3))
    def times_constant(self, a, c):
        if abs(a.data * c) > BOUND:
            return multiple()
        return self._add(a.value * c, a.data * c, "a * c", [a], c)

    # --- the reference: forward mode ------------------------------------------------------
    def _partials(self, node):
        if node.step == "a * c":
            return (node.constant,)
        table = UNARY if node.step in UNARY else BINARY if node.step in BINARY else NARY
        return table[node.step].partials(*[n.data for n in node.inputs], node.data)

    def derivative(self, root, wrt):
        """∂root/∂wrt by forward mode: tangent 1 at wrt, pushed through the graph."""
        tangent = {}
        for node in self.graph[wrt.index : root.index + 1]:
            if node is wrt:
                tangent[node] = 1.0
            elif node.step == "leaf":
                tangent[node] = 0.0
            else:
                tangent[node] = sum(
                    p * tangent.get(x, 0.0) for p, x in zip(self._partials(node), node.inputs)
                )
        return tangent.get(root, 0.0)

    # --- differentiating -------------------------------------------------------------------
    @rule(root=nodes, seed=values(-2, 2))
    def backward(self, root, seed):
        root.value.backward(seed)
        for node in self.graph:
            self.expected[node] += seed * self.derivative(root, node)
        self.check_grads()

    @rule(root=nodes)
    def grad_of_leaves_and_intermediates(self, root):
        before = [n.value.grad for n in self.graph]
        gradients = grad(root.value, [n.value for n in self.graph])
        for node, g in zip(self.graph, gradients):
            reference = self.derivative(root, node)
            assert close(g, reference), f"∂{root}/∂{node}: engine {g}, reference {reference}"
        assert [n.value.grad for n in self.graph] == before  # grad() touches no .grad
        with_graph = grad(root.value, [n.value for n in self.graph], create_graph=True)
        # The same numbers by the general pass, bit for bit unless a linear node has a Value
        # twice among its inputs (the fast pass then adds its shares in another order).
        if any(repeats_an_input(n.value) for n in self.graph):
            for node, g in zip(self.graph, with_graph):
                assert close(g.data, self.derivative(root, node))
        else:
            assert [g.data for g in with_graph] == list(gradients)

    @rule()
    def zero_grads(self):
        for node in self.graph:
            node.value.grad = 0.0
            self.expected[node] = 0.0

    @invariant()
    def check_grads(self):
        for node in self.graph:
            got, want = node.value.grad, self.expected[node]
            assert close(got, want, scale=1.0), f"{node}.grad: engine {got}, reference {want}"


test_growing_graph = GrowingGraph.TestCase


def test_the_reference_itself_is_right_on_a_small_graph():
    # y = tanh(x0 · x1) at (0.5, 2): ∂y/∂x0 = x1·(1 - tanh²1), built through the machine.
    machine = GrowingGraph()
    x0, x1 = machine.leaves([0.5, 2.0]).values
    y = machine.unary("tanh", machine.binary("a * b", x0, x1))
    assert machine.derivative(y, x0) == pytest.approx(2.0 * (1 - math.tanh(1.0) ** 2))
    assert machine.derivative(y, x1) == pytest.approx(0.5 * (1 - math.tanh(1.0) ** 2))
    machine.teardown()
