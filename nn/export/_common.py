"""What the exporters share: a model read as a list of dense layers, the activations' constants,
the standardisation metadata, the optional imports and the atomic write."""

from __future__ import annotations

import inspect
import math
import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

from autograd import Value
from nn.layers import ACTIVATIONS, MLP, Layer, Neuron
from nn.module import Module

#: leaky_relu's slope, as ``nn``'s activation applies it (``Value.leaky_relu``'s default).
LEAKY_RELU_SLOPE: float = inspect.signature(Value.leaky_relu).parameters["slope"].default
#: SELU's constants, as in PyTorch (Klambauer et al. 2017, "Self-Normalizing Neural Networks").
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

TORCH_INSTALL = (
    "PyTorch's CPU build: pip install torch --index-url https://download.pytorch.org/whl/cpu "
    "(see the README)"
)
ONNX_INSTALL = 'the export extra: pip install "chaingrad[export]" (onnx and onnxruntime)'


@dataclass
class Dense:
    """One fully connected layer: ``a = f(W·x + b)``, W as ``nout`` rows of ``nin`` weights."""

    weight: list[list[float]]
    bias: list[float]
    activation: str

    @property
    def nin(self) -> int:
        return len(self.weight[0])

    @property
    def nout(self) -> int:
        return len(self.weight)


def dense_layers(model: Module, where: str) -> list[Dense]:
    """The model as dense layers, first to last (an MLP, a Layer or a Neuron).

    Raises ``TypeError`` for any other module and ``ValueError`` for a layer whose neurons do
    not share one activation (a dense layer has one).
    """
    if isinstance(model, MLP):
        layers = list(model.layers)
    elif isinstance(model, Layer):
        layers = [model]
    elif isinstance(model, Neuron):
        return [Dense([[w.data for w in model.w]], [model.b.data], model.activation)]
    else:
        raise TypeError(
            f"{where}: can export an MLP, a Layer or a Neuron, got {type(model).__name__}"
        )
    result = []
    for i, layer in enumerate(layers):
        activations = {neuron.activation for neuron in layer.neurons}
        if len(activations) != 1:
            raise ValueError(
                f"{where}: layer {i}'s neurons use different activations "
                f"({', '.join(sorted(activations))}); a dense layer has one"
            )
        weight = [[w.data for w in neuron.w] for neuron in layer.neurons]
        bias = [neuron.b.data for neuron in layer.neurons]
        result.append(Dense(weight, bias, layer.neurons[0].activation))
    for dense in result:
        if dense.activation not in ACTIVATIONS:
            raise ValueError(f"{where}: unknown activation {dense.activation!r}")
    return result


def preprocessing_of(model: Module, nin: int, where: str) -> dict | None:
    """The model's standardisation (``model.preprocessing``, see nn.serialization), checked:
    ``{"type": "standardize", "mean": [...], "std": [...], "features": [...]}`` with one finite
    mean and one positive finite std per input. None when the model has none."""
    pre = getattr(model, "preprocessing", None)
    if pre is None:
        return None
    if not isinstance(pre, dict) or pre.get("type") != "standardize":
        raise ValueError(
            f'{where}: model.preprocessing must be {{"type": "standardize", "mean": [...], '
            f'"std": [...]}}, got {pre!r:.80}'
        )
    mean, std = pre.get("mean"), pre.get("std")
    for key, values, positive in (("mean", mean, False), ("std", std, True)):
        if not isinstance(values, Sequence) or len(values) != nin:
            raise ValueError(
                f"{where}: model.preprocessing[{key!r}] must list {nin} numbers "
                f"(one per input), got {values!r:.80}"
            )
        for i, v in enumerate(values):
            ok = isinstance(v, Real) and not isinstance(v, bool) and math.isfinite(v)
            if not ok or (positive and v <= 0):
                what = "a positive finite number" if positive else "a finite number"
                raise ValueError(
                    f"{where}: model.preprocessing[{key!r}][{i}] must be {what}, got {v!r}"
                )
    features = pre.get("features")
    if features is not None and (
        not isinstance(features, Sequence)
        or len(features) != nin
        or not all(isinstance(f, str) for f in features)
    ):
        raise ValueError(
            f"{where}: model.preprocessing['features'] must list {nin} column names, "
            f"got {features!r:.80}"
        )
    result: dict[str, Any] = {
        "type": "standardize",
        "mean": [float(v) for v in mean],  # type: ignore[union-attr]
        "std": [float(v) for v in std],  # type: ignore[union-attr]
    }
    if features is not None:
        result["features"] = list(features)
    return result


def classes_of(model: Module, nout: int, where: str) -> list | None:
    """The model's class names (``model.classes``), checked: str or int labels, one per output
    (two for a one-output model). None when the model has none."""
    classes = getattr(model, "classes", None)
    if classes is None:
        return None
    expected = 2 if nout == 1 else nout
    if (
        not isinstance(classes, Sequence)
        or isinstance(classes, str)
        or len(classes) != expected
        or not all(isinstance(c, (str, int)) and not isinstance(c, bool) for c in classes)
    ):
        raise ValueError(
            f"{where}: model.classes must list {expected} class labels (str or int) for "
            f"{nout} output{'s' if nout != 1 else ''}, got {classes!r:.80}"
        )
    return list(classes)


def import_torch(where: str):
    try:
        import torch
    except ImportError:
        raise ImportError(f"{where} needs PyTorch; install {TORCH_INSTALL}") from None
    return torch


def import_onnx(where: str):
    try:
        import onnx
    except ImportError:
        raise ImportError(f"{where} needs the onnx package; install {ONNX_INSTALL}") from None
    return onnx


def write_atomically(path: str, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed over the
    target (``os.replace``): a crash half-way leaves the previous file as it was."""
    from nn.serialization import _UMASK

    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix=f".{os.path.basename(path)}.", suffix=".tmp"
        )
    except OSError as e:
        raise OSError(f"cannot write {path!r}: {e.strerror or e}") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(temporary, 0o666 & ~_UMASK)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.remove(temporary)
        except OSError:
            pass
        raise
