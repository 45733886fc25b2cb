"""chaingrad → ONNX: ``export_onnx`` writes a model as an ONNX graph, built node by node with
the ``onnx`` package's helper API (no PyTorch needed) and checked with ``onnx.checker``.

The graph: input ``input`` of shape (N, nin), output ``output`` of shape (N, nout), opset
``OPSET`` (20, the first with ``Gelu``), IR version ``IR_VERSION`` (9, the one that goes with
opset 20). Each layer is a ``Gemm`` (y = x·Wᵀ + b) followed by its activation. A model with
standardisation metadata starts with ``Sub(mean)`` and ``Div(std)``, so the graph takes raw
inputs. The class names, the standardisation and the architecture are in the model's
``metadata_props`` as JSON (keys ``classes``, ``preprocessing``, ``chaingrad.model``).

Activations use ONNX's own operators in float32 (``LeakyRelu``, ``Elu``, ``Selu``,
``Softsign``, ``Gelu``). ONNX Runtime has no float64 kernels for these (its ``Gelu`` with
``approximate="tanh"`` runs in float64 but with float32 constants), so a float64 graph
spells them with operators it has (``Where``, ``Exp``, ``Abs``, ...); exact GELU's erf, which
ONNX Runtime lacks in float64 too, is then a degree-40 Chebyshev interpolant of erf on [0, 6]
(within 2e-14 of it; erf(6) = 1 − 2e-17, so |x| is clamped at 6).
"""

from __future__ import annotations

import functools
import json
import math
import os
from typing import Any

from nn.export._common import (
    LEAKY_RELU_SLOPE,
    SELU_ALPHA,
    SELU_SCALE,
    classes_of,
    dense_layers,
    import_onnx,
    preprocessing_of,
    write_atomically,
)
from nn.module import Module

OPSET = 20
IR_VERSION = 9
ERF_DEGREE = 40
ERF_CLAMP = 6.0


@functools.lru_cache(maxsize=1)
def erf_chebyshev() -> tuple[float, ...]:
    """Chebyshev coefficients of erf(3(u + 1)) on u ∈ [-1, 1], i.e. erf on [0, 6], by
    interpolation at Chebyshev points (numpy.polynomial.chebyshev.chebinterpolate)."""
    import numpy
    from numpy.polynomial import chebyshev

    half = ERF_CLAMP / 2
    coefficients = chebyshev.chebinterpolate(  # type: ignore[type-var]
        lambda u: numpy.array([math.erf(half * (v + 1)) for v in u]), ERF_DEGREE
    )
    return tuple(float(c) for c in coefficients)


class _Graph:
    """Nodes and initializers, with fresh names."""

    def __init__(self, onnx, float64: bool):
        self.onnx = onnx
        self.float64 = float64
        self.elem_type = onnx.TensorProto.DOUBLE if float64 else onnx.TensorProto.FLOAT
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def name(self, hint: str) -> str:
        self._count += 1
        return f"{hint}_{self._count}"

    def const(self, values, hint: str = "c", shape: list[int] | None = None) -> str:
        name = self.name(hint)
        flat = values if isinstance(values, list) else [values]
        self.initializers.append(
            self.onnx.helper.make_tensor(
                name, self.elem_type, [] if shape is None else shape, [float(v) for v in flat]
            )
        )
        return name

    def op(self, op_type: str, *inputs: str, **attributes: Any) -> str:
        output = self.name(op_type.lower())
        self.nodes.append(self.onnx.helper.make_node(op_type, list(inputs), [output], **attributes))
        return output

    def where_positive(self, x: str, negative: str) -> str:
        """x where x > 0, else ``negative``."""
        return self.op("Where", self.op("Greater", x, self.const(0.0)), x, negative)

    def erf(self, x: str) -> str:
        """erf(x) = sign(x)·E(min(|x|, 6)), E the Chebyshev interpolant, by Clenshaw's sum."""
        t = self.op("Min", self.op("Abs", x), self.const(ERF_CLAMP))
        u = self.op("Sub", self.op("Mul", t, self.const(2 / ERF_CLAMP)), self.const(1.0))
        two_u = self.op("Add", u, u)
        c = erf_chebyshev()
        b1, b2 = self.const(c[-1]), self.const(0.0)  # b_N, b_{N+1}
        for k in range(len(c) - 2, 0, -1):  # b_k = c_k + 2u·b_{k+1} − b_{k+2}
            b1, b2 = (
                self.op("Sub", self.op("Add", self.op("Mul", two_u, b1), self.const(c[k])), b2),
                b1,
            )
        value = self.op("Sub", self.op("Add", self.op("Mul", u, b1), self.const(c[0])), b2)
        return self.op("Mul", self.op("Sign", x), value)

    def activation(self, name: str, x: str) -> str:
        """The nodes of nn's activation ``name`` applied to ``x``; returns the output name."""
        op, const = self.op, self.const
        if name == "linear":
            return x
        if name in ("tanh", "sigmoid", "relu"):
            return op(name.capitalize(), x)
        if name == "silu":
            return op("Mul", x, op("Sigmoid", x))
        if name == "hardtanh":
            return op("Clip", x, const(-1.0), const(1.0))
        if name == "logsigmoid":  # min(x, 0) − log(1 + e^−|x|), finite for every x
            softplus = op("Log", op("Add", const(1.0), op("Exp", op("Neg", op("Abs", x)))))
            return op("Sub", op("Min", x, const(0.0)), softplus)
        if not self.float64:
            if name == "leaky_relu":
                return op("LeakyRelu", x, alpha=LEAKY_RELU_SLOPE)
            if name in ("gelu", "gelu_tanh"):
                return op("Gelu", x, approximate="tanh" if name == "gelu_tanh" else "none")
            if name == "elu":
                return op("Elu", x, alpha=1.0)
            if name == "selu":
                return op("Selu", x, alpha=SELU_ALPHA, gamma=SELU_SCALE)
            if name == "softsign":
                return op("Softsign", x)
        else:
            if name == "leaky_relu":
                return self.where_positive(x, op("Mul", x, const(LEAKY_RELU_SLOPE)))
            if name == "gelu":  # x·½(1 + erf(x/√2))
                erf = self.erf(op("Mul", x, const(math.sqrt(0.5))))
                return op("Mul", op("Mul", x, const(0.5)), op("Add", const(1.0), erf))
            if name == "gelu_tanh":  # x·½(1 + tanh(√(2/π)·(x + 0.044715·x³)))
                cube = op("Mul", op("Mul", x, x), op("Mul", x, const(0.044715)))
                inner = op("Mul", op("Add", x, cube), const(math.sqrt(2 / math.pi)))
                return op("Mul", op("Mul", x, const(0.5)), op("Add", const(1.0), op("Tanh", inner)))
            if name in ("elu", "selu"):
                alpha, scale = (1.0, 1.0) if name == "elu" else (SELU_ALPHA, SELU_SCALE)
                expm1 = op("Sub", op("Exp", x), const(1.0))
                y = self.where_positive(x, op("Mul", expm1, const(alpha)))
                return y if name == "elu" else op("Mul", y, const(scale))
            if name == "softsign":
                return op("Div", x, op("Add", const(1.0), op("Abs", x)))
        raise ValueError(f"nn.export_onnx: no ONNX form is known for the activation {name!r}")


