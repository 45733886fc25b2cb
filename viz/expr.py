"""A safe expression language for the command line: ``"tanh(w*x + b)"`` → a graph of Values.

The text is parsed by Python's own parser (``ast.parse(mode="eval")``) and the syntax tree
is walked here, node by node, against a short allow-list: numbers, names given a value,
``+ - * / ** %``, unary ``-``/``+``, parentheses, and calls of the engine functions in
``FUNCTIONS`` with positional arguments. Anything else — attributes, subscripts, strings,
lambdas, keyword arguments, comparisons... — is refused with an ``ExpressionError`` naming the
construct and its column. Nothing is ever passed to ``eval`` or ``exec``, so text such as
``__import__('os').system('...')`` is only ever data.
"""

from __future__ import annotations

import ast
import unicodedata
from collections.abc import Callable, Mapping

import autograd
from autograd import (
    Value,
    abs_,
    cos,
    exp,
    leaky_relu,
    log,
    no_grad,
    relu,
    sigmoid,
    sin,
    softplus,
    sqrt,
    tanh,
)

# name -> (function, smallest and largest number of arguments)
FUNCTIONS: dict[str, tuple[Callable, int, int]] = {
    "exp": (exp, 1, 1),
    "log": (log, 1, 1),
    "sqrt": (sqrt, 1, 1),
    "tanh": (tanh, 1, 1),
    "sigmoid": (sigmoid, 1, 1),
    "relu": (relu, 1, 1),
    "softplus": (softplus, 1, 1),
    "sin": (sin, 1, 1),
    "cos": (cos, 1, 1),
    "abs": (abs_, 1, 1),
    "leaky_relu": (lambda x, slope=0.01: leaky_relu(x, slope), 1, 2),
}
# The functions of one argument that are primitives under their own names.
for _name in (
    "tan sinh cosh asin acos atan asinh acosh atanh log1p expm1 log2 log10 exp2 cbrt erf erfc "
    "floor ceil trunc sign silu selu softsign logsigmoid"
).split():
    FUNCTIONS[_name] = (getattr(autograd, _name), 1, 1)


def _decimals(x, decimals=0.0):
    if isinstance(decimals, Value) or not float(decimals).is_integer():
        raise ExpressionError(f"round(): the number of decimals must be an integer, not {decimals}")
    return autograd.round_(x, int(decimals))


MANY = 1_000_000  # no upper limit on the number of arguments
FUNCTIONS.update(
    {
        "atan2": (autograd.atan2, 2, 2),
        "hypot": (autograd.hypot, 2, 2),
        "fmod": (autograd.fmod, 2, 2),
        "remainder": (autograd.remainder, 2, 2),
        "maximum": (autograd.maximum, 2, 2),
        "minimum": (autograd.minimum, 2, 2),
        "amax": (lambda *xs: autograd.amax(xs), 1, MANY),
        "amin": (lambda *xs: autograd.amin(xs), 1, MANY),
        "clamp": (lambda x, low, high=None: autograd.clamp(x, low, high), 2, 3),
        "round": (_decimals, 1, 2),
        "gelu": (autograd.gelu, 1, 1),
        "gelu_tanh": (lambda x: autograd.gelu(x, approximate="tanh"), 1, 1),
        "elu": (autograd.elu, 1, 2),
        "hardtanh": (autograd.hardtanh, 1, 3),
    }
)

_BINARY = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
    ast.Mod: lambda a, b: a % b,  # Python's (and torch.remainder's) modulo
}

# What to call the constructs we refuse, for the error message.
_CONSTRUCT_NAMES = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscript (a[i])",
    ast.Lambda: "lambda",
    ast.Compare: "comparison",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "conditional expression",
    ast.JoinedStr: "f-string",
    ast.List: "list",
    ast.Tuple: "tuple",
    ast.Dict: "dict",
    ast.Set: "set",
    ast.ListComp: "comprehension",
    ast.GeneratorExp: "generator",
    ast.SetComp: "comprehension",
    ast.DictComp: "comprehension",
    ast.Starred: "starred argument (*a)",
    ast.NamedExpr: "assignment expression (:=)",
    ast.Await: "await",
    ast.Slice: "slice",
}


class ExpressionError(ValueError):
    """Bad expression text; ``column`` (1-based) points at the problem when known."""

    def __init__(self, message: str, column: int | None = None, text: str = ""):
        self.column = column
        self.text = text
        where = f" (column {column})" if column is not None else ""
        super().__init__(f"{message}{where}")


def parse_assignment(text: str) -> tuple[str, float]:
    """``"w=0.5"`` -> ``("w", 0.5)``, the name NFKC-normalised as Python's parser does
    (``𝑥=3`` names x); anything else raises ExpressionError."""
    name, sep, number = text.partition("=")
    # Python reads identifiers NFKC-normalised (𝑥 is x), and so does the expression parser.
    name, number = unicodedata.normalize("NFKC", name.strip()), number.strip()
    if not sep:
        raise ExpressionError(f"expected name=value, got {text!r}")
    if not name.isidentifier():
        raise ExpressionError(f"{name!r} in {text!r} is not a variable name")
    if name in FUNCTIONS:
        raise ExpressionError(f"{name!r} is a function name; pick another variable name")
    try:
        value = float(number)
    except ValueError:
        raise ExpressionError(f"the value of {name} must be a number, got {number!r}") from None
    return name, value


