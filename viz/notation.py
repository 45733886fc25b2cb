"""How ``viz.explain`` writes a graph: names, definitions, closed forms and local derivatives.

- ``Graph`` names every node (labels, else ``t1, t2, …`` in forward order; constants as their
  numbers; an unlabelled root is ``L``) and writes each operation in the names of its inputs.
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


class Graph:
    """Names and display text for one graph."""

    def __init__(self, root: Value):
        self.root = root
        self.order = forward_order(root)
        self.uses: dict[Value, int] = {}
        for u in self.order:
            for x in u.inputs:
                self.uses[x] = self.uses.get(x, 0) + 1
        self.names: dict[Value, str] = {}
        taken = {v.label for v in self.order if v.label}
        count = 0
        for v in self.order:
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
            return self.name(x)

        ins, op = u.inputs, u.op
        if op == "sub":
            return f"{wrap(arg(ins[0]), SUM)} − {wrap(arg(ins[1]), PRODUCT)}", SUM
        if op == "neg":
            return "−" + wrap(arg(ins[0]), POWER), UNARY
        if op == "div":
            return f"{wrap(arg(ins[0]), PRODUCT)} / {wrap(arg(ins[1]), UNARY)}", PRODUCT
        if op in ("add", "sum"):
            return " + ".join(wrap(arg(x), SUM) for x in ins), SUM
        if op == "mul":
            a, b = ins
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
    """(input, ∂u/∂input, formula, closed form or None) for each input edge of u."""
    ins, op, local = u.inputs, u.op, _vjp1(u)
    N = g.name

    def term_of(x: Value) -> Term:  # the factor "x" as a closed form
        return Term(x.data) if _is_constant(x) else Term(1.0, (g.factor(x),))

    if op == "sub":
        return [(ins[0], local[0], "1", ONE), (ins[1], local[1], "−1", Term(-1.0))]
    if op == "neg":
        return [(ins[0], local[0], "−1", Term(-1.0))]
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
    per_input = _INPUT_RULES.get(op)
    if per_input is not None:
        names = [N(xi)[0] for xi in ins]
        formulas = per_input(names, [xi.data for xi in ins], g.name(u)[0])
        return [(xi, d, f, None) for xi, d, f in zip(ins, local, formulas)]
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
    "tan": lambda x, u: f"1 + tan²({x})",
    "sinh": lambda x, u: f"cosh({x})",
    "cosh": lambda x, u: f"sinh({x})",
    "asin": lambda x, u: f"1/√(1 − {x}²)",
    "acos": lambda x, u: f"−1/√(1 − {x}²)",
    "atan": lambda x, u: f"1/(1 + {x}²)",
    "asinh": lambda x, u: f"1/√({x}² + 1)",
    "acosh": lambda x, u: f"1/√({x}² − 1)",
    "atanh": lambda x, u: f"1/(1 − {x}²)",
    "log1p": lambda x, u: f"1/(1 + {x})",
    "expm1": lambda x, u: f"exp({x})",
    "log2": lambda x, u: f"1/({x}·ln 2)",
    "log10": lambda x, u: f"1/({x}·ln 10)",
    "exp2": lambda x, u: f"2^{x}·ln 2",
    "cbrt": lambda x, u: f"1/(3·∛{x}²)",
    "erf": lambda x, u: f"2/√π·exp(−{x}²)",
    "erfc": lambda x, u: f"−2/√π·exp(−{x}²)",
    "floor": lambda x, u: "0 (floor is piecewise constant)",
    "ceil": lambda x, u: "0 (ceil is piecewise constant)",
    "trunc": lambda x, u: "0 (trunc is piecewise constant)",
    "round": lambda x, u: "0 (round is piecewise constant)",
    "sign": lambda x, u: "0 (sign is piecewise constant)",
    "gelu": lambda x, u: f"Φ({x}) + {x}·φ({x})",
    "gelu_tanh": lambda x, u: (
        f"s + 2{x}·s·(1 − s)·√(2/π)(1 + 0.134145·{x}²), s = σ(2√(2/π)({x} + 0.044715·{x}³))"
    ),
    "silu": lambda x, u: f"σ({x})·(1 + {x}·(1 − σ({x})))",
    "softsign": lambda x, u: f"1/(1 + |{x}|)²",
    "logsigmoid": lambda x, u: f"σ(−{x})",
}


def _case(condition: bool, yes: str, no: str) -> str:
    return yes if condition else no


def _maximum_rule(sign: str):
    """∂max(a, b) (sign ">") or ∂min(a, b) (sign "<") for a and for b, with the case."""
    wins = (lambda p, q: p > q) if sign == ">" else (lambda p, q: p < q)

    def rule(n, v, u):
        (a, b), (av, bv) = n, v
        if av == bv:
            return [f"½ (a tie: {a} = {b})"] * 2
        if wins(av, bv):
            return [f"1 (as {a} {sign} {b})", f"0 (as {a} {sign} {b})"]
        if wins(bv, av):
            return [f"0 (as {b} {sign} {a})", f"1 (as {b} {sign} {a})"]
        return ["1 (nan)", "1 (nan)"]

    return rule


def _extreme_rule(word: str):
    def rule(n, v, u):
        extreme = [x == max(v) if word == "maximum" else x == min(v) for x in v]
        k = sum(extreme)
        return [
            _case(
                e,
                f"1/{k} (one of {k} equal to the {word})" if k > 1 else f"1 (the {word})",
                f"0 (not the {word})",
            )
            for e in extreme
        ]

    return rule


def _clamp_rule(n, v, u):
    (x, lo, hi), (xv, lov, hiv) = n, v
    inside = lov <= xv <= hiv
    return [
        _case(inside, f"1 (as {lo} ≤ {x} ≤ {hi})", "0 (outside the bounds)"),
        _case(xv < lov <= hiv, f"1 (as {x} < {lo})", f"0 (as {x} ≥ {lo} or {lo} > {hi})"),
        _case(xv > hiv or lov > hiv, f"1 (as {x} > {hi} or {lo} > {hi})", f"0 (as {x} ≤ {hi})"),
    ]


def _elu_rule(n, v, u):
    (x, alpha), (xv, _) = n, v
    if xv < 0:
        return [f"{alpha}·exp({x}) (as {x} < 0)", f"exp({x}) − 1"]
    if xv == 0:
        return [f"{alpha} (as {x} = 0)", f"exp({x}) − 1"]
    return [f"1 (as {x} > 0)", f"0 (as {x} > 0)"]


# op -> (input names, input values, result name) -> formula for each input
_INPUT_RULES = {
    "atan2": lambda n, v, u: [f"{n[1]}/({n[1]}² + {n[0]}²)", f"−{n[0]}/({n[1]}² + {n[0]}²)"],
    "hypot": lambda n, v, u: [f"{n[0]}/{u}", f"{n[1]}/{u}"],
    "remainder": lambda n, v, u: ["1", f"−⌊{n[0]}/{n[1]}⌋"],
    "fmod": lambda n, v, u: ["1", f"−trunc({n[0]}/{n[1]})"],
    "maximum": _maximum_rule(">"),
    "minimum": _maximum_rule("<"),
    "amax": _extreme_rule("maximum"),
    "amin": _extreme_rule("minimum"),
    "clamp": _clamp_rule,
    "hardtanh": lambda n, v, u: [
        _case(
            v[1] < v[0] < v[2], f"1 (as {n[1]} < {n[0]} < {n[2]})", "0 (on or outside the bounds)"
        ),
        "0",
        "0",
    ],
    "elu": _elu_rule,
    "selu": lambda n, v, u: [
        _case(v[0] > 0, f"λ = 1.0507 (as {n[0]} > 0)", f"λα·exp({n[0]}) (as {n[0]} ≤ 0)")
    ],
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
