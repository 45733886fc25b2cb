"""Bad input: every TypeError, ValueError and RuntimeError the engine's API raises, with a
message that names what was wrong (the type received, the operation, the argument)."""

import re
from decimal import Decimal

import pytest

import autograd
from autograd import Primitive, Value, backward, dot, grad, no_grad, vsum
from autograd import primitives as P


def raises(error, pattern, call):
    """``call()`` raises ``error`` whose message contains the regex ``pattern``."""
    with pytest.raises(error, match=pattern) as info:
        call()
    return str(info.value)


# --- Value(...) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, type_name",
    [
        ("a", "str"),
        (None, "NoneType"),
        (1j, "complex"),
        ([1], "list"),
        ((1.0,), "tuple"),
        (Decimal("1.5"), "Decimal"),
        (object(), "object"),
    ],
)
def test_value_of_a_non_number_names_the_type(data, type_name):
    message = raises(TypeError, r"Value\(data\)", lambda: Value(data))
    assert f"got {type_name}" in message and "real number" in message


def test_value_of_a_value_suggests_detach():
    message = raises(TypeError, r"Value\(data\)", lambda: Value(Value(1.0)))
    assert "got Value" in message and ".detach()" in message


@pytest.mark.parametrize("label, type_name", [(3, "int"), (None, "NoneType"), (b"x", "bytes")])
def test_label_must_be_a_str(label, type_name):
    raises(
        TypeError,
        rf"Value\(label\): label must be a str, got {type_name}",
        lambda: Value(1.0, label),
    )


# --- operators with something that is not a number -----------------------------------------

x = Value(2.0, label="x")


@pytest.mark.parametrize(
    "expression, pattern",
    [
        (lambda: x + "a", r"unsupported operand type\(s\) for \+: 'Value' and 'str'"),
        (lambda: "a" + x, r'can only concatenate str \(not "Value"\) to str'),  # str's own
        (lambda: x + None, r"for \+: 'Value' and 'NoneType'"),
        (lambda: None + x, r"for \+: 'NoneType' and 'Value'"),
        (lambda: x + 1j, r"for \+: 'Value' and 'complex'"),
        (lambda: x - "a", r"for -: 'Value' and 'str'"),
        (lambda: "a" - x, r"for -: 'str' and 'Value'"),
        (lambda: None - x, r"for -: 'NoneType' and 'Value'"),
        (lambda: x * "a", r"can't multiply sequence by non-int of type 'Value'"),
        (lambda: "a" * x, r"can't multiply sequence by non-int of type 'Value'"),
        (lambda: x * None, r"for \*: 'Value' and 'NoneType'"),
        (lambda: None * x, r"for \*: 'NoneType' and 'Value'"),
        (lambda: x / "a", r"for /: 'Value' and 'str'"),
        (lambda: "a" / x, r"for /: 'str' and 'Value'"),
        (lambda: [1] / x, r"for /: 'list' and 'Value'"),
        (lambda: x ** "a", r"for \*\* or pow\(\): 'Value' and 'str'"),
        (lambda: "a" ** x, r"for \*\* or pow\(\): 'str' and 'Value'"),
        (lambda: x**None, r"for \*\* or pow\(\): 'Value' and 'NoneType'"),
        (lambda: x**1j, r"for \*\* or pow\(\): 'Value' and 'complex'"),
    ],
)
def test_operator_with_a_non_number_names_the_operator_and_types(expression, pattern):
    raises(TypeError, pattern, expression)


@pytest.mark.parametrize(
    "compare",
    [
        lambda: x < "a",
        lambda: x <= None,
        lambda: x > [1],
        lambda: x >= "a",
        lambda: "a" < x,
        lambda: None >= x,
    ],
)
def test_comparison_with_a_non_number(compare):
    raises(TypeError, r"cannot compare Value with (str|NoneType|list)", compare)


# --- primitives and the n-ary helpers ---------------------------------------------------------


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: autograd.exp("a"), r"exp: argument 0 must be a Value or a real number, got str"),
        (lambda: autograd.exp(None), r"exp: argument 0 .* got NoneType"),
        (
            lambda: autograd.log(
                x.sin,
            ),
            r"log: argument 0 .* got method",
        ),
        (
            lambda: autograd.add(x, "a"),
            r"add: argument 1 must be a Value or a real number, got str",
        ),
        (lambda: autograd.pow_(2.0, "a"), r"pow: argument 1 .* got str"),
        (lambda: x.leaky_relu("a"), r"leaky_relu: argument 1 .* got str"),
        (lambda: vsum([x, "a"]), r"sum: argument 1 .* got str \('a'\)"),
        (lambda: dot(["a"], [x]), r"linear: argument 0 .* got str"),
        (lambda: dot([x], [1.0], bias="b"), r"linear: argument 2 .* got str"),
    ],
)
def test_primitive_with_a_non_number_names_op_and_argument(call, pattern):
    raises(TypeError, pattern, call)


