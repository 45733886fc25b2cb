"""The backward pass written out: the chain rule, one node at a time, with numbers.

For every Value v that takes a gradient, from the root back to the leaves (reverse
topological order), ``explain`` writes

    ∂L/∂v = Σ over the uses u of v of  ∂L/∂u · ∂u/∂v

first in symbols, then in numbers: the upstream gradient ∂L/∂u, the local derivative ∂u/∂v
(taken from u's primitive rule) and their product, summed over the paths where v is reused.
This is the notation of the documents: ∂L/∂a = a − y, ∂a/∂z = σ′(z),
∂L/∂z = ∂L/∂a · ∂a/∂z, ∂L/∂w = ∂L/∂z · x, ∂L/∂b = ∂L/∂z.

The numbers are computed here, apart from ``backward()``: each edge's local derivative comes
from the primitive's own ``vjp`` rule with an upstream gradient of 1, and each node's gradient
is the sum of its own products. Comparing these totals with the engine's ``.grad`` therefore
checks the sums over paths and their order; the tests' hand-worked closed forms check the
numbers themselves.

Two conveniences keep the text close to what the user wrote (``viz.notation`` has them):

- names: labels, else ``t1, t2, …`` in forward order (an unlabelled root is ``L``);
  constants appear as their numbers (the drawing shows the same names: ``viz.draw_dot``);
- closed forms: while a gradient is a number times at most two factors it is carried along
  symbolically (so ½(a − y)² gives ∂L/∂a = a − y), and an unlabelled node passed through
  unchanged (local derivative 1) is called by its consumer's gradient (∂L/∂z rather than
  ∂L/∂t1).

A step that says nothing is not written: ``∂L/∂t2 = 1 = 1 · 1 = 1`` is ``∂L/∂t2 = 1``, and a
product with 1 (``-0.125 · 1``) is left out.

``explain_steps`` gives the same explanation as data, one ``Step`` per line group: the forward
pass (one step per operation, inputs first) and then the backward pass; ``explain`` and the
step-through viewer (``viz.viewer``) both print its ``text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from autograd import Value
from viz.dot import format_number
from viz.notation import ATOM, ONE, PIECEWISE, PRODUCT, SUM, Graph, Term, Text, edges, wrap


@dataclass
class Use:
    """One edge of the backward pass: ``consumer`` uses the node; gradient flows back."""

    consumer: Value
    local: float  # ∂consumer/∂node, from the primitive's rule
    formula: str  # the same, as a formula in the names of the nodes
    term: Term | None  # the same as a closed form, when it is a simple one
    upstream: float = 0.0  # ∂L/∂consumer, as computed by this explanation

    @property
    def product(self) -> float:
        return self.upstream * self.local


@dataclass
class Step:
    """One step of the explanation.

    ``kind == "forward"``: ``node`` (an operation) is computed; ``text`` is its line of the
    forward pass. ``kind == "backward"``: the gradient of ``node`` is complete: ``grad`` =
    Σ use.product over ``uses`` (1 for the root), ``text`` its line(s) of the backward pass.
    """

    node: Value
    name: str
    uses: list[Use] = field(default_factory=list)
    grad: float = 0.0
    closed: Term | None = None
    kind: Literal["forward", "backward"] = "backward"
    text: list[str] = field(default_factory=list)


@dataclass
class Explanation:
    """Everything ``explain`` writes, as data: the graph's names, the line that lists the
    inputs, and the steps (forward, then backward)."""

    graph: Graph
    inputs: str
    steps: list[Step]
    loss_name: str

    @property
    def forward(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "forward"]

    @property
    def backward(self) -> list[Step]:
        return [s for s in self.steps if s.kind == "backward"]


# --- the backward pass ------------------------------------------------------------------------


def explain_steps(root: Value) -> list[Step]:
    """The explanation as data: one forward Step per operation node (inputs first, in the
    order of ``explain``'s forward pass), then one backward Step per node that takes a
    gradient (root first, reverse topological order). Each step's ``text`` holds exactly the
    lines ``explain`` writes for it. Raises TypeError if ``root`` is not a Value."""
    return explanation(root).steps


def explanation(root: Value, where: str = "explain") -> Explanation:
    """The graph's names and the steps of ``explain_steps``, computed once (``explain``,
    ``explain_steps`` and ``viz.viewer`` all read them from here)."""
    if not isinstance(root, Value):
        raise TypeError(f"{where}: expected a Value, got {type(root).__name__}")
    g = Graph(root)
    backward = _steps(g)
    by_node = {s.node: s for s in backward}
    L = g.names[root] if root in g.names else "L"
    for step in backward:
        step.text = _step_lines(g, step, by_node, L)
    forward = [
        Step(v, g.names[v], kind="forward", text=[_forward_line(g, v)]) for v in g.order if v.inputs
    ]
    return Explanation(g, _inputs_line(g), forward + backward, L)


def _steps(g: Graph) -> list[Step]:
    steps: dict[Value, Step] = {}
    order = g.order
    for v in order:
        if v.requires_grad:
            steps[v] = Step(v, g.names[v])
    root_step = steps.get(g.root)
    if root_step is None:
        return []
    root_step.grad, root_step.closed = 1.0, ONE
    # Edges are attached to their input's step in reverse order of the consumers, so each
    # consumer's gradient is complete before it is used.
    for u in reversed(order):
        if not u.inputs or u not in steps:
            continue
        upstream = steps[u]
        for x, local, formula, term in edges(g, u):
            if x not in steps:
                continue  # a constant: no gradient
            use = Use(u, local, formula, term, upstream.grad)
            step = steps[x]
            step.uses.append(use)
            step.grad += use.product
    result = [steps[v] for v in reversed(order) if v in steps]
    for step in result:
        step.uses.reverse()  # list the uses in forward order (the sum was taken backwards)
    for step in result[1:]:  # root first: each consumer's closed form is known before use
        step.closed = _closed_form(step, steps)
    return result


def _closed_form(step: Step, steps: dict[Value, Step]) -> Term | None:
    """∂L/∂node as a simple closed form, if every use gives one and they add up to one
    (the steps are filled root first, so consumers' closed forms are known)."""
    total: Term | None = None
    for use in step.uses:
        upstream = steps[use.consumer].closed
        if upstream is None or use.term is None:
            return None
        t = upstream * use.term
        if t is None:
            return None
        if total is None:
            total = t
        elif total.factors == t.factors:
            total = Term(total.coef + t.coef, t.factors)
        else:
            return None
    return total


# --- writing it out ---------------------------------------------------------------------------


class Markdown(str):
    """Markdown text (a ``str``) that Jupyter renders as Markdown when it is a cell's result."""

    def _repr_markdown_(self) -> str:
        return str(self)


def explain(root: Value, format: str = "text") -> str:
    """The forward and backward pass of ``root``'s graph written out (``format``: "text" or
    "markdown"). See the module docstring for the notation.

    With "markdown" the result is a ``Markdown`` string: Jupyter renders it when it is the
    cell's value (or ``IPython.display.Markdown(text)``). Raises ValueError for another
    ``format`` and TypeError if ``root`` is not a Value."""
    if format not in ("text", "markdown"):
        raise ValueError(f"explain: format must be 'text' or 'markdown', got {format!r}")
    ex = explanation(root)
    forward = ([ex.inputs] if ex.inputs else []) + [s.text[0] for s in ex.forward]
    backward = [line for s in ex.backward for line in s.text]
    L = ex.loss_name
    if format == "markdown":
        return Markdown(_markdown(forward, backward, L))
    count = len(ex.forward)
    lines = [f"Forward pass ({count} operation{'' if count == 1 else 's'}, inputs first):"]
    lines += ["  " + line for line in forward] or ["  (no operations: the root is a leaf)"]
    lines += [
        "",
        f"Backward pass ({L} back to the leaves; for each node v, "
        f"∂{L}/∂v = Σ over its uses u of ∂{L}/∂u · ∂u/∂v):",
    ]
    lines += ["  " + line for line in backward] or ["  (nothing takes a gradient)"]
    return "\n".join(lines) + "\n"


def _inputs_line(g: Graph) -> str:
    """``inputs: w = 0.5, x = 2`` (the leaves that take a gradient), or "" if none."""
    leaves = [v for v in g.order if not v.inputs and v.requires_grad]
    if not leaves:
        return ""
    return "inputs: " + ", ".join(f"{g.names[v]} = {format_number(v.data)}" for v in leaves)


def _forward_line(g: Graph, v: Value) -> str:
    return f"{g.names[v]} = {g.definition(v)[0]} = {format_number(v.data)}"


def _upstream_text(g: Graph, u: Value, by_node: dict[Value, Step], L: str) -> Text:
    """How to write ∂L/∂u inside another node's line."""
    step = by_node[u]
    if u is g.root:
        return "1", ATOM
    if not u.label:
        if step.closed is not None:
            return step.closed.text()
        if len(step.uses) == 1 and step.uses[0].term == ONE:  # passed through unchanged
            return _upstream_text(g, step.uses[0].consumer, by_node, L)
    return f"∂{L}/∂{g.names[u]}", ATOM


def _step_lines(g: Graph, step: Step, by_node: dict[Value, Step], L: str) -> list[str]:
    lhs = f"∂{L}/∂{step.name}"
    if step.node is g.root:
        return [f"{lhs} = 1"]
    symbols, numbers, notes = [], [], []
    for use in step.uses:
        upstream = _upstream_text(g, use.consumer, by_node, L)
        if use.term is not None and use.consumer.op not in PIECEWISE:
            local = use.term.text()
        elif use.consumer is g.root:  # ∂L/∂v is itself the local derivative: write its rule
            local = f"{use.formula}", SUM
        else:
            local = f"∂{g.names[use.consumer]}/∂{step.name}", ATOM
            notes.append(
                f"    where {local[0]} = {use.formula} = {format_number(use.local)}"
                f"   ({g.names[use.consumer]} = {g.definition(use.consumer)[0]})"
            )
        if upstream[0] == "1":
            symbols.append(local)
        elif local[0] == "1":
            symbols.append(upstream)
        else:
            symbols.append((f"{wrap(upstream, PRODUCT)} · {wrap(local, PRODUCT)}", PRODUCT))
        numbers.append(f"{format_number(use.upstream)} · {format_number(use.local)}")
    # symbols = closed form = numbers = result, leaving out what says nothing: a part equal to
    # the one before it, and a lone product with 1 (1 · 0.5 is the 0.5 that follows).
    parts = [" + ".join(wrap(s, SUM) for s in symbols)]
    if step.closed is not None:
        parts.append(step.closed.text()[0])
    if len(numbers) > 1:
        parts.append(" + ".join(f"({n})" for n in numbers))
    elif step.uses[0].upstream != 1 and step.uses[0].local != 1:
        parts.append(numbers[0])
    parts.append(format_number(step.grad))
    line = lhs
    for i, part in enumerate(parts):
        if i == 0 or part != parts[i - 1]:
            line += f" = {part}"
    if len(step.uses) > 1:
        line += f"   ({step.name} is used {len(step.uses)} times: the paths add up)"
    return [line] + notes


def _markdown(forward: list[str], backward: list[str], L: str) -> str:
    out = ["### Forward pass", ""]
    out += [f"- `{line}`" for line in forward] or ["- (no operations: the root is a leaf)"]
    out += [
        "",
        "### Backward pass",
        "",
        f"For each node v, from {L} back to the leaves: "
        f"∂{L}/∂v = Σ over its uses u of ∂{L}/∂u · ∂u/∂v.",
        "",
    ]
    for line in backward:
        if line.startswith("    where "):
            out.append(f"  - where `{line[len('    where ') :]}`")
        else:
            out.append(f"- `{line}`")
    return "\n".join(out) + "\n"
