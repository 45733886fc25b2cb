"""The training loop: forward pass, loss, backward pass, update — repeated.

Each step follows the backprop documents: run a batch through the model (forward pass),
measure the loss, ``backward()`` to get ∂L/∂w for every weight and bias, and let the optimizer
update them (``w ← w − η·∂L/∂w`` for plain SGD). ``fit`` repeats that over the data until the
loss is small enough (``target_loss``) or for ``epochs`` passes.

Predictions are scores: with one output, a sample is classified positive when its score is above
``threshold`` (0 — the logit of probability ½ for ``binary_cross_entropy``, the margin for
``hinge_loss``); with several outputs, as the index of the largest. A label counts as positive
when it is > 0, so 0/1 and −1/+1 labels both work.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Integral

from autograd import no_grad
from nn.losses import get_loss
from nn.optim import Adam, Optimizer


def _score(output) -> float | list[float]:
    if isinstance(output, (list, tuple)):
        return [float(o) for o in output]
    return float(output)


def is_correct(output, label, threshold: float = 0.0) -> bool:
    """Whether one model output classifies ``label`` right (see the module docstring)."""
    score = _score(output)
    if isinstance(score, list):
        return max(range(len(score)), key=score.__getitem__) == label
    return (score > threshold) == (label > 0)


def predict(model: Callable, x: Sequence[float], threshold: float = 0.0) -> int:
    """The class of one input: 1/0 for a one-output model (score above ``threshold`` or not),
    the index of the largest output otherwise."""
    with no_grad():
        score = _score(model(x))
    if isinstance(score, list):
        return max(range(len(score)), key=score.__getitem__)
    return int(score > threshold)


def accuracy(model: Callable, X: Sequence, y: Sequence, threshold: float = 0.0) -> float:
    """The fraction of samples in ``X`` that ``model`` classifies as ``y`` says (no graph is
    recorded)."""
    if len(X) != len(y):
        raise ValueError(f"accuracy: {len(X)} inputs but {len(y)} labels")
    if not X:
        raise ValueError("accuracy: no samples")
    with no_grad():
        correct = sum(is_correct(model(x), label, threshold) for x, label in zip(X, y))
    return correct / len(X)


class TrainingDiverged(ArithmeticError):
    """Training produced a loss that is not finite (inf or nan): the step size is too large for
    this problem, or the data is not scaled. ``history`` holds the finished epochs, ``epoch``
    (counting from 1) and ``loss`` say where it happened."""

    def __init__(self, epoch: int, loss: float, history: dict[str, list[float]]):
        super().__init__(f"training diverged at epoch {epoch} (loss = {loss})")
        self.epoch, self.loss, self.history = epoch, loss, history


BINARY_LOSSES = ("bce", "hinge", "mse")


def output_count(model: Callable, x: Sequence[float]) -> int:
    """How many outputs ``model`` gives for one input: 1 for a single score, k for a list."""
    with no_grad():
        out = model(x)
    return len(out) if isinstance(out, (list, tuple)) else 1


def default_loss(n_outputs: int) -> str:
    """The loss ``fit`` uses when none is given: cross-entropy over the outputs of a model with
    several (one logit per class), binary cross-entropy on the logit of a model with one."""
    return "cross_entropy" if n_outputs > 1 else "bce"


def check_labels(loss: str, n_outputs: int, y: Sequence, where: str = "fit") -> None:
    """Raise ``ValueError`` saying what to change when a model with ``n_outputs`` outputs and
    the loss named ``loss`` cannot be trained on the class labels ``y``."""
    distinct = sorted(set(y), key=lambda v: (str(type(v)), v))
    if loss in BINARY_LOSSES and n_outputs > 1:
        raise ValueError(
            f"{where}: loss {loss!r} takes one output per sample (a score), but the model has "
            f"{n_outputs} outputs; use loss='cross_entropy' for one output per class, or a "
            "model with 1 output"
        )
    if loss in ("bce", "hinge") and len(distinct) > 2:
        raise ValueError(
            f"{where}: the model has 1 output but the labels have {len(distinct)} classes; "
            f"use MLP(..., [.., {len(distinct)}]) (one output per class, cross-entropy)"
        )
    if loss != "cross_entropy":
        return
    if n_outputs == 1:
        raise ValueError(
            f"{where}: cross_entropy needs one output per class, but the model has 1 output; "
            f"use MLP(..., [.., {max(len(distinct), 2)}]), or loss='bce' for two classes"
        )
    for i, label in enumerate(y):
        if isinstance(label, bool) or not isinstance(label, Integral):
            raise ValueError(
                f"{where}: the label of sample {i} is {label!r}; "
                "cross_entropy needs class indices 0..k-1"
            )
    if distinct and (distinct[0] < 0 or distinct[-1] >= n_outputs):
        bad = next(i for i, label in enumerate(y) if not 0 <= label < n_outputs)
        raise ValueError(
            f"{where}: the label of sample {bad} is {y[bad]}, out of range for a model with "
            f"{n_outputs} outputs (classes 0..{n_outputs - 1})"
            + (
                f"; the labels have classes {distinct[0]}..{distinct[-1]}: use MLP(..., "
                f"[.., {distinct[-1] + 1}])"
                if distinct[0] >= 0
                else ""
            )
        )


def fit(
    model,
    X: Sequence,
    y: Sequence,
    loss: str | Callable | None = None,
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    target_loss: float | None = None,
    progress: bool = True,
    seed: int | None = 0,
    threshold: float = 0.0,
    test_data: tuple[Sequence, Sequence] | None = None,
    compile: bool | str = True,
) -> dict[str, list[float]]:
    """Train ``model`` on ``(X, y)`` and return the history ``{"loss": [...], "accuracy":
    [...]}``, one entry per epoch (with ``test_data``, also ``"test_loss"`` and
    ``"test_accuracy"``).

    - ``loss``: a name ("bce", "hinge", "mse", "cross_entropy") or a function
      ``loss(predictions, targets) -> Value`` taking a batch. None (the default): cross-entropy
      for a model with several outputs (labels 0..k−1), binary cross-entropy for one output.
    - ``optimizer``: defaults to ``Adam(model.parameters(), lr=0.01)``.
    - ``batch_size``: samples per update (None: the whole data set, one update per epoch).
      Batches are reshuffled every epoch with ``random.Random(seed)``.
    - ``target_loss``: stop after the first epoch whose mean loss is ≤ this (the history is
      then shorter than ``epochs``).
    - ``progress``: show a tqdm progress bar with the loss and accuracy.
    - ``compile``: record one sample's step on a tape once and replay it for every sample
      (``nn.compiled``): True (default) replays over numpy arrays, the batch at once, equal to
      the uncompiled step to about 1e-15; "tape" replays in plain Python, bit for bit the
      uncompiled step; False builds the graph at every step. Models other than ``nn``'s
      modules and a loss function of your own always run uncompiled.
    - ``test_data``: ``(X_test, y_test)``, evaluated after every epoch (no graph recorded;
      on the tape when compiled).

    An epoch's loss and accuracy are averaged over its batches as they were trained on (each
    measured before that batch's update) — free to compute, and close to the end-of-epoch
    values once training settles. Use ``accuracy(model, X, y)`` for an exact figure.

    Raises ``ValueError`` when the model's outputs, the loss and the labels do not fit together
    (saying what to change), and ``TrainingDiverged`` as soon as a batch's loss is inf or nan.
    """
    from tqdm.auto import tqdm

    n = len(X)
    if n != len(y):
        raise ValueError(f"fit: {n} inputs but {len(y)} labels")
    if n == 0:
        raise ValueError("fit: no training samples")
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"fit: epochs must be a positive integer, got {epochs!r}")
    if batch_size is None:
        batch_size = n
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"fit: batch_size must be a positive integer or None, got {batch_size!r}")
    if loss is None or isinstance(loss, str):
        n_outputs = output_count(model, X[0])
        loss = loss or default_loss(n_outputs)
        get_loss(loss)  # an unknown name is reported before the labels are looked at
        check_labels(loss, n_outputs, y)
        if test_data is not None:
            check_labels(loss, n_outputs, test_data[1], "fit(test_data)")
    loss_fn = get_loss(loss)
    if optimizer is None:
        optimizer = Adam(model.parameters(), lr=0.01)
    rng = random.Random(seed)
    order = list(range(n))
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if test_data is not None:
        history.update(test_loss=[], test_accuracy=[])
    from nn import compiled as _compiled

    mode = _compiled.resolve_mode(compile)
    run_batch = (
        mode and _compiled.batch_step(model, loss_fn, X, y, optimizer, threshold, mode)
    ) or _graph_step(model, loss_fn, X, y, optimizer, threshold)

    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress)
    for epoch in bar:
        if batch_size < n:
            rng.shuffle(order)
        total_loss, correct = 0.0, 0
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            batch_loss, batch_correct = run_batch(batch)  # forward, loss, backward
            if not math.isfinite(batch_loss):
                bar.close()
                raise TrainingDiverged(epoch + 1, batch_loss, history)
            optimizer.step()  # w ← w − η·∂L/∂w (or Adam's)
            total_loss += batch_loss * len(batch)
            correct += batch_correct
        history["loss"].append(total_loss / n)
        history["accuracy"].append(correct / n)
        shown = {"loss": f"{total_loss / n:.4g}", "acc": f"{correct / n:.3f}"}
        if test_data is not None:
            compiled = getattr(run_batch, "evaluate", None)
            measured = compiled and compiled(*test_data)
            test_loss, test_accuracy = measured or evaluate(model, *test_data, loss_fn, threshold)
            history["test_loss"].append(test_loss)
            history["test_accuracy"].append(test_accuracy)
            shown["test_acc"] = f"{test_accuracy:.3f}"
        bar.set_postfix(shown)
        if target_loss is not None and total_loss / n <= target_loss:
            break
    bar.close()
    return history


def _graph_step(model, loss_fn, X, y, optimizer, threshold: float):
    """step(batch) -> (loss, correct count): the batch's graph built and differentiated."""

    def step(batch: list[int]) -> tuple[float, int]:
        outputs = [model(X[i]) for i in batch]  # forward pass
        targets = [y[i] for i in batch]
        batch_loss = loss_fn(outputs, targets)  # loss
        optimizer.zero_grad()
        batch_loss.backward()  # backward pass
        correct = sum(is_correct(o, t, threshold) for o, t in zip(outputs, targets))
        return batch_loss.data, correct

    return step


def evaluate(
    model: Callable, X: Sequence, y: Sequence, loss: str | Callable, threshold: float = 0.0
) -> tuple[float, float]:
    """``(mean loss, accuracy)`` of ``model`` on ``(X, y)``, with no graph recorded."""
    loss_fn = get_loss(loss)
    if not X:
        raise ValueError("evaluate: no samples")
    with no_grad():
        outputs = [model(x) for x in X]
        value = loss_fn(outputs, list(y)).data
    correct = sum(is_correct(o, t, threshold) for o, t in zip(outputs, y))
    return value, correct / len(X)


__all__ = [
    "fit",
    "evaluate",
    "accuracy",
    "predict",
    "is_correct",
    "TrainingDiverged",
    "output_count",
    "default_loss",
    "check_labels",
]
