"""Four classic real data sets, shipped in the package as gzipped CSV (see ``DATA.md`` here for
each set's origin, licence and citation). No network, no scikit-learn.

    >>> from nn import load_dataset
    >>> X, y = load_dataset("iris")
    >>> len(X), len(X[0]), sorted(set(y))
    (150, 4, [0, 1, 2])

=================  =======  ========  =======  ==========================================
name               samples  features  classes  classes (index → label)
=================  =======  ========  =======  ==========================================
``digits``         1797     64        10       0..9: the digit (8×8 pixels, 0..16 each)
``iris``           150      4         3        setosa, versicolor, virginica
``wine``           178      13        3        class_0, class_1, class_2 (three cultivars)
``breast_cancer``  569      30        2        malignant, benign
=================  =======  ========  =======  ==========================================

The class order is scikit-learn's, so indices mean the same as in ``sklearn.datasets``.
"""

from __future__ import annotations

import os

from nn.csv_data import Dataset, load_csv

#: name → the class labels in index order (the file's target column holds the labels).
CLASSES: dict[str, list[str | int]] = {
    "digits": list(range(10)),
    "iris": ["setosa", "versicolor", "virginica"],
    "wine": ["class_0", "class_1", "class_2"],
    "breast_cancer": ["malignant", "benign"],
}

#: The names ``load_dataset`` accepts.
REAL_DATASETS = tuple(CLASSES)


def dataset_path(name: str) -> str:
    """The path of the bundled gzipped CSV file of data set ``name``."""
    _check_name(name)
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), f"{name}.csv.gz")


def load_dataset(name: str) -> Dataset:
    """Load a bundled real data set: ``X, y = load_dataset("digits")``.

    Returns a ``Dataset``: it unpacks as ``(X, y)``, X a list of rows of floats (raw, not
    standardised), y a list of class indices; ``.classes`` gives each index's label,
    ``.features`` the column names. Raises ``ValueError`` for an unknown name.
    """
    dataset = load_csv(dataset_path(name), target="target", classes=CLASSES[name])
    dataset.name = name
    return dataset


def _check_name(name: str) -> None:
    if name not in CLASSES:
        raise ValueError(
            f"load_dataset: unknown data set {name!r}; the bundled ones are "
            f"{', '.join(CLASSES)} (the 2-D toy sets come from nn.make_moons, make_circles, "
            "make_blobs and make_xor)"
        )


__all__ = ["load_dataset", "dataset_path", "REAL_DATASETS", "CLASSES"]
