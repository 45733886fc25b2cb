"""viz.explain: the chain rule written out, checked against closed forms and the engine."""

import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, dot, vsum
from viz import explain, explain_steps, format_number

F = format_number


def single_neuron(w=0.5, x=2.0, b=-1.0, y=1.0):
    """The documents' neuron: z = w·x + b, a = σ(z), L = ½(a − y)²."""
    w, x, b = Value(w, "w"), Value(x, "x"), Value(b, "b")
    y = Value(y, "y", requires_grad=False)
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    L = 0.5 * (a - y) ** 2
    L.label = "L"
    return w, x, b, y, z, a, L


@pytest.mark.parametrize(
    "wv,xv,bv,yv", [(0.5, 2.0, -1.0, 1.0), (-1.3, 0.7, 0.25, 0.0), (2.0, -3.0, 1.5, 1.0)]
)
def test_single_neuron_matches_the_closed_forms(wv, xv, bv, yv):
    w, x, b, y, z, a, L = single_neuron(wv, xv, bv, yv)
    text = explain(L)
    # Closed forms, by hand.
    zv = wv * xv + bv
    s = 1 / (1 + math.exp(-zv))
    dL_da = s - yv  # ∂L/∂a = a − y
    da_dz = s * (1 - s)  # ∂a/∂z = σ′(z)
    dL_dz = dL_da * da_dz  # ∂L/∂z = ∂L/∂a · ∂a/∂z
    dL_dw = dL_dz * xv  # ∂L/∂w = ∂L/∂z · x
    dL_db = dL_dz  # ∂L/∂b = ∂L/∂z
    lines = text.splitlines()

    def line(prefix):
        found = [ln.strip() for ln in lines if ln.strip().startswith(prefix)]
        assert len(found) == 1, (prefix, text)
        return found[0]

    assert line("∂L/∂a = a − y = ").endswith(f"= {F(dL_da)}")
    assert line("where ∂a/∂z = σ′(z)").split("(a = σ(z))")[0].strip().endswith(f"= {F(da_dz)}")
    assert (
        line("∂L/∂z = ∂L/∂a · ∂a/∂z = ")
        == f"∂L/∂z = ∂L/∂a · ∂a/∂z = {F(dL_da)} · {F(da_dz)} = {F(dL_dz)}"
    )
    assert line("∂L/∂w = ∂L/∂z · x = ") == f"∂L/∂w = ∂L/∂z · x = {F(dL_dz)} · {F(xv)} = {F(dL_dw)}"
    assert line("∂L/∂b = ∂L/∂z = ") == f"∂L/∂b = ∂L/∂z = {F(dL_db)}"  # no "· 1"
    assert "∂L/∂y" not in text  # y is a constant: no gradient
    # The explanation's own numbers, at full precision, against the closed forms and the engine.
    L.backward()
    steps = {s.name: s for s in explain_steps(L) if s.kind == "backward"}
    for name, closed, leaf in (("a", dL_da, a), ("z", dL_dz, z), ("w", dL_dw, w), ("b", dL_db, b)):
        assert steps[name].grad == pytest.approx(closed, rel=1e-12, abs=1e-15)
        assert steps[name].grad == pytest.approx(leaf.grad, rel=1e-12, abs=1e-15)
    backward = [s for s in explain_steps(L) if s.kind == "backward"]
    assert backward[0].name == "L"  # reverse topological: root first


def test_reuse_sums_over_paths():
    x = Value(3.0, "x")
    y = x * x + x.tanh()
    y.label = "y"
    text = explain(y)
    line = next(ln for ln in text.splitlines() if ln.strip().startswith("∂y/∂x = "))
    assert "used 3 times" in line
    dy_dx = 2 * 3.0 + (1 - math.tanh(3.0) ** 2)
    assert line.split("   (")[0].endswith(f"= {F(dy_dx)}")
    assert "(1 · 3) + (1 · 3)" in line


