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

import random
from collections.abc import Callable, Sequence

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


def fit(
    model,
    X: Sequence,
    y: Sequence,
    loss: str | Callable = "bce",
    optimizer: Optimizer | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    target_loss: float | None = None,
    progress: bool = True,
    seed: int | None = 0,
    threshold: float = 0.0,
    compile: bool | str = True,
) -> dict[str, list[float]]:
    """Train ``model`` on ``(X, y)`` and return the history ``{"loss": [...], "accuracy":
    [...]}``, one entry per epoch.

    - ``loss``: a name ("bce", "hinge", "mse", "cross_entropy") or a function
      ``loss(predictions, targets) -> Value`` taking a batch.
    - ``optimizer``: defaults to ``Adam(model.parameters(), lr=0.01)``.
    - ``batch_size``: samples per update (None: the whole data set, one update per epoch).
      Batches are reshuffled every epoch with ``random.Random(seed)``.
    - ``target_loss``: stop after the first epoch whose mean loss is ≤ this.
    - ``progress``: show a tqdm progress bar with the loss and accuracy.
    - ``compile``: record one sample's step on a tape once and replay it for every sample
      (``nn.compiled``): True (default) replays over numpy arrays, the batch at once, equal to
      the uncompiled step to about 1e-15; "tape" replays in plain Python, bit for bit the
      uncompiled step; False builds the graph at every step. Models and losses a tape cannot
      reproduce (``cross_entropy``, a loss function of your own) always run uncompiled.

    An epoch's loss and accuracy are averaged over its batches as they were trained on (each
    measured before that batch's update) — free to compute, and close to the end-of-epoch
    values once training settles. Use ``accuracy(model, X, y)`` for an exact figure.
    """
    from tqdm.auto import tqdm

    loss_fn = get_loss(loss)
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
    if optimizer is None:
        optimizer = Adam(model.parameters(), lr=0.01)
    rng = random.Random(seed)
    order = list(range(n))
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    from nn import compiled as _compiled

    mode = _compiled.resolve_mode(compile)
    run_batch = (
        mode and _compiled.batch_step(model, loss_fn, X, y, optimizer, threshold, mode)
    ) or _graph_step(model, loss_fn, X, y, optimizer, threshold)

    bar = tqdm(range(epochs), desc="training", unit="epoch", disable=not progress)
    for _ in bar:
        if batch_size < n:
            rng.shuffle(order)
        total_loss, correct = 0.0, 0
        for start in range(0, n, batch_size):
            batch = order[start : start + batch_size]
            batch_loss, batch_correct = run_batch(batch)  # forward, loss, backward
            optimizer.step()  # w ← w − η·∂L/∂w (or Adam's)
            total_loss += batch_loss * len(batch)
            correct += batch_correct
        history["loss"].append(total_loss / n)
        history["accuracy"].append(correct / n)
        bar.set_postfix(loss=f"{total_loss / n:.4f}", acc=f"{correct / n:.3f}")
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


__all__ = ["fit", "accuracy", "predict", "is_correct"]
