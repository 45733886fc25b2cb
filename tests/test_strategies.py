"""Tests of autograd.testing.strategies and of the expression trees they draw."""

import ast
import math
import subprocess
import sys

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.testing.expressions import KINK_MARGIN, OPS, Call, Const, ExpressionAt, Var
from autograd.testing.strategies import BOUND, expressions, values

x0, x1, x2 = Var(0), Var(1), Var(2)


def call(op, *args):
    return Call(op, args)


# --- imports stay lazy -------------------------------------------------------------------------


def test_importing_autograd_and_autograd_testing_needs_neither_hypothesis_nor_torch():
    code = (
        "import sys\n"
        "import autograd, autograd.testing\n"
        "from autograd.testing import gradcheck, gradgradcheck, GradcheckError\n"
        "from autograd.testing.expressions import OPS\n"
        "assert 'hypothesis' not in sys.modules, 'hypothesis imported'\n"
        "assert 'torch' not in sys.modules, 'torch imported'\n"
        "import autograd.testing as t\n"
        "t.strategies.expressions\n"  # first use of the attribute imports it
        "assert 'hypothesis' in sys.modules\n"
        "assert 'torch' not in sys.modules, 'torch imported by the strategies'\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


# --- values --------------------------------------------------------------------------------------


@given(values(-3.0, 5.0, exclude=[0.0, 1.0], margin=0.25))
def test_values_are_bounded_finite_and_away_from_excluded_points(x):
    assert -3.0 <= x <= 5.0 and math.isfinite(x)
    assert abs(x) >= 0.25 and abs(x - 1.0) >= 0.25


@given(values(-1.0, 1.0, exclude=0.0))
def test_a_single_excluded_point_may_be_given_as_a_number(x):
    assert abs(x) >= 1e-3


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(min_value=2.0, max_value=1.0), "greater than"),
        (dict(min_value=-math.inf), "min_value"),
        (dict(max_value=math.nan), "max_value"),
        (dict(min_value=-1.0, max_value=1.0, exclude=[0.0], margin=2.0), "lies within"),
        (dict(exclude=["a"]), "not a number"),
        (dict(margin=-1.0), "margin"),
    ],
)
def test_values_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        values(**kwargs)


# --- printing ----------------------------------------------------------------------------------


def test_the_example_from_the_issue_prints_as_written():
    one_plus_square = call("add", Const(1), call("pow", x2, Const(2)))
    e = call("add", call("tanh", call("mul", x0, x1)), call("log", one_plus_square))
    assert str(e) == "tanh(x0 * x1) + log(1 + x2**2)"


@pytest.mark.parametrize(
    "tree, source",
    [
        (call("neg", call("pow", x0, Const(2))), "-x0**2"),
        (call("pow", call("neg", x0), Const(2)), "(-x0)**2"),
        (call("pow", Const(-1.5), x0), "(-1.5)**x0"),
        (call("pow", x0, Const(-1)), "x0**-1"),
        (call("pow", x0, call("pow", x1, x2)), "x0**x1**x2"),
        (call("pow", call("pow", x0, x1), x2), "(x0**x1)**x2"),
        (call("sub", call("sub", x0, x1), x2), "x0 - x1 - x2"),
        (call("sub", x0, call("sub", x1, x2)), "x0 - (x1 - x2)"),
        (call("mul", call("add", x0, x1), x2), "(x0 + x1) * x2"),
        (call("div", x0, call("mul", x1, x2)), "x0 / (x1 * x2)"),
        (call("neg", call("neg", x0)), "-(-x0)"),
        (call("add", x0, Const(-0.5)), "x0 + -0.5"),
        (call("vsum", x0, call("tanh", x1), Const(0.1)), "vsum([x0, tanh(x1), 0.1])"),
        (call("dot", x0, x1, x2, Const(2), x0), "dot([x0, x1], [x2, 2], x0)"),
        (call("leaky_relu", call("add", x0, x1), Const(0.5)), "leaky_relu(x0 + x1, 0.5)"),
    ],
)
def test_printing_parenthesizes_like_python(tree, source):
    assert str(tree) == source
    assert repr(tree) == source


