"""``fit`` on a tape: one sample's step recorded once, replayed for every sample and batch.

The step of one sample — the model's forward pass and that sample's loss, with the input and
the target as the tape's inputs — is recorded with ``autograd.tape.record``. A batch is then
replayed:

- ``"tape"``: in plain Python (``autograd.tape_plain``), sample by sample, the reverse
  passes last sample first and each weight's sum carried across them: bit for bit what
  ``fit`` computes by building the batch's graph and calling ``backward()``;
- ``"batched"``: over numpy arrays (``autograd.tape_numpy``), the batch at once, layers as
  matrix products: the same numbers to about 1e-15 relative.

The batch loss is the mean of the per-sample losses, as the losses compute it (sum, then
times 1/n), so each sample's reverse pass is seeded with 1/n. Only what a tape reproduces is
compiled: models of ``nn.layers`` (whose forward pass reads no Value's number) and the
losses "mse", "hinge" and "bce", rewritten here so that the target is an input of the tape
rather than a constant. ``cross_entropy`` picks ``z[y]`` by the target (the graph depends on
the label) and shifts by max(z) read as a number, and a loss function of the user's may read
anything: those run uncompiled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd import Value, no_grad
from nn.layers import MLP, Layer, Neuron
from nn.losses import binary_cross_entropy, hinge_loss, mse_loss


def _mse(p, t):
    return (p - t) ** 2


def _hinge(s, t):
    return (1.0 - s * t).relu()


def _bce(z, t):
    return z.softplus() - z * t


# Each as the loss builds one sample's term (nn/losses.py), the target a Value: the same
# operations on the same numbers, so the same bits.
PER_SAMPLE: dict[Callable, Callable[[Value, Value], Value]] = {
    mse_loss: _mse,
    hinge_loss: _hinge,
    binary_cross_entropy: _bce,
}
MODES = ("tape", "batched")


def resolve_mode(compile: bool | str) -> str | None:
    """``True`` → "batched" when numpy is installed, else "tape"; ``False`` → None."""
    if compile is False or compile is None:
        return None
    if compile is True:
        try:
            import numpy  # noqa: F401
        except ImportError:  # pragma: no cover - numpy is a dependency
            return "tape"
        return "batched"
    if compile not in MODES:
        raise ValueError(f"fit: compile must be True, False, 'tape' or 'batched', got {compile!r}")
    return compile


def batch_step(
    model, loss_fn: Callable, X: Sequence, y: Sequence, optimizer, threshold: float, mode: str
) -> Callable[[list[int]], tuple[float, int]] | None:
    """A function ``step(batch indices) -> (batch loss, correctly classified count)`` that
    zeroes the gradients and fills them for the batch by replaying a tape, or None when the
    model or the loss cannot be compiled (see the module docstring)."""
    per_sample = PER_SAMPLE.get(loss_fn)
    if per_sample is None or not isinstance(model, (MLP, Layer, Neuron)):
        return None
    n_in = model.nin
    with no_grad():  # the loss's own checks of the targets and of the model's outputs
        first = model(X[0])
        try:
            distinct = list(dict.fromkeys(y))
        except TypeError:
            distinct = list(y)
        for target in distinct:
            loss_fn(first, target)

    def sample(*inputs: Value):
        outputs = model(list(inputs[:n_in]))
        listed = outputs if isinstance(outputs, list) else [outputs]
        if len(listed) != 1:
            raise TypeError(f"fit: the {loss_fn.__name__} loss needs one output per sample")
        return [per_sample(listed[0], inputs[n_in]), *listed]

    from autograd.tape import record

    try:
        rows = [[*map(float, x), float(t)] for x, t in zip(X, y)]
    except (TypeError, ValueError):
        return None  # the uncompiled step reports the bad sample as it meets it
    if any(len(row) != n_in + 1 for row in rows):
        return None
    tape = record(sample, rows[0])
    if mode == "tape":
        return _plain_step(tape, rows, y, optimizer, threshold)
    return _batched_step(tape, rows, y, optimizer, threshold)


def _plain_step(tape, rows, y, optimizer, threshold):
    from nn.train import is_correct

    loss_slot, out_slot = tape.outputs[0], tape.outputs[1]

    def step(batch: list[int]) -> tuple[float, int]:
        traces = tape.forward_many([rows[i] for i in batch])
        scale = 1.0 / len(batch)
        loss = sum([t[loss_slot] for t in traces]) * scale
        optimizer.zero_grad()
        tape.backward_many(traces, [scale] * len(batch))
        correct = sum(is_correct(t[out_slot], y[i], threshold) for t, i in zip(traces, batch))
        return loss, correct

    return step


def _batched_step(tape, rows, y, optimizer, threshold):
    import numpy as np

    batched = tape.batched()
    data = np.array(rows, dtype=np.float64)
    positive = np.array([float(t) > 0 for t in y])

    def step(batch: list[int]) -> tuple[float, int]:
        index = np.array(batch)
        result = batched.forward(data[index])
        scale = 1.0 / len(batch)
        loss = float(result.outputs[:, 0].sum()) * scale
        optimizer.zero_grad()
        batched.backward(result, scale)
        correct = int(np.count_nonzero((result.outputs[:, 1] > threshold) == positive[index]))
        return loss, correct

    return step
