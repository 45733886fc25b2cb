"""Tools to check gradients: gradcheck, gradgradcheck and hypothesis strategies.

    >>> from autograd.testing import gradcheck
    >>> gradcheck(lambda x, y: x * y.sin(), [1.5, -0.5])
    True

``autograd.testing.strategies`` (random inputs and random expressions for hypothesis) is
imported on first use, so that neither ``import autograd`` nor ``import autograd.testing``
needs hypothesis installed.
"""

import importlib

from autograd.testing.gradcheck import (
    GradcheckError,
    Row,
    compare_derivatives,
    gradcheck,
    gradgradcheck,
)

_LAZY_SUBMODULES = ("strategies", "expressions")


def __getattr__(name: str):
    # Called only for names not found the usual way: `autograd.testing.strategies` imports
    # hypothesis here, at first use, not when autograd.testing is imported.
    if name in _LAZY_SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "gradcheck",
    "gradgradcheck",
    "compare_derivatives",
    "Row",
    "GradcheckError",
    "strategies",
    "expressions",
]