def _evaluate_source(source, point):
    """Evaluate printed source by walking its Python syntax tree with the float functions of
    the op table: an independent reading of the text (no eval)."""
    binary = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}
    binary[ast.Mod] = "remainder"

    def walk(node):
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.Name):
            return point[int(node.id[1:])]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return OPS["neg"].float(walk(node.operand))
        if isinstance(node, ast.BinOp):
            return OPS[binary[type(node.op)]].float(walk(node.left), walk(node.right))
        if isinstance(node, ast.Call):
            args = []
            for a in node.args:  # vsum([..]) and dot([..], [..], b) take lists
                args.extend(walk(e) for e in a.elts) if isinstance(a, ast.List) else args.append(
                    walk(a)
                )
            tanh_form = [k.arg for k in node.keywords] == [
                "approximate"
            ]  # gelu(u, approximate=...)
            op = OPS[node.func.id + ("_tanh" if tanh_form else "")]
            return op.float(*args[: op.arity])  # the arity's first: bce's target is printed
        if isinstance(node, ast.Subscript) and node.slice.value == 0:  # log_softmax([..])[0]
            return walk(node.value)
        raise AssertionError(f"unexpected syntax {ast.dump(node)}")

    return walk(ast.parse(source, mode="eval").body)


@given(expressions(n_vars=3, max_depth=4))
def test_printed_source_means_the_same_as_the_tree(e):
    assert _evaluate_source(str(e.expression), e.point) == e.expression.evaluate(e.point, "float")


def test_a_shrunk_expression_reads_like_a_formula():
    # The first nineteen ops (those before issue 10): how far the search shrinks depends on
    # the table it draws from, and this one is known to shrink to the formula below.
    e = find(
        expressions(n_vars=2, max_depth=3, ops=list(OPS)[:19]),
        lambda e: "log" in e.expression.ops(),
        settings=settings(database=None, max_examples=500, derandomize=True),
    )
    # How far hypothesis shrinks depends on its search; what must hold is that the result
    # is short and reads as a formula with its point, e.g. "log(1 + x0**2)  at  x0=0.0, x1=0.0".
    text = str(e.expression)
    assert text.startswith("log(1 + ") and text.endswith("**2)") and len(text) <= 30
    assert repr(e).startswith(text + "  at  x0=") and ", x1=" in repr(e)


# --- what expressions() draws ---------------------------------------------------------------


@given(expressions(n_vars=3, max_depth=4))
def test_drawn_expressions_are_finite_and_bounded_at_their_point(e):
    assert isinstance(e, ExpressionAt) and len(e.point) == 3
    assert all(-2.0 <= x <= 2.0 for x in e.point)
    assert set(e.expression.variables()) <= {0, 1, 2} and e.expression.variables()
    for node in e.expression.walk():
        assert math.isfinite(node.evaluate(e.point, "float"))
    assert abs(e.expression.evaluate(e.point, "float")) <= BOUND


@given(expressions(n_vars=2, max_depth=4))
def test_drawn_expressions_stay_inside_every_domain_and_off_every_kink(e):
    for node in e.expression.walk():
        if not isinstance(node, Call):
            continue
        args = [a.evaluate(e.point, "float") for a in node.args]
        if node.op in ("log", "sqrt"):
            assert args[0] >= 0.1
        if node.op == "div":
            assert args[1] != 0 and (isinstance(node.args[1], Const) or args[1] >= 1)
        if node.op == "pow" and not (
            isinstance(node.args[1], Const) and node.args[1].value in (2.0, 3.0)
        ):
            assert args[0] >= 1
        if node.op in ("relu", "abs", "leaky_relu", "cbrt", "sign", "elu", "selu", "softsign"):
            assert abs(args[0]) >= KINK_MARGIN
        if node.op in ("asin", "acos", "atanh"):
            assert abs(args[0]) <= 0.9
        if node.op == "acosh":
            assert args[0] >= 1.1
        if node.op in ("floor", "ceil", "trunc"):
            assert abs(args[0] - round(args[0])) >= KINK_MARGIN
        if node.op in ("maximum", "minimum", "amax", "amin", "clamp"):
            ordered = sorted(args)
            assert all(q - p >= KINK_MARGIN for p, q in zip(ordered, ordered[1:]))
        if node.op in ("remainder", "fmod"):
            assert abs(args[1]) >= 0.5
            q = args[0] / args[1]
            assert abs(q - round(q)) * abs(args[1]) >= KINK_MARGIN


