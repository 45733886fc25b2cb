"""Loss functions: how wrong a prediction is, as one Value to call ``backward()`` on.

Each takes a single prediction and its target, or a batch (a list of predictions and a list of
targets), and then returns the mean over the batch — the same reduction as PyTorch's default.

==========================  ==============================  ===================================
loss                        one sample                      targets
==========================  ==============================  ===================================
``mse_loss``                (p − y)²                        any number
``hinge_loss``              max(0, 1 − y·p)                 −1 or +1
``binary_cross_entropy``    softplus(z) − y·z               0 or 1 (or a probability); z a logit
``cross_entropy``           log Σⱼ e^zⱼ − z_y               a class index; z a list of logits
==========================  ==============================  ===================================

The documents' L = ½(a − y)² is ``0.5 * mse_loss(a, y)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Integral, Real

import autograd
from autograd import Value, apply
from autograd import primitives as P


def _as_value(p, where: str = "loss") -> Value:
    if isinstance(p, Value):
        return p
    if isinstance(p, Real) and not isinstance(p, bool):
        return Value(float(p), requires_grad=False)
    if isinstance(p, (list, tuple)):
        raise TypeError(
            f"{where}: a prediction is a list of {len(p)} outputs, but this loss takes one "
            "score per sample (a model with 1 output); for one output per class use "
            "cross_entropy"
        )
    raise TypeError(f"{where}: expected a prediction Value or number, got {type(p).__name__}")


def _number(y, where: str) -> float:
    if isinstance(y, Value):
        y = y.data
    if isinstance(y, bool) or not isinstance(y, Real):
        raise TypeError(f"{where}: targets must be numbers, got {type(y).__name__} ({y!r:.40})")
    return float(y)


def _is_batch(prediction) -> bool:
    return isinstance(prediction, (list, tuple))


def _reduce(name: str, per_sample: Callable, predictions, targets) -> Value:
    """One sample → its loss; a batch → the mean of the per-sample losses (one sum node)."""
    if not _is_batch(predictions):
        return per_sample(predictions, targets)
    if not isinstance(targets, (list, tuple)):
        raise TypeError(
            f"{name}: a batch of predictions needs a list of targets, got {type(targets).__name__}"
        )
    if len(predictions) != len(targets):
        raise ValueError(f"{name}: {len(predictions)} predictions but {len(targets)} targets")
    if not predictions:
        raise ValueError(f"{name}: empty batch")
    losses = [per_sample(p, y) for p, y in zip(predictions, targets)]
    return autograd.vsum(losses) * (1.0 / len(losses))


def mse_loss(prediction, target) -> Value:
    """Mean squared error, (p − y)² (mean over a batch); as ``torch.nn.functional.mse_loss``."""

    def one(p, y):
        return (_as_value(p, "mse_loss") - _number(y, "mse_loss")) ** 2

    return _reduce("mse_loss", one, prediction, target)


def hinge_loss(score, label) -> Value:
    """Max-margin loss max(0, 1 − y·s) for a score s and a label y ∈ {−1, +1}.

    Zero once the sample is on the right side with a margin of 1, so only the samples near or
    across the boundary push. Labels 0/1 are refused: convert them with ``nn.signed_labels``.
    """

    def one(s, y):
        y = _number(y, "hinge_loss")
        if y not in (-1.0, 1.0):
            raise ValueError(
                f"hinge_loss: labels must be -1 or +1, got {y:g} "
                f"(convert 0/1 labels with nn.signed_labels)"
            )
        return (1.0 - _as_value(s, "hinge_loss") * y).relu()

    return _reduce("hinge_loss", one, score, label)


def binary_cross_entropy(logit, target) -> Value:
    """−[y·log σ(z) + (1 − y)·log(1 − σ(z))] for a logit z and a target y ∈ [0, 1].

    One node (the primitive ``binary_cross_entropy_with_logits``) computing softplus(z) − y·z
    as a sum of two non-negative terms, (1 − y)·z + log1p(e^−z) for z ≥ 0, and its gradient
    σ(z) − y as (1 − y) − σ(−z) there: σ(z) is never formed, nothing cancels, and a confident
    right prediction keeps its small loss (z = 40, y = 1: 4.248354255291589e-18, not 0).
    As ``torch.nn.functional.binary_cross_entropy_with_logits``.
    """

    def one(z, y):
        y = _number(y, "binary_cross_entropy")
        if not 0.0 <= y <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: targets must be in [0, 1], got {y:g} "
                f"(for -1/+1 labels use hinge_loss, or convert with (y + 1) / 2)"
            )
        return apply(P.binary_cross_entropy_with_logits, (_as_value(z, "binary_cross_entropy"), y))

    return _reduce("binary_cross_entropy", one, logit, target)


def cross_entropy(logits, target) -> Value:
    """Softmax cross-entropy: −log softmax(z)_y = log Σⱼ e^zⱼ − z_y, for a list of logits z and
    a class index y (or a batch: a list of such lists and a list of indices).

    One ``log_softmax`` node, −((m − z_y) + log1p(Σⱼ e^(zⱼ − m))) around the largest logit m:
    two terms of the same sign, so no large shift is added back and then cancelled
    ([1e8, 1e8] gives log 2 exactly, [-1e300] * 3 gives log 3). The gradient is
    softmax(z) − onehot(y), its target entry computed as −Σ_{j≠y} softmax(z)ⱼ.
    As ``torch.nn.functional.cross_entropy``.
    """

    def one(z, y):
        if not isinstance(z, (list, tuple)) or not z:
            raise TypeError("cross_entropy: logits must be a non-empty list of Values")
        if isinstance(y, bool) or not isinstance(y, Integral) or not 0 <= int(y) < len(z):
            raise ValueError(
                f"cross_entropy: the target must be a class index in 0..{len(z) - 1}, got {y!r}"
            )
        y = int(y)
        z = [_as_value(zi, "cross_entropy") for zi in z]
        return -apply(P.log_softmax, (z[y], *z[:y], *z[y + 1 :]))

    if isinstance(logits, (list, tuple)) and logits and isinstance(logits[0], (list, tuple)):
        return _reduce("cross_entropy", one, list(logits), target)
    if isinstance(target, (list, tuple)):
        raise TypeError(
            f"cross_entropy: got {len(logits) if isinstance(logits, (list, tuple)) else 1} "
            f"single scores and a list of {len(target)} targets; cross_entropy takes a list of "
            "k logits per sample (a model with one output per class, MLP(..., [.., k]))"
        )
    return one(logits, target)


def l2_penalty(parameters: Sequence[Value], strength: float) -> Value:
    """½·λ·Σ w² over ``parameters`` (λ = ``strength``): add it to a loss to keep weights small.

    Its gradient λ·w is exactly what ``SGD(weight_decay=λ)`` adds to each gradient.
    """
    parameters = list(parameters)
    return autograd.vsum([w * w for w in parameters]) * (0.5 * strength)


LOSSES = {
    "mse": mse_loss,
    "hinge": hinge_loss,
    "bce": binary_cross_entropy,
    "cross_entropy": cross_entropy,
}


def get_loss(loss) -> Callable:
    """A loss function from its name ("mse", "hinge", "bce", "cross_entropy") or itself."""
    if callable(loss):
        return loss
    if loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)}")
    return LOSSES[loss]


__all__: list[str] = [
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy",
    "cross_entropy",
    "l2_penalty",
    "get_loss",
    "LOSSES",
]
