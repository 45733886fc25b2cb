"""The confusion matrix of a classifier: for every true class, how its samples were classified.

Row i counts the samples of true class i, column j those predicted as class j: the diagonal is
what was right, every other cell one kind of mistake (a 4 read as a 9). Row-normalised, each row
sums to 1 and the diagonal is each class's recall. The same layout as
``sklearn.metrics.confusion_matrix`` (rows true, columns predicted).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from viz.plots import _figure, _png_path


def confusion_matrix(
    y_true: Sequence[int], y_pred: Sequence[int], n_classes: int | None = None
) -> list[list[int]]:
    """``m[i][j]`` = how many samples of true class i were predicted as class j (k × k, k =
    ``n_classes`` or 1 + the largest label). Raises ``ValueError`` for lists of different
    lengths or labels that are not integers in 0..k−1."""
    if len(y_true) != len(y_pred):
        raise ValueError(f"confusion_matrix: {len(y_true)} true labels but {len(y_pred)} predicted")
    labels = list(y_true) + list(y_pred)
    for v in labels:
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValueError(f"confusion_matrix: labels must be class indices ≥ 0, got {v!r}")
    k = n_classes if n_classes is not None else 1 + max(labels, default=-1)
    if labels and max(labels) >= k:
        raise ValueError(f"confusion_matrix: label {max(labels)} is not below n_classes={k}")
    m = [[0] * k for _ in range(k)]
    for t, p in zip(y_true, y_pred):
        m[t][p] += 1
    return m


def plot_confusion_matrix(
    y_true: Sequence[int],
    y_pred: Sequence[int],
    path,
    *,
    classes: Sequence | None = None,
    title: str = "confusion matrix",
) -> str:
    """Save a PNG of the confusion matrix twice, side by side: counts, and row-normalised
    (each row sums to 1; the diagonal is each class's recall). ``classes`` names the k classes
    (default 0..k−1). Returns the path."""
    path = _png_path(path)
    k = len(classes) if classes is not None else None
    counts = confusion_matrix(list(y_true), list(y_pred), k)
    k = len(counts)
    names = [str(c) for c in classes] if classes is not None else [str(i) for i in range(k)]
    rates = [[c / (sum(row) or 1) for c in row] for row in counts]
    correct = sum(counts[i][i] for i in range(k))
    total = sum(map(sum, counts))

    size = 3.0 + 0.3 * k
    fig = _figure((2 * size + 1.0, size))
    axes = fig.subplots(1, 2)
    panels: list[tuple[Any, str, str, float | None]] = [
        (counts, "counts", "Blues", None),
        (rates, "row-normalised (recall)", "Greens", 1.0),
    ]
    for ax, (matrix, name, cmap, vmax) in zip(axes, panels):
        top = vmax if vmax is not None else max(max(row) for row in matrix) or 1
        image = ax.imshow(matrix, cmap=cmap, vmin=0, vmax=top)
        fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        ax.set_xticks(range(k))
        ax.set_yticks(range(k))
        ax.set_xticklabels(names, rotation=45 if max(map(len, names)) > 2 else 0, ha="right")
        ax.set_yticklabels(names)
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
        ax.set_title(name)
        if k <= 20:
            for i in range(k):
                for j in range(k):
                    v = matrix[i][j]
                    text = f"{v:d}" if isinstance(v, int) else f"{v:.2f}"
                    if v == 0:
                        text = "·"
                    ax.text(
                        j,
                        i,
                        text,
                        ha="center",
                        va="center",
                        fontsize=8 if k > 6 else 10,
                        color="white" if v > 0.6 * top else "black",
                    )
    fig.suptitle(f"{title}: {correct}/{total} right ({correct / (total or 1):.1%})")
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100, bbox_inches="tight")
    return path


__all__ = ["confusion_matrix", "plot_confusion_matrix"]
