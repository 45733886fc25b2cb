"""Every operation of the engine, checked against references that do not use our code.

For each operation in ``CASES`` and each of its points, ``check_case`` compares

- the value and the first derivatives (from ``backward()`` and from ``grad()``) with
  PyTorch float64, and with central finite differences of the forward pass;
- the Hessian and the third derivatives ∂³f/∂xᵢ³ (from ``grad(..., create_graph=True)``,
  applied two and three times) with PyTorch's double and triple backward.

``EDGE_CASES`` does the same for the value and gradient at the points where Python's
``math`` would raise or where a derivative is a convention (relu'(0), abs'(0), 0 ** y, ...).

The last test breaks each derivative rule of ``autograd.primitives`` in turn and asserts that
``check_case`` notices: a rule no test can catch would be a rule no test checks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from op_checks import NEW_PRIMITIVES

import autograd
from autograd import Primitive, Value, dot, grad, topological_order, vsum
from autograd import primitives as P

torch = pytest.importorskip("torch")
tF = torch.nn.functional


# --- comparing floats the way PyTorch reports them --------------------------------------------


def assert_close(actual, expected: float, what: str, rel: float = 1e-9, abs_: float = 1e-12):
    """nan matches only nan, ±inf only the same infinity, finite numbers within tolerance."""
    assert type(actual) is float, f"{what}: expected a float, got {type(actual).__name__}"
    if math.isnan(expected):
        assert math.isnan(actual), f"{what}: {actual!r}, expected nan"
    elif math.isinf(expected):
        assert actual == expected, f"{what}: {actual!r}, expected {expected!r}"
    else:
        assert math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_), (
            f"{what}: {actual!r}, expected {expected!r}"
        )


# --- the references ----------------------------------------------------------------------------


def as_tensors(point):
    return [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]


def torch_grad(y, xs, create_graph: bool) -> list:
    """∂y/∂x for each x (0 where y does not depend on x, as our grad() returns)."""
    if not y.requires_grad:  # y is a constant, e.g. the derivative of a linear function
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    gs = torch.autograd.grad(y, xs, create_graph=create_graph, retain_graph=True, allow_unused=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in gs]


def torch_derivatives(f, point):
    """(value, gradient, Hessian, [∂³f/∂xᵢ³]) of f at point, by PyTorch float64."""
    xs = as_tensors(point)
    out = f(*xs)
    first = torch_grad(out, xs, create_graph=True)
    hessian, third = [], []
    for i, g in enumerate(first):
        row = torch_grad(g, xs, create_graph=True)
        hessian.append([h.item() for h in row])
        third.append(torch_grad(row[i], [xs[i]], create_graph=False)[0].item())
    return out.item(), [g.item() for g in first], hessian, third


def engine_derivatives(f, point):
    """The same four things by our engine, and the gradient from backward() as well."""
    xs = [Value(p, label=f"x{i}") for i, p in enumerate(point)]
    out = f(*xs)
    first = grad(out, xs, create_graph=True)
    hessian, third = [], []
    for i, g in enumerate(first):
        row = grad(g, xs, create_graph=True)
        hessian.append([h.data for h in row])
        third.append(grad(row[i], [xs[i]])[0])
    plain = grad(out, xs)
    out.backward()
    from_backward = [x.grad for x in xs]
    return out.data, plain, from_backward, [g.data for g in first], hessian, third


def finite_differences(f, point, h: float = 1e-6) -> list:
    """Central differences (f(x + h) - f(x - h)) / 2h of the forward pass, one per input."""

    def at(p):
        return f(*[Value(v) for v in p]).data

    grads = []
    for i in range(len(point)):
        step = h * max(1.0, abs(point[i]))
        up, down = list(point), list(point)
        up[i] += step
        down[i] -= step
        grads.append((at(up) - at(down)) / (2 * step))
    return grads


# --- the operations ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    ours: Callable  # on Values (and numbers)
    theirs: Callable  # the same function on torch tensors
    points: Sequence  # points where it is smooth: first to third order are compared
    smooth: bool = True  # False: piecewise (compare with PyTorch only, not finite differences)

    def __str__(self) -> str:
        return self.name


def _leaky(x, slope):  # PyTorch's leaky_relu takes no tensor slope: written out for ∂/∂slope
    return torch.where(x > 0, x, x * slope)


SIGNED = [(0.5,), (-1.3,), (2.7,)]
POSITIVE = [(0.5,), (2.0,), (9.0,)]
PAIRS = [(1.5, -2.0), (-0.3, 0.7), (2.0, 3.0)]


TRIPLES = [(0.3, -1.2, 2.0), (-0.5, 0.25, 4.0), (1.0, 1.0, -3.0)]

CASES = [
    Case("a + b", lambda a, b: a + b, lambda a, b: a + b, PAIRS),
    Case("a + 2.5", lambda a: a + 2.5, lambda a: a + 2.5, SIGNED),
    Case("2.5 + a", lambda a: 2.5 + a, lambda a: 2.5 + a, SIGNED),
    Case("a - b", lambda a, b: a - b, lambda a, b: a - b, PAIRS),
    Case("a - 2.5", lambda a: a - 2.5, lambda a: a - 2.5, SIGNED),
    Case("2.5 - a", lambda a: 2.5 - a, lambda a: 2.5 - a, SIGNED),
    Case("a * b", lambda a, b: a * b, lambda a, b: a * b, PAIRS),
    Case("a * 3", lambda a: a * 3, lambda a: a * 3, SIGNED),
    Case("3 * a", lambda a: 3 * a, lambda a: 3 * a, SIGNED),
    Case("a / b", lambda a, b: a / b, lambda a, b: a / b, PAIRS),
    Case("a / 4", lambda a: a / 4, lambda a: a / 4, SIGNED),
    Case("2 / a", lambda a: 2 / a, lambda a: 2 / a, SIGNED),
    Case("a ** b", lambda a, b: a**b, lambda a, b: a**b, [(1.5, -2.0), (0.3, 0.7), (2.0, 3.0)]),
    Case("a ** 3", lambda a: a**3, lambda a: a**3, SIGNED),
    Case("a ** 0.5", lambda a: a**0.5, lambda a: a**0.5, POSITIVE),
    Case("a ** -2", lambda a: a**-2, lambda a: a**-2, SIGNED),
    Case("a ** 0", lambda a: a**0, lambda a: a**0, SIGNED),
    Case("2 ** a", lambda a: 2**a, lambda a: 2**a, SIGNED),
    Case(
        "(-2) ** b", lambda b: (-2) ** b, lambda b: (-2.0) ** b, [(2.0,), (3.0,)], smooth=False
    ),  # ∂/∂b = (-2)^b · log(-2) = nan, as in PyTorch
    Case("-a", lambda a: -a, lambda a: -a, SIGNED),
    Case("+a", lambda a: +a, lambda a: +a, SIGNED),
    Case("abs(a)", lambda a: abs(a), torch.abs, SIGNED, smooth=False),
    Case("a.exp()", lambda a: a.exp(), torch.exp, SIGNED),
    Case("a.log()", lambda a: a.log(), torch.log, POSITIVE),
    Case("a.sqrt()", lambda a: a.sqrt(), torch.sqrt, POSITIVE),
    Case("a.tanh()", lambda a: a.tanh(), torch.tanh, SIGNED),
    Case("a.sigmoid()", lambda a: a.sigmoid(), torch.sigmoid, SIGNED),
    Case("a.softplus()", lambda a: a.softplus(), tF.softplus, SIGNED),
    Case("a.relu()", lambda a: a.relu(), torch.relu, SIGNED, smooth=False),
    Case("a.leaky_relu()", lambda a: a.leaky_relu(), tF.leaky_relu, SIGNED, smooth=False),
    Case(
        "a.leaky_relu(0.2)",
        lambda a: a.leaky_relu(0.2),
        lambda a: tF.leaky_relu(a, 0.2),
        SIGNED,
        smooth=False,
    ),
    Case(
        "a.leaky_relu(s)",
        lambda a, s: a.leaky_relu(s),
        _leaky,
        [(0.5, 0.2), (-1.3, 0.2), (-0.7, -0.1)],
        smooth=False,
    ),
    Case("a.sin()", lambda a: a.sin(), torch.sin, SIGNED),
    Case("a.cos()", lambda a: a.cos(), torch.cos, SIGNED),
    Case(
        "vsum([a, b, 2, c, a])",
        lambda a, b, c: vsum([a, b, 2, c, a]),
        lambda a, b, c: torch.stack([a, b, c, a]).sum() + 2,
        [(1.0, 2.0, 3.0), (-0.5, 0.25, 4.0)],
    ),
    Case(
        "dot([w1, w2], [x1, x2], b)",
        lambda w1, w2, x1, x2, b: dot([w1, w2], [x1, x2], b),
        lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
        [(0.5, -1.5, 2.0, 3.0, 0.25), (-2.0, 0.75, -0.5, 1.25, -1.0)],
    ),
    Case(
        "dot([w, w], [2, x])",
        lambda w, x: dot([w, w], [2, x]),
        lambda w, x: w * 2 + w * x,
        [(0.5, -1.5), (3.0, 2.0)],
    ),
    Case("a * b.sin() (product rule)", lambda a, b: a * b.sin(), lambda a, b: a * b.sin(), PAIRS),
    Case(
        "logsumexp([a, b, c])",
        lambda a, b, c: autograd.logsumexp([a, b, c]),
        lambda a, b, c: torch.logsumexp(torch.stack([a, b, c]), 0),
        TRIPLES,
    ),
    Case(
        "log_softmax([a, b, c])[1]",
        lambda a, b, c: autograd.log_softmax([a, b, c])[1],
        lambda a, b, c: torch.log_softmax(torch.stack([a, b, c]), 0)[1],
        TRIPLES,
    ),
    Case(
        "softmax([a, b, 2])[0]",
        lambda a, b: autograd.softmax([a, b, 2.0])[0],
        lambda a, b: torch.softmax(torch.stack([a, b, torch.tensor(2.0, dtype=a.dtype)]), 0)[0],
        PAIRS,
    ),
    Case(
        "binary_cross_entropy_with_logits(z, y)",
        P.binary_cross_entropy_with_logits,
        tF.binary_cross_entropy_with_logits,
        [(0.5, 0.3), (-1.3, 0.8), (2.7, 1.0), (-0.4, 0.0)],
    ),
]

# The functions of autograd (the primitives themselves) called on a Value, beside the methods.
FUNCTIONS = {
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": tF.softplus,
    "relu": torch.relu,
    "sin": torch.sin,
    "cos": torch.cos,
    "abs_": torch.abs,
}
for _name, _theirs in FUNCTIONS.items():
    CASES.append(
        Case(
            f"autograd.{_name}(a)",
            getattr(autograd, _name),
            _theirs,
            POSITIVE if _name in ("log", "sqrt") else SIGNED,
            smooth=_name not in ("relu", "abs_"),
        )
    )


def check_case(case: Case) -> None:
    """Value, gradient, Hessian and third derivatives of ``case`` at each of its points."""
    for point in case.points:
        where = f"{case.name} at {point}"
        value, plain, from_backward, first, hessian, third = engine_derivatives(case.ours, point)
        t_value, t_first, t_hessian, t_third = torch_derivatives(case.theirs, point)
        assert_close(value, t_value, f"{where}: value")
        n = len(point)
        for i in range(n):
            assert_close(plain[i], t_first[i], f"{where}: grad() ∂/∂x{i}")
            assert_close(from_backward[i], t_first[i], f"{where}: backward() ∂/∂x{i}")
            assert_close(first[i], t_first[i], f"{where}: grad(create_graph) ∂/∂x{i}")
            for j in range(n):
                assert_close(
                    hessian[i][j], t_hessian[i][j], f"{where}: ∂²/∂x{i}∂x{j}", rel=1e-8, abs_=1e-10
                )
            assert_close(third[i], t_third[i], f"{where}: ∂³/∂x{i}³", rel=1e-8, abs_=1e-10)
        if case.smooth:
            for i, fd in enumerate(finite_differences(case.ours, point)):
                assert math.isclose(plain[i], fd, rel_tol=1e-6, abs_tol=1e-7), (
                    f"{where}: ∂/∂x{i} = {plain[i]!r}, finite differences give {fd!r}"
                )


@pytest.mark.parametrize("case", CASES, ids=str)
def test_operation_matches_torch_and_finite_differences(case):
    check_case(case)


def test_every_primitive_is_covered_by_a_case():
    used = set()
    for case in CASES:
        xs = [Value(p) for p in case.points[0]]
        used.update(node.primitive for node in topological_order(case.ours(*xs)))
    assert set(all_primitives()) <= used


# --- edge cases: special values and derivative conventions, against PyTorch --------------------

INF, NAN = math.inf, math.nan

EDGE_CASES = [
    # (name, ours, theirs, point)
    ("relu at 0", lambda a: a.relu(), torch.relu, (0.0,)),
    ("relu at nan", lambda a: a.relu(), torch.relu, (NAN,)),
    ("abs at nan", lambda a: abs(a), torch.abs, (NAN,)),
    ("leaky_relu at nan", lambda a: a.leaky_relu(0.1), lambda a: tF.leaky_relu(a, 0.1), (NAN,)),
    ("abs at 0", lambda a: abs(a), torch.abs, (0.0,)),
    ("abs at -0.0", lambda a: abs(a), torch.abs, (-0.0,)),
    ("leaky_relu at 0", lambda a: a.leaky_relu(0.1), lambda a: tF.leaky_relu(a, 0.1), (0.0,)),
    ("sqrt at 0", lambda a: a.sqrt(), torch.sqrt, (0.0,)),
    ("sqrt at -1", lambda a: a.sqrt(), torch.sqrt, (-1.0,)),
    ("log at 0", lambda a: a.log(), torch.log, (0.0,)),
    ("log at -1", lambda a: a.log(), torch.log, (-1.0,)),
    ("log at inf", lambda a: a.log(), torch.log, (INF,)),
    ("1 / a at 0", lambda a: 1 / a, lambda a: 1 / a, (0.0,)),
    ("1 / a at -0.0", lambda a: 1 / a, lambda a: 1 / a, (-0.0,)),
    ("a / b at 1 / 0", lambda a, b: a / b, lambda a, b: a / b, (1.0, 0.0)),
    ("a / b at -1 / 0", lambda a, b: a / b, lambda a, b: a / b, (-1.0, 0.0)),
    ("a / b at 0 / 0", lambda a, b: a / b, lambda a, b: a / b, (0.0, 0.0)),
    ("a / 0", lambda a: a / 0, lambda a: a / 0.0, (2.0,)),
    ("a ** b at 0 ** 0", lambda a, b: a**b, torch.pow, (0.0, 0.0)),
    ("a ** b at 0 ** 2", lambda a, b: a**b, torch.pow, (0.0, 2.0)),
    ("a ** b at 0 ** 3", lambda a, b: a**b, torch.pow, (0.0, 3.0)),
    ("a ** b at 0 ** 0.5", lambda a, b: a**b, torch.pow, (0.0, 0.5)),
    ("a ** b at 0 ** -1", lambda a, b: a**b, torch.pow, (0.0, -1.0)),
    ("a ** b at 0 ** -0.5", lambda a, b: a**b, torch.pow, (0.0, -0.5)),
    ("a ** b at -8 ** (1/3)", lambda a, b: a**b, torch.pow, (-8.0, 1 / 3)),
    ("a ** b at -2 ** 3", lambda a, b: a**b, torch.pow, (-2.0, 3.0)),
    ("a ** b at 10 ** 400", lambda a, b: a**b, torch.pow, (10.0, 400.0)),
    ("a ** b at -10 ** 401", lambda a, b: a**b, torch.pow, (-10.0, 401.0)),
    ("a ** 0.5 at -4", lambda a: a**0.5, lambda a: a**0.5, (-4.0,)),
    ("a ** -1 at 0", lambda a: a**-1, lambda a: a**-1, (0.0,)),
    ("a ** 2 at 0", lambda a: a**2, lambda a: a**2, (0.0,)),
    ("2 ** a at 2000", lambda a: 2**a, lambda a: 2**a, (2000.0,)),
    ("2 ** a at -2000", lambda a: 2**a, lambda a: 2**a, (-2000.0,)),
    ("0 ** a at 2", lambda a: 0**a, lambda a: 0.0**a, (2.0,)),
    ("exp at 1000", lambda a: a.exp(), torch.exp, (1000.0,)),
    ("exp at -1000", lambda a: a.exp(), torch.exp, (-1000.0,)),
    ("sin at inf", lambda a: a.sin(), torch.sin, (INF,)),
    ("cos at -inf", lambda a: a.cos(), torch.cos, (-INF,)),
    ("a * b at inf * 0", lambda a, b: a * b, lambda a, b: a * b, (INF, 0.0)),
    ("a + b at inf - inf", lambda a, b: a + b, lambda a, b: a + b, (INF, -INF)),
    ("a * b overflowing", lambda a, b: a * b, lambda a, b: a * b, (1e200, 1e200)),
]
for _x in (1000.0, -1000.0, 30.0, -30.0):
    EDGE_CASES += [
        (f"sigmoid at {_x}", lambda a: a.sigmoid(), torch.sigmoid, (_x,)),
        (f"tanh at {_x}", lambda a: a.tanh(), torch.tanh, (_x,)),
        (f"softplus at {_x}", lambda a: a.softplus(), tF.softplus, (_x,)),
    ]


@pytest.mark.parametrize("name, ours, theirs, point", EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_edge_case_matches_torch(name, ours, theirs, point):
    xs = [Value(p) for p in point]
    out = ours(*xs)  # never a Python exception: math's errors must not leak
    out.backward()
    plain = grad(out, xs)
    t_xs = as_tensors(point)
    t_out = theirs(*t_xs)
    t_grads = torch_grad(t_out, t_xs, create_graph=False)
    assert_close(out.data, t_out.item(), f"{name}: value")
    for i, (x, t_g) in enumerate(zip(xs, t_grads)):
        assert_close(x.grad, t_g.item(), f"{name}: backward() ∂/∂x{i}")
        assert_close(plain[i], t_g.item(), f"{name}: grad() ∂/∂x{i}")


# --- breaking any derivative rule must make check_case fail ---------------------------------


def all_primitives() -> list:
    """The primitives checked here; those of issue 10 are checked the same way (op_checks.py)
    in test_engine_ops_math.py, test_engine_ops_piecewise.py and test_engine_activations.py."""
    return [
        p for p in vars(P).values() if isinstance(p, Primitive) and p.name not in NEW_PRIMITIVES
    ]


def _broken(vjp, position, how: Callable):
    """``vjp`` with the gradient for input ``position`` (None: for every input) through ``how``."""

    def broken_vjp(g, ans, *inputs):
        grads = list(vjp(g, ans, *inputs))
        for i in range(len(grads)) if position is None else [position]:
            grads[i] = how(grads[i])
        return grads

    return broken_vjp


MUTATIONS = {"negated": lambda g: -g, "scaled by 1.5": lambda g: g * 1.5}
VARIADIC = {
    "sum",
    "linear",
    "logsumexp",
    "log_softmax",
}  # any number of inputs: break the first and the last
ARITY = {"add": 2, "mul": 2, "pow": 2, "leaky_relu": 2, "binary_cross_entropy_with_logits": 2}


def _cases_using(primitive: Primitive) -> list:
    def uses(case):
        xs = [Value(p) for p in case.points[0]]
        return any(node.primitive is primitive for node in topological_order(case.ours(*xs)))

    return [case for case in CASES if uses(case)]


@pytest.mark.parametrize("primitive", all_primitives(), ids=lambda p: p.name)
def test_breaking_a_derivative_rule_is_detected(primitive, monkeypatch):
    cases = _cases_using(primitive)
    assert cases, f"no case uses {primitive.name}"
    if primitive.name in VARIADIC:
        positions = [0, -1, None]
    else:
        positions = [*range(ARITY.get(primitive.name, 1)), None]
    original = primitive.vjp
    for position in positions:
        for mutation, how in MUTATIONS.items():
            monkeypatch.setattr(primitive, "vjp", _broken(original, position, how))
            try:
                for case in cases:
                    check_case(case)
            except AssertionError:
                continue  # detected
            finally:
                monkeypatch.setattr(primitive, "vjp", original)
            pytest.fail(f"{primitive.name}: gradient {position} {mutation} went unnoticed")
    for case in cases:  # and with the rule restored, everything passes again
        check_case(case)


# --- any float at all, nan and ±inf included: value and gradient as PyTorch's -------------------


def _check_against_torch(name, ours, theirs, point):
    xs = [Value(p) for p in point]
    out = ours(*xs)
    t_xs = as_tensors(point)
    t_out = theirs(*t_xs)
    where = f"{name} at {point}"
    assert_close(out.data, t_out.item(), f"{where}: value")
    t_grads = torch_grad(t_out, t_xs, create_graph=False)
    for i, (g, t_g) in enumerate(zip(grad(out, xs), t_grads)):
        assert_close(g, t_g.item(), f"{where}: ∂/∂x{i}")


ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True)
UNARY = {**FUNCTIONS, "leaky_relu": lambda a: tF.leaky_relu(a, 0.01)}
BINARY = {
    "a + b": (lambda a, b: a + b),
    "a - b": (lambda a, b: a - b),
    "a * b": (lambda a, b: a * b),
    "a ** b": (lambda a, b: a**b),
}


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(sorted(UNARY)), x=ANY_FLOAT)
def test_unary_function_at_any_float_matches_torch(name, x):
    ours = (lambda a: a.leaky_relu()) if name == "leaky_relu" else getattr(autograd, name)
    _check_against_torch(name, ours, UNARY[name], (x,))


@settings(max_examples=400, deadline=None)
@given(name=st.sampled_from(sorted(BINARY)), a=ANY_FLOAT, b=ANY_FLOAT)
def test_binary_operation_at_any_floats_matches_torch(name, a, b):
    _check_against_torch(name, BINARY[name], BINARY[name], (a, b))


# a / b is a primitive with PyTorch's rule (∂/∂b = -(a / b) / b), so it matches PyTorch at
# any floats, tiny and huge denominators included (a · b⁻¹ would overflow for |b| < 1e-154).
@settings(max_examples=300, deadline=None)
@given(a=ANY_FLOAT, b=ANY_FLOAT)
def test_division_at_any_floats_matches_torch(a, b):
    _check_against_torch("a / b", lambda a, b: a / b, lambda a, b: a / b, (a, b))


def test_division_by_a_tiny_number_matches_torch():
    _check_against_torch("a / b", lambda a, b: a / b, lambda a, b: a / b, (1e-10, 1e-310))
