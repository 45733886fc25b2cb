"""Draw a Value's computation graph with Graphviz: ``draw_dot`` builds it, ``render`` saves it.

Every Value is a box showing its name, its data and its grad; every operation is its own
small node between its inputs and its result, as in the chain rule: gradients flow back along
the arrows, one operation at a time. The name is the one ``viz.explain`` uses: the label, else
``t1, t2, …`` in forward order (an unlabelled root is ``L``; an unlabelled constant is its
number), drawn in grey italics when it was not given by the user, so the picture and the text
match. (Two nodes with the same label are told apart in the text only, as ``x`` and ``x#2``.)

How the kinds of Value are told apart, without a legend:

- the **root** (the output you called ``backward`` on): amber fill, thick double border;
- **leaves** that take gradients (inputs, parameters): blue fill, rounded corners;
- **constants** (plain numbers, ``requires_grad=False``): grey dashed box, grey text, no grad;
- **intermediates**: plain white boxes.

Labels are user text and go into Graphviz's HTML-like labels escaped character by character
(see ``display_text``), so no label can break or inject DOT syntax. Node ids come from the
breadth-first order from the root (``v0`` is the root), never from ``id()``, so the same graph
gives byte-identical DOT source in every run.
"""

from __future__ import annotations

import html
import math
import os
import tempfile
import unicodedata
from collections import deque

import graphviz

from autograd import Value

DEFAULT_MAX_NODES = 500

# Operation node symbols; an unknown primitive shows its name.
OP_SYMBOLS: dict[str, str] = {
    "add": "+",
    "mul": "×",
    "sub": "−",
    "neg": "−",
    "div": "/",
    "pow": "**",
    "sum": "Σ",
    "linear": "Σ w·x + b",
    "exp": "exp",
    "log": "log",
    "sqrt": "√",
    "tanh": "tanh",
    "sigmoid": "σ",
    "softplus": "softplus",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "abs": "|·|",
    "sin": "sin",
    "cos": "cos",
}

_LEAF_COLOUR, _ROOT_COLOUR, _CONST_COLOUR = "#dbeafe", "#fde68a", "#f1f1f1"
_MUTED, _OP_COLOUR = "#6b6b6b", "#f5f5f5"

# The process umask, read once at import: reading it means setting it, which is not safe to
# do while other threads may be creating files.
_UMASK = os.umask(0)
os.umask(_UMASK)


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's ``dot`` program, needed for SVG/PNG/PDF, is not installed or not on PATH."""


# --- text ---------------------------------------------------------------------------------


def format_number(x: float) -> str:
    """4 significant digits: ``0.5``, ``-1``, ``0.1192``, ``1.235e+05``, ``inf``, ``nan``."""
    if math.isnan(x):
        return "nan"
    return f"{x:.4g}"


def _is_shown_raw(ch: str) -> bool:
    """Can this character go into the drawing as itself? (XML 1.0 allows it, and it is text.)"""
    if ch == "\n":
        return True
    cat = unicodedata.category(ch)
    if cat in ("Cc", "Cs"):  # control characters (tab, \r, \x00, \x85, ...), lone surrogates
        return False
    return ch not in ("\ufffe", "\uffff")  # the two "noncharacters" XML forbids


def display_text(label: str) -> str:
    """The text a label is drawn as: the label itself, except that characters which are not
    printable text (control characters such as tab or ``\\r``, lone surrogates, U+FFFE/U+FFFF)
    appear as their Python escapes (``\\t``, ``\\r``, ``\\x00``, ``\\ud800``). Newlines stay
    newlines: each line of the label is one line of the drawing."""
    if all(_is_shown_raw(ch) for ch in label):
        return label
    return "".join(ch if _is_shown_raw(ch) else repr(ch)[1:-1] for ch in label)


def _html(text: str) -> str:
    """``text`` as the body of a Graphviz HTML-like label cell: entities for & < > " ', a
    line break for each newline. A backslash is doubled: Graphviz reads escapes such as
    ``\\N`` (the node's name) even inside HTML-like labels, and ``\\\\`` is its backslash."""
    lines = display_text(text).replace("\\", "\\\\").split("\n")
    return '<BR ALIGN="LEFT"/>'.join(html.escape(line, quote=True) for line in lines)


# --- traversal ----------------------------------------------------------------------------


