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

Three conveniences keep the text close to what the user wrote:

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

from collections.abc import Sequence
from dataclasses import dataclass, field

from autograd import Value
from viz.dot import display_text, format_number

# Display precedence: higher binds tighter.
_SUM, _PRODUCT, _UNARY, _POWER, _ATOM = 1, 2, 3, 4, 5

Text = tuple[str, int]  # (text, precedence)


@dataclass(frozen=True)
class Term:
    """A closed form ``coef · f1 · f2 …``; each factor is displayed text."""

    coef: float
    factors: tuple[Text, ...] = ()

    def __mul__(self, other: Term) -> Term | None:
        if self.coef == 0 or other.coef == 0:
            return Term(0.0)  # e.g. behind a relu at x ≤ 0: exactly zero, whatever follows
        factors = self.factors + other.factors
        return Term(self.coef * other.coef, factors) if len(factors) <= 2 else None

    def text(self) -> Text:
        if not self.factors:
            return _number(self.coef)
        if self.coef == 1 and len(self.factors) == 1:
            return self.factors[0]
        parts = [_wrap(f, _PRODUCT) for f in self.factors]
        if self.coef == -1:
            return "−" + "·".join(parts), _UNARY
        if self.coef != 1:
            parts.insert(0, _wrap(_number(self.coef), _PRODUCT))
        return "·".join(parts), (_PRODUCT if len(parts) > 1 else self.factors[0][1])


ONE = Term(1.0)


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


# --- the graph, in forward order ------------------------------------------------------------


def forward_order(root: Value) -> list[Value]:
    """Every Value root depends on, leaves included, each after its inputs (iterative DFS,
    inputs in order, so the order — and the names t1, t2, … — are the same on every run)."""
    done: dict[Value, None] = {}
    expanded = set()
    stack = [root]
    while stack:
        node = stack[-1]
        if node in done:
            stack.pop()
        elif node in expanded:
            stack.pop()
            done[node] = None
        else:
            expanded.add(node)
            stack.extend(p for p in reversed(node.inputs) if p not in done)
    return list(done)


def _is_constant(v: Value) -> bool:
    return not v.requires_grad and not v.inputs


def _is_const(v: Value, number: float) -> bool:
    return _is_constant(v) and v.data == number


class _Graph:
    """Names, folded helper nodes and display text for one graph."""

    def __init__(self, root: Value):
        self.root = root
        self.order = forward_order(root)
        self.uses: dict[Value, int] = {}
        for u in self.order:
            for x in u.inputs:
                self.uses[x] = self.uses.get(x, 0) + 1
        # Helper nodes of a − b (b·(−1)) folded into their consumer.
        self.folded: set = set()
        for u in self.order:
            if len(u.inputs) == 2 and self._is_helper(u, u.inputs[1]):
                self.folded.add(u.inputs[1])
        self.names: dict[Value, str] = {}
        taken = {v.label for v in self.order if v.label}
        count = 0
        for v in self.order:
            if v in self.folded:
                continue
            if v.label:
                self.names[v] = self._unique(display_text(v.label).replace("\n", "\\n"))
            elif _is_constant(v):
                self.names[v] = format_number(v.data)
            elif v is root and "L" not in taken:
                self.names[v] = "L"
            else:
                count += 1
                while f"t{count}" in taken:
                    count += 1
                self.names[v] = f"t{count}"

    def _unique(self, name: str) -> str:
        if name not in self.names.values():
            return name
        k = 2
        while f"{name}#{k}" in self.names.values():
            k += 1
        return f"{name}#{k}"

    def _is_helper(self, u: Value, h: Value) -> bool:
        if h.label or not h.inputs or self.uses.get(h) != 1 or h is self.root:
            return False
        if u.op == "add" and h.op == "mul":
            return _is_const(h.inputs[1], -1.0)  # a − b = a + b·(−1)
        return False

    # --- display ----------------------------------------------------------------------------
    def name(self, v: Value) -> Text:
        n = self.names[v]
        return n, (_UNARY if n.startswith("-") and _is_constant(v) and not v.label else _ATOM)

    def factor(self, v: Value) -> Text:
        """v inside a closed form: an unlabelled intermediate is written out (t2 → a − y),
        so that the closed form speaks of the user's own names."""
        if v.inputs and not v.label and v is not self.root:
            return self.definition(v, depth=2)
        return self.name(v)

    def definition(self, u: Value, depth: int = 0) -> Text:
        """u's operation in the names of its inputs, e.g. ``t1 + b``, ``σ(z)``, ``a − y``.
        With depth > 0, unlabelled intermediate inputs are written out themselves."""

        def arg(x: Value) -> Text:
            if depth > 0 and x in self.names and not x.label and x.inputs and x is not self.root:
                return self.definition(x, depth - 1)
            if x in self.folded:  # only reached through the cases below
                return self.definition(x, depth)
            return self.name(x)

        ins, op = u.inputs, u.op
        if op == "add" and ins[1] in self.folded:
            return f"{_wrap(arg(ins[0]), _SUM)} − {_wrap(arg(ins[1].inputs[0]), _PRODUCT)}", _SUM
        if op == "div":
            return f"{_wrap(arg(ins[0]), _PRODUCT)} / {_wrap(arg(ins[1]), _UNARY)}", _PRODUCT
        if op == "add" and _is_constant(ins[1]) and ins[1].data < 0:
            return f"{_wrap(arg(ins[0]), _SUM)} − {format_number(-ins[1].data)}", _SUM
        if op in ("add", "sum"):
            return " + ".join(_wrap(arg(x), _SUM) for x in ins), _SUM
        if op == "mul":
            a, b = ins
            if _is_const(b, -1.0):
                return "−" + _wrap(arg(a), _POWER), _UNARY
            if _is_constant(b) and not _is_constant(a):
                a, b = b, a  # a number first: 0.5·t3
            return f"{_wrap(arg(a), _PRODUCT)}·{_wrap(arg(b), _PRODUCT + 1)}", _PRODUCT
        if op == "pow":
            return f"{_wrap(arg(ins[0]), _POWER + 1)}^{_wrap(arg(ins[1]), _POWER)}", _POWER
        if op == "linear":
            k = (len(ins) - 1) // 2
            parts = [
                f"{_wrap(arg(w), _PRODUCT)}·{_wrap(arg(x), _PRODUCT + 1)}"
                for w, x in zip(ins[:k], ins[k : 2 * k])
            ]
            return " + ".join(parts + [_wrap(arg(ins[-1]), _SUM)]), _SUM
        if op == "abs":
            return f"|{arg(ins[0])[0]}|", _ATOM
        if op == "leaky_relu":
            return f"leaky_relu({arg(ins[0])[0]}, {arg(ins[1])[0]})", _ATOM
        symbol = _FUNCTION_SYMBOLS.get(op, op)
        return f"{symbol}({', '.join(arg(x)[0] for x in ins)})", _ATOM