def evaluate(text: str, values: Mapping[str, float]) -> tuple[Value, dict[str, Value]]:
    """Build the graph of ``text`` with ``values[name]`` as leaves labelled by their names.

    Returns (result, {name: leaf}) — only the names the expression uses get a leaf.
    """
    text = text.strip()
    if not text:
        raise ExpressionError("the expression is empty")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"invalid syntax: {e.msg}", e.offset, text) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the expression is too long or nested too deeply") from None
    leaves: dict[str, Value] = {}
    utf8 = text.encode("utf-8")

    def fail(message: str, node: ast.AST) -> ExpressionError:
        col = getattr(node, "col_offset", None)  # a byte offset into the UTF-8 text
        if col is not None:
            col = len(utf8[:col].decode("utf-8", "ignore")) + 1
        return ExpressionError(message, col, text)

    # An explicit stack instead of recursion: "-(-(-(...)))" nested thousands deep would
    # otherwise hit Python's recursion limit (ast.parse itself caps nesting at ~200 levels).
    def walk(root: ast.AST):
        results: dict[int, object] = {}
        stack = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            children = _children(node, fail)
            if not children_done and children:
                stack.append((node, True))
                stack.extend((c, False) for c in reversed(children))
                continue
            args = [results.pop(id(c)) for c in children]
            results[id(node)] = _combine(node, args, values, leaves, fail)
        return results[id(root)]

    result = walk(tree.body)
    if not isinstance(result, Value):
        result = Value(float(result), label=text)  # a constant expression such as "2*3"
    return result, leaves


def _children(node: ast.AST, fail):
    """The sub-expressions of an allowed node; raises for anything not allowed."""
    if isinstance(node, ast.Constant):
        return []
    if isinstance(node, ast.Name):
        return []
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise fail(f"operator {_op_text(node.op)} is not supported (use + - * / ** %)", node)
        return [node.left, node.right]
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise fail(f"operator {_op_text(node.op)} is not supported (unary - and + are)", node)
        return [node.operand]
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            what = (
                "a method call (a.b(...))"
                if isinstance(node.func, ast.Attribute)
                else "calling the result of an expression"
            )
            raise fail(
                f"{what} is not supported; only the functions {', '.join(FUNCTIONS)} can be called",
                node,
            )
        name = node.func.id
        if name not in FUNCTIONS:
            raise fail(f"unknown function {name!r}; known: {', '.join(FUNCTIONS)}", node)
        if node.keywords:
            raise fail(f"{name}(): keyword arguments are not supported", node.keywords[0])
        for a in node.args:
            if isinstance(a, ast.Starred):
                raise fail("starred argument (*a) is not supported", a)
        _, lo, hi = FUNCTIONS[name]
        if not lo <= len(node.args) <= hi:
            expected = str(lo) if lo == hi else f"at least {lo}" if hi == MANY else f"{lo} to {hi}"
            expected = expected.replace("1 to 2", "1 or 2").replace("2 to 3", "2 or 3")
            plural = "" if expected in ("1", "at least 1") else "s"
            raise fail(
                f"{name}() takes {expected} argument{plural}, got {len(node.args)}",
                node,
            )
        return list(node.args)
    what = _CONSTRUCT_NAMES.get(type(node), type(node).__name__)
    raise fail(f"{what} is not supported in expressions", node)


def _combine(node: ast.AST, args, values, leaves, fail):
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            kind = "string" if isinstance(v, (str, bytes)) else type(v).__name__
            raise fail(f"{kind} literal {v!r:.30} is not supported (only numbers)", node)
        try:
            return float(v)
        except OverflowError:
            raise fail("integer literal too large for a float", node) from None
    if isinstance(node, ast.Name):
        name = node.id
        if name in FUNCTIONS:
            raise fail(f"{name} is a function: call it, as in {name}(x)", node)
        if name not in values:
            known = ", ".join(sorted(values)) or "none"
            raise fail(
                f"variable {name!r} has no value: add {name}=<number> (given: {known})", node
            )
        if name not in leaves:
            leaves[name] = Value(values[name], label=name)
        return leaves[name]
    if isinstance(node, ast.BinOp):
        a, b = args
        if not isinstance(a, Value) and not isinstance(b, Value):
            return _fold(node, a, b)
        return _BINARY[type(node.op)](a, b)
    if isinstance(node, ast.UnaryOp):
        (a,) = args
        return -a if isinstance(node.op, ast.USub) else a
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        try:
            return FUNCTIONS[node.func.id][0](*args)
        except ExpressionError as e:
            raise fail(str(e), node) from None
        except (TypeError, ValueError) as e:  # e.g. hardtanh(x, 2, 1): min_val > max_val
            raise fail(str(e), node) from None
    raise fail(f"{type(node).__name__} is not supported", node)  # unreachable: _children


def _fold(node: ast.BinOp, a: float, b: float) -> float:
    """Arithmetic between two plain numbers ("2*3"), by the engine's float rules, so that
    1/0 is inf and (-8)**0.5 is nan here just as inside a graph."""
    with no_grad():
        return _BINARY[type(node.op)](Value(a), Value(b)).data


def _op_text(op: ast.AST) -> str:
    return {
        ast.FloorDiv: "//",
        ast.Mod: "%",
        ast.MatMult: "@",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.Invert: "~",
        ast.Not: "not",
    }.get(type(op), type(op).__name__)