def breadth_first(root: Value) -> list[Value]:
    """Every Value ``root`` depends on (itself first, leaves and constants included), in
    breadth-first order from the root, each once. Iterative: deep graphs are fine."""
    seen = {root}
    order = [root]
    queue = deque((root,))
    while queue:
        for parent in queue.popleft().inputs:
            if parent not in seen:
                seen.add(parent)
                order.append(parent)
                queue.append(parent)
    return order


def _edge_labels(node: Value) -> list[str]:
    """Names for the inputs of an operation whose argument order matters, else ''."""
    n = len(node.inputs)
    if node.op == "pow":
        return ["base", "exponent"]
    if node.op == "sub":
        return ["", "−"]  # the input subtracted
    if node.op == "leaky_relu":
        return ["x", "slope"]
    if node.op == "linear":
        # its role, unless the input's box names it: a box w28 under an arrow "w1" misleads
        k = (n - 1) // 2
        roles = [f"w{i + 1}" for i in range(k)] + [f"x{i + 1}" for i in range(k)] + ["b"]
        return ["" if x.label else role for x, role in zip(node.inputs, roles)]
    return [""] * n


# --- drawing ------------------------------------------------------------------------------


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_op_nodes: bool = True,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> graphviz.Digraph:
    """The computation graph of ``root`` as a ``graphviz.Digraph`` (display it in Jupyter, or
    save it with ``render``).

    ``rankdir``: "LR" (inputs on the left) or "TB", "RL", "BT". ``show_grad``: show each
    Value's ``.grad``. ``show_op_nodes``: draw operations as nodes of their own; if False, the
    symbol goes inside the result's box and arrows join Values directly.

    ``max_nodes`` (Values, not counting operation nodes; None for no limit): a larger graph is
    drawn from the root outwards up to that many Values, and one dashed note
    "… N more nodes not drawn" is joined by dashed arrows to every node whose inputs were cut.
    """
    if not isinstance(root, Value):
        raise TypeError(f"draw_dot: expected a Value, got {type(root).__name__}")
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw_dot: rankdir must be 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if max_nodes is not None and (not isinstance(max_nodes, int) or max_nodes < 1):
        raise ValueError(f"draw_dot: max_nodes must be a positive int or None, got {max_nodes!r}")

    from viz.notation import Graph  # notation draws on this module's text helpers

    order = breadth_first(root)
    kept = order if max_nodes is None else order[:max_nodes]
    ids = {v: f"v{i}" for i, v in enumerate(kept)}
    names = Graph(root).names

    dot = graphviz.Digraph("computation_graph")
    dot.attr(rankdir=rankdir)
    dot.attr("node", fontname="Helvetica", fontsize="12")
    dot.attr("edge", color="#555555", arrowsize="0.7")

    cut_points: list[tuple[str, int]] = []  # (node id to point at, inputs left out)
    for v in kept:
        vid = ids[v]
        dot.node(
            vid,
            _value_label(
                v,
                v is root,
                show_grad,
                OP_SYMBOLS.get(v.op, v.op) if not show_op_nodes else "",
                names.get(v, ""),
            ),
            shape="plaintext",
        )
        if not v.inputs:
            continue
        target = vid
        if show_op_nodes:
            target = f"op{vid[1:]}"
            symbol = OP_SYMBOLS.get(v.op, v.op)
            dot.node(
                target,
                f"<{_html(symbol)}>",
                shape="circle" if len(symbol) <= 2 else "box",
                style="filled,rounded",
                fillcolor=_OP_COLOUR,
                width="0.3",
                height="0.3",
                margin="0.04",
                fontsize="14",
            )
            dot.edge(target, vid)
        left_out = 0
        for parent, name in zip(v.inputs, _edge_labels(v)):
            if parent in ids:
                dot.edge(
                    ids[parent],
                    target,
                    **(
                        {"label": f"<{_html(name)}>", "fontsize": "9", "fontcolor": _MUTED}
                        if name
                        else {}
                    ),
                )
            else:
                left_out += 1
        if left_out:
            cut_points.append((target, left_out))

    if cut_points:
        missing = len(order) - len(kept)
        dot.node(
            "more",
            f"<… {missing:,} more nodes not drawn<BR/>(max_nodes={max_nodes:,}; "
            f"max_nodes=None, or --max-nodes 0 in python -m viz, draws all)>",
            shape="note",
            style="dashed",
            fontcolor=_MUTED,
            color=_MUTED,
        )
        for target, left_out in cut_points:
            dot.edge(
                "more",
                target,
                style="dashed",
                color=_MUTED,
                fontcolor=_MUTED,
                fontsize="9",
                label=f"<{left_out} input{'s' if left_out > 1 else ''} cut>",
            )
    return dot


