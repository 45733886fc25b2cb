"""The worked examples of the backprop documents (../shared/seeds/), symbol for symbol.

Document 1, a single neuron: z = w·x + b, a = σ(z), L = ½(a − y)², so
    ∂L/∂a = a − y,  ∂a/∂z = σ′(z) = σ(z)(1 − σ(z)),  ∂L/∂z = (a − y)·σ′(z),
    ∂L/∂w = (a − y)·σ′(z)·x,  ∂L/∂b = (a − y)·σ′(z).

Document 2, layer by layer: z_j⁽ˡ⁾ = Σᵢ w_ji⁽ˡ⁾ x_i⁽ˡ⁻¹⁾ + b_j⁽ˡ⁾,  x_j⁽ˡ⁾ = f(z_j⁽ˡ⁾), and
    ∂L/∂x_j⁽ˡ⁾ = Σₖ ∂L/∂z_k⁽ˡ⁺¹⁾ · w_kj⁽ˡ⁺¹⁾,   ∂L/∂z_j⁽ˡ⁾ = ∂L/∂x_j⁽ˡ⁾ · f′(z_j⁽ˡ⁾),
    ∂L/∂w_ji⁽ˡ⁾ = ∂L/∂z_j⁽ˡ⁾ · x_i⁽ˡ⁻¹⁾,           ∂L/∂b_j⁽ˡ⁾ = ∂L/∂z_j⁽ˡ⁾.

The references below are those formulas in plain floats (σ written out with math.exp); the
engine knows none of them, only its local rules.
"""

import math
import random

import pytest

from autograd import Value, dot, vsum


def sigma(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def sigma_prime(z: float) -> float:
    return sigma(z) * (1.0 - sigma(z))


# --- document 1: one neuron ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "w0, x0, b0, y",
    [(0.5, 2.0, -1.0, 1.0), (-1.2, 0.7, 0.3, 0.0), (2.0, -1.5, 0.5, 0.25), (0.1, 3.0, 2.0, 1.0)],
)
def test_single_neuron_gradients_are_the_closed_forms(w0, x0, b0, y):
    w, x, b = Value(w0, label="w"), Value(x0, label="x"), Value(b0, label="b")
    z = w * x + b
    a = z.sigmoid()
    L = 0.5 * (a - y) ** 2
    L.backward()

    z0 = w0 * x0 + b0
    a0 = sigma(z0)
    assert a.data == pytest.approx(a0, rel=1e-15)
    assert L.data == pytest.approx(0.5 * (a0 - y) ** 2, rel=1e-14)
    assert a.grad == pytest.approx(a0 - y, rel=1e-14)  # ∂L/∂a
    assert z.grad == pytest.approx((a0 - y) * sigma_prime(z0), rel=1e-12)  # ∂L/∂z
    assert w.grad == pytest.approx((a0 - y) * sigma_prime(z0) * x0, rel=1e-12)  # ∂L/∂w
    assert b.grad == pytest.approx((a0 - y) * sigma_prime(z0), rel=1e-12)  # ∂L/∂b
    assert x.grad == pytest.approx((a0 - y) * sigma_prime(z0) * w0, rel=1e-12)  # ∂L/∂x


def test_single_neuron_gradient_descent_step_lowers_the_loss():
    # The documents' update w ← w − η·∂L/∂w, b ← b − η·∂L/∂b, repeated.
    w, b, x, y, eta = Value(0.5), Value(-1.0), 2.0, 1.0, 0.5
    losses = []
    for _ in range(20):
        w.grad = b.grad = 0.0
        L = 0.5 * ((w * x + b).sigmoid() - y) ** 2
        L.backward()
        losses.append(L.data)
        w.data -= eta * w.grad
        b.data -= eta * b.grad
    assert all(later < earlier for earlier, later in zip(losses, losses[1:]))


# --- document 2: a network of two layers, 3 inputs → 4 tanh → 2 sigmoid --------------------


