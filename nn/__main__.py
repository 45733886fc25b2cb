"""The main job: ``python -m nn`` (or ``chaingrad-train``) trains a classifier end to end and
writes what it learned.

By default: an ``MLP(2, [16, 16, 1])`` with tanh hidden layers, on 300 two-moons points (200 to
train, 100 held out to test), with binary cross-entropy and Adam. ``--dataset digits`` (or
iris, wine, breast_cancer) trains on a bundled real data set, ``--csv FILE --target COLUMN`` on
your own; with more than two classes the model gets one output per class and cross-entropy.
It prints the train and test accuracy and writes into ``runs/<name>/``:

- ``model.json``             the trained model (``nn.load_model`` reads it back), with the
                             standardisation of its inputs and its class labels for real data
- ``history.json``           train and test loss and accuracy per epoch
- ``loss.png``               the loss and accuracy curves
- ``decision_boundary.png``  the data over the model's decision regions (2 features), or
  ``confusion_matrix.png``   the test set's confusion matrix (any other number of features)
- ``neuron_graph.svg``       the computation graph of one neuron's forward and backward pass
- ``backprop.html``          the same pass, step by step, in the browser (``viz.viewer``)

Run ``python -m nn --help`` for the options.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence

from nn.csv_data import CSVDataError
from nn.job import (
    DEFAULTS,
    REAL_DATASETS,
    SGD_MOMENTUM,
    TOY_DATASETS,
    build,
    epochs,
    load_data,
    train,
)
from nn.layers import ACTIVATIONS
from nn.outputs import (
    CONFUSION_MATRIX,
    FILES,
    Written,
    neuron_graph,  # noqa: F401 - re-exported for callers of nn.__main__
    write_history,
    write_outputs,
)
from nn.train import TrainingDiverged


def program_name(default: str = "python -m nn") -> str:
    """The command as it was invoked: ``chaingrad-train`` from the console script, else
    ``python -m nn``."""
    base = os.path.basename(sys.argv[0] if sys.argv else "")
    if base.startswith("chaingrad-"):
        return base.removesuffix(".exe")
    return default


# --- option parsing: every bad value becomes one line naming the option ---------------------


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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line and a pointer to --help, no usage dump
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _defaults_text() -> str:
    rows = [f"{name} {','.join(map(str, DEFAULTS[name].hidden))}" for name in REAL_DATASETS]
    return ", ".join(rows) + ", CSV files " + ",".join(map(str, DEFAULTS["csv"].hidden))


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = _Parser(
        prog=prog or program_name(),
        description="Train a small neural network (an MLP built on the autograd engine) on a "
        "toy 2-D data set, a bundled real one or your own CSV file, print its train and test "
        "accuracy, and write the model, plots and a computation graph into an output folder. "
        "Options left out take the data set's defaults.",
        epilog="Writes into the output folder: " + ", ".join(FILES) + f" ({CONFUSION_MATRIX} "
        "instead of the decision regions for data with other than 2 features).",
    )
    data = parser.add_argument_group("data")
    data.add_argument(
        "--dataset",
        choices=[*TOY_DATASETS, *REAL_DATASETS],
        default=None,
        help="the toy 2-D sets (two half-moons, nested circles, Gaussian blobs, XOR of the "
        "signs), or a real one: 8×8 handwritten digits (1797 × 64, 10 classes), iris (150 × 4, "
        "3), wine (178 × 13, 3), breast_cancer (569 × 30, 2) (default: moons)",
    )
    data.add_argument(
        "--csv",
        metavar="FILE",
        help="train on your own CSV file instead: a header row, numeric feature columns, "
        "and the class column named by --target",
    )
    data.add_argument("--target", metavar="COLUMN", help="the class column of --csv")
    data.add_argument(
        "--classes",
        type=_positive_int,
        metavar="K",
        default=None,
        help="number of blobs (classes) of --dataset blobs (default: 2)",
    )
    data.add_argument(
        "--samples",
        type=_positive_int,
        metavar="N",
        default=None,
        help="points generated for a toy set; a third is held out as the test set (default: "
        "300); real data sets hold out a quarter",
    )
    data.add_argument(
        "--noise",
        type=_nonnegative_float,
        metavar="SD",
        default=None,
        help="standard deviation of the Gaussian noise of a toy set (default: 0.1)",
    )
    model = parser.add_argument_group("model and training")
    model.add_argument(
        "--hidden",
        type=_layer_sizes,
        default=None,
        metavar="SIZES",
        help="sizes of the hidden layers, comma-separated; the output layer (1 unit, or one "
        "per class for cross-entropy) is added (default: 16,16 for toy sets; "
        + _defaults_text()
        + ")",
    )
    model.add_argument(
        "--activation",
        choices=[a for a in ACTIVATIONS if a != "linear"],
        default="tanh",
        help="activation of the hidden layers (default: %(default)s)",
    )
    model.add_argument(
        "--loss",
        choices=["bce", "hinge", "mse", "cross_entropy"],
        default=None,
        help="bce: binary cross-entropy on the logit (labels 0/1); hinge: max-margin "
        "(labels -1/+1); mse: squared error to -1/+1; cross_entropy: softmax over one output "
        "per class (default: cross_entropy for more than two classes, else bce)",
    )
    model.add_argument(
        "--optimizer",
        choices=["adam", "sgd"],
        default="adam",
        help=f"Adam, or SGD with momentum {SGD_MOMENTUM} (default: %(default)s)",
    )
    model.add_argument(
        "--lr", type=_positive_float, default=None, help="learning rate, > 0 (default: 0.01)"
    )
    model.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help="passes over the training set (default: 50 for toy sets and CSV files; digits "
        f"{DEFAULTS['digits'].epochs}, iris {DEFAULTS['iris'].epochs}, wine "
        f"{DEFAULTS['wine'].epochs}, breast_cancer {DEFAULTS['breast_cancer'].epochs})",
    )
    model.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        help="samples per update (a value ≥ the training set size means full "
        "batch; default: 16, digits 32, iris 8)",
    )
    model.add_argument(
        "--target-loss",
        type=_nonnegative_float,
        default=None,
        help="stop early once an epoch's mean loss is at most this (default: train all epochs)",
    )
    model.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed for the data, the split, the initial weights and the "
        "batch order: the same seed gives the same run (default: %(default)s)",
    )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--name",
        default=None,
        help="name of the run; the output folder is runs/NAME (default: the data set's name)",
    )
    output.add_argument(
        "--out", default=None, metavar="DIR", help="output folder (overrides runs/NAME)"
    )
    output.add_argument("--no-progress", action="store_true", help="do not show the progress bar")
    return parser


def check_args(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Errors no single option can see: combinations."""
    if args.csv is not None and args.dataset is not None:
        parser.error("argument --csv: give either --csv or --dataset, not both")
    if args.dataset is None:
        args.dataset = "moons"
    toy = args.csv is None and args.dataset in TOY_DATASETS
    if args.csv is not None and not args.target:
        parser.error("argument --csv: say which column holds the classes with --target COLUMN")
    if args.target is not None and args.csv is None:
        parser.error("argument --target: names a column of --csv FILE; there is no --csv")
    for option in ("samples", "noise"):
        if getattr(args, option) is not None and not toy:
            parser.error(
                f"argument --{option}: only for the generated data sets ({', '.join(TOY_DATASETS)})"
            )
    if args.classes is not None and (args.csv is not None or args.dataset != "blobs"):
        parser.error("argument --classes: only for --dataset blobs (the number of blobs)")
    if args.classes == 1:
        parser.error("argument --classes: a classifier needs at least 2 classes, got 1")
    if toy and args.samples is not None and args.samples < 3:
        parser.error(
            f"argument --samples: need at least 3 points to split into train and "
            f"test sets, got {args.samples}"
        )


