"""Training plots: a classifier's decision boundary and the loss/accuracy curves.

Both take plain Python data (a ``predict`` callable, lists of numbers), so ``viz`` never needs
to import ``nn``. Matplotlib draws with its file-only ``Agg`` canvas: the plots work on servers
and in CI, with no display.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence


def _figure(size):
    # A bare Figure drawn by the Agg canvas: no pyplot, so no global backend switch (a
    # notebook's inline backend is left alone) and no figure kept alive after saving.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=size)
    FigureCanvasAgg(fig)
    return fig


def _png_path(path) -> str:
    # Always PNG, whatever the suffix: the caller chose the name.
    return os.fspath(path)


def plot_decision_boundary(
    predict: Callable[[list], float],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path,
    *,
    resolution: int = 80,
    title: str = "decision boundary",
) -> str:
    """Save a PNG of the points ``X`` coloured by class ``y`` over the sign of ``predict``.

    ``predict([x0, x1])`` returns a score (a float, or a Value); classes are 0/1 or -1/+1.
    The background is shaded by the score on a ``resolution`` × ``resolution`` grid, with the
    boundary drawn where the score crosses the threshold (0.5 for 0/1 labels, 0 for ±1).
    """
    path = _png_path(path)
    points = [[float(v) for v in row] for row in X]
    labels = [float(v) for v in y]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError("plot_decision_boundary: X must be a non-empty list of 2-D points")
    if len(labels) != len(points):
        raise ValueError(f"plot_decision_boundary: {len(points)} points but {len(labels)} labels")
    classes = sorted(set(labels))
    if not set(classes) <= {0.0, 1.0} and not set(classes) <= {-1.0, 1.0}:
        raise ValueError(f"plot_decision_boundary: labels must be 0/1 or -1/+1, got {classes}")
    threshold = 0.0 if -1.0 in classes else 0.5

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad_x = 0.1 * (max(xs) - min(xs) or 1.0)
    pad_y = 0.1 * (max(ys) - min(ys) or 1.0)
    x_lo, x_hi = min(xs) - pad_x, max(xs) + pad_x
    y_lo, y_hi = min(ys) - pad_y, max(ys) + pad_y
    n = max(2, int(resolution))
    grid_x = [x_lo + (x_hi - x_lo) * i / (n - 1) for i in range(n)]
    grid_y = [y_lo + (y_hi - y_lo) * j / (n - 1) for j in range(n)]
    scores = [[_score(predict, gx, gy) for gx in grid_x] for gy in grid_y]

    fig = _figure((6, 5))
    ax = fig.subplots()
    finite = [s for row in scores for s in row if math.isfinite(s)]
    if finite and min(finite) < max(finite):
        shade = ax.contourf(grid_x, grid_y, scores, levels=20, cmap="RdBu", alpha=0.6)
        fig.colorbar(shade, ax=ax, label="predict score")
        if min(finite) < threshold < max(finite):
            ax.contour(grid_x, grid_y, scores, levels=[threshold], colors="k", linewidths=1.5)
    for cls, colour, marker in zip(classes, ("tab:red", "tab:blue"), ("o", "s")):
        members = [p for p, lab in zip(points, labels) if lab == cls]
        ax.scatter(
            [p[0] for p in members],
            [p[1] for p in members],
            c=colour,
            marker=marker,
            edgecolors="k",
            label=f"class {cls:g}",
        )
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    ax.set_title(title)
    ax.legend(loc="best")
    fig.savefig(path, format="png", dpi=100)
    return path


def _score(predict, x0: float, x1: float) -> float:
    s = predict([x0, x1])
    s = getattr(s, "data", s)  # a Value's number
    return float(s)


def plot_history(history: Mapping[str, Sequence[float]], path, *, title: str = "training") -> str:
    """Save a PNG of ``history["loss"]`` per epoch, and ``history["accuracy"]`` if present
    (on a second axis, since it lives in [0, 1] while the loss can be anywhere)."""
    path = _png_path(path)
    if "loss" not in history:
        raise ValueError(f"plot_history: history needs a 'loss' list, got keys {sorted(history)}")
    loss = [float(v) for v in history["loss"]]
    accuracy = [float(v) for v in history.get("accuracy") or []]
    fig = _figure((6, 4))
    ax = fig.subplots()
    epochs = list(range(1, len(loss) + 1))
    ax.plot(epochs, loss, color="tab:red", marker="." if len(loss) < 50 else None, label="loss")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss", color="tab:red")
    if accuracy:
        ax2 = ax.twinx()
        ax2.plot(
            list(range(1, len(accuracy) + 1)),
            accuracy,
            color="tab:blue",
            marker="." if len(accuracy) < 50 else None,
            label="accuracy",
        )
        ax2.set_ylabel("accuracy", color="tab:blue")
        ax2.set_ylim(-0.02, 1.02)
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    return path
