"""Training plots: a classifier's decision regions and the loss/accuracy curves.

Both take plain Python data (a ``predict`` callable, lists of numbers), so ``viz`` never needs
to import ``nn``. Matplotlib draws with its file-only ``Agg`` canvas: the plots work on servers
and in CI, with no display.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any


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


#: The score at the boundary for ``threshold="logit"`` (a logit, or a hinge/MSE margin) and
#: ``threshold="probability"`` (σ of a logit).
THRESHOLDS = {"logit": 0.0, "probability": 0.5}

#: Class colours: class 0 red and class 1 blue (the ends of the binary plot's colour map), then
#: matplotlib's tab10 order.
CLASS_COLOURS = ["tab:red", "tab:blue", "tab:green", "tab:orange", "tab:purple", "tab:brown"] + [
    "tab:pink",
    "tab:gray",
    "tab:olive",
    "tab:cyan",
]
MARKERS = "os^Dvp*hP<>X"


def plot_decision_boundary(
    predict: Callable[[list], object],
    X: Sequence[Sequence[float]],
    y: Sequence[float],
    path,
    *,
    threshold: float | str = "logit",
    resolution: int = 80,
    title: str = "decision boundary",
    classes: Sequence | None = None,
    features: Sequence[str] | None = None,
) -> str:
    """Save a PNG of the 2-D points ``X`` coloured by class ``y`` over the model's decision
    regions; returns the path.

    ``predict([x0, x1])`` returns either one score (a float or a Value) or a list of k scores:

    - **one score** (labels 0/1 or −1/+1): the background is shaded by the score with a colour
      map centred on ``threshold`` (red below, blue above, white at the boundary), and the
      boundary is drawn where the score crosses it. The plot does not guess what the score
      means: ``threshold`` is the score at the boundary, ``"logit"`` (the default) for 0 — a
      logit, as ``model(p).data`` of a binary cross-entropy model, or a hinge or MSE margin —
      or ``"probability"`` for 0.5 (a sigmoid's output), or any number.
    - **k scores** (labels 0..k−1): each grid point is coloured as its largest score's class,
      one colour per class, as ``nn.predict`` decides.

    ``classes`` names the classes in the legend (default: their numbers), ``features`` the two
    axes (a CSV file's column names; default: none). Raises ``ValueError``
    for points that are not 2-D, labels that do not fit the scores, or an unknown threshold.
    """
    path = _png_path(path)
    if isinstance(threshold, str):
        if threshold not in THRESHOLDS:
            raise ValueError(
                f"plot_decision_boundary: threshold must be a number, 'logit' or "
                f"'probability', got {threshold!r}"
            )
        threshold = THRESHOLDS[threshold]
    threshold = float(threshold)
    points = [[float(v) for v in row] for row in X]
    labels = [float(v) for v in y]
    if not points or any(len(p) != 2 for p in points):
        raise ValueError("plot_decision_boundary: X must be a non-empty list of 2-D points")
    if len(labels) != len(points):
        raise ValueError(f"plot_decision_boundary: {len(points)} points but {len(labels)} labels")
    present = sorted(set(labels))

    xs, ys = [p[0] for p in points], [p[1] for p in points]
    pad_x = 0.1 * (max(xs) - min(xs) or 1.0)
    pad_y = 0.1 * (max(ys) - min(ys) or 1.0)
    x_lo, x_hi = min(xs) - pad_x, max(xs) + pad_x
    y_lo, y_hi = min(ys) - pad_y, max(ys) + pad_y
    n = max(2, int(resolution))
    grid_x = [x_lo + (x_hi - x_lo) * i / (n - 1) for i in range(n)]
    grid_y = [y_lo + (y_hi - y_lo) * j / (n - 1) for j in range(n)]
    first = _scores(predict, grid_x[0], grid_y[0])
    k = len(first) if isinstance(first, list) else 1
    if k == 1 and not set(present) <= {0.0, 1.0} and not set(present) <= {-1.0, 1.0}:
        raise ValueError(
            f"plot_decision_boundary: labels must be 0/1 or -1/+1 for a one-score model, got "
            f"{present}; a model with k outputs (a list of scores) draws k classes"
        )
    if k > 1 and not all(v == int(v) and 0 <= v < k for v in present):
        raise ValueError(
            f"plot_decision_boundary: the model gives {k} scores, so labels must be class "
            f"indices 0..{k - 1}, got {present[:10]}"
        )
    grid: list[list[Any]] = [
        [first if i == j == 0 else _scores(predict, gx, gy) for i, gx in enumerate(grid_x)]
        for j, gy in enumerate(grid_y)
    ]

    fig = _figure((6, 5))
    ax = fig.subplots()
    if k == 1:
        order = present if len(present) == 2 else ([-1.0, 1.0] if -1.0 in present else [0, 1])
        _shade_scores(fig, ax, grid_x, grid_y, grid, threshold)
    else:
        order = list(range(k))
        # Each class's region is where its margin over the best other class, s_c − max s_j,
        # is ≥ 0: a smooth field, so the regions' edges are interpolated between the grid's
        # points instead of following its cells (an argmax per cell gives staircases).
        for c in range(k):
            margin = [[s[c] - max(s[:c] + s[c + 1 :]) for s in row] for row in grid]
            top = max(max(row) for row in margin)
            if top <= 0:
                continue
            ax.contourf(grid_x, grid_y, margin, levels=[0, top + 1], colors=[_colour(c)], alpha=0.3)
            ax.contour(grid_x, grid_y, margin, levels=[0], colors="k", linewidths=0.6, alpha=0.35)
    for i, cls in enumerate(order):
        members = [p for p, lab in zip(points, labels) if lab == cls]
        if not members:
            continue
        name = classes[i] if classes is not None and i < len(classes) else f"{cls:g}"
        ax.scatter(
            [p[0] for p in members],
            [p[1] for p in members],
            c=_colour(i),
            marker=MARKERS[i % len(MARKERS)],
            edgecolors="k",
            label=f"class {name}",
        )
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    if features:
        ax.set_xlabel(str(features[0]))
        ax.set_ylabel(str(features[1]))
    ax.set_title(title)
    ax.legend(loc="best", fontsize="small" if len(order) > 4 else None)
    fig.savefig(path, format="png", dpi=100)
    return path


def _shade_scores(fig, ax, grid_x, grid_y, scores, threshold: float) -> None:
    # The colour map is centred on the threshold: white exactly on the boundary, red below and
    # blue above, each side stretched over its own range of scores, so a point's colour always
    # matches the side of the boundary it is on (however lopsided the scores).
    finite = [s for row in scores for s in row if math.isfinite(s)]
    if not finite or min(finite) == max(finite):
        return
    low, high = min(finite), max(finite)
    reach = max(abs(low - threshold), abs(high - threshold))
    low, high = min(low, threshold - 1e-3 * reach), max(high, threshold + 1e-3 * reach)
    levels = [low + (threshold - low) * i / 10 for i in range(10)]
    levels += [threshold + (high - threshold) * i / 10 for i in range(11)]
    norm = _centred_norm(low, high, threshold)
    shade = ax.contourf(grid_x, grid_y, scores, levels=levels, cmap="RdBu", norm=norm, alpha=0.6)
    fig.colorbar(shade, ax=ax, label=f"score (boundary at {threshold:g})")
    if min(finite) < threshold < max(finite):
        ax.contour(grid_x, grid_y, scores, levels=[threshold], colors="k", linewidths=1.5)


def _centred_norm(low: float, high: float, threshold: float):
    """Scores → [0, 1] for the colour map: ``threshold`` at ½ (white), ``low`` at 0, ``high``
    at 1, linear on each side."""
    from matplotlib.colors import TwoSlopeNorm

    return TwoSlopeNorm(vcenter=threshold, vmin=low, vmax=high)


def _colour(i: int) -> str:
    return CLASS_COLOURS[i % len(CLASS_COLOURS)]


def _scores(predict, x0: float, x1: float) -> list[float] | float:
    s: Any = predict([x0, x1])
    if isinstance(s, (list, tuple)):
        return [_number(v) for v in s]
    return _number(s)


def _number(s: Any) -> float:
    number: Any = getattr(s, "data", s)  # a Value's number
    return float(number)


def plot_history(
    history: Mapping[str, Sequence[float]], path, *, title: str = "training", note: str = ""
) -> str:
    """Save a PNG of the loss per epoch (``history["loss"]``, and ``history["test_loss"]`` if
    present) and the accuracy (``"accuracy"``, ``"test_accuracy"``, if present, on a second
    axis, since it lives in [0, 1] while the loss can be anywhere), with a legend. ``note``
    is written across the plot (why training ended early: a run that diverged in its first
    epoch has no curve to show)."""
    path = _png_path(path)
    if "loss" not in history:
        raise ValueError(f"plot_history: history needs a 'loss' list, got keys {sorted(history)}")
    fig = _figure((6, 4))
    ax = fig.subplots()
    lines = []
    curves = [
        ("loss", "train loss", "tab:red", "-"),
        ("test_loss", "test loss", "tab:red", "--"),
        ("accuracy", "train accuracy", "tab:blue", "-"),
        ("test_accuracy", "test accuracy", "tab:blue", "--"),
    ]
    losses = [float(v) for key in ("loss", "test_loss") for v in history.get(key) or []]
    finite = [v for v in losses if 0 < v < math.inf]
    # A diverging run spans many orders of magnitude: a log axis; beyond 1e200 matplotlib's
    # log ticks overflow, so there the curves are log₁₀ of the loss on a plain axis.
    scale = "linear"
    if finite and len(finite) == len(losses) and max(finite) / min(finite) > 1e3:
        scale = "log10 values" if max(finite) > 1e200 else "log"
    ax2 = None
    for key, label, colour, style in curves:
        values = [float(v) for v in history.get(key) or []]
        if not values:
            continue
        if scale == "log10 values" and "loss" in key:
            values = [math.log10(v) for v in values]
        if "accuracy" in key:
            if ax2 is None:
                ax2 = ax.twinx()
                ax2.set_ylabel("accuracy", color="tab:blue")
                ax2.set_ylim(-0.02, 1.02)
            target = ax2
        else:
            target = ax
        epochs = list(range(1, len(values) + 1))
        marker = "." if len(values) < 50 else None
        lines += target.plot(epochs, values, color=colour, ls=style, marker=marker, label=label)
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if max((len(history.get(key) or []) for key, *_ in curves), default=0) == 1:
        ax.set_xticks([1])  # one epoch: the locator would make up fractional ones
    if scale == "log":
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("log₁₀ loss" if scale == "log10 values" else "loss", color="tab:red")
    if lines:
        ax.set_title(f"{title}\n{note}" if note else title)
        ax.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize="small")
    else:
        ax.set_title(title)
    if note and not lines:
        ax.text(
            0.5, 0.5, note, transform=ax.transAxes, ha="center", va="center", wrap=True,
            color="tab:red", bbox={"facecolor": "white", "edgecolor": "tab:red"},
        )  # fmt: skip
    fig.tight_layout()
    fig.savefig(path, format="png", dpi=100)
    return path