# --- the command ------------------------------------------------------------------------------


def run(args: argparse.Namespace) -> dict:
    """Train and evaluate as ``args`` (from ``build_parser().parse_args``) say, writing no
    files; returns the pieces: model, history, the splits and the accuracies."""
    if args.dataset is None and args.csv is None:
        args.dataset = "moons"
    result = train(args, build(args, load_data(args)))
    data = result.data
    return {
        "model": result.model,
        "history": result.history,
        "X_train": data.X_train,
        "y_train": result.y_train,
        "X_test": data.X_test,
        "y_test": result.y_test,
        "train_accuracy": result.train_accuracy,
        "test_accuracy": result.test_accuracy,
        "result": result,
    }


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in ("export", "predict"):  # a saved model's commands: nn/cli_model.py
        from nn.cli_model import main as model_main

        return model_main(argv)
    parser = build_parser()
    prog = parser.prog
    args = parser.parse_args(argv)
    check_args(parser, args)
    try:
        data = load_data(args)
    except CSVDataError as e:
        parser.exit(2, f"{prog}: error: {e}\n")
    try:
        result = build(args, data)
    except ValueError as e:
        parser.error(f"argument --loss: {e}")
    out = args.out or os.path.join("runs", args.name or data.name)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        parser.error(f"cannot create the output folder {out!r}: {e.strerror or e}")

    n_epochs = epochs(args, data)
    stop = f" (or until the loss is ≤ {args.target_loss:g})" if args.target_loss is not None else ""
    print(
        f"training {result.model} on {data.name} ({len(data.X_train)} train / "
        f"{len(data.X_test)} test samples, {data.n_features} features, {data.n_classes} "
        f"classes), loss {result.loss}, {type(result.optimizer).__name__} lr "
        f"{result.optimizer.lr:g}, {'up to ' if stop else ''}{n_epochs} epochs{stop}, batch size "
        f"{args.batch_size or data.defaults.batch_size}",
        flush=True,
    )
    try:
        train(args, result)
    except TrainingDiverged as e:
        result.history = e.history
        try:
            note = f"training diverged at epoch {e.epoch} (loss = {e.loss})"
            write_history(result, out, Written(), note=note)
        except (ImportError, OSError, ValueError, ArithmeticError) as write_error:
            print(f"{prog}: error while writing into {out!r}: {write_error}", file=sys.stderr)
        print(
            f"{prog}: error: training diverged at epoch {e.epoch} (loss = {e.loss}); "
            "try a smaller --lr",
            file=sys.stderr,
        )
        return 1
    done = len(result.history["loss"])
    if done < n_epochs:
        print(
            f"stopped after epoch {done} of {n_epochs}: the training loss "
            f"{result.history['loss'][-1]:.4g} reached --target-loss {args.target_loss:g}"
        )
    print(f"train accuracy: {result.train_accuracy:.1%}")
    print(f"test accuracy:  {result.test_accuracy:.1%}")
    try:
        write_outputs(result, out)
    except (ImportError, OSError, RuntimeError, ValueError, ArithmeticError) as e:
        print(f"{prog}: error while writing into {out!r}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
