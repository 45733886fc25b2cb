"""Higher-order derivatives: ``grad(..., create_graph=True)`` applied again and again.

Every partial derivative up to third order of several two-variable functions is compared with
PyTorch's double and triple backward; the Hessians also with central differences of the
engine's own first-order gradient, and x³ with its closed forms.
"""

import math

import pytest
from test_engine_ops import as_tensors, assert_close, torch, torch_grad  # noqa: F401 (skips)

from autograd import Value, dot, grad, no_grad, vsum


def engine_partials(f, point, order: int) -> dict:
    """{(i, j, ...): ∂ⁿf/∂xᵢ∂xⱼ... } for every index tuple of length 0..order, by the engine."""
    xs = [Value(p, label=f"x{i}") for i, p in enumerate(point)]
    frontier = {(): f(*xs)}
    partials = {(): frontier[()].data}
    for _ in range(order):
        deeper = {}
        for index, v in frontier.items():
            for i, g in enumerate(grad(v, xs, create_graph=True)):
                assert isinstance(g, Value)
                deeper[index + (i,)] = g
        partials.update({index: g.data for index, g in deeper.items()})
        frontier = deeper
    return partials


def torch_partials(f, point, order: int) -> dict:
    """The same by PyTorch float64."""
    xs = as_tensors(point)
    frontier = {(): f(*xs)}
    partials = {(): frontier[()].item()}
    for _ in range(order):
        deeper = {}
        for index, v in frontier.items():
            for i, g in enumerate(torch_grad(v, xs, create_graph=True)):
                deeper[index + (i,)] = g
        partials.update({index: g.item() for index, g in deeper.items()})
        frontier = deeper
    return partials


# --- x³ ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("x", [-2.0, 0.5, 3.0])
def test_derivatives_of_the_cube(x):
    d = engine_partials(lambda x: x**3, (x,), order=4)
    assert d[(0,)] == pytest.approx(3 * x * x, rel=1e-14)
    assert d[(0, 0)] == pytest.approx(6 * x, rel=1e-14)  # d²/dx² x³ = 6x
    assert d[(0, 0, 0)] == pytest.approx(6.0, rel=1e-14)  # d³/dx³ x³ = 6
    assert d[(0, 0, 0, 0)] == 0.0
    t = torch_partials(lambda x: x**3, (x,), order=4)
    for index, value in t.items():
        assert_close(d[index], value, f"∂^{len(index)}")


def test_cube_written_as_products():
    d = engine_partials(lambda x: x * x * x, (1.5,), order=3)
    assert d[(0, 0)] == pytest.approx(9.0) and d[(0, 0, 0)] == pytest.approx(6.0)


# --- two variables: every partial up to third order against PyTorch --------------------------

# Written with methods that our Values and torch's tensors share, so one lambda serves both.
FUNCTIONS = [
    ("x·y·sin x + e^(xy)/y", lambda x, y: x * y * x.sin() + (x * y).exp() / y),
    ("tanh(xy) + σ(x − y)", lambda x, y: (x * y).tanh() + (x - y).sigmoid()),
    ("√(x² + y²)", lambda x, y: (x * x + y * y).sqrt()),
    ("x^y", lambda x, y: x**y),
    ("y^(x²) + 2^(xy)", lambda x, y: y ** (x * x) + 2 ** (x * y)),
    ("x / (y + x²)", lambda x, y: x / (y + x * x)),
    ("cos x · sin y − x³ / y", lambda x, y: x.cos() * y.sin() - x**3 / y),
    ("|x|·y² + relu(xy)", lambda x, y: abs(x) * y**2 + (x * y).relu()),
    ("1 / (1 + e^(−xy)) written out", lambda x, y: 1 / (1 + (-(x * y)).exp())),
]
ENGINE_ONLY = [  # (name, ours, PyTorch's spelling of the same function)
    (
        "softplus(xy)·log x",
        lambda x, y: (x * y).softplus() * x.log(),
        lambda x, y: torch.nn.functional.softplus(x * y) * x.log(),
    ),
    (
        "vsum(xy, x, y²) · dot([x, y], [y, 2], x)",
        lambda x, y: vsum([x * y, x, y * y]) * dot([x, y], [y, 2], x),
        lambda x, y: (x * y + x + y * y) * (x * y + y * 2 + x),
    ),
    (
        "leaky_relu(x − y, 0.1) · y",
        lambda x, y: (x - y).leaky_relu(0.1) * y,
        lambda x, y: torch.nn.functional.leaky_relu(x - y, 0.1) * y,
    ),
]
POINTS = [(0.7, 1.3), (1.9, 0.4), (1.2, 2.5)]  # x, y > 0 (logs, fractional powers); no kinks


