"""gradcheck at every magnitude: no false alarm on correct gradients from 1e-300 to 1e15,
wrong ones still caught there, and an honest "cannot be checked" where no finite difference
can be trusted.

The sweep runs over every primitive exported by ``autograd`` at run time, so primitives added
later are covered without editing this file.
"""

import math

import pytest

import autograd
from autograd import Primitive, Value, grad
from autograd.testing import GradcheckError, compare_derivatives, gradcheck, gradgradcheck

MAGNITUDES = (1e-300, 1e-150, 1e-8, 1.0, 1e8, 1e15)
OTHER_ARGUMENTS = (0.7, 1.3, -0.4)  # the arguments not being swept


def _arity(p: Primitive) -> int:
    """The largest of 1, 2, 3 arguments that the primitive's forward rule accepts."""
    accepted = 0
    for n in (1, 2, 3):
        try:
            p.forward(*OTHER_ARGUMENTS[:n])
        except (TypeError, ValueError):
            continue
        accepted = n
    assert accepted, f"{p.name}: takes none of 1, 2, 3 arguments"
    return accepted


PRIMITIVES = sorted(
    (p for p in vars(autograd).values() if isinstance(p, Primitive)), key=lambda p: p.name
)


def _points():
    for p in PRIMITIVES:
        n = _arity(p)
        for position in range(n):
            for magnitude in MAGNITUDES:
                for sign in (1.0, -1.0):
                    point = list(OTHER_ARGUMENTS[:n])
                    point[position] = sign * magnitude
                    yield pytest.param(p, point, id=f"{p.name}-arg{position}-{sign * magnitude:g}")


POINTS = list(_points())


def _derivatives(f, point, order):
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    if order == 1:
        return out.data, list(grad(out, leaves))
    first = grad(out, leaves, create_graph=True)
    return out.data, [h for g in first for h in grad(g, leaves)]


def _checkable(f, point, order) -> bool:
    """Finite, and smooth at the scale of the smallest step (two ulps of the inputs): the
    derivatives of order ``order`` move by less than half when an input moves by δ = 2 ulps
    (no kink there), and f moves by about 2δ·f' (no jump: floor at an integer)."""
    value, derivatives = _derivatives(f, point, order)
    if not math.isfinite(value) or not all(math.isfinite(d) for d in derivatives):
        return False
    _, slopes = _derivatives(f, point, 1)
    for i, x in enumerate(point):
        delta = 2 * math.ulp(x)
        moved_values = []
        for direction in (1, -1):
            moved = list(point)
            moved[i] = x + direction * delta
            moved_value, moved_derivatives = _derivatives(f, moved, order)
            if not math.isfinite(moved_value):
                return False
            moved_values.append(moved_value)
            for d, e in zip(derivatives, moved_derivatives):
                if not abs(d - e) <= 0.5 * max(abs(d), abs(e)) + 1e-300:
                    return False
        change = moved_values[0] - moved_values[1]
        expected = 2 * delta * slopes[i]
        rounding = 4 * math.ulp(max(abs(value), *map(abs, moved_values)))
        if not abs(change - expected) <= 0.5 * abs(expected) + rounding:
            return False
    return True


def _broken(p: Primitive, how: str) -> Primitive:
    """p with a deliberately wrong derivative rule."""
    if how == "flipped sign":
        return Primitive(p.name, p.forward, lambda g, ans, *xs: [-d for d in p.vjp(g, ans, *xs)])
    return Primitive(p.name, p.forward, lambda g, ans, *xs: [0.5 * d for d in p.vjp(g, ans, *xs)])


@pytest.mark.parametrize("p, point", POINTS)
def test_correct_gradients_pass_and_broken_ones_fail_at_every_magnitude(p, point):
    if not _checkable(p, point, 1):
        pytest.skip("not finite, or not smooth at the scale of the step")
    order = 2 if _checkable(p, point, 2) else 1
    near_zero = min(map(abs, point)) <= 1e-8
    for row in compare_derivatives(p, point, order=order):
        # Never blamed: a correct derivative passes, or, at a point so close to a kink or jump
        # at 0 (floor, sign, softsign's second derivative…) that every step large enough to
        # see f move crosses it, is reported as one no finite difference can check.
        assert not row.failure or (near_zero and not row.trusted), row
    if not near_zero:
        assert gradcheck(p, point)
        if order == 2:
            assert gradgradcheck(p, point)
    # A wrong derivative is caught wherever the numeric one is precise enough to tell: with
    # atol = 0, wherever its error estimate and rtol are well below |analytic|.
    rows = compare_derivatives(p, point, atol=0.0)
    judgeable = all(not r.failure for r in rows) and any(
        r.error_estimate + 1e-3 * abs(r.numeric) < 0.25 * abs(r.analytic) for r in rows
    )
    if not judgeable:
        return
    for how in ("flipped sign", "dropped factor"):
        broken = _broken(p, how)
        assert not gradcheck(broken, point, atol=0.0, raise_exception=False), how


