"""How ``viz.explain`` writes a graph: names, definitions, closed forms and local derivatives.

- ``Graph`` names every node (labels, else ``t1, t2, …`` in forward order; constants as their
  numbers; an unlabelled root is ``L``), folds the helper node of ``a − b`` (recorded as
  ``a + b·(−1)``) into one step, and writes each operation in the names of its inputs.
- ``Term`` is a closed form, a number times at most two factors (so ½(a − y)² gives
  ∂L/∂a = a − y).
- ``edges`` gives, for each input of a node, its local derivative: the number from the
  primitive's own rule (upstream gradient 1), and the formula in the documents' notation,
  one case per primitive.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from autograd import Value
from viz.dot import display_text, format_number

# Display precedence: higher binds tighter.
SUM, PRODUCT, UNARY, POWER, ATOM = 1, 2, 3, 4, 5

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
        parts = [wrap(f, PRODUCT) for f in self.factors]
        if self.coef == -1:
            return "−" + "·".join(parts), UNARY
        if self.coef != 1:
            parts.insert(0, wrap(_number(self.coef), PRODUCT))
        return "·".join(parts), (PRODUCT if len(parts) > 1 else self.factors[0][1])


ONE = Term(1.0)


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


class Graph:
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
        return n, (UNARY if n.startswith("-") and _is_constant(v) and not v.label else ATOM)

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
            return f"{wrap(arg(ins[0]), SUM)} − {wrap(arg(ins[1].inputs[0]), PRODUCT)}", SUM
        if op == "div":
            return f"{wrap(arg(ins[0]), PRODUCT)} / {wrap(arg(ins[1]), UNARY)}", PRODUCT
        if op == "add" and _is_constant(ins[1]) and ins[1].data < 0:
            return f"{wrap(arg(ins[0]), SUM)} − {format_number(-ins[1].data)}", SUM
        if op in ("add", "sum"):
            return " + ".join(wrap(arg(x), SUM) for x in ins), SUM
        if op == "mul":
            a, b = ins
            if _is_const(b, -1.0):
                return "−" + wrap(arg(a), POWER), UNARY
            if _is_constant(b) and not _is_constant(a):
                a, b = b, a  # a number first: 0.5·t3
            return f"{wrap(arg(a), PRODUCT)}·{wrap(arg(b), PRODUCT + 1)}", PRODUCT
        if op == "pow":
            return f"{wrap(arg(ins[0]), POWER + 1)}^{wrap(arg(ins[1]), POWER)}", POWER
        if op == "linear":
            k = (len(ins) - 1) // 2
            parts = [
                f"{wrap(arg(w), PRODUCT)}·{wrap(arg(x), PRODUCT + 1)}"
                for w, x in zip(ins[:k], ins[k : 2 * k])
            ]
            return " + ".join(parts + [wrap(arg(ins[-1]), SUM)]), SUM
        if op == "abs":
            return f"|{arg(ins[0])[0]}|", ATOM
        if op == "leaky_relu":
            return f"leaky_relu({arg(ins[0])[0]}, {arg(ins[1])[0]})", ATOM
        if op == "logsumexp":
            return f"log Σ exp({', '.join(arg(x)[0] for x in ins)})", ATOM
        if op == "log_softmax":  # the log-probability of the first input among all of them
            others = ", ".join(arg(x)[0] for x in ins[1:])
            return f"log softmax({arg(ins[0])[0]} | {others})", ATOM
        if op == "binary_cross_entropy_with_logits":
            return f"bce({arg(ins[0])[0]}, {arg(ins[1])[0]})", ATOM
        symbol = _FUNCTION_SYMBOLS.get(op, op)
        return f"{symbol}({', '.join(arg(x)[0] for x in ins)})", ATOM


_FUNCTION_SYMBOLS = {"sigmoid": "σ", "sqrt": "√"}
# Local derivatives that are numbers chosen by a case (x > 0?): written out with their case.
PIECEWISE = ("relu", "leaky_relu")


def wrap(t: Text, min_precedence: int) -> str:
    text, precedence = t
    return text if precedence >= min_precedence else f"({text})"


def _number(x: float) -> Text:
    s = format_number(x)
    return s, (UNARY if s.startswith("-") else ATOM)


# --- local derivatives, one rule per primitive ----------------------------------------------


def _vjp1(u: Value) -> Sequence[float]:
    """∂u/∂input for each input: the primitive's own rule with upstream gradient 1."""
    assert u.primitive is not None  # only operation nodes have edges
    return u.primitive.vjp(1.0, u.data, *[x.data for x in u.inputs])


def edges(g: Graph, u: Value) -> list[tuple[Value, float, str, Term | None]]:
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
            (ins[0], local[0], f"1/{wrap(den, UNARY)}", None),
            (ins[1], local[1], f"−{wrap(num, PRODUCT)}/{wrap(den, POWER + 1)}²", None),
        ]
    if op in ("add", "sum"):
        return [(x, d, "1", ONE) for x, d in zip(ins, local)]
    if op == "mul":
        a, b = ins
        return [
            (a, local[0], wrap(N(b), PRODUCT), term_of(b)),
            (b, local[1], wrap(N(a), PRODUCT), term_of(a)),
        ]
    if op == "linear":
        k = (len(ins) - 1) // 2
        ws, xs = ins[:k], ins[k : 2 * k]
        edges: list[tuple[Value, float, str, Term | None]] = []
        edges += [(w, d, N(x)[0], term_of(x)) for w, x, d in zip(ws, xs, local)]
        edges += [(x, d, N(w)[0], term_of(w)) for w, x, d in zip(ws, xs, local[k:])]
        edges.append((ins[-1], local[-1], "1", ONE))
        return edges
    if op in _NARY_RULES:
        return [(x, d, f, None) for x, d, f in zip(ins, local, _NARY_RULES[op](g, u))]
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
                base = (f"2·{wrap(N(x), PRODUCT + 1)}", Term(2.0, (g.factor(x),)))
            else:
                power = f"{wrap(N(x), POWER + 1)}^{wrap(_number(c - 1), POWER)}"
                inlined = f"{wrap(g.factor(x), POWER + 1)}^{wrap(_number(c - 1), POWER)}"
                base = (f"{wrap(_number(c), PRODUCT)}·{power}", Term(c, ((inlined, POWER),)))
        else:
            base = (f"{wrap(N(y), PRODUCT)}·{wrap(N(x), POWER + 1)}^({N(y)[0]} − 1)", None)
        return [
            (x, local[0], base[0], base[1]),
            (
                y,
                local[1],
                f"{wrap(N(x), POWER + 1)}^{wrap(N(y), POWER)}·log {wrap(N(x), ATOM)}",
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


def _logsumexp_rules(g: Graph, u: Value) -> list[str]:
    U = g.name(u)[0]
    return [f"exp({g.name(x)[0]} − {U})" for x in u.inputs]


def _log_softmax_rules(g: Graph, u: Value) -> list[str]:
    U = g.name(u)[0]
    t, *others = [g.name(x)[0] for x in u.inputs]
    return [f"1 − exp({U})"] + [f"−exp({o} − {t} + {U})" for o in others]


def _bce_rules(g: Graph, u: Value) -> list[str]:
    z, y = [g.name(x)[0] for x in u.inputs]
    return [f"σ({z}) − {y}", f"−{z}"]


# n-ary and two-input functions: op -> (graph, node) -> a formula per input
_NARY_RULES = {
    "logsumexp": _logsumexp_rules,
    "log_softmax": _log_softmax_rules,
    "binary_cross_entropy_with_logits": _bce_rules,
}
