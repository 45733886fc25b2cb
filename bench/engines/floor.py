"""The floor: the same computations in plain Python floats, with hand-written derivatives
and no graph. No scalar engine written in Python can beat it; the ratios say how close one is.

- mlp-train: forward over lists of floats keeping each layer's input and output, then the
  layer-wise backward formulas ∂L/∂z = ∂L/∂a · f′(z), ∂L/∂xᵢ = Σⱼ ∂L/∂zⱼ · wⱼᵢ per point,
  and ∂L/∂wⱼᵢ = Σ over points ∂L/∂zⱼ · xᵢ at the end, then the SGD update. Inner products
  use ``sum(map(mul, …))``, as a careful hand-written version would.
- deep-chain: one loop carrying the value and its derivative dy/dx (forward mode).
- per-op and wide-sum: the same Python expressions on floats (there is no backward pass).
"""

from __future__ import annotations

import math
from operator import mul

from bench.data import unflatten
from bench.engines.base import Engine, MLPSpec, Unsupported


class Floor(Engine):
    name = "floor"
    description = "plain Python floats, hand-written derivatives"
    has_graph = False

    def load(self) -> str:
        return "-"

    def mlp_trainer(self, spec: MLPSpec):
        # Weights as rows (one per neuron) and, for the backward pass, as columns.
        layers = unflatten(spec.sizes, spec.weights)
        weights = [[list(ws) for ws, b in layer] for layer in layers]
        biases = [[b for ws, b in layer] for layer in layers]
        relu = spec.activation == "relu"
        last = len(layers) - 1
        xs, ys, lr, scale = spec.xs, spec.ys, spec.lr, 1.0 / len(spec.xs)

        def step() -> float:
            columns = [list(map(list, zip(*rows))) for rows in weights]  # wᵀ
            layer_inputs = [[] for _ in weights]  # per layer, the input x of every point
            layer_gz = [[] for _ in weights]  # per layer, ∂L/∂z of every point
            loss = 0.0
            for x, y in zip(xs, ys):
                outputs = []
                for i, (rows, bs) in enumerate(zip(weights, biases)):
                    layer_inputs[i].append(x)
                    zs = [sum(map(mul, ws, x), b) for ws, b in zip(rows, bs)]
                    if i != last:
                        zs = [z if z > 0 else 0.0 for z in zs] if relu else list(map(math.tanh, zs))
                    outputs.append(zs)
                    x = zs
                d = x[0] - y
                loss += d * d
                g = [2.0 * d * scale]  # ∂L/∂output
                for i in range(last, -1, -1):
                    a = outputs[i]
                    if i != last:  # through the activation: ∂L/∂z = ∂L/∂a · f′(z)
                        g = (
                            [gi if ai > 0 else 0.0 for gi, ai in zip(g, a)]
                            if relu
                            else [gi * (1.0 - ai * ai) for gi, ai in zip(g, a)]
                        )
                    layer_gz[i].append(g)
                    if i:  # ∂L/∂xₖ = Σⱼ ∂L/∂zⱼ · wⱼₖ
                        g = [sum(map(mul, g, column)) for column in columns[i]]
            # ∂L/∂wⱼₖ = Σ over points of ∂L/∂zⱼ · xₖ, ∂L/∂bⱼ = Σ ∂L/∂zⱼ; then the update.
            for rows, bs, inputs, gzs in zip(weights, biases, layer_inputs, layer_gz):
                x_columns = list(zip(*inputs))
                for j, gz_column in enumerate(zip(*gzs)):
                    ws = rows[j]
                    for k, x_column in enumerate(x_columns):
                        ws[k] -= lr * sum(map(mul, gz_column, x_column))
                    bs[j] -= lr * sum(gz_column)
            return loss * scale

        return step

    # Scalars are floats: + and * are Python's own.
    def leaf(self, x):
        return x

    def leaves(self, xs):
        return list(xs)

    def tanh(self, x):
        return math.tanh(x)

    def vsum(self, xs):
        return sum(xs)

    def backward(self, root):
        # deep-chain computed its derivative alongside the value; nothing else has a backward.
        if not isinstance(root, _ForwardMode):
            raise Unsupported("plain floats have no backward pass")

    def grad(self, leaf):
        return leaf.derivative

    def data(self, node):
        return node.value if isinstance(node, _ForwardMode) else node

    def chain(self, x0, n, variant):
        y, dy = x0, 1.0  # y and dy/dx, carried forward together
        if variant == "mul-add":
            for _ in range(n):
                y = y * 1.0001 + 0.001
                dy = dy * 1.0001
        elif variant == "tanh":
            tanh = math.tanh
            for _ in range(n):
                t = tanh(y * 0.5)
                y = t * 2.0
                dy = dy * (1.0 - t * t)  # d/dy 2·tanh(y/2) = 1 - tanh²(y/2)
        else:
            raise ValueError(f"chain: unknown variant {variant!r}")
        result = _ForwardMode(y, dy)
        return result, result


class _ForwardMode:
    """The floor's deep-chain result: the value and the derivative computed alongside."""

    def __init__(self, value, derivative):
        self.value, self.derivative = value, derivative


ENGINE = Floor()