@pytest.mark.parametrize("magnitude", MAGNITUDES)
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_x_times_detached_x_is_caught_at_every_magnitude(magnitude, sign):
    x = sign * magnitude
    if not math.isfinite(x * x) or x * x == 0:  # x² underflows at 1e-300
        pytest.skip("x² is not representable")
    assert gradcheck(lambda v: v * v, [x], atol=0.0)
    assert not gradcheck(lambda v: v * v.detach(), [x], atol=0.0, raise_exception=False)


# --- the false alarms of a fixed step ------------------------------------------------------


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda x: 3.0 * x, 1e12),  # x ± 1e-6 rounds back to x: the numeric slope was 0
        (lambda x: x * x, 1e9),  # numeric 1.92e9 for 2e9
        (lambda x: 3.0 * x, 1e10),  # numeric 7.63
        (lambda x: x.sin(), 1e8),  # 0.16% off
        (lambda x: x.exp(), 1e-300),  # a relative step would see exp(x ± h) == 1
        (lambda x: x.relu(), 1e-300),  # an absolute step would cross the kink
        (lambda x: (1 + x**2).log(), 1e-3),  # f = 1e-6, but computed from 1 + 1e-6
    ],
)
def test_no_false_alarms_where_a_fixed_step_raised_them(f, x):
    assert gradcheck(f, [Value(x, "x")])
    assert gradcheck(f, [Value(x, "x")], order=3)


def test_the_report_gives_the_error_estimate_and_the_step():
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda x: x * x.detach(), [Value(1e9, "x")])
    (row,) = caught.value.rows
    assert row.numeric == pytest.approx(2e9, rel=1e-9) and row.analytic == 1e9
    assert row.trusted and 0 <= row.error_estimate < 1e-3 * 2e9 and row.step > 0
    header, line = str(caught.value).splitlines()[1:3]
    assert "error est." in header and "step" in header
    assert f"{row.step:.3g}" in line and f"{row.error_estimate:.3g}" in line


# --- where no finite difference can be trusted, it says so -------------------------------------


def test_overflow_within_the_step_is_reported_as_untrusted_not_as_a_wrong_derivative():
    # exp is finite at 709.7 but overflows at 709.79: every step that reaches it is useless;
    # with a fixed step of 1 nothing finite remains.
    with pytest.raises(GradcheckError, match="no finite difference can be trusted") as caught:
        gradcheck(lambda x: x.exp(), [709.0], eps=1.0)
    assert not caught.value.rows[0].trusted
    assert "not finite" in caught.value.rows[0].failure


# --- periods and stairs: no step beyond the distance over which f is smooth ---------------

BROKEN_SIN = Primitive("sin", math.sin, lambda g, ans, x: (-g * autograd.cos(x),))  # sign flipped


@pytest.mark.parametrize(
    "f, x",
    [
        # Found by the magnitude property: f's rounding (ε·1e11) called for steps of 8 and
        # up, where sin aliases and the quotients agree on a slope near 1.
        (lambda x: x + 2 - x.sin(), 1e11),
        (lambda x: x - x.sin(), 1e10),
        (lambda x: (x + 2).sin(), 1e15),
        (lambda x: x.floor(), 3162277660.1683793),  # steps above its stair see slope 1
        (lambda x: x.floor() * x, 3e9 + 0.25),
        (lambda x: x.round() + x.cos(), 2.5e9 + 0.125),
        (lambda x: (x * 1e9) % 3.0, 0.1),
        # softmax of logits at 1e11: rounding called for steps of 8 and up, over which the
        # softmax saturates and the quotients agreed on a slope near 0
        (lambda x: autograd.log_softmax([x, Value(2.0), Value(1e11)])[0].exp(), 1e11),
        (lambda x: (x - 1e11).tanh() * x, 1e11 + 0.5),
    ],
)
def test_a_sine_or_staircase_of_a_huge_argument_is_checked_not_blamed(f, x):
    # The closed-form derivatives pass, to order 3...
    assert gradcheck(f, [x], order=3)


