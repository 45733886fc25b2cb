"""Watch backpropagation happen: a step-through viewer of a graph's forward and backward pass.

``viewer(root, "backprop.html")`` writes one self-contained HTML file: the graph as
``draw_dot`` draws it (Graphviz SVG, inlined), the steps of ``viz.explain_steps`` (embedded as
JSON), and the script and style that play them (inlined from ``viz/static/``). It opens from
disk in any current browser, with no network and no server.

The page plays the forward pass node by node (each value appears as it is computed), then the
backward pass in the engine's order (reverse topological, root first): at each step the node
whose gradient becomes complete is highlighted, the edges that carried its share glow, and a
panel shows that step's lines exactly as ``explain`` writes them. Gradients not yet complete
are greyed out as ``grad …``. Controls: next / previous, play / pause with a speed, start /
end, and the keys → ← space Home End; hovering or clicking a node shows its name, label, op,
value, gradient and local derivatives. Everything user-given reaches the page either escaped by
Graphviz (in the SVG) or as JSON with ``<``, ``>`` and ``&`` written as ``\\u003c`` ``\\u003e``
``\\u0026``, and the script only ever sets ``textContent``: a label cannot inject markup.

Without a path, inside IPython/Jupyter the viewer is displayed inline, in an ``<iframe
srcdoc>`` of its own (so two viewers in one notebook never share ids, scripts or keys);
outside IPython the HTML document is returned.
"""

from __future__ import annotations

import html
import json
import os
import sys
from importlib import resources

import graphviz

from autograd import Value
from viz.dot import (
    DEFAULT_MAX_NODES,
    INSTALL_HINT,
    OP_SYMBOLS,
    GraphvizNotFoundError,
    _write_atomically,
    breadth_first,
    draw_dot,
    format_number,
)
from viz.explain import explanation
from viz.notation import Graph, edges

IFRAME_HEIGHT = 640  # pixels, for the inline display in a notebook


def viewer(
    root: Value,
    path: str | os.PathLike[str] | None = None,
    *,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    rankdir: str = "LR",
) -> str | None:
    """Write the step-through viewer of ``root``'s forward and backward pass.

    ``path``: the HTML file to write (returned). Without a path: inside IPython/Jupyter the
    viewer is displayed inline and None is returned; elsewhere the HTML document is returned.

    ``max_nodes`` counts Values as ``draw_dot`` does (constants included, operation nodes
    not). A larger graph is refused with a ValueError naming the limit: a viewer of part of a
    graph could not play its steps. ``max_nodes=None`` removes the limit.

    Raises TypeError if ``root`` is not a Value, ValueError for a graph over ``max_nodes``,
    ``GraphvizNotFoundError`` without Graphviz's ``dot`` program, OSError if writing fails.
    """
    document = viewer_html(root, max_nodes=max_nodes, rankdir=rankdir)
    if path is not None:
        path = os.fspath(path)
        _write_atomically(path, document.encode("utf-8"), where="viewer")
        return path
    shell = _ipython()
    if shell is None:
        return document
    from IPython.display import display

    # The mime bundle as is: IPython's HTML() warns about an <iframe> ("consider IFrame"), but
    # IFrame needs a URL, and a srcdoc keeps the viewer one self-contained cell output.
    display({"text/html": iframe(document)}, raw=True)
    return None


