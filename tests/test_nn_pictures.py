"""nn.pictures: the main job's neuron, named as the documents name it, drawn and stepped through."""

import math
import re
import subprocess

import pytest

from nn.layers import MLP
from nn.pictures import PICTURES, neuron_graph, write_neuron_pictures

needs_dot = pytest.mark.skipif(
    subprocess.run(["which", "dot"], capture_output=True).returncode != 0,
    reason="Graphviz's dot program is not installed",
)


def nodes_of(root):
    seen, stack = {root}, [root]
    while stack:
        for x in stack.pop().inputs:
            if x not in seen:
                seen.add(x)
                stack.append(x)
    return seen


def test_the_neuron_is_the_documents_neuron_with_a_labelled_target():
    model = MLP(2, [3, 1], seed=4)
    x, target = [0.7, -1.2], -1.0
    L = neuron_graph(model, x, target)
    by_label = {v.label: v for v in nodes_of(L) if v.label}
    assert set(by_label) == {"x1", "x2", "w1", "w2", "b", "z", "a", "y", "L"}
    y = by_label["y"]
    assert y.data == target and not y.requires_grad  # drawn as y, not as a bare number
    assert by_label["a"].op == "tanh" and by_label["z"].op == "linear"
    t1 = next(v for v in nodes_of(L) if v.op == "sub")
    assert t1.inputs == (by_label["a"], y)  # a − y as written
    # Closed forms, by hand: z = w·x + b, a = tanh z, L = ½(a − y)², ∂L/∂w = (a − y)(1 − a²)x.
    neuron = model.layers[0].neurons[0]
    w = [p.data for p in neuron.w]
    z = w[0] * x[0] + w[1] * x[1] + neuron.b.data
    a = math.tanh(z)
    assert L.data == pytest.approx(0.5 * (a - target) ** 2, rel=1e-12)
    dz = (a - target) * (1 - a * a)
    assert by_label["w1"].grad == pytest.approx(dz * x[0], rel=1e-12)
    assert by_label["x2"].grad == pytest.approx(dz * w[1], rel=1e-12)
    assert by_label["b"].grad == pytest.approx(dz, rel=1e-12)


def test_a_neuron_of_many_inputs_draws_its_largest_terms_and_sums_the_rest():
    # digits: 64 inputs were a column of 129 boxes. The eight largest terms |wᵢ·xᵢ| are
    # drawn, under their own numbers; the others are one constant, so z, a and L keep their
    # values.
    model = MLP(64, [3, 10], seed=1)
    x = [math.sin(3.7 * i) * (i % 5) for i in range(64)]
    L = neuron_graph(model, x, 1.0)
    by_label = {v.label: v for v in nodes_of(L) if v.label}
    shown = sorted(int(k[1:]) for k in by_label if k.startswith("w"))
    neuron = model.layers[0].neurons[0]
    w = [p.data for p in neuron.w]
    largest = sorted(range(1, 65), key=lambda i: -abs(w[i - 1] * x[i - 1]))[:8]
    assert shown == sorted(largest)
    assert sorted(int(k[1:]) for k in by_label if k.startswith("x")) == shown
    assert not by_label["rest"].requires_grad
    z = math.fsum(wi * xi for wi, xi in zip(w, x)) + neuron.b.data
    assert by_label["z"].data == pytest.approx(z, rel=1e-12, abs=1e-12)
    a = math.tanh(z)
    assert L.data == pytest.approx(0.5 * (a - 1.0) ** 2, rel=1e-12)
    dz = (a - 1.0) * (1 - a * a)
    for i in shown:
        assert by_label[f"w{i}"].grad == pytest.approx(dz * x[i - 1], rel=1e-9)
    # a neuron of few inputs is drawn whole
    assert "rest" not in {v.label for v in nodes_of(neuron_graph(MLP(8, [2]), [1.0] * 8, 1.0))}


@needs_dot
def test_write_neuron_pictures_draws_and_writes_the_viewer(tmp_path):
    from viz import explain

    model = MLP(2, [3, 1], seed=4)
    paths = write_neuron_pictures(model, [0.7, -1.2], 1.0, str(tmp_path))
    assert paths == [str(tmp_path / name) for name in PICTURES]
    svg = (tmp_path / "neuron_graph.svg").read_text(encoding="utf-8")
    texts = set(re.findall(r">([^<>]+)</text>", svg))
    assert {"x1", "x2", "w1", "w2", "b", "z", "a", "y", "L", "t1"} <= texts
    page = (tmp_path / "backprop.html").read_text(encoding="utf-8")
    line = next(
        ln.strip()
        for ln in explain(neuron_graph(model, [0.7, -1.2], 1.0)).splitlines()
        if ln.strip().startswith("∂L/∂z")
    )
    assert line.replace("·", "\\u00b7") in page or line in page
