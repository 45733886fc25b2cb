"""What the graph does, beyond single operations: accumulation over paths and over calls,
constants, grad(), no_grad (nested, per thread), detach, comparisons and identity,
detect_anomaly, million-node graphs and freeing by reference counting.

The expected numbers are closed forms worked out by hand in the comments.
"""

import contextlib
import gc
import math
import os
import sys
import threading
import types
from fractions import Fraction

import pytest

import autograd
from autograd import (
    Primitive,
    Value,
    detect_anomaly,
    dot,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    topological_order,
    vsum,
)
from autograd.backward import gradients


def line_below() -> int:
    """The line number just below the caller's line."""
    return sys._getframe(1).f_lineno + 1


# --- accumulation ------------------------------------------------------------------------------


def test_backward_twice_adds_exactly_twice_including_intermediates():
    x, w = Value(1.5, label="x"), Value(-0.5, label="w")
    h = (x * w).tanh()
    L = h * h + h * x
    # dL/dh = 2h + x; dh/d(xw) = 1 - h²; dL/dx = dL/dh·(1 - h²)·w + h; dL/dw = dL/dh·(1 - h²)·x
    t = math.tanh(-0.75)
    dh = 2 * t + 1.5
    expected = {L: 1.0, h: dh, x: dh * (1 - t * t) * -0.5 + t, w: dh * (1 - t * t) * 1.5}
    L.backward()
    once = {v: v.grad for v in expected}
    for v, e in expected.items():
        assert v.grad == pytest.approx(e, rel=1e-14)
    L.backward()  # micrograd would re-send the stale intermediate gradients here
    for v in expected:
        assert v.grad == 2 * once[v]
    L.backward()
    for v in expected:
        assert v.grad == pytest.approx(3 * once[v], rel=1e-15)


def test_backward_with_a_seed_scales_every_gradient():
    x = Value(3.0)
    y = x * x
    y.backward(grad=2.5)
    assert x.grad == 2.5 * 6.0 and y.grad == 2.5


def test_a_plus_a_and_x_times_x():
    a = Value(4.0)
    (a + a).backward()
    assert a.grad == 2.0
    x = Value(-3.0)
    (x * x).backward()
    assert x.grad == -6.0


def test_diamond_sums_over_both_paths():
    x = Value(2.0, label="x")
    a, b = x * 3, x + 5  # x → a, x → b, both → c
    c = a * b  # dc/dx = 3·b + a = 3·7 + 6
    c.backward()
    assert x.grad == 27.0 and a.grad == 7.0 and b.grad == 6.0


def test_many_paths_are_summed_without_enumerating_them():
    x = Value(1.0)
    y = x
    for _ in range(60):  # 2^60 paths from y to x through 60 nodes
        y = y + y
    y.backward()
    assert x.grad == 2.0**60


def test_intermediates_get_gradients_and_constants_get_none():
    x = Value(2.0, label="x")
    z = x * 3
    out = z + 2  # dout/dz = 1, dout/dx = 3
    out.backward()
    three, two = z.inputs[1], out.inputs[1]
    assert z.grad == 1.0 and x.grad == 3.0
    for c in (three, two):
        assert not c.requires_grad and c.grad == 0.0 and c.op == "" and c.inputs == ()
    (x * 3).backward()  # a second graph sharing the constant 3: still no gradient for it
    assert (x * 3).inputs[1].grad == 0.0


def test_a_leaf_made_with_requires_grad_false_gets_no_gradient():
    x, c = Value(2.0), Value(5.0, requires_grad=False)
    (x * c).backward()
    assert x.grad == 5.0 and c.grad == 0.0


def test_backward_of_a_leaf():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


# --- grad() and gradients() ----------------------------------------------------------------


def test_grad_touches_no_grad_and_gives_zero_for_unreached_inputs():
    x, y, unused = Value(2.0), Value(-1.0), Value(7.0)
    h = x * y
    out = h.exp() + x
    dx, dy, dh, du, dout = grad(out, [x, y, h, unused, out])
    e = math.exp(-2.0)
    assert (dx, dy, dh, du, dout) == (
        pytest.approx(e * -1 + 1),
        pytest.approx(e * 2),
        pytest.approx(e),
        0.0,
        1.0,
    )
    assert all(v.grad == 0.0 for v in (x, y, h, unused, out))
    assert grad(out, x) == (dx,)  # a single Value is accepted
    assert grad(out, [x, x]) == (dx, dx)