def viewer_html(
    root: Value, *, max_nodes: int | None = DEFAULT_MAX_NODES, rankdir: str = "LR"
) -> str:
    """The viewer's HTML document as a string (see ``viewer``)."""
    if not isinstance(root, Value):
        raise TypeError(f"viewer: expected a Value, got {type(root).__name__}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"viewer: max_nodes must be a positive int or None, got {max_nodes!r}")
    order = breadth_first(root)
    if max_nodes is not None and len(order) > max_nodes:
        raise ValueError(
            f"viewer: the graph has {len(order):,} Values, more than max_nodes={max_nodes:,}; "
            f"pass a larger max_nodes (or max_nodes=None), or draw the part nearest the "
            f"root with draw_dot(root, max_nodes={max_nodes})"
        )
    try:
        svg = draw_dot(root, rankdir=rankdir, max_nodes=None).pipe(format="svg", encoding="utf-8")
    except graphviz.ExecutableNotFound:
        raise GraphvizNotFoundError(
            f"viewer: drawing the graph needs Graphviz's `dot` program, not found on PATH; "
            f"{INSTALL_HINT.split('; or')[0]}"
        ) from None
    svg = svg[svg.index("<svg") :]  # no XML declaration or DOCTYPE inside HTML
    data = steps_data(root, order)
    return _fill_template(data, svg)


def steps_data(root: Value, order: list[Value] | None = None) -> dict:
    """What the page plays, as JSON-ready data: per drawn node (by its id in the drawing,
    ``v0`` the root) its name, label, op, value, gradient and local derivatives; the steps of
    ``explain_steps`` with the node each one is about and the edges it lights up."""
    ex = explanation(root, "viewer")
    g = ex.graph
    order = breadth_first(root) if order is None else order
    ids = {v: f"v{i}" for i, v in enumerate(order)}
    grads = {s.node: s.grad for s in ex.backward}
    nodes = {}
    for v in order:
        vid = ids[v]
        if v.inputs:
            kind = "root" if v is root else "operation"
        elif v.requires_grad:
            kind = "root" if v is root else "leaf"
        else:
            kind = "constant"
        nodes[vid] = {
            "name": g.names.get(v, format_number(v.data)),
            "label": v.label,
            "op": v.op,
            "symbol": OP_SYMBOLS.get(v.op, v.op),
            "definition": f"{g.names[v]} = {g.definition(v)[0]}" if v.inputs else "",
            "kind": kind,
            "data": format_number(v.data),
            "grad": format_number(grads[v]) if v in grads else None,
            "local": _local_derivatives(g, v),
            "rule": v.primitive.formula if v.primitive is not None else "",
        }
    steps: list[dict[str, object]] = []
    n_forward, n_backward = len(ex.forward), len(ex.backward)
    for i, step in enumerate(ex.forward, 1):
        u = ids[step.node]
        lit = [f"{ids[x]}->op{u[1:]}" for x in dict.fromkeys(step.node.inputs)]
        steps.append(
            {
                "kind": "forward",
                "node": u,
                "counter": f"forward {i} / {n_forward}",
                "text": "\n".join(step.text),
                "edges": lit + [f"op{u[1:]}->{u}"],
            }
        )
    for i, step in enumerate(ex.backward, 1):
        node_id = ids[step.node]
        lit = []
        for use in step.uses:
            u = ids[use.consumer]
            lit += [f"{node_id}->op{u[1:]}", f"op{u[1:]}->{u}"]
        steps.append(
            {
                "kind": "backward",
                "node": node_id,
                "counter": f"backward {i} / {n_backward}",
                "text": "\n".join(step.text),
                "edges": list(dict.fromkeys(lit)),
            }
        )
    return {
        "root": g.names.get(root, "L"),
        "start": ex.inputs or "(no inputs take a gradient)",
        "nodes": nodes,
        "steps": steps,
    }


def _local_derivatives(g: Graph, u: Value) -> list[str]:
    """``∂u/∂x = formula = number`` for each input x of u (constants included)."""
    if not u.inputs:
        return []
    lines = []
    for x, local, formula, _ in edges(g, u):
        lhs = f"∂{g.names[u]}/∂{g.names[x]}"
        number = format_number(local)
        same = formula.replace("−", "-") == number
        lines.append(f"{lhs} = {formula}" + ("" if same else f" = {number}"))
    return lines


def json_for_html(data: object) -> str:
    """``data`` as JSON that can sit inside an HTML ``<script>`` element: ``<``, ``>`` and ``&``
    are written as JSON escapes, so no text in it can close the element or start a comment."""
    text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def _static(name: str) -> str:
    return resources.files("viz").joinpath("static").joinpath(name).read_text(encoding="utf-8")


def _fill_template(data: dict, svg: str) -> str:
    page = _static("viewer.html")
    title = html.escape(f"backpropagation of {data['root']}", quote=True)
    parts = {
        "{{TITLE}}": title,
        "{{STYLE}}": _static("viewer.css"),
        "{{SCRIPT}}": _static("viewer.js"),
        "{{DATA}}": json_for_html(data),
        "{{SVG}}": svg,
    }
    # One pass, so that nothing inserted is itself searched for a placeholder.
    out, i = [], 0
    while True:
        j = page.find("{{", i)
        if j < 0:
            out.append(page[i:])
            break
        k = page.index("}}", j) + 2
        out.append(page[i:j])
        out.append(parts[page[j:k]])
        i = k
    return "".join(out)


def iframe(document: str, height: int = IFRAME_HEIGHT) -> str:
    """The document inside an ``<iframe srcdoc>``: isolated from the page around it."""
    return (
        f'<iframe srcdoc="{html.escape(document, quote=True)}" '
        f'style="width: 100%; height: {height}px; border: 1px solid #ddd" '
        f'sandbox="allow-scripts" title="backpropagation viewer"></iframe>'
    )


def _ipython():
    if "IPython" not in sys.modules:
        return None
    return sys.modules["IPython"].get_ipython()
