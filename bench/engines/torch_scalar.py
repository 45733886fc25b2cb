"""PyTorch op by op: one 0-dim float64 tensor per scalar, the same graph as the scalar
engines build (a neuron is b + w₁x₁ + w₂x₂ + …, one binary op at a time)."""

from __future__ import annotations

from bench.data import unflatten
from bench.engines.base import Engine, MLPSpec


class TorchScalar(Engine):
    name = "torch-scalar"
    description = "PyTorch, 0-dim float64 tensors op by op"
    # ~15 s per trial at a 10⁶-step chain: keep the default run short.
    limits = {"deep-chain": 10**5, "wide-sum": 10**5}

    def load(self) -> str:
        global torch
        import torch

        return torch.__version__

    def mlp_trainer(self, spec: MLPSpec):
        leaf = self.leaf
        layers = [
            [([leaf(w) for w in ws], leaf(b)) for ws, b in layer]
            for layer in unflatten(spec.sizes, spec.weights)
        ]
        params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
        activation = torch.relu if spec.activation == "relu" else torch.tanh
        last = len(layers) - 1
        xs, ys, lr, scale = spec.xs, spec.ys, spec.lr, 1.0 / len(spec.xs)

        def model(x):
            for i, layer in enumerate(layers):
                zs = []
                for ws, b in layer:
                    z = b
                    for w, xi in zip(ws, x):
                        z = z + w * xi
                    zs.append(z)
                x = zs if i == last else [activation(z) for z in zs]
            return x[0]

        def step() -> float:
            squares = []
            for x, y in zip(xs, ys):
                d = model(x) - y
                squares.append(d * d)
            loss = sum(squares) * scale
            for p in params:
                p.grad = None
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
            return loss.item()

        return step

    def leaf(self, x):
        return torch.tensor(x, dtype=torch.float64, requires_grad=True)

    def tanh(self, x):
        return torch.tanh(x)

    def backward(self, root):
        root.backward()

    def grad(self, leaf):
        return leaf.grad.item()

    def data(self, node):
        return node.item()


ENGINE = TorchScalar()
