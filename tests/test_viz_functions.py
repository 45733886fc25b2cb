"""viz knows every function of the engine: the expression parser calls each, and explain writes
each primitive's local derivative in its own notation, numbers equal to the engine's."""

from __future__ import annotations

import math

import pytest

import autograd
from autograd import Primitive, Value
from autograd import primitives as P
from viz import explain, explain_steps
from viz.expr import FUNCTIONS, ExpressionError, evaluate

# name -> (an expression using it, the same built directly with autograd)
CALLS = {
    "tan": ("tan(w)", lambda w, v: w.tan()),
    "atan2": ("atan2(w, v)", lambda w, v: autograd.atan2(w, v)),
    "hypot": ("hypot(w, v)", lambda w, v: autograd.hypot(w, v)),
    "fmod": ("fmod(w, v)", lambda w, v: autograd.fmod(w, v)),
    "remainder": ("remainder(w, v)", lambda w, v: w % v),
    "maximum": ("maximum(w, v)", lambda w, v: autograd.maximum(w, v)),
    "minimum": ("minimum(w, v)", lambda w, v: autograd.minimum(w, v)),
    "amax": ("amax(w, v, 0.25)", lambda w, v: autograd.amax([w, v, 0.25])),
    "amin": ("amin(w, v)", lambda w, v: autograd.amin([w, v])),
    "clamp": ("clamp(w, v, 1)", lambda w, v: autograd.clamp(w, v, 1)),
    "round": ("round(w * 10, 1)", lambda w, v: round(w * 10, 1)),
    "gelu": ("gelu(w)", lambda w, v: autograd.gelu(w)),
    "gelu_tanh": ("gelu_tanh(w)", lambda w, v: autograd.gelu(w, approximate="tanh")),
    "elu": ("elu(w - 1, v)", lambda w, v: autograd.elu(w - 1, v)),
    "hardtanh": ("hardtanh(w, -0.5, 0.5)", lambda w, v: autograd.hardtanh(w, -0.5, 0.5)),
}
UNARY_NAMES = (
    "tan sinh cosh asin acos atan asinh acosh atanh log1p expm1 log2 log10 exp2 cbrt erf erfc "
    "floor ceil trunc sign silu selu softsign logsigmoid"
).split()
for _name in UNARY_NAMES:
    arg = "w + 1" if _name == "acosh" else "w"
    CALLS.setdefault(
        _name,
        (
            f"{_name}({arg})",
            lambda w, v, n=_name, a=arg: getattr(autograd, n)(w + 1 if a != "w" else w),
        ),
    )

POINT = {"w": 0.3, "v": -0.6}


@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_parser_calls_each_function_as_autograd_does(name):
    text, direct = CALLS[name]
    assert name in FUNCTIONS
    out, leaves = evaluate(text, POINT)
    w, v = Value(POINT["w"]), Value(POINT["v"])
    expected = direct(w, v)
    assert out.data == expected.data or math.isnan(out.data) and math.isnan(expected.data)
    out.backward()
    expected.backward()
    assert leaves["w"].grad == w.grad
    if "v" in leaves:
        assert leaves["v"].grad == v.grad


def _primitives_used(out):
    return {n.primitive for n in autograd.topological_order(out)}


def test_every_primitive_has_a_notation_in_explain():
    used = set()
    for name, (text, _) in CALLS.items():
        out, leaves = evaluate(text, POINT)
        used |= _primitives_used(out)
        written = explain(out)
        assert "by the rule" not in written, f"{name}: no notation\n{written}"
        out.backward()
        steps = {s.node: s for s in explain_steps(out)}
        for leaf in leaves.values():
            if leaf in steps:
                assert steps[leaf].grad == pytest.approx(leaf.grad, rel=1e-12, abs=1e-15)
    new = {p for p in vars(P).values() if isinstance(p, Primitive)} - {
        P.add,
        P.sub,
        P.neg,
        P.mul,
        P.div,
        P.pow_,
        P.sum_,
        P.linear,
        P.exp,
        P.log,
        P.sqrt,
        P.tanh,
        P.sigmoid,
        P.softplus,
        P.relu,
        P.leaky_relu,
        P.abs_,
        P.sin,
        P.cos,
        # the losses' nodes: explained in tests/test_viz_explain.py, not functions of python -m viz
        P.logsumexp,
        P.log_softmax,
        P.binary_cross_entropy_with_logits,
    }
    assert new <= used, sorted(p.name for p in new - used)


@pytest.mark.parametrize(
    "text, point, fragments",
    [
        ("maximum(w, v)", {"w": 1.0, "v": 1.0}, ["½ (a tie: w = v)"]),
        ("clamp(w, 0, 1)", {"w": 2.0}, ["0 (outside the bounds)"]),
        ("amax(w, v, w)", {"w": 2.0, "v": 1.0}, ["1/2 (one of 2 equal to the maximum)"]),
        ("atan2(w, v)", {"w": 1.0, "v": 2.0}, ["v/(v² + w²)", "−w/(v² + w²)"]),
        ("elu(w)", {"w": -1.0}, ["1·exp(w) (as w < 0)"]),
        ("hardtanh(w)", {"w": 1.0}, ["0 (on or outside the bounds)"]),
        ("w % v", {"w": 5.0, "v": 3.0}, ["−⌊w/v⌋"]),
        ("erf(w)", {"w": 0.5}, ["2/√π·exp(−w²)"]),
    ],
)
def test_explain_writes_the_case(text, point, fragments):
    out, _ = evaluate(text, point)
    written = explain(out)
    for fragment in fragments:
        assert fragment in written, written


@pytest.mark.parametrize(
    "text, message",
    [
        ("hardtanh(w, 2, 1)", "hardtanh: min_val=2.0 is greater than max_val=1.0"),
        ("round(w, 0.5)", "round(): the number of decimals must be an integer, not 0.5"),
        ("amax()", "amax() takes at least 1 argument, got 0"),
        ("clamp(w)", "clamp() takes 2 or 3 arguments, got 1"),
        ("gelu(w, 1)", "gelu() takes 1 argument, got 2"),
    ],
)
def test_bad_calls_are_expression_errors(text, message):
    with pytest.raises(ExpressionError) as info:
        evaluate(text, {"w": 0.5})
    assert message in str(info.value)


def test_modulo_of_numbers_folds_by_the_engine_rules():
    out, _ = evaluate("-7 % 3 + 1 % 0", {})
    assert math.isnan(out.data)
    out, _ = evaluate("-7 % 3", {})
    assert out.data == 2.0
