"""Recording modes: ``no_grad()`` and ``detect_anomaly()``.

Both are per thread (a ``no_grad`` block in one thread never stops another thread from
recording) and nest. The engine's hot path must not pay for them when they are unused, so
besides the per-thread state there is one process-wide counter, ``active``: the number of
mode blocks open in any thread. While it is zero, building a node checks nothing else.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _ThreadState(threading.local):
    grad_enabled = True
    anomaly = False
    taping = False  # autograd.tape.record is running: no_grad nodes keep their inputs
    # True while a derivative rule builds nodes under create_graph: detect_anomaly then checks
    # the gradients the rule returns (naming the primitive), not each node the rule builds.
    in_rule = False


state = _ThreadState()
active = [0]  # a list so that importers see updates; read as `active[0]`
_lock = threading.Lock()


@contextmanager
def _mode(attribute: str, value: bool) -> Iterator[None]:
    previous = getattr(state, attribute)
    setattr(state, attribute, value)
    with _lock:
        active[0] += 1
    try:
        yield
    finally:
        setattr(state, attribute, previous)
        with _lock:
            active[0] -= 1


def no_grad():
    """Context manager: operations inside record no graph; their results are constant leaves.

    Use it for updates that must not become part of the graph, e.g. ``w.data -= lr * w.grad``
    written with Values. Nestable and per thread.
    """
    return _mode("grad_enabled", False)


def enable_grad():
    """Context manager: record the graph again inside a ``no_grad()`` block."""
    return _mode("grad_enabled", True)


def detect_anomaly():
    """Context manager: raise ``FloatingPointError`` at the first non-finite value or gradient.

    The error names the operation, its input values and labels, and the file:line of the user
    code that created the node. Nodes created inside the block remember where they were made.
    """
    return _mode("anomaly", True)


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad()`` in this thread."""
    return state.grad_enabled
