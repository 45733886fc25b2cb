"""Checking an operation against PyTorch float64, to the third derivative, and breaking its rule.

Shared by the tests of the functions added for issue 10 (test_engine_ops_math.py,
test_engine_ops_piecewise.py, test_engine_activations.py): each lists ``Case``s, and
``check_case`` compares, at each point,

- the value, and the first derivatives from ``backward()``, ``grad()`` and
  ``grad(create_graph=True)``, with PyTorch's, signs of zeros included (``-0.0`` is not ``0.0``);
- up to ``case.order``: the Hessian and the third derivatives ∂³f/∂xᵢ³ (``grad`` applied two and
  three times with ``create_graph``) with PyTorch's double and triple backward;
- where ``case.smooth``: the first derivatives with central differences of the forward pass.

``check_mutations`` replaces a primitive's rule by a broken one (negated, scaled, shifted) and
asserts that the cases using it notice. ``test_engine_ops.py`` checks the first seventeen
primitives the same way; these modules check the ones in ``NEW_PRIMITIVES``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pytest

from autograd import Primitive, Value, grad, topological_order

torch = pytest.importorskip("torch")

INF, NAN = math.inf, math.nan

NEW_PRIMITIVES = (
    "tan sinh cosh asin acos atan asinh acosh atanh log1p expm1 log2 log10 exp2 cbrt erf erfc "
    "atan2 hypot floor ceil trunc round sign remainder fmod maximum minimum amax amin clamp "
    "gelu gelu_tanh silu elu selu softsign logsigmoid hardtanh"
).split()


def assert_close(actual, expected: float, what: str, rel=1e-9, abs_=1e-12, zero_sign=False):
    """nan matches only nan, ±inf only the same infinity, finite numbers within tolerance; with
    ``zero_sign``, an expected ±0.0 only the same zero."""
    assert type(actual) is float, f"{what}: expected a float, got {type(actual).__name__}"
    if math.isnan(expected):
        assert math.isnan(actual), f"{what}: {actual!r}, expected nan"
    elif math.isinf(expected):
        assert actual == expected, f"{what}: {actual!r}, expected {expected!r}"
    elif zero_sign and expected == 0:
        assert actual == 0 and math.copysign(1, actual) == math.copysign(1, expected), (
            f"{what}: {actual!r}, expected {expected!r}"
        )
    else:
        assert math.isclose(actual, expected, rel_tol=rel, abs_tol=abs_), (
            f"{what}: {actual!r}, expected {expected!r}"
        )


@dataclass(frozen=True)
class Case:
    name: str
    ours: Callable  # on Values
    theirs: Callable  # the same function on float64 tensors
    points: Sequence[tuple]
    order: int = 3  # derivatives compared with PyTorch up to this order
    smooth: bool = True  # also compare the gradient with central differences
    zero_sign: bool = True  # compare the signs of zero of the value and gradient

    def __str__(self) -> str:
        return self.name


def _torch_grad(y, xs, create_graph: bool) -> list:
    if not y.requires_grad:
        return [torch.zeros((), dtype=torch.float64) for _ in xs]
    gs = torch.autograd.grad(y, xs, create_graph=create_graph, retain_graph=True, allow_unused=True)
    return [torch.zeros((), dtype=torch.float64) if g is None else g for g in gs]


def torch_derivatives(f, point, order: int):
    xs = [torch.tensor(p, dtype=torch.float64, requires_grad=True) for p in point]
    out = f(*xs)
    first = _torch_grad(out, xs, create_graph=order > 1)
    hessian, third = [], []
    if order > 1:
        for i, g in enumerate(first):
            row = _torch_grad(g, xs, create_graph=order > 2)
            hessian.append([h.item() for h in row])
            if order > 2:
                third.append(_torch_grad(row[i], [xs[i]], create_graph=False)[0].item())
    return out.item(), [g.item() for g in first], hessian, third


def engine_derivatives(f, point, order: int):
    xs = [Value(p, label=f"x{i}") for i, p in enumerate(point)]
    out = f(*xs)
    first = grad(out, xs, create_graph=True)
    hessian, third = [], []
    if order > 1:
        for i, g in enumerate(first):
            row = grad(g, xs, create_graph=True)
            hessian.append([h.data for h in row])
            if order > 2:
                third.append(grad(row[i], [xs[i]])[0])
    plain = grad(out, xs)
    out.backward()
    return out.data, plain, [x.grad for x in xs], [g.data for g in first], hessian, third


def finite_differences(f, point, h: float = 1e-6) -> list:
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


def check_case(case: Case) -> None:
    for point in case.points:
        where = f"{case.name} at {point}"
        value, plain, from_backward, first, hessian, third = engine_derivatives(
            case.ours, point, case.order
        )
        t_value, t_first, t_hessian, t_third = torch_derivatives(case.theirs, point, case.order)
        zs = case.zero_sign
        assert_close(value, t_value, f"{where}: value", zero_sign=zs)
        n = len(point)
        for i in range(n):
            assert_close(plain[i], t_first[i], f"{where}: grad() ∂/∂x{i}", zero_sign=zs)
            assert_close(from_backward[i], t_first[i], f"{where}: backward() ∂/∂x{i}")
            assert_close(first[i], t_first[i], f"{where}: grad(create_graph) ∂/∂x{i}")
            if case.order > 1:
                for j in range(n):
                    assert_close(
                        hessian[i][j], t_hessian[i][j], f"{where}: ∂²/∂x{i}∂x{j}", 1e-8, 1e-10
                    )
            if case.order > 2:
                assert_close(third[i], t_third[i], f"{where}: ∂³/∂x{i}³", 1e-8, 1e-10)
        if case.smooth:
            for i, fd in enumerate(finite_differences(case.ours, point)):
                assert math.isclose(plain[i], fd, rel_tol=1e-6, abs_tol=1e-7), (
                    f"{where}: ∂/∂x{i} = {plain[i]!r}, finite differences give {fd!r}"
                )


def uses(case: Case, primitive: Primitive) -> bool:
    xs = [Value(p) for p in case.points[0]]
    out = case.ours(*xs)
    return any(node.primitive is primitive for node in topological_order(out))


def _broken(vjp, position, how: Callable):
    def broken_vjp(g, ans, *inputs):
        grads = list(vjp(g, ans, *inputs))
        for i in range(len(grads)) if position is None else [position]:
            grads[i] = how(grads[i])
        return grads

    return broken_vjp


MUTATIONS: dict[str, Callable] = {
    "negated": lambda g: -g,
    "scaled by 1.5": lambda g: g * 1.5,
    "shifted by 1": lambda g: g + 1.0,
}


def check_mutations(primitive: Primitive, cases: Sequence[Case], positions, monkeypatch) -> None:
    """Each mutation of the gradient for each input position must fail some case; a rule that
    is 0 everywhere (floor) can only be broken by the shift."""
    cases = [case for case in cases if uses(case, primitive)]
    assert cases, f"no case uses {primitive.name}"
    original = primitive.vjp
    zero_rule = primitive.name in ("floor", "ceil", "trunc", "round", "sign")
    for position in positions:
        for mutation, how in MUTATIONS.items():
            if zero_rule and mutation != "shifted by 1":
                continue
            monkeypatch.setattr(primitive, "vjp", _broken(original, position, how))
            try:
                for case in cases:
                    check_case(case)
            except AssertionError:
                continue  # detected
            finally:
                monkeypatch.setattr(primitive, "vjp", original)
            pytest.fail(f"{primitive.name}: gradient {position} {mutation} went unnoticed")
    for case in cases:
        check_case(case)
