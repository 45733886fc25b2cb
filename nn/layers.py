"""Neurons, layers and multi-layer perceptrons, as in the backprop documents.

A neuron computes its weighted sum and its activation::

    z = Σᵢ wᵢ·xᵢ + b        (one n-ary "linear" node: ∂z/∂wᵢ = xᵢ, ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1)
    a = f(z)                (f = one of ACTIVATIONS: tanh, relu, gelu, ..., or "linear")

A layer is a list of neurons reading the same inputs; an MLP is a chain of layers, each
reading the outputs of the one before.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Real

import autograd
from autograd import Value
from nn.module import Module

Input = Sequence[float | Value]

#: activation name → the function applied to the weighted sum z.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "tanh": Value.tanh,
    "relu": Value.relu,
    "sigmoid": Value.sigmoid,
    "leaky_relu": Value.leaky_relu,  # slope 0.01
    "linear": lambda z: z,
    "gelu": autograd.gelu,  # exact: z·Φ(z)
    "gelu_tanh": lambda z: autograd.gelu(z, approximate="tanh"),
    "silu": autograd.silu,
    "elu": autograd.elu,  # alpha 1.0
    "selu": autograd.selu,
    "softsign": autograd.softsign,
    "logsigmoid": autograd.logsigmoid,
    "hardtanh": autograd.hardtanh,  # clamped to [-1, 1]
}

# Activations that, like relu, pass about half of a symmetric input and flatten the rest.
_RECTIFIERS = ("relu", "leaky_relu", "gelu", "gelu_tanh", "silu", "elu", "logsigmoid")


def check_activation(activation: str, where: str) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(
            f"{where}: unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)}"
        )
    return activation


def init_std(nin: int, activation: str) -> float:
    """Standard deviation of the initial weights, scaled to the fan-in ``nin``.

    He initialisation, √(2/nin), for relu-like units (half of their inputs are zeroed, so the
    variance is doubled to compensate: relu, leaky_relu, gelu, silu, elu, logsigmoid); LeCun's
    √(1/nin) otherwise (selu needs exactly that to self-normalise, as PyTorch's docs advise).
    Either keeps Var(z) ≈ Var(x) from layer to layer, so deep nets neither saturate nor fade.
    """
    gain = 2.0 if activation in _RECTIFIERS else 1.0
    return math.sqrt(gain / nin)


def _rng(rng: random.Random | None, seed: int | None) -> random.Random:
    if rng is not None and seed is not None:
        raise ValueError("give either rng or seed, not both")
    return rng if rng is not None else random.Random(seed)


def _check_count(n, what: str, where: str) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"{where}: {what} must be a positive integer, got {n!r}")
    return n


class Neuron(Module):
    """One unit: ``a = f(Σ wᵢ·xᵢ + b)``, with weights ``w`` (a tuple of Values) and bias ``b``.

    Weights start Gaussian with standard deviation ``init_std(nin, activation)``, the bias at 0.
    ``seed`` (or a shared ``rng``, as layers pass) makes the initial weights reproducible.
    """

    def __init__(
        self,
        nin: int,
        activation: str = "tanh",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ):
        _check_count(nin, "nin", "Neuron")
        self.activation = check_activation(activation, "Neuron")
        rng = _rng(rng, seed)
        std = init_std(nin, activation)
        # A tuple: every node the neuron makes shares it (see autograd.dot).
        self.w = tuple(Value(rng.gauss(0.0, std), label=f"w{i + 1}") for i in range(nin))
        self.b = Value(0.0, label="b")

    @property
    def nin(self) -> int:
        return len(self.w)

    def __call__(self, x: Input) -> Value:
        check_input(x, self.nin, "Neuron")
        return self.forward(as_values(x, "Neuron"))

    def forward(self, x: Input) -> Value:
        """a = f(z), z = Σ wᵢ·xᵢ + b, for an input already checked to have length ``nin``."""
        z = autograd.dot(self.w, x, self.b)
        return ACTIVATIONS[self.activation](z)

    def config(self) -> dict:
        return {"nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; calling it returns a list of outputs."""

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str = "tanh",
        *,
        seed: int | None = None,
        rng: random.Random | None = None,
    ):
        _check_count(nin, "nin", "Layer")
        _check_count(nout, "nout", "Layer")
        check_activation(activation, "Layer")
        rng = _rng(rng, seed)
        self.neurons = [Neuron(nin, activation, rng=rng) for _ in range(nout)]

    @property
    def nin(self) -> int:
        return self.neurons[0].nin

    @property
    def nout(self) -> int:
        return len(self.neurons)

    @property
    def activation(self) -> str:
        return self.neurons[0].activation

    def forward(self, x: Input) -> list[Value]:
        check_input(x, self.nin, "Layer")
        x = as_values(x, "Layer")
        return [neuron.forward(x) for neuron in self.neurons]

    def config(self) -> dict:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])`` has two hidden layers of 16 and one
    output.

    Hidden layers use ``activation``; the last layer uses ``output_activation`` ("linear" by
    default, so the outputs are raw scores/logits for the losses). With one output, calling the
    model returns a Value; with several, a list of Values.
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        seed: int | None = None,
    ):
        _check_count(nin, "nin", "MLP")
        nouts = list(nouts)
        if not nouts:
            raise ValueError("MLP: nouts must list at least one layer size")
        for n in nouts:
            _check_count(n, "every layer size in nouts", "MLP")
        check_activation(activation, "MLP")
        check_activation(output_activation, "MLP(output_activation)")
        rng = random.Random(seed)
        sizes = [nin] + nouts
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation if i < len(nouts) - 1 else output_activation,
                rng=rng,
            )
            for i in range(len(nouts))
        ]
        self._activation = activation
        self._output_activation = output_activation

    @property
    def nin(self) -> int:
        return self.layers[0].nin

    @property
    def nouts(self) -> list[int]:
        return [layer.nout for layer in self.layers]

    def forward(self, x: Input) -> Value | list[Value]:
        check_input(x, self.nin, "MLP")
        outputs = self.layers[0].forward(x)
        for layer in self.layers[1:]:
            outputs = layer.forward(outputs)
        return outputs[0] if len(outputs) == 1 else outputs

    def config(self) -> dict:
        return {
            "nin": self.nin,
            "nouts": self.nouts,
            "activation": self._activation,
            "output_activation": self._output_activation,
        }

    def __repr__(self) -> str:
        extra = (
            ""
            if self._output_activation == "linear"
            else f", output_activation={self._output_activation!r}"
        )
        return f"MLP({self.nin}, {self.nouts}, activation={self._activation!r}{extra})"


def as_values(x: Input, where: str) -> tuple[Value, ...]:
    """The input as a tuple of Values, which all the layer's neurons share (see
    ``autograd.dot``): numbers become constants once here, not once per neuron."""
    values = [v for v in x if type(v) is Value]
    if len(values) == len(x):  # already Values: a hidden layer's input
        return x if type(x) is tuple else tuple(values)
    values = []
    for i, v in enumerate(x):
        if not isinstance(v, Value):
            if not isinstance(v, Real):
                raise TypeError(
                    f"{where}: input {i} must be a number or a Value, got {type(v).__name__}"
                )
            v = Value(v, requires_grad=False)
        values.append(v)
    return tuple(values)


def check_input(x: Input, nin: int, where: str) -> None:
    """A clear error for an input of the wrong kind or length (instead of a zip that silently
    drops the extra inputs)."""
    try:
        n = len(x)
    except TypeError:
        raise TypeError(
            f"{where}: the input must be a list of {nin} numbers or Values, got {type(x).__name__}"
        ) from None
    if n != nin:
        raise ValueError(f"{where}: expected {nin} input{'s' if nin != 1 else ''}, got {n}")
