"""The engines the benchmark compares, by name, in the order the tables list them."""

from __future__ import annotations

import importlib

from bench.engines.base import Engine, MLPSpec, Unsupported

# name -> module (in bench/engines/) defining ENGINE
_MODULES: dict[str, str] = {
    "chaingrad": "chaingrad_engine",
    "chaingrad-tape": "chaingrad_tape",
    "chaingrad-batched": "chaingrad_batched",
    "micrograd": "micrograd_engine",
    "torch-scalar": "torch_scalar",
    "torch-batched": "torch_batched",
    "floor": "floor",
}
NAMES = list(_MODULES)


def get(name: str) -> Engine:
    if name not in _MODULES:
        raise KeyError(f"unknown engine {name!r}; known: {', '.join(NAMES)}")
    return importlib.import_module(f"bench.engines.{_MODULES[name]}").ENGINE


__all__ = ["Engine", "MLPSpec", "Unsupported", "NAMES", "get"]
