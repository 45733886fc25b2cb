"""Tests of gradcheck and gradgradcheck themselves: they pass on correct derivatives, fail on
wrong ones (custom primitives with broken rules), and say clearly what is wrong."""

import math

import pytest

import autograd
from autograd import Primitive, Value
from autograd.testing import GradcheckError, gradcheck, gradgradcheck


def _data(x):
    return x.data if isinstance(x, Value) else x


# sin with a derivative twice too large: the engine records it like any primitive.
sin_twice_too_steep = Primitive("bad_sin", math.sin, lambda g, ans, x: (g * 2.0 * autograd.cos(x),))

# sin whose rule reads the float inside x: right to first order, but under create_graph the
# derivative is cut off from the graph, so every second derivative through it is 0.
sin_cut_graph = Primitive("sin_cut", math.sin, lambda g, ans, x: (g * math.cos(_data(x)),))

# x³ with a derivative off by a relative 1e-4.
cube_slightly_off = Primitive(
    "cube", lambda x: x**3, lambda g, ans, x: (g * 3.0 * (1.0 + 1e-4) * x * x,)
)


# --- correct derivatives pass ----------------------------------------------------------------


@pytest.mark.parametrize(
    "f, point",
    [
        (lambda x: x * x * x, [1.7]),
        (lambda x, y: (x * y).tanh() + (1 + x**2).log(), [0.3, -1.2]),
        (lambda x, y, z: autograd.dot([x, y], [z, x], y) / (1 + z**2), [0.5, 2.0, -0.7]),
        (lambda x, y: x**y, [1.5, 2.5]),
        (lambda x: x.sigmoid() * x.softplus() - x.sin() * x.cos(), [-0.8]),
    ],
)
def test_both_checks_pass_on_correct_derivatives(f, point):
    assert gradcheck(f, point) is True
    assert gradgradcheck(f, point) is True


def test_a_single_number_or_value_is_one_input():
    assert gradcheck(lambda x: x.exp(), 0.25)
    assert gradcheck(lambda x: x.exp(), Value(0.25, "x"))


def test_a_function_returning_a_plain_number_has_zero_gradients():
    assert gradcheck(lambda x, y: 3.0, [1.0, 2.0])
    assert gradgradcheck(lambda x, y: 3.0, [1.0, 2.0])


def test_inputs_given_as_values_keep_their_grad_untouched():
    x = Value(0.5, "x")
    gradcheck(lambda x: x.tanh(), [x])
    gradgradcheck(lambda x: x.tanh(), [x])
    assert x.grad == 0.0


# --- wrong derivatives fail, and the report names the input ------------------------------------


def test_gradcheck_fails_on_a_broken_derivative_and_names_the_input():
    f = lambda x, y: sin_twice_too_steep(x) * y
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f, [Value(0.5, "x"), Value(2.0, "y")])
    message = str(caught.value)
    x_row, y_row = caught.value.rows
    # ∂f/∂x = y·cos x, the broken rule says 2·y·cos x; ∂f/∂y = sin x is right.
    assert x_row.analytic == pytest.approx(2 * 2.0 * math.cos(0.5), rel=1e-12)
    assert x_row.numeric == pytest.approx(2.0 * math.cos(0.5), rel=1e-6)
    assert x_row.failure and not y_row.failure
    assert y_row.analytic == pytest.approx(math.sin(0.5), rel=1e-12)
    x_line = next(line for line in message.splitlines() if "(x)" in line)
    assert "FAIL" in x_line and f"{x_row.analytic:.10g}" in x_line
    assert "atol" in x_line and "rtol" in x_line
    y_line = next(line for line in message.splitlines() if "(y)" in line)
    assert "ok" in y_line and "FAIL" not in y_line
    assert "1 of 2" in message


def test_without_labels_the_report_names_the_position():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda a, b: a + sin_twice_too_steep(b), [0.1, 0.2])
    assert [row.name for row in caught.value.rows] == ["0", "1"]
    assert not caught.value.rows[0].failure and caught.value.rows[1].failure


def test_raise_exception_false_returns_false():
    assert gradcheck(sin_twice_too_steep, [0.3], raise_exception=False) is False
    assert gradgradcheck(sin_cut_graph, [0.3], raise_exception=False) is False


def test_gradgradcheck_catches_a_rule_that_cuts_the_graph():
    assert gradcheck(sin_cut_graph, [Value(0.7, "t")])  # first order is right
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(sin_cut_graph, [Value(0.7, "t")])
    first, row = caught.value.rows  # ∂f/∂t is right, ∂²f/∂t² is not
    assert not first.failure and row.failure
    assert row.analytic == 0.0  # the cut graph has no second derivative
    assert row.numeric == pytest.approx(-math.sin(0.7), rel=1e-4)
    assert "0 (t), 0 (t)" in str(caught.value)


def test_gradgradcheck_reports_every_pair_of_inputs():
    f = lambda x, y: sin_cut_graph(x) * y  # ∂²f/∂x² is wrong, the mixed ones are right
    with pytest.raises(GradcheckError) as caught:
        gradgradcheck(f, [Value(0.4, "x"), Value(1.5, "y")])
    rows = {row.name: row for row in caught.value.rows}
    pairs = {"0 (x), 0 (x)", "1 (y), 0 (x)", "0 (x), 1 (y)", "1 (y), 1 (y)"}
    assert set(rows) == {"0 (x)", "1 (y)"} | pairs  # order 2 checks the first order too
    assert rows["0 (x), 0 (x)"].failure
    assert [name for name, row in rows.items() if row.failure] == ["0 (x), 0 (x)"]
    assert rows["0 (x), 1 (y)"].analytic == pytest.approx(math.cos(0.4), rel=1e-12)


