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
losses "mse", "hinge", "bce" and "cross_entropy", rewritten here so that the target is an
input of the tape rather than a constant. ``cross_entropy`` picks ``z[y]`` by the target, so
its graph's structure depends on the label: on the tape it is one node ``CROSS_ENTROPY``
taking the logits and the class index as inputs, whose rules are exactly the engine's
``−log_softmax(z[y], …)`` with the inputs put in that order for each sample. A loss function
of the user's may read anything: it runs uncompiled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd import Primitive, Value, apply, no_grad
from autograd import _lse_numpy as LN
from autograd import primitives as P
from nn.layers import MLP, Layer, Neuron
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss


def _mse(p, t):
    return (p - t) ** 2


def _hinge(s, t):
    return (1.0 - s * t).relu()


def _bce(z, t):
    return apply(P.binary_cross_entropy_with_logits, (z, t))


def _target_first(zs: Sequence, y: float) -> tuple[int, list]:
    k = int(y)
    return k, [zs[k], *zs[:k], *zs[k + 1 :]]


def _cross_entropy_forward(*args: float) -> float:
    _, ordered = _target_first(args[:-1], args[-1])
    return -P.log_softmax.forward(*ordered)


def _cross_entropy_vjp(g, ans, *args):
    # The engine's two nodes, neg then log_softmax, in one: the same operations on the same
    # numbers, so the same bits; then each gradient back in its logit's place.
    k, ordered = _target_first(args[:-1], P.data(args[-1]))
    d = list(P.log_softmax.vjp(-g, -ans, *ordered))
    return [*d[1 : k + 1], d[0], *d[k + 1 :], 0.0]


def _cross_entropy_array_form(np) -> tuple:
    def forward(*args):
        Z = LN.rows(np, args[:-1])
        y = np.broadcast_to(np.asarray(args[-1]), Z.shape[:1]).astype(np.intp)
        return -LN.log_softmax_rows(np, Z, y)

    def vjp(g, ans, *args):
        Z = LN.rows(np, args[:-1])
        y = np.broadcast_to(np.asarray(args[-1]), Z.shape[:1]).astype(np.intp)
        D = LN.log_softmax_grad_rows(np, Z, y)
        return [-g * D[:, j] for j in range(Z.shape[1])] + [0.0 * g]

    return forward, vjp


#: −log softmax(z)_y of logits z₁…z_k and a class index y (a number): nn's cross_entropy for
#: one sample, with the target an input, so that one tape serves every label.
CROSS_ENTROPY = Primitive(
    "cross_entropy",
    _cross_entropy_forward,
    _cross_entropy_vjp,
    "∂/∂z_y = −(1 − softmax(z)_y), ∂/∂zⱼ = softmax(z)ⱼ",
    array_form=_cross_entropy_array_form,
)


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
    multiclass = loss_fn is cross_entropy
    if (per_sample is None and not multiclass) or not isinstance(model, (MLP, Layer, Neuron)):
        return None
    n_in = model.nin
    rows = _rows(model, loss_fn, X, y)
    if rows is None:
        return None

    def sample(*inputs: Value):
        outputs = model(list(inputs[:n_in]))
        listed = outputs if isinstance(outputs, list) else [outputs]
        if multiclass:
            return [apply(CROSS_ENTROPY, (*listed, inputs[n_in])), *listed]
        if len(listed) != 1:
            raise TypeError(f"fit: the {loss_fn.__name__} loss needs one output per sample")
        assert per_sample is not None  # not multiclass: a loss of PER_SAMPLE
        return [per_sample(listed[0], inputs[n_in]), *listed]

    from autograd.tape import record

    tape = record(sample, rows[0])
    if mode == "tape":
        step = _plain_step(tape, rows, y, optimizer, threshold)
    else:
        step = _batched_step(tape, rows, y, optimizer, threshold)
    step.evaluate = _evaluator(tape, model, loss_fn, threshold, mode)  # type: ignore[attr-defined]
    return step


