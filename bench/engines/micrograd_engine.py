"""micrograd 0.1.0 from PyPI (``pip install micrograd==0.1.0``, the ``bench`` extra).

Its Value has relu but no tanh (nor exp), so the tanh workloads are n/a. Its MLP uses relu on
the hidden layers and a linear last layer, as the benchmark's relu network does.
"""

from __future__ import annotations

from bench.engines.base import Engine, MLPSpec, Unsupported


class Micrograd(Engine):
    name = "micrograd"
    description = "micrograd 0.1.0 (PyPI)"

    def load(self) -> str:
        global Value, MLP
        from importlib.metadata import version

        from micrograd.engine import Value
        from micrograd.nn import MLP

        return version("micrograd")

    def mlp_trainer(self, spec: MLPSpec):
        if spec.activation != "relu":
            raise Unsupported("micrograd's MLP and Value have relu only (no tanh)")
        model = MLP(spec.sizes[0], list(spec.sizes[1:]))
        params = model.parameters()
        for p, w in zip(params, spec.weights, strict=True):
            p.data = w
        xs, ys, lr, scale = spec.xs, spec.ys, spec.lr, 1.0 / len(spec.xs)

        def step() -> float:
            squares = []
            for x, y in zip(xs, ys):
                d = model(x) - y
                squares.append(d * d)
            loss = sum(squares) * scale
            model.zero_grad()
            loss.backward()
            for p in params:
                p.data -= lr * p.grad
            return loss.data

        return step

    def leaf(self, x):
        return Value(x)

    def tanh(self, x):
        raise Unsupported("micrograd's Value has no tanh")

    def backward(self, root):
        root.backward()

    def grad(self, leaf):
        return leaf.grad

    def data(self, node):
        return node.data


ENGINE = Micrograd()
