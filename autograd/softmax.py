"""``logsumexp``, ``softmax`` and ``log_softmax`` over a list of Values.

``logsumexp`` is one n-ary node (the primitive ``logsumexp``); ``log_softmax`` gives one
``log_softmax`` node per entry, each the log-probability of its entry among all of them, and
``softmax`` their exponentials. Each is computed without cancellation (see ``_lse.py``), within
a few ulp of the exact value for any finite inputs, from -1e308 to 1e308; with nan or ±inf
among the inputs the values and gradients are PyTorch's.
"""

from __future__ import annotations

import math

from autograd import primitives as P
from autograd.value import Value, apply


def _values(values, where: str) -> list:
    try:
        return list(values)
    except TypeError:
        raise TypeError(
            f"{where}: expected an iterable of Values or numbers, got {type(values).__name__}"
        ) from None


def logsumexp(values) -> Value:
    """log Σᵢ e^xᵢ as one node; its gradient is softmax(x). -inf for an empty list.

    Stable at any magnitude: ``logsumexp([1e308, 1e308])`` is 1e308 (+ log 2, below an ulp),
    all -inf gives -inf, a +inf gives inf, a nan gives nan (as ``torch.logsumexp``).
    """
    values = _values(values, "logsumexp(values)")
    if not values:
        return Value(-math.inf)
    return apply(P.logsumexp, values)


def log_softmax(values) -> list[Value]:
    """[xᵢ − log Σⱼ e^xⱼ for each i], as ``torch.log_softmax``, each a node of its own (so the
    n outputs together hold n² edges: meant for the few classes of a classifier)."""
    values = _values(values, "log_softmax(values)")
    return [apply(P.log_softmax, (x, *values[:i], *values[i + 1 :])) for i, x in enumerate(values)]


def softmax(values) -> list[Value]:
    """[e^xᵢ / Σⱼ e^xⱼ for each i], as ``torch.softmax``: the exponentials of ``log_softmax``."""
    return [p.exp() for p in log_softmax(values)]