def _rows(model, loss_fn: Callable, X: Sequence, y: Sequence) -> list[list[float]] | None:
    """The tape's input rows, [*x, target] per sample, once the loss has checked the targets
    (raising as the uncompiled step would); None when a sample is not a row of numbers of the
    model's width (the uncompiled step then reports it as it meets it)."""
    if not X or len(X) != len(y):
        return None
    with no_grad():  # the loss's own checks of the targets and of the model's outputs
        first = model(X[0])
        try:
            distinct = list(dict.fromkeys(y))
        except TypeError:
            distinct = list(y)
        for target in distinct:
            loss_fn(first, target)
    try:
        rows = [[*map(float, x), float(t)] for x, t in zip(X, y)]
    except (TypeError, ValueError):
        return None
    if any(len(row) != model.nin + 1 for row in rows):
        return None
    return rows


def _evaluator(tape, model, loss_fn: Callable, threshold: float, mode: str):
    """``evaluate(X, y) -> (mean loss, accuracy)`` or None (not compilable: the caller then
    runs ``nn.train.evaluate``): the tape's forward pass over the set, as ``evaluate`` computes
    it (the losses summed in order, times 1/n), the rows converted once per set."""
    from nn.train import is_correct

    cache: list = [None, None, None]  # X, y, rows

    def evaluate(X: Sequence, y: Sequence) -> tuple[float, float] | None:
        if cache[0] is not X or cache[1] is not y:
            cache[:] = [X, y, _rows(model, loss_fn, X, y)]
        rows = cache[2]
        if rows is None:
            return None
        slots = tape.outputs[1:]
        if mode == "tape":
            traces = tape.forward_many(rows)
            loss = sum([t[tape.outputs[0]] for t in traces]) * (1.0 / len(rows))
            correct = sum(is_correct(_scores(t, slots), c, threshold) for t, c in zip(traces, y))
            return loss, correct / len(rows)
        import numpy as np

        outputs = tape.batched().forward(np.array(rows, dtype=np.float64)).outputs
        loss = sum(outputs[:, 0].tolist()) * (1.0 / len(rows))
        if len(slots) > 1:
            right = np.argmax(outputs[:, 1:], axis=1) == np.array([int(c) for c in y])
        else:
            right = (outputs[:, 1] > threshold) == np.array([float(c) > 0 for c in y])
        return loss, int(np.count_nonzero(right)) / len(rows)

    return evaluate


def _plain_step(tape, rows, y, optimizer, threshold):
    from nn.train import is_correct

    loss_slot, out_slots = tape.outputs[0], tape.outputs[1:]

    def step(batch: list[int]) -> tuple[float, int]:
        traces = tape.forward_many([rows[i] for i in batch])
        scale = 1.0 / len(batch)
        loss = sum([t[loss_slot] for t in traces]) * scale
        optimizer.zero_grad()
        tape.backward_many(traces, [scale] * len(batch))
        correct = sum(
            is_correct(_scores(t, out_slots), y[i], threshold) for t, i in zip(traces, batch)
        )
        return loss, correct

    return step


def _scores(trace, slots):
    return trace[slots[0]] if len(slots) == 1 else [trace[s] for s in slots]


def _batched_step(tape, rows, y, optimizer, threshold):
    import numpy as np

    batched = tape.batched()
    data = np.array(rows, dtype=np.float64)
    multiclass = len(tape.outputs) > 2
    if multiclass:
        labels = np.array([int(t) for t in y])
    else:
        positive = np.array([float(t) > 0 for t in y])

    def step(batch: list[int]) -> tuple[float, int]:
        index = np.array(batch)
        result = batched.forward(data[index])
        scale = 1.0 / len(batch)
        loss = float(result.outputs[:, 0].sum()) * scale
        optimizer.zero_grad()
        batched.backward(result, scale)
        if multiclass:  # the first largest score, as is_correct
            right = np.argmax(result.outputs[:, 1:], axis=1) == labels[index]
        else:
            right = (result.outputs[:, 1] > threshold) == positive[index]
        correct = int(np.count_nonzero(right))
        return loss, correct

    return step
