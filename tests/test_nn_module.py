"""Neurons, layers, MLPs: names, shapes, initialisation, errors, and the backprop formulas."""

import math
import statistics

import pytest

import autograd
from autograd import Value
from nn import ACTIVATIONS, MLP, Layer, Neuron


def test_named_parameters_are_stable_readable_paths():
    model = MLP(3, [4, 2], seed=0)
    names = [name for name, _ in model.named_parameters()]
    # Per neuron: its weights w.0 .. w.(nin-1), then its bias b; neurons and layers in order.
    expected = [
        f"layers.{k}.neurons.{j}.{p}"
        for k, (nin, nout) in enumerate([(3, 4), (4, 2)])
        for j in range(nout)
        for p in [f"w.{i}" for i in range(nin)] + ["b"]
    ]
    assert names == expected
    assert "layers.0.neurons.3.w.1" in names
    assert len(model.parameters()) == (3 + 1) * 4 + (4 + 1) * 2
    named = dict(model.named_parameters())
    assert named["layers.1.neurons.1.b"] is model.layers[1].neurons[1].b
    assert named["layers.0.neurons.3.w.1"] is model.layers[0].neurons[3].w[1]
    assert [n for n, _ in MLP(3, [4, 2], seed=5).named_parameters()] == names


def test_parameters_are_distinct_trainable_leaves():
    params = MLP(2, [3, 1], seed=1).parameters()
    assert len(set(map(id, params))) == len(params)
    assert all(p.requires_grad and p.op == "" for p in params)


def test_seed_makes_the_model_reproducible_and_different_seeds_differ():
    a, b, c = MLP(2, [8, 8, 1], seed=7), MLP(2, [8, 8, 1], seed=7), MLP(2, [8, 8, 1], seed=8)
    assert a.state_dict() == b.state_dict()
    assert a.state_dict() != c.state_dict()
    assert Neuron(5, seed=3).state_dict() == Neuron(5, seed=3).state_dict()
    assert Layer(5, 2, seed=3).state_dict() == Layer(5, 2, seed=3).state_dict()


def test_initialisation_is_scaled_to_fan_in():
    # He for relu: std √(2/nin); LeCun for tanh: std √(1/nin). Biases start at 0.
    for activation, gain in (("relu", 2.0), ("tanh", 1.0)):
        layer = Layer(50, 200, activation, seed=0)
        weights = [w.data for n in layer.neurons for w in n.w]
        std = statistics.pstdev(weights)
        assert abs(std - math.sqrt(gain / 50)) < 0.05 * math.sqrt(gain / 50)
        assert abs(statistics.fmean(weights)) < 0.01
        assert all(n.b.data == 0.0 for n in layer.neurons)


def test_neuron_weighted_sum_is_one_linear_node():
    neuron = Neuron(3, activation="tanh", seed=0)
    a = neuron([1.0, 2.0, 3.0])
    assert a.op == "tanh"
    z = a.inputs[0]
    assert z.op == "linear"
    assert z.inputs[:3] == tuple(neuron.w) and z.inputs[-1] is neuron.b
    expected = sum(w.data * x for w, x in zip(neuron.w, [1.0, 2.0, 3.0])) + neuron.b.data
    assert z.data == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_each_activation_applies_its_function(activation):
    neuron = Neuron(2, activation=activation, seed=1)
    neuron.w[0].data, neuron.w[1].data, neuron.b.data = 0.7, -1.3, 0.2
    x = [0.5, 0.9]
    z = 0.7 * 0.5 - 1.3 * 0.9 + 0.2
    expected = {
        "tanh": math.tanh(z),
        "relu": max(z, 0.0),
        "sigmoid": 1 / (1 + math.exp(-z)),
        "leaky_relu": z if z > 0 else 0.01 * z,
        "linear": z,
        "gelu": 0.5 * z * (1 + math.erf(z / math.sqrt(2))),
        "gelu_tanh": 0.5 * z * (1 + math.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))),
        "silu": z / (1 + math.exp(-z)),
        "elu": z if z > 0 else math.exp(z) - 1,
        "selu": 1.0507009873554805 * (z if z > 0 else 1.6732632423543772 * (math.exp(z) - 1)),
        "softsign": z / (1 + abs(z)),
        "logsigmoid": -math.log(1 + math.exp(-z)),
        "hardtanh": min(max(z, -1.0), 1.0),
    }[activation]
    assert neuron(x).data == pytest.approx(expected, abs=1e-15)


def test_mlp_last_layer_is_linear_unless_asked():
    model = MLP(2, [3, 1], activation="relu", seed=0)
    assert [layer.activation for layer in model.layers] == ["relu", "linear"]
    assert model([0.1, 0.2]).op == "linear"
    model = MLP(2, [3, 1], activation="relu", output_activation="sigmoid", seed=0)
    assert model([0.1, 0.2]).op == "sigmoid"


