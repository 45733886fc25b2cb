"""viz.plot_decision_boundary / plot_history write real PNGs; viz.notebook registers a formatter."""

import math
import struct

import pytest

from autograd import Value
from viz import plot_decision_boundary, plot_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return len(data), width, height


@pytest.mark.parametrize("labels", ["01", "pm1"])
def test_decision_boundary_png(tmp_path, labels):
    X = [[math.cos(i), math.sin(i)] for i in range(20)]
    y = [1 if p[0] + p[1] > 0 else (0 if labels == "01" else -1) for p in X]
    calls = []

    def predict(p):  # a Value-returning model is accepted too
        calls.append(p)
        return Value(p[0] + p[1]).sigmoid() if labels == "01" else (p[0] + p[1])

    path = tmp_path / "boundary.png"
    assert plot_decision_boundary(predict, X, y, path, resolution=30) == str(path)
    size, w, h = png_size(path)
    assert size > 5000 and w >= 300 and h >= 300
    assert len(calls) == 30 * 30 and all(len(p) == 2 for p in calls)


def test_decision_boundary_rejects_bad_labels(tmp_path):
    with pytest.raises(ValueError, match="labels must be 0/1 or -1/\\+1"):
        plot_decision_boundary(lambda p: 0.0, [[0, 0], [1, 1]], [0, 2], tmp_path / "x.png")
    with pytest.raises(ValueError, match="2 points but 1 labels"):
        plot_decision_boundary(lambda p: 0.0, [[0, 0], [1, 1]], [0], tmp_path / "x.png")


@pytest.mark.parametrize(
    "history", [{"loss": [1.0, 0.5, 0.3, 0.2]}, {"loss": [0.9, 0.4], "accuracy": [0.5, 0.9]}]
)
def test_history_png(tmp_path, history):
    path = tmp_path / "history.png"
    assert plot_history(history, path) == str(path)
    size, w, h = png_size(path)
    assert size > 5000 and w >= 300 and h >= 200


def test_history_needs_loss(tmp_path):
    with pytest.raises(ValueError, match="'loss'"):
        plot_history({"accuracy": [1.0]}, tmp_path / "h.png")


def test_notebook_formatter_draws_values():
    IPython = pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    from viz import disable_notebook_display, enable_notebook_display

    shell = InteractiveShell.instance()
    try:
        assert enable_notebook_display(shell)
        x = Value(2.0, "x")
        y = x * x
        data, _ = shell.display_formatter.format(y)
        assert "image/svg+xml" in data and "<svg" in data["image/svg+xml"]
        assert data["text/plain"] == repr(y)
        assert disable_notebook_display(shell)
        data, _ = shell.display_formatter.format(y)
        assert "image/svg+xml" not in data
    finally:
        InteractiveShell.clear_instance()
    del IPython


def _red_pixels_in_the_middle(path) -> int:
    """Pixels of the note's colour (matplotlib's tab:red) in the middle of the image (the
    red axis label "loss" sits at its left edge)."""
    from matplotlib.image import imread

    image = imread(str(path))
    height, width = image.shape[:2]
    band = image[height * 2 // 5 : height * 3 // 5, width // 4 : width * 3 // 4, :3]
    red = (band[..., 0] > 0.7) & (band[..., 1] < 0.3) & (band[..., 2] < 0.3)
    return int(red.sum())


def test_a_run_that_diverged_in_its_first_epoch_says_so_on_its_empty_plot(tmp_path):
    # No finished epoch, no curve: without the note the plot was an empty frame.
    note = "training diverged at epoch 1 (loss = inf)"
    plot_history({"loss": [], "accuracy": []}, tmp_path / "noted.png", note=note)
    plot_history({"loss": [], "accuracy": []}, tmp_path / "bare.png")
    assert _red_pixels_in_the_middle(tmp_path / "bare.png") == 0
    assert _red_pixels_in_the_middle(tmp_path / "noted.png") > 200


def test_decision_boundary_names_its_axes_after_the_features(tmp_path, monkeypatch):
    from matplotlib.axes import Axes

    labels = []
    for method in ("set_xlabel", "set_ylabel"):
        original = getattr(Axes, method)

        def record(self, text, *args, original=original, **kwargs):
            labels.append(text)
            return original(self, text, *args, **kwargs)

        monkeypatch.setattr(Axes, method, record)
    X, y = [[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.9, 0.1]], [0, 1, 0, 1]
    score = lambda p: p[0] - p[1]  # noqa: E731
    plot_decision_boundary(score, X, y, tmp_path / "a.png", resolution=10)
    assert "petal length" not in labels
    features = ["petal length", "petal width"]
    plot_decision_boundary(score, X, y, tmp_path / "b.png", resolution=10, features=features)
    assert labels[-2:] == features


def test_each_class_region_is_where_its_score_is_the_largest(tmp_path, monkeypatch):
    # The k-class regions are filled contours of each class's margin over the others; at
    # every grid point exactly one class's margin is > 0, the argmax of the scores.
    from matplotlib.axes import Axes

    filled = {}
    original = Axes.contourf

    def record(self, xs, ys, field, *args, colors, **kwargs):
        filled[colors[0]] = (list(xs), list(ys), field)
        return original(self, xs, ys, field, *args, colors=colors, **kwargs)

    monkeypatch.setattr(Axes, "contourf", record)

    def scores(p):
        return [p[0], p[1], -p[0] - p[1]]

    X = [[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0], [0.5, -0.2]]
    plot_decision_boundary(scores, X, [0, 1, 2, 0], tmp_path / "k.png", resolution=15)
    assert len(filled) == 3
    xs, ys, _ = next(iter(filled.values()))
    for j, gy in enumerate(ys):
        for i, gx in enumerate(xs):
            s = scores([gx, gy])
            winner = max(range(3), key=s.__getitem__)
            positive = [c for c, (_, _, m) in enumerate(filled.values()) if m[j][i] > 0]
            assert positive in ([winner], []), (gx, gy, s)  # [] only on a tie


@pytest.mark.parametrize(
    "losses, test_losses",  # the finished epochs of diverging runs
    [([9.4e127, 1.2e270], [2.1e140, 2.5e282]), ([3.5e248], [8.9e270]), ([1e-3, 1e5], [1, 1e6])],
)
def test_history_of_a_diverging_run_is_plotted_whatever_its_range(tmp_path, losses, test_losses):
    # Losses from 1e128 to 2.5e282 made matplotlib's log ticks overflow (OverflowError, and
    # python -m nn ended in a traceback).
    history = {"loss": losses, "test_loss": test_losses}
    path = tmp_path / "h.png"
    assert plot_history(history, path, note="training diverged at epoch 3 (loss = inf)")
    assert png_size(path)[0] > 5000
