"""viz.viewer without a browser: the page is self-contained, its steps are explain_steps, user
text cannot break out of it, large graphs are refused, notebooks get an isolated iframe."""

import html
import json
import re
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET

import pytest

from autograd import Value
from viz import explain_steps, format_number, viewer
from viz.viewer import IFRAME_HEIGHT, iframe, json_for_html, viewer_html

needs_dot = pytest.mark.skipif(
    subprocess.run(["which", "dot"], capture_output=True).returncode != 0,
    reason="Graphviz's dot program is not installed",
)
SVG = "{http://www.w3.org/2000/svg}"
XSS = "</script><script>alert(1)</script><!--"


def neuron(y_label="y"):
    w, x, b = Value(0.5, "w"), Value(2.0, "x"), Value(-1.0, "b")
    y = Value(1.0, y_label, requires_grad=False)
    z = w * x + b
    z.label = "z"
    a = z.sigmoid()
    a.label = "a"
    L = 0.5 * (a - y) ** 2
    L.label = "L"
    L.backward()
    return L


def embedded(document: str) -> dict:
    m = re.search(r'<script type="application/json" id="viz-data">(.*?)</script>', document, re.S)
    assert m is not None
    return json.loads(m.group(1))


@needs_dot
def test_the_file_is_one_self_contained_page(tmp_path):
    path = tmp_path / "backprop.html"
    assert viewer(neuron(), path) == str(path)
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<svg" in page and "<?xml" not in page  # the drawing, inlined
    # Nothing is fetched: no script, style or image from elsewhere; only SVG's namespaces.
    assert not re.search(r"<(link|img|iframe)\b|\bsrc\s*=", page)
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    assert "function show(k)" in page and "#viz-graph" in page  # script and style inlined


@needs_dot
def test_embedded_steps_are_explain_steps():
    L = neuron()
    data = embedded(viewer_html(L))
    steps = explain_steps(L)
    assert [s["text"] for s in data["steps"]] == ["\n".join(s.text) for s in steps]
    assert [s["kind"] for s in data["steps"]] == [s.kind for s in steps]
    n_forward = sum(s.kind == "forward" for s in steps)
    n_backward = len(steps) - n_forward
    assert data["steps"][0]["counter"] == f"forward 1 / {n_forward}"
    assert data["steps"][-1]["counter"] == f"backward {n_backward} / {n_backward}"
    by_name = {n["name"]: n for n in data["nodes"].values()}
    for s in steps:
        node = data["nodes"][data["steps"][steps.index(s)]["node"]]
        assert node["name"] == s.name
        if s.kind == "backward":  # the gradient shown is the engine's
            assert node["grad"] == format_number(s.node.grad)
    assert by_name["y"]["grad"] is None and by_name["y"]["kind"] == "constant"
    assert by_name["a"]["local"] == ["∂a/∂z = σ′(z) = σ(z)·(1 − σ(z)) = 0.25"]
    assert data["start"] == "inputs: w = 0.5, x = 2, b = -1"


@needs_dot
def test_a_label_cannot_break_out_of_the_page():
    page = viewer_html(neuron(y_label=XSS))
    # The template's own two scripts are the only ones; the label is text everywhere.
    assert page.count("<script") == 2 and page.count("</script>") == 2
    assert "<!--" not in page.split("<svg", 1)[0] + page.split("</svg>", 1)[1]
    svg = ET.fromstring(page[page.index("<svg") : page.index("</svg>") + 6])
    assert XSS in [t.text for t in svg.iter(SVG + "text")]  # in the drawing, as text
    data = embedded(page)
    assert any(n["label"] == XSS for n in data["nodes"].values())  # intact after decoding


def test_json_for_html_escapes_what_html_would_read():
    text = json_for_html({"a": "</script><!-- & ü"})
    assert "<" not in text and ">" not in text and "&" not in text and "ü" in text
    assert json.loads(text) == {"a": "</script><!-- & ü"}


@needs_dot
def test_max_nodes_refuses_a_larger_graph(tmp_path):
    x = Value(1.0, "x")
    y = x
    for _ in range(20):
        y = y * 1.5  # 1 + 20 results + one shared constant = 22 Values
    path = tmp_path / "v.html"
    with pytest.raises(ValueError, match=r"22 Values, more than max_nodes=10.*max_nodes=None"):
        viewer(y, path, max_nodes=10)
    assert not path.exists()
    assert viewer(y, path, max_nodes=22) == str(path)
    assert viewer(y, tmp_path / "all.html", max_nodes=None)
    with pytest.raises(ValueError, match="max_nodes must be a positive int"):
        viewer(y, path, max_nodes=0)


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(TypeError, match="viewer: expected a Value, got float"):
        viewer(1.0, tmp_path / "v.html")  # type: ignore[arg-type]


@needs_dot
def test_missing_directory_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="viewer: the directory"):
        viewer(neuron(), tmp_path / "no" / "v.html")


@needs_dot
def test_without_a_path_a_notebook_gets_an_isolated_iframe(monkeypatch):
    L = neuron()
    page = viewer(L)  # outside IPython: the document itself
    assert isinstance(page, str) and page.startswith("<!DOCTYPE html>")
    IPython = pytest.importorskip("IPython")
    shown = []
    monkeypatch.setattr(sys.modules["viz.viewer"], "_ipython", lambda: object())
    monkeypatch.setattr(IPython.display, "display", lambda obj, raw: shown.append((obj, raw)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # IPython's HTML() warned "consider using IFrame"
        assert viewer(L) is None
    ((bundle, raw),) = shown
    assert raw is True
    frame = bundle["text/html"]
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    assert f"height: {IFRAME_HEIGHT}px" in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame)
    assert srcdoc is not None and html.unescape(srcdoc.group(1)) == page
    assert iframe(page) == frame