_FUNCTION_SYMBOLS = {"sigmoid": "σ", "sqrt": "√"}
# Local derivatives that are numbers chosen by a case (x > 0?): written out with their case.
_PIECEWISE = ("relu", "leaky_relu")


def _wrap(t: Text, min_precedence: int) -> str:
    text, precedence = t
    return text if precedence >= min_precedence else f"({text})"


def _number(x: float) -> Text:
    s = format_number(x)
    return s, (_UNARY if s.startswith("-") else _ATOM)


# --- local derivatives, one rule per primitive ----------------------------------------------


def _vjp1(u: Value) -> Sequence[float]:
    """∂u/∂input for each input: the primitive's own rule with upstream gradient 1."""
    assert u.primitive is not None  # only operation nodes have edges
    return u.primitive.vjp(1.0, u.data, *[x.data for x in u.inputs])


def _edges(g: _Graph, u: Value) -> list[tuple[Value, float, str, Term | None]]:
    """(input, ∂u/∂input, formula, closed form or None) for each input edge of u, with the
    folded helper of a − b passed through to its own input."""
    ins, op, local = u.inputs, u.op, _vjp1(u)
    N = g.name

    def term_of(x: Value) -> Term:  # the factor "x" as a closed form
        return Term(x.data) if _is_constant(x) else Term(1.0, (g.factor(x),))

    if op == "add" and ins[1] in g.folded:  # a − b
        h = ins[1]
        return [
            (ins[0], local[0], "1", ONE),
            (h.inputs[0], local[1] * _vjp1(h)[0], "−1", Term(-1.0)),
        ]
    if op == "div":
        num, den = N(ins[0]), N(ins[1])
        return [
            (ins[0], local[0], f"1/{_wrap(den, _UNARY)}", None),
            (ins[1], local[1], f"−{_wrap(num, _PRODUCT)}/{_wrap(den, _POWER + 1)}²", None),
        ]
    if op in ("add", "sum"):
        return [(x, d, "1", ONE) for x, d in zip(ins, local)]
    if op == "mul":
        a, b = ins
        return [
            (a, local[0], _wrap(N(b), _PRODUCT), term_of(b)),
            (b, local[1], _wrap(N(a), _PRODUCT), term_of(a)),
        ]
    if op == "linear":
        k = (len(ins) - 1) // 2
        ws, xs = ins[:k], ins[k : 2 * k]
        edges: list[tuple[Value, float, str, Term | None]] = []
        edges += [(w, d, N(x)[0], term_of(x)) for w, x, d in zip(ws, xs, local)]
        edges += [(x, d, N(w)[0], term_of(w)) for w, x, d in zip(ws, xs, local[k:])]
        edges.append((ins[-1], local[-1], "1", ONE))
        return edges
    x = ins[0]
    X = N(x)[0]
    if op == "pow":
        y = ins[1]
        base: tuple[str, Term | None]
        if _is_constant(y):
            c = y.data
            if c == 1:
                base = ("1", ONE)
            elif c == 2:
                base = (f"2·{_wrap(N(x), _PRODUCT + 1)}", Term(2.0, (g.factor(x),)))
            else:
                power = f"{_wrap(N(x), _POWER + 1)}^{_wrap(_number(c - 1), _POWER)}"
                inlined = f"{_wrap(g.factor(x), _POWER + 1)}^{_wrap(_number(c - 1), _POWER)}"
                base = (f"{_wrap(_number(c), _PRODUCT)}·{power}", Term(c, ((inlined, _POWER),)))
        else:
            base = (f"{_wrap(N(y), _PRODUCT)}·{_wrap(N(x), _POWER + 1)}^({N(y)[0]} − 1)", None)
        return [
            (x, local[0], base[0], base[1]),
            (
                y,
                local[1],
                f"{_wrap(N(x), _POWER + 1)}^{_wrap(N(y), _POWER)}·log {_wrap(N(x), _ATOM)}",
                None,
            ),
        ]
    if op == "leaky_relu":
        slope = ins[1]
        if x.data > 0:
            return [(x, local[0], f"1 (as {X} > 0)", ONE), (slope, local[1], "0", Term(0.0))]
        return [
            (x, local[0], f"{N(slope)[0]} (as {X} ≤ 0)", term_of(slope)),
            (slope, local[1], X, term_of(x)),
        ]
    if op == "relu":
        return [
            (
                x,
                local[0],
                f"relu′({X}) = {format_number(local[0])} (as {X} {'>' if x.data > 0 else '≤'} 0)",
                Term(local[0]),
            )
        ]
    rule = _FUNCTION_RULES.get(op)
    formula = rule(X, g.name(u)[0]) if rule else f"by the rule {u.primitive.formula!r}"  # type: ignore[union-attr]
    return [(xi, d, formula, None) for xi, d in zip(ins, local)]


