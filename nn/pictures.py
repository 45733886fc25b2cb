"""The main job's pictures of one neuron: its drawn graph and its step-through viewer.

``neuron_graph`` rebuilds the documents' single neuron, z = w·x + b, a = f(z), L = ½(a − y)²,
from a trained model, with every node named as the documents name it (x1, x2, w1, w2, b, z,
a, y, L); ``write_neuron_pictures`` draws it (``neuron_graph.svg``) and writes its viewer
(``backprop.html``). ``python -m nn`` calls the latter; ``viz`` is imported only here, so the
rest of ``nn`` works without it.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence

import autograd
from autograd import Value
from nn.layers import ACTIVATIONS, MLP

PICTURES = ("neuron_graph.svg", "backprop.html")


#: Inputs drawn one by one; beyond, the neuron's other terms are summed into one constant.
MAX_SHOWN_INPUTS = 8


def neuron_graph(model: MLP, x: Sequence[float], target: float) -> Value:
    """L = ½(a − y)² for the first neuron of the model's first layer (copies of its trained
    weights w1, w2, …, and bias b) on the input x1, x2, … with the target y (a labelled
    constant), after ``backward()``. Returns L.

    A neuron of more than ``MAX_SHOWN_INPUTS`` inputs (digits: 64) would be a column of
    hundreds of boxes: only the inputs with the largest terms |wᵢ·xᵢ| are drawn, keeping
    their numbers, and the other terms are one labelled constant ("rest"), so that z, a and
    L keep their values."""
    neuron = model.layers[0].neurons[0]
    terms = [(i, p.data, float(v)) for i, (p, v) in enumerate(zip(neuron.w, x), 1)]
    shown = sorted(sorted(terms, key=lambda t: -abs(t[1] * t[2]))[:MAX_SHOWN_INPUTS])
    w = [Value(wi, label=f"w{i}") for i, wi, _ in shown]
    xs = [Value(xi, label=f"x{i}") for i, _, xi in shown]
    b = Value(neuron.b.data, label="b")
    y = Value(float(target), label="y", requires_grad=False)
    z = autograd.dot(w, xs, b)
    if len(shown) < len(terms):
        drawn = {i for i, _, _ in shown}
        others = [wi * xi for i, wi, xi in terms if i not in drawn]
        rest = Value(math.fsum(others), label="rest", requires_grad=False)
        z = z + rest
    z.label = "z"
    a = ACTIVATIONS[neuron.activation](z)
    a.label = "a"
    loss = 0.5 * (a - y) ** 2
    loss.label = "L"
    loss.backward()
    return loss


def write_neuron_pictures(model: MLP, x: Sequence[float], target: float, out: str) -> list[str]:
    """Write ``neuron_graph.svg`` and ``backprop.html`` (the viewer) for ``neuron_graph`` into
    the folder ``out``; returns the paths written. Without Graphviz's ``dot`` program the
    drawing is written as DOT source (``neuron_graph.dot``), the viewer is left out, and a
    note says why on stderr."""
    from viz import GraphvizNotFoundError, render, viewer

    loss = neuron_graph(model, x, target)
    try:
        return [
            render(loss, os.path.join(out, "neuron_graph.svg")),
            str(viewer(loss, os.path.join(out, "backprop.html"))),
        ]
    except GraphvizNotFoundError as e:
        print(f"note: {e}", file=sys.stderr)
        return [render(loss, os.path.join(out, "neuron_graph.dot"))]
