"""This project's engine. The MLP is ``nn.MLP`` when ``nn`` provides it (what users get);
otherwise the same network built directly with ``autograd.dot`` (one n-ary node per neuron)."""

from __future__ import annotations

from bench.data import unflatten
from bench.engines.base import Engine, MLPSpec


class Chaingrad(Engine):
    name = "chaingrad"
    description = "this project (autograd.Value)"

    def load(self) -> str:
        global autograd
        import autograd

        try:
            from nn import MLP  # noqa: F401

            self.mlp_source = "nn.MLP"
        except ImportError:
            self.mlp_source = "autograd.dot (nn.MLP not importable)"
        return f"working tree; MLP from {self.mlp_source}"

    def mlp_trainer(self, spec: MLPSpec):
        if self.mlp_source == "nn.MLP":
            model, params, zero_grad = _nn_model(spec)
        else:
            model, params = _dot_model(spec)

            def zero_grad():
                for p in params:
                    p.grad = 0.0

        vsum = autograd.vsum
        xs, ys, lr, scale = spec.xs, spec.ys, spec.lr, 1.0 / len(spec.xs)

        def step() -> float:
            squares = []
            for x, y in zip(xs, ys):
                d = model(x) - y
                squares.append(d * d)
            loss = vsum(squares) * scale
            zero_grad()
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            return loss.data

        return step

    def leaf(self, x):
        return autograd.Value(x)

    def tanh(self, x):
        return x.tanh()

    def vsum(self, xs):
        return autograd.vsum(xs)

    def backward(self, root):
        root.backward()

    def grad(self, leaf):
        return leaf.grad

    def data(self, node):
        return node.data


def _nn_model(spec: MLPSpec):
    from nn import MLP

    model = MLP(spec.sizes[0], list(spec.sizes[1:]), activation=spec.activation, seed=0)
    params = model.parameters()
    if len(params) != len(spec.weights):
        raise RuntimeError(f"nn.MLP has {len(params)} parameters, expected {len(spec.weights)}")
    for p, w in zip(params, spec.weights):
        p.data = w
    return model, params, model.zero_grad


def _dot_model(spec: MLPSpec):
    Value, dot = autograd.Value, autograd.dot
    layers = [
        [([Value(w) for w in ws], Value(b)) for ws, b in layer]
        for layer in unflatten(spec.sizes, spec.weights)
    ]
    activation = spec.activation
    last = len(layers) - 1

    def model(x):
        for i, layer in enumerate(layers):
            zs = [dot(ws, x, b) for ws, b in layer]
            x = zs if i == last else [getattr(z, activation)() for z in zs]
        return x[0]

    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]
    return model, params


ENGINE = Chaingrad()
