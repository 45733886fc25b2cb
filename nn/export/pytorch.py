"""chaingrad ⇄ PyTorch: ``to_torch`` builds a ``torch.nn.Sequential`` holding a model's
weights; ``from_torch`` reads such a Sequential back into an ``MLP``.

The Sequential is ``[Standardize], Linear, f, Linear, f, ..., Linear, [g]``: one
``torch.nn.Linear`` per layer (``weight`` is the layer's neurons' weights, row by row, ``bias``
their biases), each followed by the module of its activation (none for "linear"). A model with
standardisation metadata (``model.preprocessing``) starts with a ``Standardize`` module,
x ↦ (x − mean) / std with ``mean`` and ``std`` as buffers, so the Sequential takes raw inputs;
``model.classes`` becomes the Sequential's ``classes`` attribute.
"""

from __future__ import annotations

from typing import Any

from nn.export._common import (
    LEAKY_RELU_SLOPE,
    classes_of,
    dense_layers,
    import_torch,
    preprocessing_of,
)
from nn.layers import ACTIVATIONS, MLP
from nn.module import Module

_STANDARDIZE: Any = None


def standardize_class(torch) -> Any:
    """The ``Standardize`` module class (made once, when PyTorch is first needed)."""
    global _STANDARDIZE
    if _STANDARDIZE is None:

        class Standardize(torch.nn.Module):
            """x ↦ (x − mean) / std, feature by feature; ``mean`` and ``std`` are buffers."""

            def __init__(self, mean, std, features=None):
                super().__init__()
                self.register_buffer("mean", mean)
                self.register_buffer("std", std)
                self.features = features

            def forward(self, x):
                return (x - self.mean) / self.std

            def extra_repr(self) -> str:
                return f"{self.mean.shape[0]} features" + (
                    f": {', '.join(self.features)}" if self.features else ""
                )

        _STANDARDIZE = Standardize
    return _STANDARDIZE


def torch_activation(name: str, torch) -> Any:
    """The torch module applying nn's activation ``name`` (None for "linear")."""
    modules = torch.nn
    factories = {
        "tanh": modules.Tanh,
        "relu": modules.ReLU,
        "sigmoid": modules.Sigmoid,
        "leaky_relu": lambda: modules.LeakyReLU(LEAKY_RELU_SLOPE),
        "linear": lambda: None,
        "gelu": modules.GELU,
        "gelu_tanh": lambda: modules.GELU(approximate="tanh"),
        "silu": modules.SiLU,
        "elu": lambda: modules.ELU(alpha=1.0),
        "selu": modules.SELU,
        "softsign": modules.Softsign,
        "logsigmoid": modules.LogSigmoid,
        "hardtanh": lambda: modules.Hardtanh(-1.0, 1.0),
    }
    if name not in factories:
        raise ValueError(f"nn.to_torch: no PyTorch module is known for the activation {name!r}")
    return factories[name]()


def activation_name(module, torch) -> tuple[str | None, str]:
    """nn's name for the activation ``module`` computes, or ``(None, why not)``."""
    modules = torch.nn
    kind = type(module)  # exact types: ReLU6 is a Hardtanh, but not nn's hardtanh
    simple = {
        modules.Tanh: "tanh",
        modules.ReLU: "relu",
        modules.Sigmoid: "sigmoid",
        modules.SiLU: "silu",
        modules.SELU: "selu",
        modules.Softsign: "softsign",
        modules.LogSigmoid: "logsigmoid",
    }
    if kind in simple:
        return simple[kind], ""
    if kind is modules.LeakyReLU:
        if module.negative_slope == LEAKY_RELU_SLOPE:
            return "leaky_relu", ""
        return None, f"nn's leaky_relu has slope {LEAKY_RELU_SLOPE}, not {module.negative_slope}"
    if kind is modules.GELU:
        return ("gelu_tanh" if module.approximate == "tanh" else "gelu"), ""
    if kind is modules.ELU:
        if module.alpha == 1.0:
            return "elu", ""
        return None, f"nn's elu has alpha 1.0, not {module.alpha}"
    if kind is modules.Hardtanh:
        if (module.min_val, module.max_val) == (-1.0, 1.0):
            return "hardtanh", ""
        return None, f"nn's hardtanh clips to [-1, 1], not [{module.min_val}, {module.max_val}]"
    return None, "expected torch.nn.Linear or an activation module nn has"


