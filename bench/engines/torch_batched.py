"""PyTorch as it is meant to be used: ``torch.nn.Linear`` layers on the whole batch, float64.
Context only (it is not a scalar engine): it runs mlp-train and nothing else."""

from __future__ import annotations

from bench.data import unflatten
from bench.engines.base import Engine, MLPSpec


class TorchBatched(Engine):
    name = "torch-batched"
    description = "PyTorch, torch.nn.Linear on the batch (context)"

    def load(self) -> str:
        global torch
        import torch

        return torch.__version__

    def mlp_trainer(self, spec: MLPSpec):
        layers = []
        for layer in unflatten(spec.sizes, spec.weights):
            linear = torch.nn.Linear(len(layer[0][0]), len(layer), dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.tensor([ws for ws, b in layer], dtype=torch.float64))
                linear.bias.copy_(torch.tensor([b for ws, b in layer], dtype=torch.float64))
            layers.append(linear)
        activation = torch.nn.ReLU() if spec.activation == "relu" else torch.nn.Tanh()
        modules = []
        for linear in layers[:-1]:
            modules += [linear, activation]
        model = torch.nn.Sequential(*modules, layers[-1])
        optimizer = torch.optim.SGD(model.parameters(), lr=spec.lr)
        xs = torch.tensor(spec.xs, dtype=torch.float64)
        ys = torch.tensor(spec.ys, dtype=torch.float64)

        def step() -> float:
            loss = ((model(xs).squeeze(1) - ys) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            return loss.item()

        return step


ENGINE = TorchBatched()
