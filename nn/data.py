"""Small 2-D classification data sets, generated with ``random.Random(seed)`` (no scikit-learn).

Every ``make_*`` returns ``(X, y)``: X a list of ``[x1, x2]`` points, y a list of int labels
**0/1** (``make_blobs``: 0..centers−1). The losses want different label conventions:
``binary_cross_entropy`` takes 0/1 as they are; ``hinge_loss`` (and ``mse_loss`` on a
classifier's score) wants −1/+1: convert with ``signed_labels(y)``.

The same ``seed`` always gives the same points; ``noise`` is the standard deviation of the
Gaussian jitter added to each coordinate.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from numbers import Real

Points = list[list[float]]
Labels = list[int]


def _check(n_samples, noise, where: str) -> None:
    if isinstance(n_samples, bool) or not isinstance(n_samples, int) or n_samples < 1:
        raise ValueError(f"{where}: n_samples must be a positive integer, got {n_samples!r}")
    if isinstance(noise, bool) or not isinstance(noise, Real) or not float(noise) >= 0:
        raise ValueError(f"{where}: noise must be a number ≥ 0, got {noise!r}")


def _split(n: int, k: int) -> list[int]:
    """n samples shared among k classes as evenly as possible (the first ones get the extra)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _shuffled(X: Points, y: Labels, rng: random.Random) -> tuple[Points, Labels]:
    order = list(range(len(X)))
    rng.shuffle(order)
    return [X[i] for i in order], [y[i] for i in order]


def make_moons(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[Points, Labels]:
    """Two interleaving half circles: class 0 is the upper arc (centre (0, 0), radius 1), class
    1 the lower arc shifted to (1, 0.5) — not linearly separable."""
    _check(n_samples, noise, "make_moons")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for label, n in enumerate(_split(n_samples, 2)):
        for i in range(n):
            t = math.pi * i / max(n - 1, 1)
            if label == 0:
                point = [math.cos(t), math.sin(t)]
            else:
                point = [1.0 - math.cos(t), 0.5 - math.sin(t)]
            X.append([c + rng.gauss(0.0, noise) for c in point])
            y.append(label)
    return _shuffled(X, y, rng)


def make_circles(
    n_samples: int = 100, noise: float = 0.0, factor: float = 0.5, seed: int | None = None
) -> tuple[Points, Labels]:
    """A circle of radius 1 (class 0) around a smaller one of radius ``factor`` (class 1)."""
    _check(n_samples, noise, "make_circles")
    if not (isinstance(factor, Real) and 0 < factor < 1):
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for label, (n, radius) in enumerate(zip(_split(n_samples, 2), (1.0, factor))):
        for i in range(n):
            t = 2 * math.pi * i / n
            X.append(
                [
                    radius * math.cos(t) + rng.gauss(0.0, noise),
                    radius * math.sin(t) + rng.gauss(0.0, noise),
                ]
            )
            y.append(label)
    return _shuffled(X, y, rng)


def make_blobs(
    n_samples: int = 100,
    centers: int = 2,
    noise: float = 1.0,
    seed: int | None = None,
    box: float = 5.0,
) -> tuple[Points, Labels]:
    """``centers`` Gaussian clusters (standard deviation ``noise``) around centres drawn
    uniformly in [−box, box]²; the label is the cluster's index."""
    _check(n_samples, noise, "make_blobs")
    if isinstance(centers, bool) or not isinstance(centers, int) or centers < 1:
        raise ValueError(f"make_blobs: centers must be a positive integer, got {centers!r}")
    rng = random.Random(seed)
    middles = [[rng.uniform(-box, box), rng.uniform(-box, box)] for _ in range(centers)]
    X: Points = []
    y: Labels = []
    for label, n in enumerate(_split(n_samples, centers)):
        cx, cy = middles[label]
        for _ in range(n):
            X.append([cx + rng.gauss(0.0, noise), cy + rng.gauss(0.0, noise)])
            y.append(label)
    return _shuffled(X, y, rng)


def make_xor(
    n_samples: int = 100, noise: float = 0.0, seed: int | None = None
) -> tuple[Points, Labels]:
    """Points uniform in [−1, 1]², labelled 1 where x1 and x2 have different signs (XOR of the
    signs). ``noise`` jitters the points after labelling, blurring the boundary."""
    _check(n_samples, noise, "make_xor")
    rng = random.Random(seed)
    X: Points = []
    y: Labels = []
    for _ in range(n_samples):
        x1, x2 = rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)
        y.append(1 if (x1 > 0) != (x2 > 0) else 0)
        X.append([x1 + rng.gauss(0.0, noise), x2 + rng.gauss(0.0, noise)])
    return X, y


#: name → generator; each is called as ``make(n_samples, noise=..., seed=...)``.
DATASETS: dict[str, Callable[..., tuple[Points, Labels]]] = {
    "moons": make_moons,
    "circles": make_circles,
    "blobs": make_blobs,
    "xor": make_xor,
}


def train_test_split(
    X: Sequence, y: Sequence, test_fraction: float = 0.25, seed: int | None = None
) -> tuple[list, list, list, list]:
    """Shuffle (seeded) and split into ``X_train, X_test, y_train, y_test``; the test part has
    round(test_fraction · n) samples."""
    if len(X) != len(y):
        raise ValueError(f"train_test_split: {len(X)} inputs but {len(y)} labels")
    if not (isinstance(test_fraction, Real) and 0 < test_fraction < 1):
        raise ValueError(
            f"train_test_split: test_fraction must be in (0, 1), got {test_fraction!r}"
        )
    n_test = round(test_fraction * len(X))
    if not 0 < n_test < len(X):
        raise ValueError(
            f"train_test_split: {len(X)} samples are too few to split with "
            f"test_fraction={test_fraction}"
        )
    order = list(range(len(X)))
    random.Random(seed).shuffle(order)
    test, train = order[:n_test], order[n_test:]
    return (
        [X[i] for i in train],
        [X[i] for i in test],
        [y[i] for i in train],
        [y[i] for i in test],
    )


def signed_labels(y: Sequence[int]) -> list[int]:
    """0/1 labels → −1/+1 (for ``hinge_loss``); −1/+1 labels are returned unchanged."""
    out = []
    for i, label in enumerate(y):
        if label not in (0, 1, -1):
            raise ValueError(f"signed_labels: label {i} is {label!r}; expected 0/1 or -1/+1")
        out.append(1 if label == 1 else -1)
    return out