def to_torch(model: Module, dtype=None):
    """A ``torch.nn.Sequential`` computing what ``model`` computes, with exactly its weights.

    ``model``: an ``MLP``, ``Layer`` or ``Neuron``. ``dtype``: the parameters' torch dtype
    (default ``torch.float64``, in which the outputs equal chaingrad's to rounding). The
    Sequential maps a batch of shape (N, nin) to (N, nout), even for one output. Raises
    ``ImportError`` without PyTorch, ``TypeError`` for another kind of module and
    ``ValueError`` for bad ``preprocessing``/``classes`` metadata.
    """
    torch = import_torch("nn.to_torch")
    dtype = torch.float64 if dtype is None else dtype
    if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
        raise TypeError(f"nn.to_torch: dtype must be a floating torch dtype, got {dtype!r}")
    layers = dense_layers(model, "nn.to_torch")
    preprocessing = preprocessing_of(model, layers[0].nin, "nn.to_torch")
    classes = classes_of(model, layers[-1].nout, "nn.to_torch")
    modules = []
    if preprocessing is not None:
        standardize = standardize_class(torch)
        modules.append(
            standardize(
                torch.tensor(preprocessing["mean"], dtype=dtype),
                torch.tensor(preprocessing["std"], dtype=dtype),
                preprocessing.get("features"),
            )
        )
    for layer in layers:
        linear = torch.nn.Linear(layer.nin, layer.nout, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.tensor(layer.weight, dtype=torch.float64))
            linear.bias.copy_(torch.tensor(layer.bias, dtype=torch.float64))
        modules.append(linear)
        activation = torch_activation(layer.activation, torch)
        if activation is not None:
            modules.append(activation)
    sequential = torch.nn.Sequential(*modules)
    if classes is not None:
        sequential.classes = classes
    return sequential


def from_torch(module) -> MLP:
    """An ``MLP`` with the architecture and weights of ``module``.

    ``module``: a ``torch.nn.Linear``, or a ``torch.nn.Sequential`` of the form ``to_torch``
    makes: ``Linear`` layers, each followed by at most one activation module (the same one
    after every hidden layer; none means "linear"), ``Identity`` modules anywhere, and
    optionally a leading ``Standardize`` (kept as ``model.preprocessing``); a ``classes``
    attribute becomes ``model.classes``. Raises ``ImportError`` without PyTorch and
    ``ValueError`` naming the first layer that an MLP cannot express.
    """
    torch = import_torch("nn.from_torch")
    if isinstance(module, torch.nn.Linear):
        items = [module]
    elif isinstance(module, torch.nn.Sequential):
        items = list(module)
    else:
        raise TypeError(
            "nn.from_torch: expected a torch.nn.Sequential of Linear and activation modules, "
            f"got {type(module).__name__}"
        )
    standardize = standardize_class(torch)
    linears: list = []
    activations: list[str | None] = []
    where: list[str] = []  # "layer i (repr)" of each Linear's activation, for errors
    preprocessing = None

    def cannot(index: int, item, why: str) -> ValueError:
        return ValueError(f"nn.from_torch: cannot express layer {index}, {item!r}: {why}")

    for index, item in enumerate(items):
        if type(item) is torch.nn.Identity:
            continue
        if isinstance(item, standardize):
            if linears or preprocessing is not None:
                raise cannot(index, item, "a standardisation must come first")
            preprocessing = {
                "type": "standardize",
                "mean": item.mean.detach().double().tolist(),
                "std": item.std.detach().double().tolist(),
            }
            if item.features is not None:
                preprocessing["features"] = list(item.features)
            continue
        if isinstance(item, torch.nn.Linear):
            expected = linears[-1].out_features if linears else None
            if expected is not None and item.in_features != expected:
                raise cannot(
                    index,
                    item,
                    f"it takes {item.in_features} inputs, the layer before gives {expected}",
                )
            linears.append(item)
            activations.append(None)
            where.append(f"layer {index} ({item!r})")
            continue
        name, why = activation_name(item, torch)
        if name is not None and name not in ACTIVATIONS:
            why = f"nn has no activation {name!r}"
            name = None
        if name is None:
            raise cannot(index, item, why)
        if not linears:
            raise cannot(index, item, "an activation before the first Linear")
        if activations[-1] is not None:
            raise cannot(index, item, "a second activation after one Linear")
        activations[-1] = name
        where[-1] = f"layer {index} ({item!r})"
    if not linears:
        raise ValueError("nn.from_torch: the module has no torch.nn.Linear layer")
    names = [a or "linear" for a in activations]
    hidden = names[0] if len(names) > 1 else "tanh"
    for i in range(1, len(names) - 1):
        if names[i] != hidden:
            raise ValueError(
                f"nn.from_torch: cannot express {where[i]}: an MLP uses one hidden activation, "
                f"{hidden!r} (after the first Linear), but this is {names[i]!r}"
            )
    model = MLP(linears[0].in_features, [m.out_features for m in linears], hidden, names[-1])
    state = {}
    for i, linear in enumerate(linears):
        weight = linear.weight.detach().double().tolist()
        bias = (
            linear.bias.detach().double().tolist()
            if linear.bias is not None
            else [0.0] * linear.out_features
        )
        for j, row in enumerate(weight):
            for k, w in enumerate(row):
                state[f"layers.{i}.neurons.{j}.w.{k}"] = w
            state[f"layers.{i}.neurons.{j}.b"] = bias[j]
    try:
        model.load_state_dict(state)
    except ValueError as e:
        raise ValueError(f"nn.from_torch: {e}") from None
    model.preprocessing = preprocessing  # type: ignore[attr-defined]
    model.classes = getattr(module, "classes", None)  # type: ignore[attr-defined]
    if preprocessing is not None:
        preprocessing_of(model, model.nin, "nn.from_torch")
    if model.classes is not None:  # type: ignore[attr-defined]
        classes_of(model, model.nouts[-1], "nn.from_torch")
    return model