def _value_label(v: Value, is_root: bool, show_grad: bool, op_symbol: str, name: str) -> str:
    """The HTML-like label of one Value: a one-row table [op] [name] [data] [grad]."""
    constant = not v.requires_grad and not v.inputs
    font = f'<FONT COLOR="{_MUTED}">' if constant else ""

    def cell(body: str, attrs: str = "") -> str:
        return f"<TD{attrs}>{font}{body}{'</FONT>' if font else ''}</TD>"

    cells = []
    if op_symbol:
        cells.append(cell(_html(op_symbol), f' BGCOLOR="{_OP_COLOUR}"'))
    if v.label:
        cells.append(cell(_html(v.label)))
    elif name and not constant:  # the name explain gives it: t1, t2, …, or L
        cells.append(f'<TD><I><FONT COLOR="{_MUTED}">{_html(name)}</FONT></I></TD>')
    cells.append(cell(f"data {format_number(v.data)}"))
    if show_grad and v.requires_grad:
        cells.append(cell(f"grad {format_number(v.grad)}"))
    if is_root:
        table = f'BGCOLOR="{_ROOT_COLOUR}" BORDER="3" STYLE="rounded"'
    elif constant:
        table = f'BGCOLOR="{_CONST_COLOUR}" BORDER="1" STYLE="dashed" COLOR="{_MUTED}"'
    elif not v.inputs:
        table = f'BGCOLOR="{_LEAF_COLOUR}" BORDER="1" STYLE="rounded"'
    else:
        table = 'BGCOLOR="white" BORDER="1"'
    return (
        f'<<TABLE {table} CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">'
        f"<TR>{''.join(cells)}</TR></TABLE>>"
    )


# --- saving -------------------------------------------------------------------------------

_SUFFIX_FORMATS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot"}

INSTALL_HINT = (
    "install Graphviz (the program, not only the Python package): "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` "
    "(macOS) or `conda install -c conda-forge graphviz`; "
    "or save as .dot, which needs no program"
)


def output_format(path, format: str | None = None) -> str:
    """'svg', 'png', 'pdf' or 'dot': ``format`` if given, else from the suffix of ``path``."""
    if format is None:
        suffix = os.path.splitext(os.fspath(path))[1].lower()
        if suffix not in _SUFFIX_FORMATS:
            raise ValueError(
                f"render: cannot tell the format from {os.fspath(path)!r}: use a "
                f"name ending in .svg, .png, .pdf or .dot, or pass format="
            )
        return _SUFFIX_FORMATS[suffix]
    fmt = str(format).lower().lstrip(".")
    fmt = "dot" if fmt == "gv" else fmt
    if fmt not in _SUFFIX_FORMATS.values():
        raise ValueError(f"render: unknown format {format!r}: use 'svg', 'png', 'pdf' or 'dot'")
    return fmt


def render(
    root: Value | graphviz.Graph | graphviz.Digraph, path, format: str | None = None, **draw_options
) -> str:
    """Save the drawing of ``root`` (a Value, or a graph from ``draw_dot``) to ``path`` and
    return ``path``.

    The format is ``format`` if given, else the suffix: .svg, .png, .pdf, or .dot/.gv (the
    DOT source, written without Graphviz's ``dot`` program). ``draw_options`` go to
    ``draw_dot``. The file is replaced only once the drawing has succeeded.
    """
    path = os.fspath(path)
    fmt = output_format(path, format)
    graph = (
        root
        if isinstance(root, (graphviz.Graph, graphviz.Digraph))
        else draw_dot(root, **draw_options)
    )
    if fmt == "dot":
        data = graph.source.encode("utf-8")
    else:
        try:
            data = graph.pipe(format=fmt)
        except graphviz.ExecutableNotFound:
            raise GraphvizNotFoundError(
                f"render: cannot write {fmt.upper()} because Graphviz's `dot` program was "
                f"not found on PATH; {INSTALL_HINT}"
            ) from None
        except graphviz.CalledProcessError as e:
            detail = (e.stderr or b"").decode("utf-8", "replace").strip()
            raise RuntimeError(
                f"render: Graphviz's dot failed writing {fmt.upper()}: {detail}"
            ) from None
    _write_atomically(path, data)
    return path


def _write_atomically(path: str, data: bytes, where: str = "render") -> None:
    """Write to a temporary file beside ``path``, then rename: an existing file is never left
    half-written."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{where}: the directory {directory!r} does not exist")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".viz-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
