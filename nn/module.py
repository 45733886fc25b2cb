"""``Module``: the base class of everything with parameters (neurons, layers, networks).

A module's parameters are found by looking at its attributes, in the order they were set:

- a ``Value`` attribute is a parameter (``b``);
- a list or tuple of Values is a list of parameters (``w`` → ``w.0``, ``w.1``, ...);
- a ``Module`` attribute, or a list of Modules, is a sub-module whose parameters are named
  after it (``layers`` → ``layers.0.neurons.3.w.1``).

So a subclass only sets attributes in ``__init__`` and defines ``forward``, as in PyTorch;
calling the module calls ``forward``, and naming, ``zero_grad``, ``state_dict`` and saving come
for free, and the names are stable (they depend only on the architecture)::

    class TwoLayer(Module):
        def __init__(self):
            self.hidden = Layer(2, 8, "relu", seed=0)
            self.out = Neuron(8, "linear", seed=1)

        def forward(self, x):
            return self.out(self.hidden(x))
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from numbers import Real

from autograd import Value


class Module:
    """Base class of neurons, layers and networks."""

    #: How a raw input is prepared before the model sees it (see ``nn.preprocessing``), and the
    #: original label of each class index; set when training on real data, saved with the model.
    preprocessing: dict | None = None
    classes: list | None = None

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Value]]:
        """Yield ``(name, parameter)`` pairs, e.g. ``("layers.0.neurons.3.w.1", Value(...))``."""
        for attribute, item in vars(self).items():
            if attribute.startswith("_"):
                continue
            name = prefix + attribute
            if isinstance(item, Value):
                yield name, item
            elif isinstance(item, Module):
                yield from item.named_parameters(name + ".")
            elif isinstance(item, (list, tuple)):
                for i, element in enumerate(item):
                    if isinstance(element, Value):
                        yield f"{name}.{i}", element
                    elif isinstance(element, Module):
                        yield from element.named_parameters(f"{name}.{i}.")

    def parameters(self) -> list[Value]:
        """Every trainable Value of the module, in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Reset every parameter's ``.grad`` to 0 (``backward()`` adds, it never resets)."""
        for p in self.parameters():
            p.grad = 0.0

    # --- state: names → numbers ----------------------------------------------------------

    def config(self) -> dict:
        """The constructor arguments that rebuild this architecture (saved with the weights)."""
        return {}

    def state_dict(self) -> dict[str, float]:
        """``{name: value}`` for every parameter: a plain dict of floats, ready for JSON."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Set every parameter from ``state`` (as made by ``state_dict``).

        Everything is checked before anything is assigned: on a missing or unexpected name, or
        a value that is not a number, ``ValueError`` is raised and the module is unchanged.
        """
        problem = state_problem(self, state)
        if problem:
            raise ValueError(f"load_state_dict: {problem}")
        for name, p in self.named_parameters():
            p.data = float(state[name])  # type: ignore[arg-type]

    # --- files -----------------------------------------------------------------------------

    def save(self, path) -> None:
        """Write the architecture and the parameters to ``path`` as JSON, atomically: the file
        is written beside the target and renamed over it, so a crash leaves the old file."""
        from nn.serialization import save

        save(self, path)

    def load(self, path) -> None:
        """Load parameters saved by ``save`` into this module (which must have the same
        architecture). Raises ``nn.ModelFileError`` naming the file and the problem, leaving
        the module unchanged."""
        from nn.serialization import load_into

        load_into(self, path)

    def forward(self, *args, **kwargs):
        """The computation of the module; every subclass defines it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define forward(); a Module subclass computes its "
            "output in a method forward(self, x), which calling the module runs"
        )

    def __call__(self, *args, **kwargs):
        """``module(x)`` is ``module.forward(x)``, as in PyTorch."""
        return self.forward(*args, **kwargs)


def state_problem(module: Module, state: object) -> str:
    """What is wrong with ``state`` as parameters for ``module``, or "" if nothing is."""
    if not isinstance(state, Mapping):
        return f"the parameters must be a mapping of names to numbers, got {type(state).__name__}"
    expected = [name for name, _ in module.named_parameters()]
    known = set(expected)
    missing = [name for name in expected if name not in state]
    unexpected = [name for name in state if name not in known]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {_some(missing)}")
        if unexpected:
            parts.append(f"unexpected {_some(unexpected)}")
        return (
            f"the parameters do not fit this {type(module).__name__} "
            f"({len(expected)} parameters): " + "; ".join(parts)
        )
    for name in expected:
        value = state[name]
        if isinstance(value, bool) or not isinstance(value, Real):
            return f"parameter {name!r} is not a number: {value!r:.60}"
        if not math.isfinite(value):
            return f"parameter {name!r} is not finite: {value!r}"
    return ""


def _some(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{len(names)} name{'s' if len(names) != 1 else ''} ({shown}{more})"
