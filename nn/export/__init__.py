"""The way out of chaingrad: a trained model to PyTorch (``to_torch``), PyTorch weights into
chaingrad (``from_torch``), and a model to an ONNX file for any ONNX runtime (``export_onnx``).

PyTorch and onnx are optional: each function imports what it needs when called and raises an
``ImportError`` naming what to install if it is missing (PyTorch's CPU build;
``pip install "chaingrad[export]"`` for onnx and onnxruntime).
"""

from nn.export.onnx_export import OPSET, export_onnx, to_onnx
from nn.export.pytorch import from_torch, to_torch

__all__ = ["to_torch", "from_torch", "export_onnx", "to_onnx", "OPSET"]