def test_linear_node_uses_the_documents_layer_formulas():
    ws = [Value(0.2, "w1"), Value(-0.4, "w2")]
    xs = [Value(1.5, "x1"), Value(2.0, "x2")]
    z = dot(ws, xs, Value(0.1, "b"))
    z.label = "z"
    L = z.relu() * 3.0
    L.label = "L"
    text = explain(L)
    zv = 0.2 * 1.5 - 0.4 * 2.0 + 0.1  # -0.4: relu' = 0
    assert zv < 0
    assert "∂L/∂w1 = ∂L/∂z · x1 = 0 = 0 · 1.5 = 0" in text
    assert "∂L/∂b = ∂L/∂z = 0\n" in text
    assert "relu′(z) = 0 (as z ≤ 0)" in text


def test_markdown_format():
    *_, L = single_neuron()
    md = explain(L, format="markdown")
    assert md.startswith("### Forward pass")
    assert "### Backward pass" in md
    assert "- `∂L/∂a = a − y = " in md
    with pytest.raises(ValueError, match="format must be 'text' or 'markdown'"):
        explain(L, format="html")


def test_unlabelled_intermediates_are_named_in_graph_order():
    x = Value(2.0, "x")
    y = (x * 3.0 + 1.0).exp()
    text = explain(y)
    assert "t1 = 3·x = 6" in text and "t2 = t1 + 1 = 7" in text and "L = exp(t2)" in text


# --- random expressions: the explanation's numbers equal the engine's gradients ----------------

UNARY = ["tanh", "sigmoid", "exp", "sin", "cos", "softplus", "relu", "abs"]


def random_expression(rng, leaves, size):
    nodes = list(leaves)
    for _ in range(size):
        kind = rng.randrange(8)
        a, b = rng.choice(nodes), rng.choice(nodes)
        if kind == 0:
            v = a + b
        elif kind == 1:
            v = a * b
        elif kind == 2:
            v = a - b
        elif kind == 3:
            v = a / (b * b + 1.0)
        elif kind == 4:
            fn = rng.choice(UNARY)
            v = abs(a) if fn == "abs" else getattr(a, fn)()
        elif kind == 5:
            v = (a * 0.5) ** 2.0
        elif kind == 6:
            v = vsum([a, b, rng.choice(nodes)])
        else:
            v = dot([a, b], [rng.choice(nodes), 2.0], 0.3)
        nodes.append(v)
    return vsum(nodes[-3:]) if len(nodes) > 3 else nodes[-1]


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 25))
def test_random_expressions_match_engine_gradients(seed, size):
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(-2, 2), f"x{i}") for i in range(3)]
    out = random_expression(rng, leaves, size)
    out.backward()
    steps = [s for s in explain_steps(out) if s.kind == "backward"]
    by_node = {s.node: s for s in steps}
    for leaf in leaves:
        if leaf in by_node:
            assert by_node[leaf].grad == pytest.approx(leaf.grad, rel=1e-9, abs=1e-12)
        else:
            assert leaf.grad == 0.0
    for s in steps:  # every node, intermediates included
        assert s.grad == pytest.approx(s.node.grad, rel=1e-9, abs=1e-12)
        assert s.grad == pytest.approx(
            sum(u.product for u in s.uses) if s.uses else 1.0, rel=1e-12, abs=1e-15
        )
    text = explain(out)
    for leaf in leaves:
        if leaf in by_node:
            assert f"∂L/∂{leaf.label} = " in text


def test_deep_graph_explains_without_recursion():
    x = Value(0.5, "x")
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    steps = explain_steps(y)
    assert steps[-1].name == "x" and steps[-1].grad == pytest.approx(x.grad, rel=1e-12)


