"""viz.draw_dot / render: structure of the DOT source, escaping, truncation, rendering."""

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd import Value
from viz import GraphvizNotFoundError, display_text, draw_dot, format_number, render

SVG = "{http://www.w3.org/2000/svg}"
needs_dot = pytest.mark.skipif(
    subprocess.run(["which", "dot"], capture_output=True).returncode != 0,
    reason="Graphviz's dot program is not installed",
)


def neuron():
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    t = w * x
    z = t + b
    z.label = "z"
    a = z.tanh()
    a.label = "a"
    a.backward()
    return w, x, b, t, z, a


def statements(source):
    nodes = dict(re.findall(r"^\t(\w+) \[label=<(.*)> .*\]$", source, re.M))
    edges = re.findall(r"^\t(\w+) -> (\w+)", source, re.M)
    return nodes, edges


def cells(label):
    return [re.sub(r"<[^>]*>", "", c) for c in re.findall(r"<TD[^>]*>(.*?)</TD>", label)]


def test_known_expression_nodes_edges_and_numbers():
    w, x, b, t, z, a = neuron()
    nodes, edges = statements(draw_dot(a).source)
    # Breadth-first from the root: a, z, t, b, w, x; one op node per non-leaf.
    assert set(nodes) == {"v0", "v1", "v2", "v3", "v4", "v5", "op0", "op1", "op2"}
    assert cells(nodes["v0"]) == ["a", "data 0", "grad 1"]  # tanh(0) = 0
    assert cells(nodes["v1"]) == ["z", "data 0", "grad 1"]  # 1 - tanh(0)^2 = 1
    assert cells(nodes["v2"]) == ["t1", "data 1", "grad 1"]  # w*x = 1, named as explain does
    assert '<I><FONT COLOR="#6b6b6b">t1</FONT></I>' in nodes["v2"]  # a name not given by the user
    assert cells(nodes["v3"]) == ["b", "data -1", "grad 1"]
    assert cells(nodes["v4"]) == ["w", "data 0.5", "grad 2"]  # dL/dw = x = 2
    assert cells(nodes["v5"]) == ["x", "data 2", "grad 0.5"]
    assert nodes["op0"] == "tanh" and nodes["op1"] == "+" and nodes["op2"] == "×"
    assert sorted(edges) == sorted(
        [
            ("op0", "v0"),
            ("v1", "op0"),
            ("op1", "v1"),
            ("v2", "op1"),
            ("v3", "op1"),
            ("op2", "v2"),
            ("v4", "op2"),
            ("v5", "op2"),
        ]
    )


def test_kinds_of_node_are_styled_apart():
    c = Value(3.0, requires_grad=False)
    x = Value(2.0, "x")
    y = x * c + x
    y.backward()
    nodes, _ = statements(draw_dot(y).source)
    assert 'BORDER="3"' in nodes["v0"]  # the root
    leaf = next(lab for lab in nodes.values() if ">x<" in lab)
    assert "#dbeafe" in leaf and "rounded" in leaf  # a leaf
    const = next(lab for lab in nodes.values() if "data 3" in lab)
    assert 'STYLE="dashed"' in const and "grad" not in const  # a constant: no grad
    assert "grad" not in draw_dot(y, show_grad=False).source


def test_shared_constant_drawn_once_and_repeated_input_gives_two_edges():
    x = Value(1.5, "x")
    y = (x * 2.0) + (x * x) * 2.0  # the constant 2.0 is one shared node
    nodes, edges = statements(draw_dot(y).source)
    twos = [n for n, lab in nodes.items() if cells(lab) == ["data 2"]]
    assert len(twos) == 1
    assert sum(1 for e in edges if e[0] == twos[0]) == 2
    square = next(n for n, lab in nodes.items() if "data 2.25" in cells(lab))
    op = "op" + square[1:]
    x_id = next(n for n, lab in nodes.items() if cells(lab)[:1] == ["x"])
    assert edges.count((x_id, op)) == 2


def test_numbers_formatting():
    assert [
        format_number(v)
        for v in (0.5, -1.0, 1 / 3, 123456.0, 1e-7, float("inf"), float("-inf"), float("nan"))
    ] == ["0.5", "-1", "0.3333", "1.235e+05", "1e-07", "inf", "-inf", "nan"]
    x = Value(float("inf"), "x")
    y = x * 0.0  # inf * 0 = nan
    assert "data nan" in draw_dot(y).source and "data inf" in draw_dot(y).source


def test_op_nodes_can_be_folded_into_values():
    *_, a = neuron()
    nodes, edges = statements(draw_dot(a, show_op_nodes=False).source)
    assert not any(n.startswith("op") for n in nodes)
    assert cells(nodes["v0"])[:2] == ["tanh", "a"]
    assert ("v1", "v0") in edges


def test_argument_order_is_labelled_for_pow():
    x = Value(3.0, "x")
    y = 2.0**x
    src = draw_dot(y).source
    assert "label=<base>" in src and "label=<exponent>" in src


