"""Many classes end to end: fit's default loss, argmax predictions, misuse errors, divergence,
the test curves, and the plots for k classes."""

import math
import random

import pytest

import nn
from nn import MLP, TrainingDiverged, accuracy, fit, make_blobs, predict, train_test_split


@pytest.fixture(scope="module")
def blobs3():
    X, y = make_blobs(120, centers=3, noise=0.8, seed=4)
    return train_test_split(X, y, 0.25, seed=0)


def test_several_outputs_train_with_cross_entropy_by_default(blobs3):
    X_train, X_test, y_train, y_test = blobs3
    default = MLP(2, [8, 3], seed=0)
    explicit = MLP(2, [8, 3], seed=0)
    h1 = fit(default, X_train, y_train, epochs=15, batch_size=16, progress=False)
    h2 = fit(explicit, X_train, y_train, loss="cross_entropy", epochs=15, batch_size=16,
             progress=False)  # fmt: skip
    assert h1 == h2
    assert default.state_dict() == explicit.state_dict()
    assert accuracy(default, X_test, y_test) >= 0.9


def test_predict_and_accuracy_take_the_largest_output(blobs3):
    X_train, _, y_train, _ = blobs3
    model = MLP(2, [4, 3], seed=1)
    for x in X_train[:20]:
        outputs = [o.data for o in model(x)]
        assert predict(model, x) == outputs.index(max(outputs))
    right = sum(predict(model, x) == t for x, t in zip(X_train, y_train))
    assert accuracy(model, X_train, y_train) == right / len(X_train)


def test_test_data_gives_test_loss_and_accuracy_per_epoch_as_torch_computes_them(blobs3):
    torch = pytest.importorskip("torch")
    X_train, X_test, y_train, y_test = blobs3
    model = MLP(2, [6, 3], seed=2)
    history = fit(model, X_train, y_train, epochs=3, batch_size=30, progress=False,
                  test_data=(X_test, y_test))  # fmt: skip
    assert set(history) == {"loss", "accuracy", "test_loss", "test_accuracy"}
    assert all(len(v) == 3 for v in history.values())
    logits = torch.tensor([[o.data for o in model(x)] for x in X_test], dtype=torch.float64)
    expected = torch.nn.functional.cross_entropy(logits, torch.tensor(y_test)).item()
    assert history["test_loss"][-1] == pytest.approx(expected, rel=1e-12)
    right = (logits.argmax(dim=1) == torch.tensor(y_test)).double().mean().item()
    assert history["test_accuracy"][-1] == pytest.approx(right)


def test_one_output_with_three_classes_says_what_to_use(blobs3):
    X_train, _, y_train, _ = blobs3
    with pytest.raises(ValueError) as info:
        fit(MLP(2, [4, 1]), X_train, y_train, progress=False)
    assert "the model has 1 output but the labels have 3 classes; use MLP(..., [.., 3])" in str(
        info.value
    )
    with pytest.raises(ValueError, match=r"cross_entropy needs one output per class.*\[\.\., 3\]"):
        fit(MLP(2, [4, 1]), X_train, y_train, loss="cross_entropy", progress=False)


def test_several_outputs_with_a_binary_loss_is_refused(blobs3):
    X_train, _, y_train, _ = blobs3
    with pytest.raises(ValueError, match="loss 'bce' takes one output per sample.*3 outputs"):
        fit(MLP(2, [16, 3]), X_train, y_train, loss="bce", progress=False)
    # The losses themselves say it too, instead of "expected a Value, got list".
    model = MLP(2, [4, 3], seed=0)
    with pytest.raises(TypeError, match="binary_cross_entropy: a prediction is a list of 3"):
        nn.binary_cross_entropy([model(X_train[0])], [1])
    with pytest.raises(TypeError, match="cross_entropy: got 2 single scores"):
        nn.cross_entropy([MLP(2, [1])(x) for x in X_train[:2]], y_train[:2])


