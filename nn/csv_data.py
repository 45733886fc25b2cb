"""Tabular data from CSV files: a header row, numeric feature columns and one target column.

``load_csv("data.csv", target="species")`` returns a ``Dataset``: it unpacks as ``X, y`` (X a
list of rows of floats, y a list of class indices 0..k−1) and also carries ``classes`` (the
original label of each class index), ``features`` (the feature columns' names) and ``name``.

Class labels that are all integers are ordered as numbers (``[1, 3, 10]``: 1 → 0, 3 → 1,
10 → 2) and kept as ints; otherwise they are strings, ordered as strings. Pass ``classes=`` to
choose the order (every label must be in it).

Every problem raises ``CSVDataError`` with one line naming the file, the line and the column:
an empty file, no data rows, a missing target column, a duplicate column name, a row with the
wrong number of fields, a feature that is not a finite number, an empty class label, and a
target with a single class. The file is parsed with the ``csv`` module and never executed.
Files ending in ``.gz`` are read through gzip.
"""

from __future__ import annotations

import csv
import gzip
import os
from collections.abc import Sequence

Label = str | int


class CSVDataError(ValueError):
    """A CSV file that cannot be used as data; the message names the file, line and column."""


class Dataset(tuple):
    """``(X, y)`` with the data set's ``classes``, ``features`` and ``name`` as attributes.

    ``X, y = dataset`` unpacks it; ``dataset.classes[i]`` is the original label of class ``i``
    and ``dataset.features[j]`` the name of column ``j`` of X.
    """

    X: list[list[float]]
    y: list[int]
    classes: list[Label]
    features: list[str]
    name: str

    def __new__(
        cls,
        X: list[list[float]],
        y: list[int],
        classes: Sequence[Label],
        features: Sequence[str],
        name: str = "",
    ):
        self = super().__new__(cls, (X, y))
        self.X, self.y = X, y
        self.classes, self.features, self.name = list(classes), list(features), name
        return self

    def __repr__(self) -> str:
        return (
            f"Dataset({self.name!r}: {len(self.X)} samples × {len(self.features)} features, "
            f"{len(self.classes)} classes)"
        )


def _open(path: str):
    if path.endswith(".gz"):
        return gzip.open(path, "rt", encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")


def load_csv(path, target: str, classes: Sequence[Label] | None = None) -> Dataset:
    """Read ``path`` (a header row, then one sample per row) into a ``Dataset``.

    ``target`` names the column holding the class labels; every other column is a numeric
    feature. Blank lines are skipped. Raises ``CSVDataError`` (one line naming the file, the
    line and the column; see the module docstring) and ``FileNotFoundError`` as ``CSVDataError``
    too, so a caller needs to catch one exception.
    """
    path = os.fspath(path)
    try:
        with _open(path) as f:
            rows = [(line, row) for line, row in _numbered(csv.reader(f)) if row]
    except FileNotFoundError:
        raise CSVDataError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, EOFError, csv.Error) as e:
        raise CSVDataError(f"{path}: cannot read it as CSV text ({e})") from None
    if not rows:
        raise CSVDataError(f"{path}: the file is empty (expected a header row of column names)")
    header_line, header = rows[0]
    header = [name.strip() for name in header]
    seen: set[str] = set()
    for j, name in enumerate(header, 1):
        if not name:
            raise CSVDataError(f"{path}:{header_line}: column {j} of the header has no name")
        if name in seen:
            raise CSVDataError(f"{path}:{header_line}: column {name!r} appears twice in the header")
        seen.add(name)
    if target not in header:
        raise CSVDataError(
            f"{path}:{header_line}: no target column {target!r} in the header "
            f"(columns: {', '.join(header)})"
        )
    if len(header) < 2:
        raise CSVDataError(f"{path}:{header_line}: no feature columns besides {target!r}")
    if len(rows) < 2:
        raise CSVDataError(f"{path}: no data rows after the header")
    t = header.index(target)
    features = [name for j, name in enumerate(header) if j != t]
    X: list[list[float]] = []
    labels: list[str] = []
    label_lines: list[int] = []
    for line, row in rows[1:]:
        if len(row) != len(header):
            raise CSVDataError(
                f"{path}:{line}: {len(row)} field{'s' if len(row) != 1 else ''}, "
                f"but the header has {len(header)} columns"
            )
        values = []
        for j, text in enumerate(row):
            if j == t:
                continue
            values.append(_number(text, path, line, header[j]))
        label = row[t].strip()
        if not label:
            raise CSVDataError(f"{path}:{line}: column {target!r}: empty class label")
        X.append(values)
        labels.append(label)
        label_lines.append(line)
    order = _class_order(labels, classes, path, label_lines, target)
    index = {str(c): i for i, c in enumerate(order)}
    y = [index[_key(label)] for label in labels]
    if len(set(y)) < 2:
        raise CSVDataError(
            f"{path}: column {target!r}: every row has the class {labels[0]!r}; "
            "a classifier needs at least 2 classes"
        )
    name = os.path.basename(path).split(".")[0]
    return Dataset(X, y, order, features, name)


def _numbered(reader):
    for row in reader:
        yield reader.line_num, row


def _number(text: str, path: str, line: int, column: str) -> float:
    try:
        x = float(text)
    except ValueError:
        shown = text.strip()
        what = "an empty field" if not shown else f"{shown[:40]!r}"
        raise CSVDataError(
            f"{path}:{line}: column {column!r}: {what} is not a number "
            "(feature columns must be numeric)"
        ) from None
    if x != x or x in (float("inf"), float("-inf")):
        raise CSVDataError(f"{path}:{line}: column {column!r}: {text.strip()!r} is not finite")
    return x


def _as_int(label: str) -> int | None:
    try:
        return int(label)
    except ValueError:
        return None


def _key(label: str) -> str:
    n = _as_int(label)
    return str(n) if n is not None else label


def _class_order(
    labels: list[str],
    classes: Sequence[Label] | None,
    path: str,
    lines: list[int],
    target: str,
) -> list[Label]:
    if classes is not None:
        known = {str(c) for c in classes}
        for label, line in zip(labels, lines):
            if _key(label) not in known:
                raise CSVDataError(
                    f"{path}:{line}: column {target!r}: class {label!r} is not one of "
                    f"{', '.join(map(str, classes))}"
                )
        return list(classes)
    ints = [_as_int(label) for label in labels]
    if all(n is not None for n in ints):
        return sorted({n for n in ints if n is not None})
    return sorted(set(labels))


__all__ = ["load_csv", "Dataset", "CSVDataError"]
