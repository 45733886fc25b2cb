"""The interface every benchmarked engine implements.

A workload (``bench/workloads.py``) does the timing; an engine only says how to build its
graph and how to run its backward pass. Anything an engine cannot do raises ``Unsupported``
with the reason, which the report shows as "n/a" with a note (not as a failure).

Graph objects (leaves, results) are opaque to the workloads except that binary ``+`` and
``*`` work on them, with each other and with plain floats — true of every scalar engine here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


class Unsupported(Exception):
    """This engine does not offer what the workload needs (e.g. micrograd has no tanh)."""


@dataclass
class MLPSpec:
    """One mlp-train problem: the same for every engine."""

    sizes: Sequence[int]
    activation: str  # of the hidden layers: "relu" or "tanh"; the output layer is linear
    weights: list[float]  # flat, in parameters() order (see bench/data.py)
    xs: list[list[float]]
    ys: list[float]
    lr: float


class Engine:
    """Base class: override what the engine supports."""

    name = ""
    description = ""
    # Largest N per workload run by default (the run's --no-limits lifts these): an engine
    # that needs tens of seconds per trial at N = 10⁶ would otherwise dominate the run.
    limits: dict = {}
    has_graph = True  # False for the floor, which computes without recording anything

    def load(self) -> str:
        """Import the engine; return its version text. Raise ImportError if not installed."""
        raise NotImplementedError

    # --- mlp-train -----------------------------------------------------------------------------
    def mlp_trainer(self, spec: MLPSpec) -> Callable[[], float]:
        """A function doing one training step on all points, returning the loss before the
        update: forward, mean squared error, zero grads, backward, SGD update."""
        raise Unsupported("no MLP")

    # --- scalar graphs -------------------------------------------------------------------------
    def leaf(self, x: float):
        """A leaf that requires a gradient."""
        raise Unsupported("no scalar graph")

    def leaves(self, xs: Sequence[float]) -> list:
        leaf = self.leaf
        return [leaf(x) for x in xs]

    def tanh(self, x):
        raise Unsupported("no tanh")

    def vsum(self, xs: list):
        """Σ xs as one n-ary node."""
        raise Unsupported("no n-ary sum")

    def backward(self, root) -> None:
        """Fill the gradients of root's graph (seed 1)."""
        raise Unsupported("no backward")

    def grad(self, leaf) -> float:
        raise NotImplementedError

    def data(self, node) -> float:
        raise NotImplementedError

    def chain(self, x0: float, n: int, variant: str):
        """deep-chain: (leaf x, y_n). The floor overrides this to compute without a graph."""
        x = self.leaf(x0)
        y = x
        if variant == "mul-add":  # y = y·1.0001 + 0.001
            for _ in range(n):
                y = y * 1.0001 + 0.001
        elif variant == "tanh":  # y = 2·tanh(y/2)
            tanh = self.tanh
            for _ in range(n):
                y = tanh(y * 0.5) * 2.0
        else:
            raise ValueError(f"chain: unknown variant {variant!r}")
        return x, y
