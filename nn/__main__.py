"""The main job: ``python -m nn`` trains a classifier end to end and writes what it learned.

By default: an ``MLP(2, [16, 16, 1])`` with tanh hidden layers, on 300 two-moons points (200 to
train, 100 held out to test), with binary cross-entropy and Adam. It prints the train and test
accuracy and writes into ``runs/<name>/``:

- ``model.json``             the trained model (``nn.load_model`` reads it back)
- ``history.json``           loss and accuracy per epoch
- ``loss.png``               the loss and accuracy curves
- ``decision_boundary.png``  the data over the model's decision regions
- ``neuron_graph.svg``       the computation graph of one neuron's forward and backward pass
- ``backprop.html``          the same pass, step by step, in the browser (``viz.viewer``)

Run ``python -m nn --help`` for the options.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence

import autograd
from autograd import no_grad
from nn.data import DATASETS, signed_labels, train_test_split
from nn.layers import ACTIVATIONS, MLP
from nn.optim import SGD, Adam, Optimizer
from nn.pictures import PICTURES, write_neuron_pictures
from nn.train import accuracy, fit

TEST_FRACTION = 1 / 3
SGD_MOMENTUM = 0.9
FILES = ("model.json", "history.json", "loss.png", "decision_boundary.png", *PICTURES)


# --- option parsing: every bad value becomes argparse's one-line error ------------------------


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be ≥ 1, got {n}")
    return n


def _finite_float(text: str, low: float, inclusive: bool) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(x) or x < low or (x == low and not inclusive):
        raise argparse.ArgumentTypeError(f"must be {'≥' if inclusive else '>'} {low:g}, got {text}")
    return x


def _positive_float(text: str) -> float:
    return _finite_float(text, 0.0, inclusive=False)


def _nonnegative_float(text: str) -> float:
    return _finite_float(text, 0.0, inclusive=True)


def _layer_sizes(text: str) -> list[int]:
    parts = [p.strip() for p in text.split(",")]
    sizes = []
    for p in parts:
        if not p.isdigit() or int(p) < 1:
            raise argparse.ArgumentTypeError(
                f"expected comma-separated positive integers such as 16,16, got {text!r}"
            )
        sizes.append(int(p))
    return sizes


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m nn",
        description="Train a small neural network (an MLP built on the autograd engine) on a "
        "2-D toy data set, print its train and test accuracy, and write the model, "
        "plots and a computation graph into an output folder.",
        epilog="Writes into the output folder: " + ", ".join(FILES) + ".",
    )
    parser.add_argument(
        "--dataset",
        choices=sorted(DATASETS),
        default="moons",
        help="the data set: two interleaving half-moons, two nested circles, "
        "two Gaussian blobs, or XOR of the signs (default: %(default)s)",
    )
    parser.add_argument(
        "--samples",
        type=_positive_int,
        default=300,
        help="number of points generated; a third is held out as the test set "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--noise",
        type=_nonnegative_float,
        default=0.1,
        help="standard deviation of the Gaussian noise added to the points (default: %(default)s)",
    )
    parser.add_argument(
        "--hidden",
        type=_layer_sizes,
        default="16,16",
        metavar="SIZES",
        help="sizes of the hidden layers, comma-separated (the output layer "
        "of 1 unit is added; default: %(default)s)",
    )
    parser.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        default="tanh",
        help="activation of the hidden layers (default: %(default)s)",
    )
    parser.add_argument(
        "--loss",
        choices=["bce", "hinge", "mse"],
        default="bce",
        help="bce: binary cross-entropy on the logit (labels 0/1); hinge: "
        "max-margin (labels -1/+1); mse: squared error to -1/+1 "
        "(default: %(default)s)",
    )
    parser.add_argument(
        "--optimizer",
        choices=["adam", "sgd"],
        default="adam",
        help=f"Adam, or SGD with momentum {SGD_MOMENTUM} (default: %(default)s)",
    )
    parser.add_argument(
        "--lr", type=_positive_float, default=0.01, help="learning rate, > 0 (default: %(default)s)"
    )
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=50,
        help="passes over the training set (default: %(default)s)",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=16,
        help="samples per update (a value ≥ the training set size means full "
        "batch; default: %(default)s)",
    )
    parser.add_argument(
        "--target-loss",
        type=_nonnegative_float,
        default=None,
        help="stop early once an epoch's mean loss is at most this (default: train all epochs)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for the data, the split, the initial weights and the "
        "batch order: the same seed gives the same run (default: %(default)s)",
    )
    parser.add_argument(
        "--name",
        default=None,
        help="name of the run; the output folder is runs/NAME (default: the data set's name)",
    )
    parser.add_argument(
        "--out", default=None, metavar="DIR", help="output folder (overrides runs/NAME)"
    )
    parser.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    return parser


# --- the run ----------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    """Train and evaluate as ``args`` say (no files written); returns the pieces."""
    make = DATASETS[args.dataset]
    X, y = make(args.samples, noise=args.noise, seed=args.seed)
    X_train, X_test, y_train, y_test = train_test_split(X, y, TEST_FRACTION, seed=args.seed)
    if args.loss != "bce":  # hinge and mse separate the classes around 0: labels -1/+1
        y_train, y_test = signed_labels(y_train), signed_labels(y_test)
    model = MLP(2, args.hidden + [1], activation=args.activation, seed=args.seed)
    optimizer: Optimizer
    if args.optimizer == "adam":
        optimizer = Adam(model.parameters(), lr=args.lr)
    else:
        optimizer = SGD(model.parameters(), lr=args.lr, momentum=SGD_MOMENTUM)
    print(
        f"training {model} on {args.dataset} ({len(X_train)} train / {len(X_test)} test "
        f"points), loss {args.loss}, {type(optimizer).__name__} lr {args.lr:g}, "
        f"{args.epochs} epochs, batch size {args.batch_size}",
        flush=True,
    )
    history = fit(
        model,
        X_train,
        y_train,
        loss=args.loss,
        optimizer=optimizer,
        epochs=args.epochs,
        batch_size=args.batch_size,
        target_loss=args.target_loss,
        progress=not args.no_progress,
        seed=args.seed,
    )
    return {
        "model": model,
        "history": history,
        "X_train": X_train,
        "y_train": y_train,
        "X_test": X_test,
        "y_test": y_test,
        "train_accuracy": accuracy(model, X_train, y_train),
        "test_accuracy": accuracy(model, X_test, y_test),
    }


def write_outputs(result: dict, args: argparse.Namespace, out: str) -> list[str]:
    """Save the model and history, then the plots and the graph (printing each path as it is
    written); returns the paths."""
    model, history = result["model"], result["history"]
    written = _Written()
    path = os.path.join(out, "model.json")
    model.save(path)
    written.append(path)
    path = os.path.join(out, "history.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(history, f, indent=1)
    written.append(path)

    from viz import plot_decision_boundary, plot_history

    path = plot_history(history, os.path.join(out, "loss.png"), title=f"training on {args.dataset}")
    written.append(path)
    X = result["X_train"] + result["X_test"]
    y = result["y_train"] + result["y_test"]

    def score(point):
        with no_grad():
            s = model(point).data
        # bce's score is a logit: show the probability σ(s), whose boundary is at ½ as the
        # 0/1 labels expect; hinge and mse scores are already centred on 0 for -1/+1 labels.
        return autograd.sigmoid(s) if args.loss == "bce" else s  # σ on a float: a float

    path = plot_decision_boundary(
        score, X, y, os.path.join(out, "decision_boundary.png"), title=f"{model} on {args.dataset}"
    )
    written.append(path)
    x0, y0 = result["X_test"][0], result["y_test"][0]
    for path in write_neuron_pictures(model, x0, 1.0 if y0 > 0 else -1.0, out):
        written.append(path)
    return written


class _Written(list):
    def append(self, path: str) -> None:
        print(f"wrote {path}", flush=True)
        super().append(path)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("export", "predict"):  # a saved model's commands: nn/cli_model.py
        from nn.cli_model import main as model_main

        return model_main(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.samples < 3:
        parser.error(
            f"argument --samples: need at least 3 points to split into train and "
            f"test sets, got {args.samples}"
        )
    out = args.out or os.path.join("runs", args.name or args.dataset)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        parser.error(f"cannot create the output folder {out!r}: {e.strerror or e}")
    result = run(args)
    print(f"train accuracy: {result['train_accuracy']:.1%}")
    print(f"test accuracy:  {result['test_accuracy']:.1%}")
    try:
        write_outputs(result, args, out)
    except (ImportError, OSError, RuntimeError, ValueError) as e:
        print(f"python -m nn: error while writing into {out!r}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
