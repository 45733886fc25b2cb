"""Every activation in nn.ACTIVATIONS trains an MLP: the loss falls over a few steps of Adam."""

from __future__ import annotations

import math

import pytest

from autograd import vsum
from nn import ACTIVATIONS, MLP
from nn.losses import mse_loss
from nn.optim import Adam

# y = x1·x2 on a 3 × 3 grid: not linear, so hidden units with any activation must do some work.
GRID = [(a, b) for a in (-1.0, 0.0, 1.0) for b in (-1.0, 0.0, 1.0)]
TARGETS = [a * b for a, b in GRID]


def _loss(model):
    return vsum([mse_loss(model(x), y) for x, y in zip(GRID, TARGETS)]) / len(GRID)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_an_mlp_with_each_activation_trains(activation):
    model = MLP(2, [8, 8, 1], activation=activation, seed=3)
    optimizer = Adam(model.parameters(), lr=0.03)
    first = None
    for _ in range(40):
        loss = _loss(model)
        first = loss.data if first is None else first
        model.zero_grad()
        loss.backward()
        assert all(math.isfinite(p.grad) for p in model.parameters())
        optimizer.step()
    assert _loss(model).data < 0.5 * first, f"{activation}: {first} -> {_loss(model).data}"


def test_unknown_activation_lists_the_new_ones():
    with pytest.raises(ValueError, match=r"unknown activation 'swish'.*gelu, gelu_tanh, silu"):
        MLP(2, [3, 1], activation="swish")
