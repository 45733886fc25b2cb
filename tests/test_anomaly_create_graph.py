"""detect_anomaly under grad(..., create_graph=True) names the primitive whose backward pass
gave the non-finite gradient, its labelled inputs and the line that created its node — the
same report as a first-order backward() — not an internal operation of the rule."""

import re

import pytest

from autograd import Value, detect_anomaly, grad

HERE = __file__


def _line_of(marker: str) -> int:
    with open(HERE, encoding="utf-8") as file:
        lines = file.read().splitlines()
    return next(i + 1 for i, line in enumerate(lines) if marker in line and "_line_of" not in line)


def _sqrt_at_zero():
    s = Value(0.0, "s")
    return s, s.sqrt() * 2  # creates: sqrt


def _log_near_zero():
    t = Value(1e-320, "t")  # log is finite (-736.8), its derivative 1/t overflows
    return t, t.log() * 3  # creates: log near 0


def _div_by_a_tiny_number():
    a, b = Value(1.0, "a"), Value(1e-200, "b")  # a / b = 1e200, ∂/∂b = -1e400
    return b, a / b  # creates: div


def _pow_at_zero():
    x = Value(0.0, "x")
    return x, x**0.5  # creates: pow


CASES = [
    ("sqrt", _sqrt_at_zero, "creates: sqrt", "s", "inf"),
    ("log", _log_near_zero, "creates: log near 0", "t", "inf"),
    ("div", _div_by_a_tiny_number, "creates: div", "b", "-inf"),
    ("pow", _pow_at_zero, "creates: pow", "x", "inf"),
]


@pytest.mark.parametrize("name, build, marker, label, value", CASES, ids=[c[0] for c in CASES])
def test_create_graph_reports_the_primitive_its_input_and_where_it_was_made(
    name, build, marker, label, value
):
    with detect_anomaly():
        x, y = build()
        with pytest.raises(FloatingPointError) as under_create_graph:
            grad(y, [x], create_graph=True)
        with pytest.raises(FloatingPointError) as first_order:
            y.backward()
    message = str(under_create_graph.value)
    site = f"{HERE}:{_line_of(marker)}"
    assert message.startswith(
        f"detect_anomaly: the backward pass of {name} gave the gradient {value} for its input "
        f"{label}; inputs "
    ), message
    assert f"{label}={x.data!r}" in message
    assert message.endswith(f"the node was created at {site}"), message
    # the same helpful report as the first-order pass
    assert message == str(first_order.value)
    assert x.grad == 0.0 and x._partial is None and y._partial is None  # nothing left claimed


def test_a_rule_that_is_finite_is_not_reported_under_create_graph():
    # sqrt's rule divides by 2·√s: fine away from 0, and its second derivative too.
    with detect_anomaly():
        s = Value(4.0, "s")
        (d,) = grad(s.sqrt(), [s], create_graph=True)
        (dd,) = grad(d, [s])
    assert d.data == 0.25 and dd == pytest.approx(-1 / 32)


def test_a_non_finite_forward_value_is_still_reported_where_the_user_made_it():
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"log produced -inf") as caught:
        Value(0.0, "t").log()  # made here
    assert re.search(rf"{re.escape(HERE)}:{_line_of('# made here')}$", str(caught.value))


def test_the_second_derivative_pass_reports_the_primitive_too():
    # d/ds √s = 1/(2√s) is finite at s = 1e-320 (5e159); its derivative -1/(4 s^1.5) is not.
    with detect_anomaly():
        s = Value(1e-320, "s")
        (d,) = grad(s.sqrt(), [s], create_graph=True)
        with pytest.raises(FloatingPointError, match=r"the backward pass of \w+ gave the gradient"):
            grad(d, [s])