def _fixed_arity(p: Primitive) -> int:
    binary = ("atan2", "hypot", "fmod", "remainder", "maximum", "minimum", "elu")
    arities = {
        "add": 2,
        "mul": 2,
        "sub": 2,
        "div": 2,
        "pow": 2,
        "leaky_relu": 2,
        "clamp": 3,
        "hardtanh": 3,
        "binary_cross_entropy_with_logits": 2,
    }
    return 2 if p.name in binary else arities.get(p.name, 1)


FIXED = [
    p
    for p in vars(P).values()
    if isinstance(p, Primitive)
    and p.name not in ("sum", "linear", "amax", "amin", "logsumexp", "log_softmax")
]


@pytest.mark.parametrize("primitive", FIXED, ids=lambda p: p.name)
@pytest.mark.parametrize("on", ["floats", "Values"])
def test_primitive_with_the_wrong_number_of_arguments_names_itself(primitive, on):
    arguments = [Value(1.0) if on == "Values" else 1.0] * (_fixed_arity(primitive) + 1)
    message = raises(TypeError, "argument", lambda: primitive(*arguments))
    assert primitive.name in message


def test_linear_needs_an_odd_number_of_arguments():
    raises(TypeError, r"linear: .*odd number of arguments.*got 2", lambda: P.linear(1.0, 2.0))
    raises(TypeError, r"linear: .*got 4", lambda: P.linear(x, x, x, x))


def test_dot_with_mismatched_lengths():
    raises(ValueError, r"dot: 2 weights but 3 inputs", lambda: dot([x, x], [1, 2, 3]))


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: vsum(5), r"vsum\(values\): expected an iterable of Values or numbers, got int"),
        (lambda: dot(5, [x]), r"dot\(weights\): expected an iterable .* got int"),
        (lambda: dot([x], None), r"dot\(xs\): expected an iterable .* got NoneType"),
    ],
)
def test_vsum_and_dot_with_a_non_iterable(call, pattern):
    raises(TypeError, pattern, call)


# --- backward and grad ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "seed, type_name", [("x", "str"), (None, "NoneType"), (Value(1.0), "Value"), (1j, "complex")]
)
def test_backward_seed_must_be_a_real_number(seed, type_name):
    y = x * 3
    raises(
        TypeError,
        rf"backward\(grad\): the seed gradient must be a real number, "
        rf"got {type_name}",
        lambda: y.backward(grad=seed),
    )
    assert x.grad == 0.0 and y.grad == 0.0  # nothing accumulated before the error


def test_backward_of_a_constant_is_a_runtime_error():
    raises(
        RuntimeError,
        r"backward: this Value is a constant",
        lambda: Value(1.0, requires_grad=False).backward(),
    )
    with no_grad():
        y = x * 3
    raises(RuntimeError, r"constant .*no_grad", y.backward)
    raises(RuntimeError, r"constant", (x * 2).inputs[1].backward)  # the shared constant 2


def test_backward_function_needs_a_value():
    raises(TypeError, r"backward: expected a Value, got float", lambda: backward(1.0))


@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: grad("1.0", [x]), r"grad\(output\): expected a Value or a number, got str"),
        (lambda: grad(x * x, [x, "a"]), r"grad\(inputs\): input 1 must be a Value, got str"),
        (lambda: grad(x * x, [2.0]), r"grad\(inputs\): input 0 must be a Value, got float"),
        (
            lambda: grad(x * x, 5),
            r"grad\(inputs\): expected a Value or an iterable of Values, got int",
        ),
        (lambda: grad(x * x, None), r"grad\(inputs\): .* got NoneType"),
    ],
)
def test_grad_with_bad_arguments(call, pattern):
    raises(TypeError, pattern, call)


def test_error_messages_are_single_lines_without_internal_reprs():
    messages = [
        raises(TypeError, "Value", lambda: Value("a")),
        raises(TypeError, "exp", lambda: autograd.exp("a")),
        raises(TypeError, "grad", lambda: grad(x, 5)),
    ]
    for m in messages:
        assert "\n" not in m and not re.search(r"0x[0-9a-f]{6,}", m)


def test_an_integer_too_large_for_a_float_is_named():
    raises(OverflowError, r"Value\(data\): 1000.* is too large for a float", lambda: Value(10**400))
    raises(OverflowError, r"number in an operation: 1000.* too large", lambda: Value(1.0) + 10**400)


def test_functions_on_plain_numbers_give_floats_and_n_ary_ones_give_values():
    assert type(P.abs_(-2)) is float and P.abs_(-2) == 2.0
    assert type(P.add(1, 2)) is float
    s, z = vsum([1, 2]), dot([1, 2], [3, 4], 1)
    assert isinstance(s, Value) and s.data == 3.0 and s.op == "sum"
    assert isinstance(z, Value) and z.data == 12.0 and z.op == "linear"