@pytest.mark.parametrize(
    "name, f, f_torch",
    [(n, f, f) for n, f in FUNCTIONS] + ENGINE_ONLY,
    ids=[n for n, _ in FUNCTIONS] + [n for n, *_ in ENGINE_ONLY],
)
@pytest.mark.parametrize("point", POINTS)
def test_partials_up_to_third_order_match_torch(name, f, f_torch, point):
    ours = engine_partials(f, point, order=3)
    theirs = torch_partials(f_torch, point, order=3)
    assert len(ours) == len(theirs) == 1 + 2 + 4 + 8
    for index, value in theirs.items():
        assert_close(ours[index], value, f"{name} at {point}: ∂ {index}", rel=1e-9, abs_=1e-10)


@pytest.mark.parametrize("name, f", FUNCTIONS, ids=[n for n, _ in FUNCTIONS])
def test_hessian_matches_finite_differences_of_the_gradient(name, f):
    """An independent reference for the second order: the engine's first-order gradient
    (checked against PyTorch elsewhere), differentiated numerically."""
    point = (1.1, 0.8)
    hessian = engine_partials(f, point, order=2)
    h = 1e-6

    def gradient(p):
        xs = [Value(v) for v in p]
        return grad(f(*xs), xs)

    for j in range(2):
        up, down = list(point), list(point)
        up[j] += h
        down[j] -= h
        for i, (gu, gd) in enumerate(zip(gradient(up), gradient(down))):
            fd = (gu - gd) / (2 * h)
            assert math.isclose(hessian[(i, j)], fd, rel_tol=1e-6, abs_tol=1e-6), (name, i, j)


def test_hessian_is_symmetric():
    f = FUNCTIONS[0][1]
    d = engine_partials(f, (0.9, 1.7), order=3)
    assert d[(0, 1)] == pytest.approx(d[(1, 0)], rel=1e-12)
    assert d[(0, 0, 1)] == pytest.approx(d[(0, 1, 0)], rel=1e-12) == pytest.approx(d[(1, 0, 0)])


# --- how the derivative graphs behave -------------------------------------------------------


def test_create_graph_first_order_equals_the_float_result():
    x, y = Value(0.7, label="x"), Value(-1.3, label="y")
    f = x * y * x.sin() + (x * y).exp() / y + (x - y).tanh().softplus()
    as_values = grad(f, [x, y], create_graph=True)
    as_floats = grad(f, [x, y])
    assert [g.data for g in as_values] == pytest.approx(list(as_floats), rel=1e-15)
    assert all(type(g) is float for g in as_floats)


def test_create_graph_touches_no_grad_and_backward_on_a_derivative_works():
    x = Value(2.0, label="x")
    f = x**3 + x.sin()
    (df,) = grad(f, [x], create_graph=True)
    assert x.grad == 0.0 and f.grad == 0.0
    df.backward()  # d/dx (3x² + cos x) = 6x − sin x
    assert x.grad == pytest.approx(12.0 - math.sin(2.0), rel=1e-14)


def test_create_graph_for_an_unreached_input_is_a_fresh_constant_zero():
    x, unused = Value(1.0), Value(5.0)
    dx, du = grad(x * x, [x, unused], create_graph=True)
    assert isinstance(du, Value) and du.data == 0.0 and not du.requires_grad
    assert grad(du, [x]) == (0.0,)


def test_a_derivative_returned_as_a_constant_is_not_shared_with_other_graphs():
    # d(x + y)/dx = 1 is a constant; relabelling or changing it must not change the constant
    # 1.0 that other graphs use (plain numbers in operations are shared constants).
    x, y = Value(2.0), Value(3.0)
    (dx,) = grad(x + y, [x], create_graph=True)
    (dself,) = grad(x, [x], create_graph=True)
    dx.label, dx.data = "dL/dx", 7.0
    dself.data = 9.0
    z = x * 1.0
    assert z.inputs[1].label == "" and z.inputs[1].data == 1.0 and z.data == 2.0


def test_create_graph_inside_no_grad_still_builds_the_derivative_graph():
    x = Value(1.5)
    f = x**3
    with no_grad():
        (df,) = grad(f, [x], create_graph=True)
    (d2f,) = grad(df, [x])
    assert d2f == pytest.approx(9.0)


def test_newton_step_uses_the_second_derivative():
    # One use of second derivatives: Newton's method on f(x) = x⁴ − 3x² + 2 from x = 2.
    x = 2.0
    for _ in range(30):
        v = Value(x)
        (d1,) = grad(v**4 - 3 * v**2 + 2, [v], create_graph=True)
        (d2,) = grad(d1, [v])
        x -= d1.data / d2
    assert x == pytest.approx(math.sqrt(1.5), rel=1e-12)  # f'(x) = 4x³ − 6x = 0
