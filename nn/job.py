"""The main job's data, model and training, apart from its command line (``nn.__main__``).

A data set's defaults (hidden layers, epochs, learning rate, batch size, test fraction) are
chosen per data set in ``DEFAULTS`` so that ``python -m nn --dataset NAME`` meets its floor
with no options; an option given on the command line wins.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from autograd import Value
from nn.csv_data import CSVDataError, load_csv
from nn.data import DATASETS, make_blobs, signed_labels, train_test_split
from nn.datasets import CLASSES, load_dataset
from nn.layers import MLP
from nn.optim import SGD, Adam, Optimizer
from nn.preprocessing import apply_preprocessing, fit_standardize
from nn.train import accuracy, fit, predict

SGD_MOMENTUM = 0.9
TOY_DATASETS = tuple(DATASETS)
REAL_DATASETS = tuple(CLASSES)


@dataclass(frozen=True)
class Defaults:
    hidden: tuple[int, ...]
    epochs: int
    lr: float
    batch_size: int
    test_fraction: float


TOY = Defaults(hidden=(16, 16), epochs=50, lr=0.01, batch_size=16, test_fraction=1 / 3)
#: Per data set; the real sets hold out a quarter. Tuned for the floors (digits ≥ 95 % test
#: accuracy within a minute on 2 cores, iris ≥ 93 %, wine and breast_cancer ≥ 95 %).
DEFAULTS: dict[str, Defaults] = {
    **{name: TOY for name in TOY_DATASETS},
    "digits": Defaults(hidden=(32,), epochs=4, lr=0.01, batch_size=32, test_fraction=0.25),
    "iris": Defaults(hidden=(8,), epochs=40, lr=0.01, batch_size=8, test_fraction=0.25),
    "wine": Defaults(hidden=(8,), epochs=20, lr=0.01, batch_size=16, test_fraction=0.25),
    "breast_cancer": Defaults(hidden=(8,), epochs=10, lr=0.01, batch_size=16, test_fraction=0.25),
    "csv": Defaults(hidden=(16, 16), epochs=50, lr=0.01, batch_size=16, test_fraction=0.25),
}


@dataclass
class Data:
    """A data set split for the job: raw features (as read) and standardised ones."""

    name: str
    X_train: list
    y_train: list
    X_test: list
    y_test: list
    classes: list | None  # original labels, or None for the toy sets' 0..k−1
    n_classes: int
    features: list[str]
    preprocessing: dict | None  # the standardisation fitted on X_train, or None
    defaults: Defaults

    @property
    def n_features(self) -> int:
        return len(self.features)

    def prepared(self, X: list) -> list:
        """Rows as the model sees them (standardised where the job standardises)."""
        return apply_preprocessing(self.preprocessing, X) if self.preprocessing else X


def load_data(args: argparse.Namespace) -> Data:
    """The data set ``args`` names, split and (for real data) standardised with the training
    split's statistics. Raises ``nn.CSVDataError`` for a bad CSV file."""
    if args.csv is not None:
        dataset = load_csv(args.csv, target=args.target)
        name, defaults = dataset.name, DEFAULTS["csv"]
    elif args.dataset in REAL_DATASETS:
        dataset = load_dataset(args.dataset)
        name, defaults = args.dataset, DEFAULTS[args.dataset]
    else:
        name, defaults = args.dataset, DEFAULTS[args.dataset]
        samples = args.samples if args.samples is not None else 300
        noise = args.noise if args.noise is not None else 0.1
        if args.dataset == "blobs":
            X, y = make_blobs(samples, centers=args.classes or 2, noise=noise, seed=args.seed)
        else:
            X, y = DATASETS[args.dataset](samples, noise=noise, seed=args.seed)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, defaults.test_fraction, seed=args.seed
        )
        k = args.classes or 2
        return Data(name, X_train, y_train, X_test, y_test, None, k, ["x1", "x2"], None, defaults)
    if round(defaults.test_fraction * len(dataset.X)) < 1:
        raise CSVDataError(
            f"{args.csv or name}: {len(dataset.X)} data rows are too few to hold "
            f"{defaults.test_fraction:.0%} out as the test set (need at least 3)"
        )
    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, defaults.test_fraction, seed=args.seed
    )
    preprocessing = fit_standardize(X_train, dataset.features)
    classes = dataset.classes
    return Data(
        name,
        X_train,
        y_train,
        X_test,
        y_test,
        classes,
        len(classes),
        dataset.features,
        preprocessing,
        defaults,
    )