def test_call_accepts_floats_or_values_and_returns_value_or_list():
    model = MLP(2, [4, 1], seed=0)
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    xs = [Value(0.5), Value(-1.0)]
    out2 = model(xs)
    assert out2.data == out.data
    out2.backward()
    assert xs[0].grad != 0.0  # the inputs are part of the graph
    many = MLP(2, [4, 3], seed=0)([0.5, -1.0])
    assert isinstance(many, list) and len(many) == 3
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)


@pytest.mark.parametrize(
    "module, where",
    [
        (Neuron(2, seed=0), "Neuron"),
        (Layer(2, 3, seed=0), "Layer"),
        (MLP(2, [3, 1], seed=0), "MLP"),
    ],
)
def test_wrong_input_length_is_a_clear_error(module, where):
    with pytest.raises(ValueError, match=rf"{where}: expected 2 inputs, got 3"):
        module([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=rf"{where}: the input must be a list"):
        module(1.0)


def test_a_non_number_in_the_input_is_named_with_its_position():
    with pytest.raises(TypeError, match=r"Layer: input 1 must be a number or a Value, got str"):
        MLP(2, [3, 1], seed=0)([1.0, "2"])
    with pytest.raises(TypeError, match=r"Neuron: input 1 must be a number or a Value"):
        Neuron(2, seed=0)([1.0, None])


def test_bad_constructor_arguments():
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        MLP(2, [3, 1], activation="softmax")
    with pytest.raises(ValueError, match="nin must be a positive integer"):
        Neuron(0)
    with pytest.raises(ValueError, match="layer size"):
        MLP(2, [3, 0])
    with pytest.raises(ValueError, match="at least one layer"):
        MLP(2, [])


def test_reprs_are_readable():
    assert repr(Neuron(3, "relu", seed=0)) == "Neuron(3, activation='relu')"
    assert repr(Layer(3, 4, seed=0)) == "Layer(3, 4, activation='tanh')"
    assert repr(MLP(2, [16, 16, 1], seed=0)) == "MLP(2, [16, 16, 1], activation='tanh')"
    assert "output_activation='sigmoid'" in repr(MLP(2, [1], output_activation="sigmoid"))


def test_zero_grad_resets_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_state_dict_round_trip_and_validation():
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b.state_dict() == a.state_dict()
    before = b.state_dict()
    bad = dict(a.state_dict())
    bad["layers.0.neurons.0.b"] = "0.5"
    with pytest.raises(ValueError, match="'layers.0.neurons.0.b' is not a number"):
        b.load_state_dict(bad)
    bad = dict(a.state_dict())
    del bad["layers.1.neurons.0.w.2"]
    bad["extra"] = 1.0
    with pytest.raises(
        ValueError, match="missing 1 name .*'layers.1.neurons.0.w.2'.*unexpected 1 name .*'extra'"
    ):
        b.load_state_dict(bad)
    assert b.state_dict() == before


def test_layer_gradients_follow_the_documents_formulas():
    """For one tanh layer and L = ½ Σⱼ (aⱼ − yⱼ)², the documents give
    ∂L/∂zⱼ = ∂L/∂aⱼ · f′(zⱼ) = (aⱼ − yⱼ)(1 − aⱼ²), ∂L/∂w_ji = ∂L/∂zⱼ · xᵢ, ∂L/∂bⱼ = ∂L/∂zⱼ,
    and for the layer's inputs ∂L/∂xᵢ = Σⱼ ∂L/∂zⱼ · w_ji. Computed here by hand, in floats."""
    layer = Layer(3, 2, "tanh", seed=4)
    x_values, y = [0.3, -1.2, 0.8], [0.5, -0.25]
    xs = [Value(v) for v in x_values]
    outputs = layer(xs)
    loss = autograd.vsum([0.5 * (a - t) ** 2 for a, t in zip(outputs, y)])
    loss.backward()

    W = [[w.data for w in n.w] for n in layer.neurons]
    B = [n.b.data for n in layer.neurons]
    dz = []
    for j in range(2):
        z = sum(W[j][i] * x_values[i] for i in range(3)) + B[j]
        a = math.tanh(z)
        dz.append((a - y[j]) * (1 - a * a))
    for j, neuron in enumerate(layer.neurons):
        assert neuron.b.grad == pytest.approx(dz[j], rel=1e-12)
        for i in range(3):
            assert neuron.w[i].grad == pytest.approx(dz[j] * x_values[i], rel=1e-12)
    for i in range(3):
        assert xs[i].grad == pytest.approx(sum(dz[j] * W[j][i] for j in range(2)), rel=1e-12)
