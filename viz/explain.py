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

Three conveniences keep the text close to what the user wrote (``viz.notation`` has them):

- names: labels, else ``t1, t2, …`` in forward order (an unlabelled root is ``L``);
  constants appear as their numbers;
- ``a - b`` is recorded by the engine as ``a + b·(−1)``; the hidden helper node is folded into
  one step "a − b" (its local derivatives are still the product of the two primitive rules);
- closed forms: while a gradient is a number times at most two factors it is carried along
  symbolically (so ½(a − y)² gives ∂L/∂a = a − y), and an unlabelled node passed through
  unchanged (local derivative 1) is called by its consumer's gradient (∂L/∂z rather than
  ∂L/∂t1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
    """The gradient of one node: ``grad`` = Σ use.product over ``uses`` (1 for the root)."""

    node: Value
    name: str
    uses: list[Use] = field(default_factory=list)
    grad: float = 0.0
    closed: Term | None = None


# --- the backward pass ------------------------------------------------------------------------


def explain_steps(root: Value) -> list[Step]:
    """The backward pass as data: one Step per node that takes a gradient, root first."""
    if not isinstance(root, Value):
        raise TypeError(f"explain: expected a Value, got {type(root).__name__}")
    g = Graph(root)
    return _steps(g)


def _steps(g: Graph) -> list[Step]:
    steps: dict[Value, Step] = {}
    order = [v for v in g.order if v not in g.folded]
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


def explain(root: Value, format: str = "text") -> str:
    """The forward and backward pass of ``root``'s graph written out (``format``: "text" or
    "markdown"). See the module docstring for the notation."""
    if format not in ("text", "markdown"):
        raise ValueError(f"explain: format must be 'text' or 'markdown', got {format!r}")
    if not isinstance(root, Value):
        raise TypeError(f"explain: expected a Value, got {type(root).__name__}")
    g = Graph(root)
    steps = _steps(g)
    by_node = {s.node: s for s in steps}
    L = g.names[root] if root in g.names else "L"
    forward, backward = _forward_lines(g), []
    for step in steps:
        backward.extend(_step_lines(g, step, by_node, L))
    if format == "markdown":
        return _markdown(g, forward, backward, L)
    count = sum(1 for v in g.order if v.inputs and v not in g.folded)
    lines = [f"Forward pass ({count} operation{'' if count == 1 else 's'}, inputs first):"]
    lines += ["  " + line for line in forward] or ["  (no operations: the root is a leaf)"]
    lines += [
        "",
        f"Backward pass ({L} back to the leaves; for each node v, "
        f"∂{L}/∂v = Σ over its uses u of ∂{L}/∂u · ∂u/∂v):",
    ]
    lines += ["  " + line for line in backward] or ["  (nothing takes a gradient)"]
    return "\n".join(lines) + "\n"


def _forward_lines(g: Graph) -> list[str]:
    lines = []
    leaves = [v for v in g.order if not v.inputs and v.requires_grad]
    if leaves:
        lines.append(
            "inputs: " + ", ".join(f"{g.names[v]} = {format_number(v.data)}" for v in leaves)
        )
    for v in g.order:
        if v.inputs and v not in g.folded:
            lines.append(f"{g.names[v]} = {g.definition(v)[0]} = {format_number(v.data)}")
    return lines


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
    symbolic = " + ".join(wrap(s, SUM) for s in symbols)
    line = f"{lhs} = {symbolic}"
    if step.closed is not None:
        closed = step.closed.text()[0]
        if closed != symbolic:
            line += f" = {closed}"
    product = " + ".join(f"({n})" for n in numbers) if len(numbers) > 1 else numbers[0]
    line += f" = {product} = {format_number(step.grad)}"
    if len(step.uses) > 1:
        line += f"   ({step.name} is used {len(step.uses)} times: the paths add up)"
    return [line] + notes


def _markdown(g: Graph, forward: list[str], backward: list[str], L: str) -> str:
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