_BUILD = """
import sys; sys.path.insert(0, {root!r})
from autograd import Value, dot, vsum
from viz import draw_dot
xs = [Value(i / 7, "x%d" % i) for i in range(4)]
ws = [Value(0.3 - i / 5, "w%d" % i) for i in range(4)]
h = [dot(ws, xs, 0.1).tanh(), (xs[0] * 2.0 - xs[1] / 3.0).sigmoid(), xs[2] ** 2.0]
out = vsum(h) + 2.0 * h[0]
out.backward()
sys.stdout.write(draw_dot(out).source)
"""


def test_dot_source_is_byte_identical_across_processes():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = [
        subprocess.run(
            [sys.executable, "-c", _BUILD.format(root=root)], capture_output=True, check=True
        ).stdout
        for _ in range(2)
    ]
    assert runs[0] == runs[1] and "Σ w·x + b".encode() in runs[0]
    assert b"0x" not in runs[0]  # no id()-like numbers


def deep_chain(n):
    x = Value(0.5, "x")
    y = x
    for _ in range(n):
        y = y * 1.0001
    return x, y


def test_max_nodes_summary_says_how_many_and_where():
    x, y = deep_chain(50)  # 50 products + x + one shared constant = 52 Values
    nodes, edges = statements(draw_dot(y, max_nodes=10).source)
    values = [n for n in nodes if n.startswith("v")]
    assert len(values) == 10
    assert "… 42 more nodes not drawn" in nodes["more"] and "max_nodes=10" in nodes["more"]
    cut = [e for e in edges if e[0] == "more"]
    assert len(cut) == 1 and cut[0][1].startswith("op")
    # Without the limit nothing is left out and there is no summary.
    assert "more" not in statements(draw_dot(y, max_nodes=None).source)[0]


def test_deep_graph_does_not_recurse():
    _, y = deep_chain(20000)
    src = draw_dot(y, max_nodes=5).source
    assert "19,997 more nodes" in src  # 20000 products + x + the constant - 5 drawn


@pytest.mark.parametrize("bad", [0, -3, 2.5, "10"])
def test_bad_max_nodes(bad):
    with pytest.raises(ValueError, match="max_nodes"):
        draw_dot(Value(1.0), max_nodes=bad)


def test_not_a_value():
    with pytest.raises(TypeError, match="expected a Value"):
        draw_dot(3.0)


# --- labels: escaping ---------------------------------------------------------------------


def svg_node_texts(svg: bytes):
    """{node id: [its text lines]} from Graphviz's SVG, parsed as XML."""
    root = ET.fromstring(svg)
    out = {}
    for g in root.iter(SVG + "g"):
        if g.get("class") == "node":
            out[g.find(SVG + "title").text] = [t.text or "" for t in g.iter(SVG + "text")]
    return out


def expected_lines(label):
    """What "verbatim" means (documented in the README): the label's display_text, one SVG
    text line per line; Graphviz writes no text for an empty line; runs of spaces come out
    as a space followed by no-break spaces, so spaces and U+00A0 compare equal."""
    return [line.replace("\xa0", " ") for line in display_text(label).split("\n") if line]


TRICKY = [
    'say "hi"',
    "{a|b}",
    "<b>bold</b>",
    "a\\b\\",
    "\\N",
    "\\G \\L \\E \\T \\H",
    "\\\\n",
    "two\nlines",
    "tab\there",
    "π ≈ 3.14 🎉",
    "&amp; &lt;",
    "]]> -->",
    "\x00\x01\x7f\x85",
    "x\r\ny",
    "  spaced  out ",
    "\ud800",
    "\ufffe",
    "label=<x>] ; digraph { }",
]


def check_label_renders(label, svg=None):
    x = Value(1.0, label)
    y = x * 2.0
    y.label = label
    g = draw_dot(y)
    if svg is None:
        svg = g.pipe(format="svg")
    texts = svg_node_texts(svg)
    assert set(texts) >= {"v0", "v1", "v2", "op0"}  # nothing injected, nothing lost
    for vid, data, name in (("v0", "data 2", "L"), ("v1", "data 1", "t1")):
        # Unlabelled, a node is drawn with the name explain gives it.
        want = expected_lines(label) if label else [name]
        got = [t.replace("\xa0", " ") for t in texts[vid]]
        assert got[: len(want)] == want, (label, got)
        assert got[len(want)] == data


@needs_dot
@pytest.mark.parametrize("label", TRICKY)
def test_tricky_labels_render_verbatim(label):
    check_label_renders(label)


@needs_dot
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=30))
def test_any_label_renders_verbatim(label):
    check_label_renders(label)


def test_display_text_rule():
    assert display_text("a\tb\nc\x00\ud800\ufffe") == "a\\tb\nc\\x00\\ud800\\ufffe"
    assert display_text("plain «ü» 🎉") == "plain «ü» 🎉"