def test_division_is_one_step_with_the_quotient_rule():
    x, y = Value(3.0, "x"), Value(2.0, "y")
    q = x / y
    q.label = "q"
    L = q * q
    L.label = "L"
    L.backward()
    text = explain(L)
    # ∂q/∂x = 1/y, ∂q/∂y = −x/y², worked by hand; ∂L/∂q = 2q
    assert "q = x / y = 1.5" in text
    assert f"where ∂q/∂x = 1/y = {F(1 / 2.0)}" in text
    assert f"where ∂q/∂y = −x/y² = {F(-3.0 / 2.0**2)}" in text
    assert f"∂L/∂x = ∂L/∂q · ∂q/∂x = {F(3.0)} · {F(0.5)} = {F(x.grad)}" in text
    assert x.grad == pytest.approx(2 * 1.5 / 2.0) and y.grad == pytest.approx(2 * 1.5 * -0.75)


def test_the_forward_pass_counts_operations_not_lines():
    p, q = Value(3.0, "p"), Value(2.0, "q")
    assert "Forward pass (1 operation, inputs first):" in explain(p / q)
    three = (p * q).tanh() + p
    assert "Forward pass (3 operations, inputs first):" in explain(three)


# --- what the user wrote: subtraction, negation, operand order; steps that say nothing --------


def test_subtraction_and_negation_are_one_step_each():
    x, y = Value(3.0, "x"), Value(5.0, "y")
    d = x - y
    d.label = "d"
    n = -d
    n.label = "n"
    L = n * 2.0 - 1.0
    L.label = "L"
    L.backward()
    assert (d.op, d.inputs) == ("sub", (x, y)) and (n.op, n.inputs) == ("neg", (d,))
    text = explain(L)
    assert "d = x − y = -2" in text and "n = −d = 2" in text and "L = t1 − 1 = 3" in text
    # By hand: L = -2(x - y) - 1, so ∂L/∂x = -2 and ∂L/∂y = 2; ∂L/∂d = -2.
    assert "∂L/∂d = " in text and text.split("∂L/∂d = ")[1].split("\n")[0].endswith("= -2")
    assert "∂L/∂y = " in text and text.split("∂L/∂y = ")[1].split("\n")[0].endswith("= 2")
    assert (x.grad, y.grad, d.grad) == (-2.0, 2.0, -2.0)


def test_a_number_on_the_left_stays_on_the_left():
    x = Value(2.0, "x")
    for expr, op in ((2 + x, "add"), (2 * x, "mul"), (2 - x, "sub"), (2 / x, "div")):
        assert expr.op == op and expr.inputs[0].data == 2.0 and expr.inputs[1] is x
    assert "L = 2 − x = 0" in explain(2 - x) and "L = x − 2 = 0" in explain(x - 2)
    assert "L = 2 + x = 4" in explain(2 + x) and "L = x + 2 = 4" in explain(x + 2)


def test_steps_that_say_nothing_are_collapsed():
    *_, L = single_neuron()
    text = explain(L)
    # ∂L/∂t3 = 0.5 (not "= 0.5 = 1 · 0.5 = 0.5"); no product with 1 anywhere.
    assert "  ∂L/∂t3 = 0.5\n" in text
    assert "  ∂L/∂a = a − y = -0.5\n" in text
    for line in text.splitlines():
        parts = line.split("   (")[0].split(" = ")
        assert all(p != q for p, q in zip(parts, parts[1:])), line
        assert " · 1 = " not in line and "= 1 · " not in line, line


def test_steps_hold_the_text_explain_writes():
    *_, L = single_neuron()
    steps = explain_steps(L)
    kinds = [s.kind for s in steps]
    assert kinds == sorted(kinds, key=["forward", "backward"].index)  # forward first
    forward = [s for s in steps if s.kind == "forward"]
    assert [s.name for s in forward] == ["t1", "z", "a", "t2", "t3", "L"]
    text = explain(L)
    body = [ln[2:] for ln in text.splitlines() if ln.startswith("  ") and "inputs:" not in ln]
    assert body == [line for s in steps for line in s.text]


def test_markdown_renders_in_jupyter():
    *_, L = single_neuron()
    md = explain(L, format="markdown")
    assert isinstance(md, str) and md._repr_markdown_() == md
    IPython = pytest.importorskip("IPython")
    shell = IPython.core.interactiveshell.InteractiveShell.instance()
    data, _ = shell.display_formatter.format(md)
    assert data["text/markdown"] == md