@given(expressions(n_vars=2, max_depth=4))
def test_the_engine_and_the_float_evaluator_agree(e):
    out = e.expression(*e.leaves())
    assert isinstance(out, Value)
    assert out.data == pytest.approx(e.expression.evaluate(e.point, "float"), rel=1e-12, abs=1e-12)


@given(expressions(n_vars=2, max_depth=4))
def test_the_torch_evaluator_agrees(e):
    torch = pytest.importorskip("torch")
    xs = [torch.tensor(x, dtype=torch.float64) for x in e.point]
    out = e.expression.evaluate(xs, "torch")
    assert out.dtype == torch.float64
    assert out.item() == pytest.approx(
        e.expression.evaluate(e.point, "float"), rel=1e-12, abs=1e-12
    )


@given(expressions(n_vars=2, max_depth=4, ops=["tanh", "mul"]))
def test_ops_restricts_the_operations_drawn(e):
    assert set(e.expression.ops()) <= {"tanh", "mul"}


@given(expressions(n_vars=1, max_depth=2, ops=["log"]))
def test_domain_guards_may_add_their_own_operations(e):
    assert set(e.expression.ops()) <= {"log", "add", "pow"}


@given(st.data())
def test_at_fixes_the_point(data):
    point = data.draw(st.tuples(values(-1, 1), values(-1, 1)))
    e = data.draw(expressions(n_vars=2, at=point))
    assert e.point == point


@given(expressions(n_vars=3, max_depth=0))
def test_depth_zero_is_a_variable(e):
    assert isinstance(e.expression, Var)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        (dict(n_vars=0), ValueError),
        (dict(max_depth=-1), ValueError),
        (dict(ops=["tanh", "frobnicate"]), ValueError),
        (dict(ops=[]), ValueError),
        (dict(ops="tanh"), TypeError),
        (dict(n_vars=2, at=[1.0]), ValueError),
        (dict(n_vars=1, at=[math.inf]), ValueError),
    ],
)
def test_expressions_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        expressions(**kwargs)


def test_trees_reject_bad_nodes_and_backends():
    with pytest.raises(ValueError, match="unknown op 'frobnicate'"):
        Call("frobnicate", (x0,))
    with pytest.raises(ValueError, match="tanh takes 1 arguments, got 2"):
        Call("tanh", (x0, x1))
    with pytest.raises(ValueError, match="unknown backend"):
        call("tanh", x0).evaluate([0.5], "numpy")
    with pytest.raises(ValueError, match="no value for x2"):
        call("add", x0, x2).evaluate([0.5, 1.0], "float")
    with pytest.raises(TypeError, match="real number"):
        Const("1")


# --- magnitudes ----------------------------------------------------------------------------------


@settings(max_examples=300)
@given(values(-math.inf, math.inf, magnitudes=(1e-300, 1e15)))
def test_magnitudes_stay_in_their_range(x):
    assert 1e-300 <= abs(x) <= 1e15


def test_magnitudes_reach_both_ends_and_both_signs():
    strategy = values(-math.inf, math.inf, magnitudes=True)
    find(strategy, lambda x: x < -1e300)
    find(strategy, lambda x: 0 < x < 1e-300)
    find(expressions(n_vars=1, magnitudes=(1e-300, 1e15)), lambda e: abs(e.point[0]) > 1e14)


def test_magnitudes_within_bounds():
    find(values(0.0, 1.0, magnitudes=True), lambda x: x < 1e-200)
    with pytest.raises(Exception):  # noqa: B017 (hypothesis's NoSuchExample)
        find(values(0.0, 1.0, magnitudes=True), lambda x: x < 0 or x > 1)


@pytest.mark.parametrize("bad", [(0.0, 1.0), (2.0, 1.0), (1.0, math.inf), "big", (1.0,)])
def test_bad_magnitudes_are_refused(bad):
    with pytest.raises(ValueError, match="magnitudes"):
        values(magnitudes=bad)