@pytest.mark.parametrize("x", [1e9, 1e10, 1e11])
def test_a_wrong_sine_rule_beside_a_huge_term_is_still_caught(x):
    assert gradcheck(lambda v: v + 2 - v.sin(), [x])
    rows = compare_derivatives(lambda v: v + 2 - BROKEN_SIN(v), [x])
    # 1 + cos x against 1 − cos x: told apart wherever cos x is not tiny
    assert abs(math.cos(x)) > 0.2
    assert rows[0].failure and rows[0].trusted, rows[0]


def test_a_step_wider_than_the_stair_is_never_taken():
    # floor at an integer jumps: no step fits, and the report says which operation and why.
    with pytest.raises(
        GradcheckError,
        match=r"smooth only within 0 .*floor\(3e\+09\) is smooth within 0 of its argument",
    ) as caught:
        gradcheck(lambda x: x.floor() + x, [3e9])
    assert not caught.value.rows[0].trusted
    # beside the stair, the largest step stays on it (floor(x)·x has slope floor(x) + x)
    rows = compare_derivatives(lambda x: x.floor() * x, [3e9 + 0.25])
    assert rows[0].step <= 0.25 / 8 and not rows[0].failure


def test_an_exact_operation_adds_no_rounding_so_a_step_below_the_stair_is_tried():
    # floor's result is exact: with its rounding counted as ε·3e9 the search could only
    # begin at steps above the stair of 1.
    rows = compare_derivatives(lambda x: x.floor(), [3162277660.1683793])
    assert rows[0].numeric == 0.0 and rows[0].error_estimate == 0.0


@pytest.mark.parametrize(
    "f, point",
    [(lambda x: x * 1e-10, [1e-300]), (lambda a, b: a / (1 + b**2), [2.2e-311, 2.0])],
)
def test_a_subnormal_result_is_as_rounded_as_the_smallest_subnormal(f, point):
    # x0 / (1 + x1²) at x0 = 2.2e-311 keeps a dozen bits; counted as ε·|result| its rounding
    # was so small that steps of 1e-316 were trusted, and their quotients are 0.
    assert gradcheck(f, point, atol=0.0, order=2)


def test_a_jump_is_reported_as_untrusted():
    step = Primitive("step", lambda x: 1.0 if x > 0 else 0.0, lambda g, ans, x: (0.0 * g,))
    with pytest.raises(GradcheckError, match="do not settle") as caught:
        gradcheck(step, [0.0])
    assert not caught.value.rows[0].trusted


def test_an_analytic_nan_fails():
    nan_rule = Primitive("nan_sin", math.sin, lambda g, ans, x: (g * math.nan,))
    with pytest.raises(GradcheckError, match="analytic is nan"):
        gradcheck(nan_rule, [0.5])


# --- order ----------------------------------------------------------------------------------


def test_order_three_checks_every_third_derivative():
    f = lambda x, y: (x * y).sin() + x**3 * y
    assert gradcheck(f, [0.3, -0.8], order=3)
    # x³ whose rule uses x once as a constant: right to first order only
    cube = Primitive("cube", lambda x: x**3, lambda g, ans, x: (g * 3.0 * x * Value(float(x)),))
    assert gradcheck(cube, [0.9])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(cube, [0.9], order=3)
    assert [r.name for r in caught.value.rows if r.failure] == ["0, 0", "0, 0, 0"]


@pytest.mark.parametrize("order", [0, 4, 1.5, True])
def test_order_must_be_one_two_or_three(order):
    with pytest.raises(ValueError, match="order must be 1, 2 or 3"):
        gradcheck(lambda x: x, [1.0], order=order)


def test_gradgradcheck_is_order_two():
    rows = []
    for check in (lambda f, p: gradgradcheck(f, p), lambda f, p: gradcheck(f, p, order=2)):
        with pytest.raises(GradcheckError) as caught:
            check(lambda x: x * x.detach() * x, [Value(0.6, "x")])
        rows.append([(r.name, r.failure != "") for r in caught.value.rows])
    assert rows[0] == rows[1] == [("0 (x)", True), ("0 (x), 0 (x)", True)]


# --- what the graph cannot see: a user's Primitive, derivatives near the largest float -----

SIN_1000 = Primitive(
    "sin_1000x",
    lambda x: math.sin(1000 * x),
    lambda g, ans, x: (g * 1000 * autograd.cos(1000 * x),),
)
NAIVE_LOG1P = Primitive("log1p_naive", lambda x: math.log(1 + x), lambda g, ans, x: (g / (1 + x),))
SHIFTED = Primitive("shifted", lambda x: (x + 1e8) - 1e8, lambda g, ans, x: (g,))