def test_gradients_returns_every_node_requiring_grad():
    x = Value(2.0)
    h = x * 3
    out = h + 1
    g = gradients(out, 1.0)
    assert set(g) == {out, h, x}  # leaves and intermediates, not the constants 3 and 1
    assert g[x] == 3.0 and g[h] == 1.0


# --- no_grad, enable_grad and threads ------------------------------------------------------


def test_no_grad_records_nothing():
    x = Value(2.0)
    with no_grad():
        assert not is_grad_enabled()
        for v in (
            x * 2,
            x + x,
            x**2,
            2 / x,
            -x,
            x.tanh(),
            x.exp(),
            abs(x),
            vsum([x, x]),
            dot([x], [x]),
        ):
            assert v.op == "" and v.inputs == () and not v.requires_grad
        y = x * 3
    assert is_grad_enabled() and y.data == 6.0
    with pytest.raises(RuntimeError, match="constant"):
        y.backward()


def test_no_grad_nests_and_enable_grad_reopens_recording():
    x = Value(1.0)
    with no_grad():
        with no_grad():
            assert (x * 2).op == ""
        assert (x * 2).op == ""  # still inside the outer block
        with enable_grad():
            assert is_grad_enabled() and (x * 2).op == "mul"
        assert (x * 2).op == ""
    assert (x * 2).op == "mul"


