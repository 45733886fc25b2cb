"""Optimizers: the update step that follows every backward pass.

The documents' gradient descent, ``w ← w − η·∂L/∂w`` for every weight and bias, is ``SGD``
with no momentum. ``SGD`` with momentum and ``Adam`` follow PyTorch's definitions exactly
(``torch.optim.SGD`` / ``torch.optim.Adam`` with default flags), so results can be compared.

Updates are plain float arithmetic on ``.data``: they record no graph (as if under
``autograd.no_grad()``) and the parameters stay the same leaf Values.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from numbers import Real

from autograd import Value

LearningRate = float | Callable[[int], float]


class Optimizer:
    """Holds the parameters, the learning rate (a number or a schedule) and the step count."""

    def __init__(self, params: Iterable[Value], lr: LearningRate):
        name = type(self).__name__
        if isinstance(params, Value):
            raise TypeError(
                f"{name}: params must be a list of Values (e.g. model.parameters()),"
                f" not a single Value"
            )
        self.params: list[Value] = list(params)
        if not self.params:
            raise ValueError(f"{name}: got an empty parameter list")
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}: parameter {i} is a {type(p).__name__}, not a Value")
        if callable(lr):
            self.lr: LearningRate = lr
        else:
            self.lr = _positive(lr, "lr", name)
        self.steps = 0  # updates done so far

    def current_lr(self) -> float:
        """The learning rate of the next step: ``lr`` or ``lr(steps)`` for a schedule."""
        if callable(self.lr):
            return _positive(
                self.lr(self.steps),
                f"lr({self.steps}) (the schedule's value)",
                type(self).__name__,
                allow_zero=True,
            )
        return self.lr

    def zero_grad(self) -> None:
        """Reset every parameter's ``.grad`` to 0 before the next backward pass."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``."""
        lr = self.current_lr()
        for i, p in enumerate(self.params):
            p.data = self._update(i, p.data, p.grad, lr)
        self.steps += 1

    def _update(self, i: int, w: float, g: float, lr: float) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        lr = "schedule" if callable(self.lr) else f"{self.lr:g}"
        return f"{type(self).__name__}({len(self.params)} parameters, lr={lr})"


class SGD(Optimizer):
    """Stochastic gradient descent, as ``torch.optim.SGD``::

    g ← ∂L/∂w + weight_decay·w
    v ← g at the first step, then momentum·v + g        (only with momentum > 0)
    w ← w − lr·v                                        (w − lr·g without momentum)
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        self.momentum = _positive(momentum, "momentum", "SGD", allow_zero=True)
        self.weight_decay = _positive(weight_decay, "weight_decay", "SGD", allow_zero=True)
        self.velocity: dict[int, float] = {}

    def _update(self, i: int, w: float, g: float, lr: float) -> float:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            v = self.velocity.get(i)
            g = g if v is None else self.momentum * v + g
            self.velocity[i] = g
        return w - lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015), as ``torch.optim.Adam``: per-parameter step sizes from running
    averages of the gradient (m) and of its square (v), with bias correction at step t::

        m ← β₁·m + (1 − β₁)·g          m̂ = m / (1 − β₁ᵗ)
        v ← β₂·v + (1 − β₂)·g²         v̂ = v / (1 − β₂ᵗ)
        w ← w − lr·m̂ / (√v̂ + eps)

    ``weight_decay`` adds weight_decay·w to g first (L2, as PyTorch's Adam; not AdamW).
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: LearningRate = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ):
        super().__init__(params, lr)
        if not (
            isinstance(betas, (tuple, list))
            and len(betas) == 2
            and all(
                isinstance(b, Real) and not isinstance(b, bool) and 0.0 <= b < 1.0 for b in betas
            )
        ):
            raise ValueError(f"Adam: betas must be two numbers in [0, 1), got {betas!r}")
        self.beta1, self.beta2 = float(betas[0]), float(betas[1])
        self.eps = _positive(eps, "eps", "Adam")  # > 0: it keeps m̂ / √v̂ defined at g = 0
        self.weight_decay = _positive(weight_decay, "weight_decay", "Adam", allow_zero=True)
        self.m = [0.0] * len(self.params)
        self.v = [0.0] * len(self.params)

    def step(self) -> None:
        t = self.steps + 1
        # The bias corrections are the same for every parameter: computed once per step.
        self._correction1 = 1.0 - self.beta1**t
        self._correction2_sqrt = math.sqrt(1.0 - self.beta2**t)
        super().step()

    def _update(self, i: int, w: float, g: float, lr: float) -> float:
        if self.weight_decay:
            g = g + self.weight_decay * w
        m = self.m[i] = self.beta1 * self.m[i] + (1.0 - self.beta1) * g
        v = self.v[i] = self.beta2 * self.v[i] + (1.0 - self.beta2) * g * g
        # m̂ / (√v̂ + eps), in PyTorch's order of operations (it agrees to about 1e-15).
        denominator = math.sqrt(v) / self._correction2_sqrt + self.eps
        return w - (lr / self._correction1) * m / denominator


def _positive(x, what: str, where: str, allow_zero: bool = False) -> float:
    if (
        isinstance(x, bool)
        or not isinstance(x, Real)
        or not math.isfinite(x)
        or x < 0
        or (x == 0 and not allow_zero)
    ):
        bound = "≥ 0" if allow_zero else "> 0"
        raise ValueError(f"{where}: {what} must be a finite number {bound}, got {x!r}")
    return float(x)