def choose_loss(loss: str | None, n_classes: int) -> str:
    """The loss for ``n_classes`` classes: the one asked for, else cross-entropy for more than
    two classes and binary cross-entropy for two. A binary loss with more classes raises
    ``ValueError``."""
    if loss is None:
        return "cross_entropy" if n_classes > 2 else "bce"
    if loss != "cross_entropy" and n_classes > 2:
        raise ValueError(
            f"{loss} separates two classes, but the data has {n_classes}; use "
            "--loss cross_entropy (the default for more than two classes)"
        )
    return loss


@dataclass
class Result:
    model: MLP
    optimizer: Optimizer
    history: dict
    loss: str
    data: Data
    y_train: list  # the labels as the loss wants them (−1/+1 for hinge and mse)
    y_test: list
    train_accuracy: float = float("nan")
    test_accuracy: float = float("nan")


def build(args: argparse.Namespace, data: Data) -> Result:
    """The model, optimizer and labels for ``args`` on ``data`` (nothing trained yet)."""
    loss = choose_loss(args.loss, data.n_classes)
    outputs = data.n_classes if loss == "cross_entropy" else 1
    hidden = list(args.hidden) if args.hidden is not None else list(data.defaults.hidden)
    model = MLP(data.n_features, hidden + [outputs], activation=args.activation, seed=args.seed)
    model.preprocessing = data.preprocessing
    model.classes = data.classes
    lr = args.lr if args.lr is not None else data.defaults.lr
    optimizer: Optimizer
    if args.optimizer == "adam":
        optimizer = Adam(model.parameters(), lr=lr)
    else:
        optimizer = SGD(model.parameters(), lr=lr, momentum=SGD_MOMENTUM)
    y_train, y_test = data.y_train, data.y_test
    if loss in ("hinge", "mse"):  # they separate the classes around 0: labels −1/+1
        y_train, y_test = signed_labels(y_train), signed_labels(y_test)
    return Result(model, optimizer, {}, loss, data, y_train, y_test)


def train(args: argparse.Namespace, result: Result) -> Result:
    """Train ``result.model`` as ``args`` say; fills in the history and the accuracies.
    ``nn.TrainingDiverged`` propagates (with the history of the finished epochs)."""
    data = result.data
    X_train, X_test = (
        _constants(data.prepared(data.X_train)),
        _constants(data.prepared(data.X_test)),
    )
    result.history = fit(
        result.model,
        X_train,
        result.y_train,
        loss=result.loss,
        optimizer=result.optimizer,
        epochs=epochs(args, data),
        batch_size=args.batch_size or data.defaults.batch_size,
        target_loss=args.target_loss,
        progress=not args.no_progress,
        seed=args.seed,
        test_data=(X_test, result.y_test),
    )
    result.train_accuracy = accuracy(result.model, X_train, result.y_train)
    # fit measured the test set after the last epoch, with these very weights.
    result.test_accuracy = result.history["test_accuracy"][-1]
    return result


def _constants(X: list) -> list[tuple[Value, ...]]:
    # Each input row as constant Values made once: every epoch's forward pass then reuses them
    # instead of wrapping the same floats again (a layer takes a tuple of Values as it is).
    return [tuple(Value(float(v), requires_grad=False) for v in row) for row in X]


def epochs(args: argparse.Namespace, data: Data) -> int:
    return args.epochs if args.epochs is not None else data.defaults.epochs


def test_predictions(result: Result) -> tuple[list[int], list[int]]:
    """``(true classes, predicted classes)`` on the test split, as indices 0..k−1."""
    data = result.data
    predicted = [predict(result.model, x) for x in data.prepared(data.X_test)]
    return list(data.y_test), predicted