def test_no_grad_is_left_on_an_exception():
    with pytest.raises(KeyError), no_grad():
        raise KeyError
    assert is_grad_enabled() and (Value(1.0) * 2).op == "mul"


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    inside, recorded = threading.Event(), threading.Event()
    results = {}

    def in_no_grad():
        with no_grad():
            inside.set()
            recorded.wait(10)  # the other thread records while this one is in no_grad
            results["no_grad"] = Value(1.0) * 2
            results["no_grad enabled"] = is_grad_enabled()

    def recording():
        inside.wait(10)
        results["recording"] = Value(1.0) * 2
        results["recording enabled"] = is_grad_enabled()
        recorded.set()

    threads = [threading.Thread(target=in_no_grad), threading.Thread(target=recording)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results["recording"].op == "mul" and results["recording enabled"]
    assert results["no_grad"].op == "" and not results["no_grad enabled"]
    assert is_grad_enabled() and (Value(1.0) * 2).op == "mul"


# --- detach, comparisons, identity, repr, construction --------------------------------------


def test_detach_gives_a_leaf_with_the_same_data():
    x = Value(3.0, label="x")
    y = x * x
    d = y.detach()
    assert d is not y and d.data == 9.0 and d.op == "" and d.inputs == () and d.requires_grad
    (d * x).backward()  # no gradient flows through the detached copy: d(9x)/dx = 9
    assert x.grad == 9.0 and d.grad == 3.0 and y.grad == 0.0


def test_comparisons_look_at_data_on_either_side():
    a, b = Value(1.0), Value(2.0)
    assert a < b and a <= b and b > a and b >= a and a <= 1.0 and a >= 1
    assert 0.5 < a and 3 > b and 2 >= b and not (a > b)
    assert type(a < b) is bool and type(a < 5) is bool


def test_equality_and_hash_are_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and not (a == 1.0)
    assert len({a, b}) == 2 and {a: "a", b: "b"}[b] == "b"
    assert a in [a] and b not in [a]


def test_repr_shows_label_data_and_grad():
    x = Value(2.0, label="x")
    (x * 3).backward()
    r = repr(x)
    assert "x" in r and "2" in r and "grad=3" in r
    assert "label" not in repr(Value(1.5)) and "1.5" in repr(Value(1.5))


@pytest.mark.parametrize(
    "given, expected", [(True, 1.0), (False, 0.0), (3, 3.0), (-2.5, -2.5), (Fraction(1, 4), 0.25)]
)
def test_numbers_become_floats(given, expected):
    v = Value(given)
    assert type(v.data) is float and v.data == expected
    assert v.grad == 0.0 and v.op == "" and v.inputs == () and v.label == ""


def test_numbers_in_operations_become_float_constants():
    y = Value(2.0) * True + 3
    assert type(y.data) is float and y.data == 5.0
    assert all(type(c.data) is float for c in (y.inputs[1], y.inputs[0].inputs[1]))


@pytest.mark.parametrize(
    "make, op, n_inputs",
    [
        (lambda x, y: x + y, "add", 2),
        (lambda x, y: x * y, "mul", 2),
        (lambda x, y: x**y, "pow", 2),
        (lambda x, y: x**2, "pow", 2),
        (lambda x, y: x - y, "sub", 2),
        (lambda x, y: -x, "neg", 1),
        (lambda x, y: 2 - x, "sub", 2),
        (lambda x, y: 2 + x, "add", 2),
        (lambda x, y: 2 * x, "mul", 2),
        (lambda x, y: x / y, "div", 2),
        (lambda x, y: vsum([x, y, x]), "sum", 3),
        (lambda x, y: dot([x, y], [y, 1]), "linear", 5),
        (lambda x, y: x.exp(), "exp", 1),
        (lambda x, y: x.log(), "log", 1),
        (lambda x, y: x.sqrt(), "sqrt", 1),
        (lambda x, y: x.tanh(), "tanh", 1),
        (lambda x, y: x.sigmoid(), "sigmoid", 1),
        (lambda x, y: x.relu(), "relu", 1),
        (lambda x, y: x.leaky_relu(), "leaky_relu", 2),
        (lambda x, y: x.softplus(), "softplus", 1),
        (lambda x, y: abs(x), "abs", 1),
        (lambda x, y: x.sin(), "sin", 1),
        (lambda x, y: x.cos(), "cos", 1),
    ],
)
def test_each_operation_records_its_primitive(make, op, n_inputs):
    v = make(Value(1.5), Value(0.5))
    assert v.op == op and v.primitive.name == op and len(v.inputs) == n_inputs
    assert v.requires_grad and v.label == "" and v.grad == 0.0 and v.primitive.formula


def test_operations_keep_what_was_written():
    x, y = Value(1.5, label="x"), Value(0.5, label="y")
    d = x - y  # one sub node, not x + y·(−1)
    assert d.op == "sub" and d.inputs == (x, y) and (-x).inputs == (x,)
    for written in (2 + x, 2 * x, 2 - x):  # a number on the left stays on the left
        assert written.inputs[1] is x and written.inputs[0].data == 2.0
    q = 1 / y  # division is a primitive of its own, with the number as a constant
    assert q.op == "div" and q.inputs[1] is y and not q.inputs[0].requires_grad
    assert q.inputs[0].data == 1.0 and +x is x


def test_vsum_of_nothing_is_zero():
    assert vsum([]).data == 0.0


# --- topological order ---------------------------------------------------------------------


def test_topological_order_lists_operations_after_their_inputs_once():
    x, y = Value(1.0), Value(2.0)
    a = x * y
    b = a + x
    c = (a * b).tanh() + a
    order = topological_order(c)
    assert len(order) == len(set(order)) == 5  # a, b, a·b, tanh, c
    assert order[-1] is c and all(v.inputs for v in order)
    position = {v: i for i, v in enumerate(order)}
    for v in order:
        assert all(position[p] < position[v] for p in v.inputs if p.inputs)


def test_topological_order_of_a_leaf_is_empty():
    assert topological_order(Value(1.0)) == []


# --- detect_anomaly --------------------------------------------------------------------------

HERE = os.path.basename(__file__)


def test_anomaly_in_the_forward_pass_names_op_inputs_and_the_line():
    x = Value(0.0, label="x")
    with detect_anomaly(), pytest.raises(FloatingPointError) as error:
        line = line_below()
        x.log()
    message = str(error.value)
    assert "log" in message and "x=0.0" in message and "-inf" in message
    assert f"{HERE}:{line}" in message


def test_anomaly_names_labels_of_every_input():
    y = Value(0.0, label="y")
    with detect_anomaly(), pytest.raises(FloatingPointError) as error:
        Value(1.0, label="x") / y  # 1 / 0 = inf
    message = str(error.value)
    assert "div" in message and "x=1.0" in message and "y=0.0" in message and HERE in message


def test_anomaly_in_the_backward_pass_names_the_op():
    x = Value(0.0, label="x")
    with detect_anomaly():
        line = line_below()
        y = x.sqrt()  # sqrt(0) = 0 is fine; sqrt'(0) = inf is not
        with pytest.raises(FloatingPointError) as error:
            y.backward()
        with pytest.raises(FloatingPointError):
            grad(y, [x])
    message = str(error.value)
    assert "sqrt" in message and "inf" in message and "x=0.0" in message
    assert f"{HERE}:{line}" in message
    assert x.grad == 0.0  # nothing was accumulated


def test_anomaly_checks_the_backward_of_nodes_made_outside_it():
    x = Value(0.0, label="x")
    y = x.sqrt()
    with detect_anomaly(), pytest.raises(FloatingPointError, match="sqrt"):
        y.backward()


def test_no_anomaly_bookkeeping_or_error_outside():
    x = Value(0.0, label="x")
    y = x.log() + x.sqrt() + 1 / x
    y.backward()
    assert y.data == -math.inf or math.isnan(y.data)
    assert not any(hasattr(v, "_site") for v in topological_order(y))
    with detect_anomaly():
        z = x + 1
    assert hasattr(z, "_site") and HERE in z._site
    assert not hasattr(x + 1, "_site")


def test_anomaly_allows_finite_higher_order_with_a_negative_base():
    # x³ and 1/x at x < 0: the unused ∂/∂(exponent) = x^y·log x is nan and must not be built.
    x = Value(-2.0, label="x")
    with detect_anomaly():
        (d1,) = grad(x**3 + 1 / x, [x], create_graph=True)
        (d2,) = grad(d1, [x])
    assert d1.data == pytest.approx(12.0 - 0.25) and d2 == pytest.approx(-12.0 - 0.25)


def test_anomaly_site_is_user_code_even_in_a_directory_named_like_the_package():
    package = os.path.dirname(os.path.abspath(autograd.__file__))
    fake_file = package + "_examples" + os.sep + "demo.py"  # e.g. .../autograd_examples/

    def make_log(x):
        return x.log()

    user_function = types.FunctionType(make_log.__code__.replace(co_filename=fake_file), {})
    with detect_anomaly(), pytest.raises(FloatingPointError) as error:
        user_function(Value(0.0))
    assert fake_file in str(error.value)


# --- a million nodes deep or wide, under the default recursion limit -------------------------


@pytest.fixture
def default_recursion_limit():
    """Python's default recursion limit; and no cycle collector, which would only spend
    seconds scanning millions of live nodes (the graphs are freed by reference counting)."""
    previous = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    gc.disable()
    yield
    gc.enable()
    sys.setrecursionlimit(previous)


N = 1_000_000


def test_million_node_chain(default_recursion_limit):
    x = Value(1.0, label="x")
    y = x
    for _ in range(N // 2):  # two nodes per step: y = y·1.0001 + 0.001
        y = y * 1.0001 + 0.001
    y.backward()  # dy/dx = 1.0001^(N/2)
    assert x.grad == pytest.approx(1.0001 ** (N // 2), rel=1e-9)
    assert y.inputs[0].grad == 1.0 and y.inputs[0].inputs[0].grad == pytest.approx(1.0001)


def test_million_node_chain_of_unary_operations(default_recursion_limit):
    x = Value(0.5, label="x")
    y = x
    for _ in range(N):
        y = y.relu()  # the general (one-input) path of backward
    (g,) = grad(y, [x])
    assert g == 1.0 and y.data == 0.5


def test_million_term_sum_in_width_and_in_depth(default_recursion_limit):
    xs = [Value(i * 1e-6) for i in range(N)]
    wide = vsum(xs) * 2  # one node with a million inputs: each gradient 2
    wide.backward()
    assert all(x.grad == 2.0 for x in xs)
    deep = sum(xs)  # 0 + x0 + x1 + ...: a million additions in a row
    deep.backward()
    assert all(x.grad == 3.0 for x in xs)
    assert deep.data == pytest.approx(sum(i * 1e-6 for i in range(N)), rel=1e-12)


# --- a finished graph is freed by reference counting alone ----------------------------------


def _values_labelled(tag: str) -> list:
    return [o for o in gc.get_objects() if type(o) is Value and o.label.startswith(tag)]


@pytest.mark.parametrize("anomaly", [False, True])
def test_graph_is_freed_without_the_cycle_collector(anomaly):
    gc.collect()
    gc.disable()
    try:
        x = Value(1.5, label="freed:x")
        with detect_anomaly() if anomaly else contextlib.nullcontext():
            h = (x * x).tanh()
            h.label = "freed:h"
            y = h * x + h.exp()
            y.label = "freed:y"
            y.backward()
            (d1,) = grad(y, [x], create_graph=True)
            d1.label = "freed:d1"
            grad(d1, [x])
        assert len(_values_labelled("freed:")) == 4
        del x, h, y, d1
        assert _values_labelled("freed:") == []
    finally:
        gc.enable()


# --- the pass's running sums: re-entrancy, threads, failures ----------------------------------


def test_a_pass_inside_a_derivative_rule_works_on_its_own_graph():
    # A custom primitive whose derivative is itself computed by the engine: grad() runs inside
    # the outer backward pass, on a graph of its own.
    def cube_vjp(g, ans, x):
        inner = Value(x)
        (d,) = grad(inner * inner * inner, [inner])  # 3x², by a nested pass
        return (g * d,)

    cube = Primitive("cube", lambda x: x**3, cube_vjp)
    x = Value(2.0)
    y = cube(x) * 5.0
    y.backward()
    assert x.grad == 5.0 * 3 * 2.0**2


def test_a_nested_pass_over_the_outer_graph_is_refused_not_mixed():
    x = Value(2.0, label="x")

    def meddling_vjp(g, ans, a):
        grad(x * 3.0, [x])  # x belongs to the pass that is running
        return (g,)

    y = Primitive("meddle", lambda a: a, meddling_vjp)(x) * x
    with pytest.raises(RuntimeError, match="another backward pass"):
        y.backward()
    y2 = x * x  # nothing is left claimed: the next pass is right
    y2.backward()
    assert x.grad == 4.0


def test_a_pass_that_fails_midway_leaves_the_graph_usable():
    x = Value(0.0, label="x")
    y = x.sqrt() + x
    with detect_anomaly(), pytest.raises(FloatingPointError):
        y.backward()  # sqrt'(0) = inf
    x.grad = 0.0
    z = x * 3.0 + x
    z.backward()
    assert x.grad == 4.0


def test_threads_backpropagating_through_shared_parameters_get_every_gradient():
    w = Value(0.5, label="w")
    done = []

    def work(k):
        for i in range(200):
            xs = [Value(float(k + i + j)) for j in range(5)]
            loss = vsum([(w * x - 1.0) ** 2 for x in xs])
            loss.backward()
        done.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = sum(
        2 * (0.5 * float(k + i + j) - 1.0) * float(k + i + j)
        for k in range(4)
        for i in range(200)
        for j in range(5)
    )
    assert sorted(done) == [0, 1, 2, 3]
    assert w.grad == pytest.approx(expected, rel=1e-12)


def test_dropping_a_large_graph_leaves_the_cycle_collector_nothing_of_ours():
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)  # whatever the collector finds stays in gc.garbage
    try:
        xs = [Value(0.01 * i) for i in range(2000)]
        y = vsum([(x * x).tanh() * x + x.exp() / (1.0 + x * x) for x in xs])
        y.backward()
        first = grad(y, xs[:50], create_graph=True)
        second = grad(vsum(first), xs[:50])
        assert len(second) == 50
        del xs, y, first, second
        gc.collect()
        ours = [o for o in gc.garbage if isinstance(o, Value)]
        ours += [
            o for o in gc.garbage if isinstance(o, tuple) and any(isinstance(v, Value) for v in o)
        ]
        assert ours == []
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