def by_the_layer_formulas(x0, w1, b1, w2, b2, y):
    """Forward and backward pass in plain floats, one formula of document 2 per line."""
    z1 = [sum(w1[j][i] * x0[i] for i in range(len(x0))) + b1[j] for j in range(len(b1))]
    x1 = [math.tanh(z) for z in z1]  # f = tanh
    z2 = [sum(w2[k][j] * x1[j] for j in range(len(x1))) + b2[k] for k in range(len(b2))]
    x2 = [sigma(z) for z in z2]  # f = σ
    L = 0.5 * sum((a - t) ** 2 for a, t in zip(x2, y))

    dL_dx2 = [a - t for a, t in zip(x2, y)]  # L = ½Σ(a − y)²
    dL_dz2 = [dL_dx2[k] * sigma_prime(z2[k]) for k in range(len(z2))]  # ∂L/∂x · f′(z)
    dL_dw2 = [[dL_dz2[k] * x1[j] for j in range(len(x1))] for k in range(len(z2))]
    dL_db2 = list(dL_dz2)
    dL_dx1 = [sum(dL_dz2[k] * w2[k][j] for k in range(len(z2))) for j in range(len(x1))]
    dL_dz1 = [dL_dx1[j] * (1.0 - math.tanh(z1[j]) ** 2) for j in range(len(z1))]
    dL_dw1 = [[dL_dz1[j] * x0[i] for i in range(len(x0))] for j in range(len(z1))]
    dL_db1 = list(dL_dz1)
    dL_dx0 = [sum(dL_dz1[j] * w1[j][i] for j in range(len(z1))) for i in range(len(x0))]
    return {
        "L": L,
        "z1": dL_dz1,
        "z2": dL_dz2,
        "x1": dL_dx1,
        "x2": dL_dx2,
        "w1": dL_dw1,
        "b1": dL_db1,
        "w2": dL_dw2,
        "b2": dL_db2,
        "x0": dL_dx0,
    }


def _neuron_with_operators(weights, inputs, bias):
    return vsum([w * x for w, x in zip(weights, inputs)]) + bias


@pytest.mark.parametrize("neuron", [dot, _neuron_with_operators], ids=["dot", "operators"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_two_layer_network_gradients_are_the_layer_formulas(seed, neuron):
    rng = random.Random(seed)
    x0_data = [rng.uniform(-2, 2) for _ in range(3)]
    w1_data = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(4)]
    b1_data = [rng.uniform(-1, 1) for _ in range(4)]
    w2_data = [[rng.uniform(-1, 1) for _ in range(4)] for _ in range(2)]
    b2_data = [rng.uniform(-1, 1) for _ in range(2)]
    y = [rng.random(), rng.random()]

    def leaves(data, name):  # w1_ji is w_ji of layer 1, as in the document
        if isinstance(data[0], list):
            return [leaves(row, f"{name}_{j}") for j, row in enumerate(data)]
        return [Value(v, label=f"{name}{i}") for i, v in enumerate(data)]

    x0, w1, b1 = leaves(x0_data, "x"), leaves(w1_data, "w1"), leaves(b1_data, "b1_")
    w2, b2 = leaves(w2_data, "w2"), leaves(b2_data, "b2_")
    z1 = [neuron(w1[j], x0, b1[j]) for j in range(4)]
    x1 = [z.tanh() for z in z1]
    z2 = [neuron(w2[k], x1, b2[k]) for k in range(2)]
    x2 = [z.sigmoid() for z in z2]
    L = 0.5 * vsum([(a - t) ** 2 for a, t in zip(x2, y)])
    L.backward()

    expected = by_the_layer_formulas(x0_data, w1_data, b1_data, w2_data, b2_data, y)
    assert L.data == pytest.approx(expected["L"], rel=1e-13)

    def check(values, reference):
        for v, r in zip(values, reference):
            assert v.grad == pytest.approx(r, rel=1e-11, abs=1e-15), v.label

    for name, nodes in [
        ("z1", z1),
        ("z2", z2),
        ("x1", x1),
        ("x2", x2),
        ("b1", b1),
        ("b2", b2),
        ("x0", x0),
    ]:
        check(nodes, expected[name])
    for j in range(4):
        check(w1[j], expected["w1"][j])
    for k in range(2):
        check(w2[k], expected["w2"][k])