# --- render ---------------------------------------------------------------------------------


@needs_dot
def test_render_svg_is_well_formed_and_contains_the_graph(tmp_path):
    *_, a = neuron()
    path = tmp_path / "g.svg"
    assert render(a, path) == str(path)
    texts = svg_node_texts(path.read_bytes())
    assert texts["v0"] == ["a", "data 0", "grad 1"]
    assert texts["v4"] == ["w", "data 0.5", "grad 2"]
    assert texts["op0"] == ["tanh"] and texts["op2"] == ["×"]
    edges = [
        g.find(SVG + "title").text
        for g in ET.fromstring(path.read_bytes()).iter(SVG + "g")
        if g.get("class") == "edge"
    ]
    assert sorted(edges) == sorted(
        ["op0->v0", "v1->op0", "op1->v1", "v2->op1", "v3->op1", "op2->v2", "v4->op2", "v5->op2"]
    )


@needs_dot
@pytest.mark.parametrize(
    "name,magic",
    [
        ("g.png", b"\x89PNG\r\n\x1a\n"),
        ("g.pdf", b"%PDF"),
        ("g.dot", b"digraph computation_graph {"),
        ("g.gv", b"digraph"),
    ],
)
def test_render_formats_by_suffix(tmp_path, name, magic):
    *_, a = neuron()
    assert render(a, tmp_path / name) == str(tmp_path / name)
    assert (tmp_path / name).read_bytes().startswith(magic)


@needs_dot
def test_format_overrides_suffix_and_graph_accepted(tmp_path):
    *_, a = neuron()
    render(draw_dot(a), tmp_path / "picture.out", format="svg")
    ET.fromstring((tmp_path / "picture.out").read_bytes())


def test_unknown_suffix_or_format(tmp_path):
    *_, a = neuron()
    with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf or \.dot"):
        render(a, tmp_path / "g.jpeg")
    with pytest.raises(ValueError, match="unknown format 'bmp'"):
        render(a, tmp_path / "g.svg", format="bmp")
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_program_is_explained_and_dot_output_still_works(tmp_path, monkeypatch):
    *_, a = neuron()
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    (tmp_path / "old.svg").write_text("keep me")
    with pytest.raises(GraphvizNotFoundError) as err:
        render(a, tmp_path / "old.svg")
    msg = str(err.value)
    assert "dot" in msg and "apt-get install graphviz" in msg and "brew install graphviz" in msg
    assert "conda install -c conda-forge graphviz" in msg
    assert (tmp_path / "old.svg").read_text() == "keep me"  # nothing the user had is lost
    render(a, tmp_path / "g.dot")
    assert (tmp_path / "g.dot").read_text(encoding="utf-8") == draw_dot(a).source


def test_drawing_shows_what_was_written_with_explains_names():
    from viz import explain

    a = Value(0.5, "a")
    y = Value(-1.0, "y", requires_grad=False)  # a labelled constant keeps its label
    L = 0.5 * (a - y) ** 2 + (-a)
    L.backward()
    nodes, edges = statements(draw_dot(L).source)
    by_cells = {tuple(cells(lab)): n for n, lab in nodes.items() if n.startswith("v")}
    # a − y is one "−" node with a and y as inputs (not a + y·(−1)); y drawn as y.
    sub = by_cells[("t1", "data 1.5", "grad 1.5")]
    assert nodes["op" + sub[1:]] == "−"
    y_id = by_cells[("y", "data -1")]
    a_id = next(n for c, n in by_cells.items() if c[0] == "a")
    assert (y_id, "op" + sub[1:]) in edges and (a_id, "op" + sub[1:]) in edges
    assert "label=<−>" in draw_dot(L).source  # the subtracted input's edge says so
    neg = by_cells[("t4", "data -0.5", "grad 1")]
    assert nodes["op" + neg[1:]] == "−" and (a_id, "op" + neg[1:]) in edges
    # Every unlabelled node's drawn name is the one explain writes.
    text = explain(L)
    for name in ("t1 = a − y", "t2 = t1^2", "t3 = 0.5·t2", "t4 = −a", "L = t3 + t4"):
        assert name in text
    assert {c[0] for c in by_cells} >= {"t1", "t2", "t3", "t4", "L", "a", "y"}


def test_a_weighted_sum_labels_the_arrows_of_unnamed_inputs_only():
    # The main job's digits neuron draws w28, x28 … : arrows labelled by position (w1) beside
    # boxes named w28 misled; an unnamed input still gets its role.
    import autograd

    named = autograd.dot([Value(0.5, "w28")], [Value(2.0, "x28")], Value(0.1, "b"))
    src = draw_dot(named).source
    assert "label=<w1>" not in src and "label=<x1>" not in src
    unnamed = autograd.dot([Value(0.5)], [Value(2.0)], Value(0.1))
    assert "label=<w1>" in draw_dot(unnamed).source