# op -> (input name, result name) -> formula for ∂result/∂input
_FUNCTION_RULES = {
    "exp": lambda x, u: f"exp({x})",
    "log": lambda x, u: f"1/{x}",
    "sqrt": lambda x, u: f"1/(2·√{x})",
    "tanh": lambda x, u: f"tanh′({x}) = 1 − tanh²({x})",
    "sigmoid": lambda x, u: f"σ′({x}) = σ({x})·(1 − σ({x}))",
    "softplus": lambda x, u: f"σ({x})",
    "abs": lambda x, u: f"sign({x})",
    "sin": lambda x, u: f"cos({x})",
    "cos": lambda x, u: f"−sin({x})",
}


# --- the backward pass ------------------------------------------------------------------------


def explain_steps(root: Value) -> list[Step]:
    """The backward pass as data: one Step per node that takes a gradient, root first."""
    if not isinstance(root, Value):
        raise TypeError(f"explain: expected a Value, got {type(root).__name__}")
    g = _Graph(root)
    return _steps(g)


def _steps(g: _Graph) -> list[Step]:
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
        for x, local, formula, term in _edges(g, u):
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
    g = _Graph(root)
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


def _forward_lines(g: _Graph) -> list[str]:
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


def _upstream_text(g: _Graph, u: Value, by_node: dict[Value, Step], L: str) -> Text:
    """How to write ∂L/∂u inside another node's line."""
    step = by_node[u]
    if u is g.root:
        return "1", _ATOM
    if not u.label:
        if step.closed is not None:
            return step.closed.text()
        if len(step.uses) == 1 and step.uses[0].term == ONE:  # passed through unchanged
            return _upstream_text(g, step.uses[0].consumer, by_node, L)
    return f"∂{L}/∂{g.names[u]}", _ATOM


def _step_lines(g: _Graph, step: Step, by_node: dict[Value, Step], L: str) -> list[str]:
    lhs = f"∂{L}/∂{step.name}"
    if step.node is g.root:
        return [f"{lhs} = 1"]
    symbols, numbers, notes = [], [], []
    for use in step.uses:
        upstream = _upstream_text(g, use.consumer, by_node, L)
        if use.term is not None and use.consumer.op not in _PIECEWISE:
            local = use.term.text()
        elif use.consumer is g.root:  # ∂L/∂v is itself the local derivative: write its rule
            local = f"{use.formula}", _SUM
        else:
            local = f"∂{g.names[use.consumer]}/∂{step.name}", _ATOM
            notes.append(
                f"    where {local[0]} = {use.formula} = {format_number(use.local)}"
                f"   ({g.names[use.consumer]} = {g.definition(use.consumer)[0]})"
            )
        if upstream[0] == "1":
            symbols.append(local)
        elif local[0] == "1":
            symbols.append(upstream)
        else:
            symbols.append((f"{_wrap(upstream, _PRODUCT)} · {_wrap(local, _PRODUCT)}", _PRODUCT))
        numbers.append(f"{format_number(use.upstream)} · {format_number(use.local)}")
    symbolic = " + ".join(_wrap(s, _SUM) for s in symbols)
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


def _markdown(g: _Graph, forward: list[str], backward: list[str], L: str) -> str:
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
