"""What the main job writes into its output folder: the model, the history, the plots and the
drawn graph of one neuron (see ``nn.__main__``)."""

from __future__ import annotations

import json
import os

import autograd
from autograd import no_grad
from nn.job import Result, test_predictions
from nn.pictures import PICTURES, neuron_graph, write_neuron_pictures

#: What a run writes for 2-feature data; with any other number of features
#: ``confusion_matrix.png`` takes the place of ``decision_boundary.png``.
FILES = ("model.json", "history.json", "loss.png", "decision_boundary.png", *PICTURES)
CONFUSION_MATRIX = "confusion_matrix.png"


def write_history(result: Result, out: str, written: list, note: str = "") -> None:
    path = os.path.join(out, "history.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(result.history, f, indent=1)
    written.append(path)
    from viz import plot_history

    title = f"{result.model} on {result.data.name}"
    loss_png = os.path.join(out, "loss.png")
    written.append(plot_history(result.history, loss_png, title=title, note=note))


def write_outputs(result: Result, out: str) -> list[str]:
    """Save the model and history, then the plots and the graph (printing each path as it is
    written); returns the paths."""
    model, data = result.model, result.data
    written = Written()
    path = os.path.join(out, "model.json")
    model.save(path)
    written.append(path)
    write_history(result, out, written)

    from viz import plot_confusion_matrix, plot_decision_boundary

    title = f"{model} on {data.name}"
    if data.n_features == 2:
        X = data.X_train + data.X_test
        y = data.y_train + data.y_test
        one_output = model.nouts[-1] == 1

        def score(point):
            with no_grad():
                out = model(data.prepared([point])[0])
            if not one_output:
                return [o.data for o in out]
            # bce's score is a logit: show the probability σ(s), boundary ½; hinge and mse
            # scores are margins, boundary 0.
            return autograd.sigmoid(out.data) if result.loss == "bce" else out.data

        path = plot_decision_boundary(
            score,
            X,
            y,
            os.path.join(out, "decision_boundary.png"),
            threshold="probability" if result.loss == "bce" else "logit",
            title=title,
            classes=data.classes,
            features=data.features,
        )
    else:
        y_true, y_pred = test_predictions(result)
        path = plot_confusion_matrix(
            y_true,
            y_pred,
            os.path.join(out, CONFUSION_MATRIX),
            classes=data.classes or list(range(data.n_classes)),
            title=f"{data.name}, test set",
        )
    written.append(path)
    x0 = data.prepared(data.X_test[:1])[0]
    for path in write_neuron_pictures(model, x0, 1.0 if data.y_test[0] > 0 else -1.0, out):
        written.append(path)
    return written


class Written(list):
    """A list of the paths written, printing each as it is added."""

    def append(self, path: str) -> None:
        print(f"wrote {path}", flush=True)
        super().append(path)


__all__ = ["FILES", "CONFUSION_MATRIX", "write_outputs", "write_history", "neuron_graph", "Written"]