@pytest.mark.parametrize(
    "p, x",
    # Each rounds inside one operation (1000·x, 1 + x, x + 1e8), so its error is far above
    # ε·|result|, the graph's estimate: steps of a few ulps gave 715 for 698.6, 0 for 1, 0
    # for 1. The measured noise (ECNoise) sets the steps instead.
    [
        (SIN_1000, 10.5),
        (SIN_1000, 1e6 + 0.5),
        (NAIVE_LOG1P, 1e-8),
        (NAIVE_LOG1P, 1e-10),  # its stairs (2.2e-16) are a million times its ulp
        (SHIFTED, 0.5),
    ],
)
def test_a_primitive_that_rounds_inside_is_checked_by_its_measured_noise(p, x):
    assert gradcheck(p, [x])
    wrong = Primitive(p.name, p.forward, lambda g, ans, x: [1.01 * d for d in p.vjp(g, ans, x)])
    rows = compare_derivatives(wrong, [x])
    assert rows[0].failure and rows[0].trusted, rows[0]


@pytest.mark.parametrize(
    "f, x",
    [
        (lambda x: x * 3e306, 1.0),
        (lambda x: x.exp(), 709.78),
        (lambda x: x.cosh(), 710.0),
        (lambda x: 1 / x, 1.5e-154),  # f' = −4.4e307
    ],
)
def test_a_derivative_near_the_largest_float_is_checked(f, x):
    # (64·d₀ − 20·d₁ + d₂) / 45 overflowed to inf − inf = nan, reported as a wrong derivative
    assert gradcheck(f, [x])


def test_a_primitive_that_raises_at_a_probe_point_ends_the_steps_there():
    # math.exp overflows (OverflowError) a step above 709.78: as an inf would, not a traceback
    exp = Primitive("exp_math", math.exp, lambda g, ans, x: (g * ans,))
    assert gradcheck(exp, [709.0])


# --- a large term elsewhere in f -----------------------------------------------------------


@pytest.mark.parametrize("y", [1e6, 1e8, 1e9])
def test_a_wrong_derivative_beside_a_huge_term_is_caught_and_a_right_one_passes(y):
    # The term y² rounds f by ε·y²: steps of |x| / 4 at most could not see ∂f/∂x, whose
    # untrusted estimate (error ±244 at y = 1e8) then let x·x.detach() pass. Every operation
    # being the engine's, the steps may grow as far as f's rounding needs.
    assert gradcheck(lambda x, y: x * x + y**2, [3.0, y])
    rows = compare_derivatives(lambda x, y: x * x.detach() + y**2, [3.0, y])
    assert rows[0].failure and (rows[0].trusted or y > 1e8), rows[0]  # never passed


def test_an_estimate_that_cannot_be_trusted_widens_no_tolerance():
    # Beside an unknown Primitive (a pole may lie anywhere), steps stay below |x| / 4, too
    # small to see through the rounding of 1e17: the wrong rule is reported as one that
    # cannot be checked, never passed on its error estimate.
    identity = Primitive("opaque", lambda x: x, lambda g, ans, x: (5 * g,))
    rows = compare_derivatives(lambda x: identity(x) + 1e17, [3.0])
    assert rows[0].failure and not rows[0].trusted, rows[0]


@pytest.mark.parametrize("x", [58955338847594.09, 1e15])
def test_a_coarsely_sampled_sine_is_not_taken_for_noise(x):
    # A user's sin at 1e15: six ulps are 0.75 rad, where a sine's differences fall with their
    # order; counted as noise they set steps of 5e5, which alias into a slope of 1.6e-7 (and
    # a rule giving 0 passed).
    sine = Primitive("my_sin", math.sin, lambda g, ans, x: (g * autograd.cos(x),))
    assert gradcheck(sine, [x])
    flat = Primitive("my_sin", math.sin, lambda g, ans, x: (0.0 * g,))
    assert compare_derivatives(flat, [x])[0].failure


@pytest.mark.parametrize("x", [1e-300, 1e-200])
def test_a_function_that_underflows_at_every_step_cannot_be_checked(x):
    # x·x is 0 at and around 1e-300: with atol = 0 no finite difference can tell 2e-300 from
    # 0. Each value's own rounding (not only the noise at x) bounds the quotients.
    rows = compare_derivatives(lambda v: v * v, [x], atol=0.0)
    assert rows[0].failure and not rows[0].trusted, rows[0]