def test_labels_out_of_range_are_named(blobs3):
    X_train, X_test, y_train, y_test = blobs3
    with pytest.raises(ValueError, match=r"label of sample \d+ is 2, out of range .* 2 outputs"):
        fit(MLP(2, [4, 2]), X_train, y_train, progress=False)
    with pytest.raises(ValueError, match=r"fit\(test_data\): the label of sample 0 is 7"):
        fit(MLP(2, [4, 3]), X_train, y_train, progress=False, test_data=(X_test, [7] + y_test))
    with pytest.raises(ValueError, match="cross_entropy needs class indices"):
        fit(MLP(2, [4, 3]), X_train, [0.5] * len(X_train), progress=False)


def test_divergence_stops_training_with_the_history_so_far():
    X, y = nn.make_moons(40, noise=0.1, seed=0)
    model = MLP(2, [8, 1], seed=0)
    with pytest.raises(TrainingDiverged) as info:
        fit(model, X, nn.signed_labels(y), loss="mse", epochs=20, batch_size=8,
            optimizer=nn.SGD(model.parameters(), lr=1e6), progress=False)  # fmt: skip
    e = info.value
    assert not math.isfinite(e.loss) and 1 <= e.epoch <= 20
    assert len(e.history["loss"]) == e.epoch - 1
    assert f"training diverged at epoch {e.epoch}" in str(e)


def test_shade_norm_is_centred_on_the_threshold():
    from matplotlib.colors import TwoSlopeNorm  # noqa: F401 - the plots need matplotlib

    from viz.plots import _centred_norm

    for low, high, t in [(-18.0, 3.0, 0.0), (0.01, 0.99, 0.5), (-1.0, 40.0, 0.0)]:
        norm = _centred_norm(low, high, t)
        assert norm(t) == pytest.approx(0.5)
        assert norm(low) == pytest.approx(0.0) and norm(high) == pytest.approx(1.0)


def test_confusion_matrix_matches_numpy():
    np = pytest.importorskip("numpy")
    from viz import confusion_matrix

    rng = random.Random(5)
    t = [rng.randrange(4) for _ in range(200)]
    p = [x if rng.random() < 0.7 else rng.randrange(4) for x in t]
    expected = np.bincount(np.array(t) * 4 + np.array(p), minlength=16).reshape(4, 4)
    assert confusion_matrix(t, p, 4) == expected.tolist()
    with pytest.raises(ValueError, match="label 4 is not below n_classes=4"):
        confusion_matrix([4], [0], 4)


def test_plots_for_k_classes(tmp_path, blobs3):
    from viz import plot_confusion_matrix, plot_decision_boundary, plot_history

    X_train, X_test, y_train, y_test = blobs3
    model = MLP(2, [4, 3], seed=0)

    def scores(p):
        return [o.data for o in model(p)]

    path = plot_decision_boundary(scores, X_train, y_train, tmp_path / "b.png", resolution=20,
                                  classes=["a", "b", "c"])  # fmt: skip
    assert open(path, "rb").read(4) == b"\x89PNG"
    with pytest.raises(ValueError, match="labels must be class indices 0..2"):
        plot_decision_boundary(scores, X_train, [5] * len(X_train), tmp_path / "x.png")
    with pytest.raises(ValueError, match="threshold must be a number, 'logit' or 'probability'"):
        plot_decision_boundary(lambda p: 0.0, X_train, [0] * len(X_train), tmp_path / "x.png",
                               threshold="sigmoid")  # fmt: skip
    path = plot_confusion_matrix(y_test, [predict(model, x) for x in X_test], tmp_path / "c.png")
    assert open(path, "rb").read(4) == b"\x89PNG"
    history = {"loss": [1.0, 0.5], "accuracy": [0.5, 0.8], "test_loss": [1.1, 0.6],
               "test_accuracy": [0.4, 0.7]}  # fmt: skip
    assert open(plot_history(history, tmp_path / "h.png"), "rb").read(4) == b"\x89PNG"
