"""The inputs every engine gets, generated once from fixed seeds.

The two-moons points are made here (not by ``nn.data``) so that the benchmark's numbers do
not move when the library's data helpers change. The initial weights are a flat list in the
order ``parameters()`` uses everywhere: layer by layer, neuron by neuron, the neuron's
weights then its bias. Every engine loads this same list, so their loss trajectories must
agree to rounding.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

MLP_SIZES = (2, 16, 16, 1)  # MLP(2, [16, 16, 1])

Neuron = tuple[list[float], float]  # (weights, bias)


def two_moons(
    n: int = 100, noise: float = 0.1, seed: int = 0
) -> tuple[list[list[float]], list[float]]:
    """n points on two interleaved half circles; targets +1 (upper moon) and -1 (lower)."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        t = rng.uniform(0.0, math.pi)
        if i % 2 == 0:
            point, label = [math.cos(t), math.sin(t)], 1.0
        else:
            point, label = [1.0 - math.cos(t), 0.5 - math.sin(t)], -1.0
        xs.append([c + rng.gauss(0.0, noise) for c in point])
        ys.append(label)
    return xs, ys


def initial_weights(sizes: Sequence[int] = MLP_SIZES, seed: int = 0) -> list[float]:
    """Uniform(-1, 1)/√fan_in weights and small uniform biases, flat in parameters() order."""
    rng = random.Random(seed)
    flat: list[float] = []
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        scale = 1.0 / math.sqrt(nin)
        for _ in range(nout):
            flat.extend(rng.uniform(-scale, scale) for _ in range(nin))
            flat.append(rng.uniform(-0.1, 0.1))
    return flat


def unflatten(sizes: Sequence[int], flat: Sequence[float]) -> list[list[Neuron]]:
    """The flat parameter list as layers of (weights, bias) neurons."""
    layers, k = [], 0
    for nin, nout in zip(sizes[:-1], sizes[1:]):
        layer = []
        for _ in range(nout):
            layer.append((list(flat[k : k + nin]), flat[k + nin]))
            k += nin + 1
        layers.append(layer)
    if k != len(flat):
        raise ValueError(f"unflatten: {len(flat)} parameters for sizes {list(sizes)}, expected {k}")
    return layers


def parameter_count(sizes: Sequence[int] = MLP_SIZES) -> int:
    return sum((nin + 1) * nout for nin, nout in zip(sizes[:-1], sizes[1:]))