def test_the_tolerances_decide():
    # The derivative is off by a relative 1e-4: inside rtol=1e-3, outside rtol=1e-5.
    assert gradcheck(cube_slightly_off, [2.0], rtol=1e-3)
    assert not gradcheck(cube_slightly_off, [2.0], rtol=1e-5, raise_exception=False)
    # atol alone covers the error of 12·1e-4 = 1.2e-3 when it is larger.
    assert gradcheck(cube_slightly_off, [2.0], atol=2e-3, rtol=0.0)


def test_at_the_kink_of_abs_first_order_passes_and_second_order_fails():
    # |x| at 0: abs'(0) = 0 and the central difference is 0 by symmetry, but the first
    # derivative jumps from -1 to 1: its difference quotients 2 / 2h never settle, and the
    # report says that no finite difference can be trusted, not that the rule is wrong.
    assert gradcheck(abs, [0.0])
    with pytest.raises(GradcheckError, match="no finite difference can be trusted") as caught:
        gradgradcheck(abs, [0.0], eps=1e-6)
    (first, second) = caught.value.rows
    assert not first.failure and not second.trusted
    assert "do not settle" in second.failure


def test_a_kink_fails_where_the_one_sided_slopes_differ():
    # relu'(0) is 0 by convention; the central difference sees (0 + eps)/2eps = 1/2.
    with pytest.raises(GradcheckError, match="kink") as caught:
        gradcheck(lambda x: x.relu(), [0.0])
    assert caught.value.rows[0].numeric == pytest.approx(0.5)
    assert not caught.value.rows[0].trusted


def test_a_point_at_the_edge_of_the_domain_fails_with_a_reason():
    # sqrt at 0: the value is finite but sqrt(-eps) is nan and the derivative infinite.
    assert not gradcheck(lambda x: x.sqrt(), [0.0], raise_exception=False)
    with pytest.raises(GradcheckError, match="no finite difference can be trusted: f is not"):
        gradcheck(lambda x: x.sqrt(), [0.0])


# --- bad arguments get clear errors ------------------------------------------------------------


@pytest.mark.parametrize("check", [gradcheck, gradgradcheck])
def test_bad_arguments_are_rejected_clearly(check):
    f = lambda x: x * x
    with pytest.raises(TypeError, match="callable"):
        check("x * x", [1.0])
    with pytest.raises(TypeError, match="must return a scalar Value or a number, got str"):
        check(lambda x: "oops", [1.0])
    with pytest.raises(TypeError, match="got list"):
        check(lambda x: [x], [1.0])
    with pytest.raises(ValueError, match="inputs is empty"):
        check(f, [])
    with pytest.raises(TypeError, match="input 1 must be a real number"):
        check(f, [1.0, "2"])
    with pytest.raises(TypeError, match="inputs must be a sequence"):
        check(f, "1.0")
    with pytest.raises(ValueError, match="input 0 is nan"):
        check(f, [math.nan])
    with pytest.raises(ValueError, match="eps must be > 0"):
        check(f, [1.0], eps=0.0)
    with pytest.raises(ValueError, match="eps must be > 0"):
        check(f, [1.0], eps=-1e-6)
    with pytest.raises(ValueError, match="atol and rtol must be >= 0"):
        check(f, [1.0], atol=-1.0)
    with pytest.raises(ValueError, match=r"f is -inf at 0 \(x\)=0.0"):
        check(lambda x: x.log(), [Value(0.0, "x")])


def test_gradcheck_error_is_an_assertion_error():
    # so that inside a test it reads as a failed check, not as a crash
    assert issubclass(GradcheckError, AssertionError)


def test_a_function_that_itself_differentiates_is_checked_too():
    # f(x) = d/dx x³ = 3x², computed by grad() inside f: gradcheck compares its derivative,
    # 6x, with finite differences of f, which must therefore record graphs as usual.
    from autograd import grad

    assert gradcheck(lambda x: grad(x**3, [x], create_graph=True)[0], [2.0])

    def penalty(w):  # a gradient penalty: (∂(w²·3)/∂w)² = (6w)²
        (d,) = grad(w * w * 3.0, [w], create_graph=True)
        return d * d

    assert gradcheck(penalty, [0.7])


def test_the_table_tells_a_wrong_derivative_from_one_that_cannot_be_checked():
    with pytest.raises(GradcheckError) as wrong:
        gradcheck(lambda x: x * x.detach(), [3.0])
    assert "FAIL: abs error" in str(wrong.value) and "CANNOT CHECK" not in str(wrong.value)
    with pytest.raises(GradcheckError) as unknowable:
        gradcheck(lambda x: x.floor() + x, [3e9])  # on a stair
    assert "CANNOT CHECK: no finite difference can be trusted" in str(unknowable.value)
    assert "FAIL" not in str(unknowable.value).splitlines()[-1]