def to_onnx(model: Module, dtype: str = "float64"):
    """The ``onnx.ModelProto`` of ``model`` (see the module docstring), checked."""
    onnx = import_onnx("nn.export_onnx")
    if dtype not in ("float64", "float32"):
        raise ValueError(f'nn.export_onnx: dtype must be "float64" or "float32", got {dtype!r}')
    layers = dense_layers(model, "nn.export_onnx")
    nin, nout = layers[0].nin, layers[-1].nout
    preprocessing = preprocessing_of(model, nin, "nn.export_onnx")
    classes = classes_of(model, nout, "nn.export_onnx")
    graph = _Graph(onnx, dtype == "float64")
    x = "input"
    if preprocessing is not None:
        x = graph.op("Sub", x, graph.const(preprocessing["mean"], "mean", [nin]))
        x = graph.op("Div", x, graph.const(preprocessing["std"], "std", [nin]))
    for i, layer in enumerate(layers):
        weight = graph.const(
            [w for row in layer.weight for w in row], f"layers.{i}.weight", [layer.nout, layer.nin]
        )
        bias = graph.const(layer.bias, f"layers.{i}.bias", [layer.nout])
        x = graph.op("Gemm", x, weight, bias, transB=1)
        x = graph.activation(layer.activation, x)
    graph.nodes.append(onnx.helper.make_node("Identity", [x], ["output"]))
    helper = onnx.helper
    inputs = "raw features, standardised by the first nodes" if preprocessing else "features"
    doc = (
        f"input: (N, {nin}) {inputs}; "
        f"output: (N, {nout}) the model's outputs (scores/logits for a linear output layer)"
    )
    onnx_graph = helper.make_graph(
        graph.nodes,
        "chaingrad",
        [helper.make_tensor_value_info("input", graph.elem_type, ["N", nin])],
        [helper.make_tensor_value_info("output", graph.elem_type, ["N", nout])],
        graph.initializers,
        doc_string=doc,
    )
    proto = helper.make_model(
        onnx_graph,
        opset_imports=[helper.make_opsetid("", OPSET)],
        producer_name="chaingrad",
        ir_version=IR_VERSION,
    )
    properties = {"chaingrad.model": json.dumps({"model": type(model).__name__, **model.config()})}
    if preprocessing is not None:
        properties["preprocessing"] = json.dumps(preprocessing)
    if classes is not None:
        properties["classes"] = json.dumps(classes)
    helper.set_model_props(proto, properties)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export_onnx(model: Module, path, dtype: str = "float64") -> str:
    """Write ``model`` (an MLP, Layer or Neuron) to ``path`` as an ONNX file; returns the path.

    ``dtype``: "float64" (ONNX Runtime's outputs equal chaingrad's to ~1e-15) or "float32"
    (to float32 precision). The file is written atomically (a temporary file renamed over
    ``path``). Raises ``ImportError`` without the ``onnx`` package, ``TypeError`` for another
    kind of module, ``ValueError`` for a bad ``dtype`` or bad metadata, ``OSError`` if the
    file cannot be written.
    """
    path = os.fspath(path)
    write_atomically(path, to_onnx(model, dtype).SerializeToString())
    return path
