"""Standardisation: each feature shifted and scaled to mean 0 and standard deviation 1.

Gradient descent on features of very different scales (a wine's proline is ~1000, its hue ~1)
crawls along the large ones; standardised, every weight starts on an equal footing. The
statistics come from the training split only, so no knowledge of the test set leaks into the
model, and they are saved with the model (``model.preprocessing``) so that a prediction on new
raw data applies the same shift and scale::

    {"type": "standardize", "mean": [...], "std": [...], "features": [...]}
    x_std = (x - mean) / std

A feature that is constant on the training split (a digit's corner pixel) gets std 1, so it
maps to 0 instead of dividing by zero. The standard deviation is the population one
(divide by n), as scikit-learn's ``StandardScaler``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Real


def fit_standardize(X: Sequence[Sequence[float]], features: Sequence[str] | None = None) -> dict:
    """The ``"standardize"`` preprocessing dict for the rows ``X`` (n × d, n ≥ 1).

    ``features`` names the d columns (default ``x1..xd``). Raises ``ValueError`` for no rows or
    rows of different lengths.
    """
    if not X:
        raise ValueError("fit_standardize: no rows")
    d = len(X[0])
    if any(len(row) != d for row in X):
        raise ValueError("fit_standardize: the rows have different lengths")
    names = list(features) if features is not None else [f"x{j + 1}" for j in range(d)]
    if len(names) != d:
        raise ValueError(f"fit_standardize: {len(names)} feature names for {d} columns")
    n = len(X)
    mean = [math.fsum(col) / n for col in zip(*X)]
    std = []
    for col, m in zip(zip(*X), mean):
        s = math.sqrt(math.fsum((v - m) ** 2 for v in col) / n)
        std.append(s if s > 0 else 1.0)
    return {"type": "standardize", "mean": mean, "std": std, "features": names}


def apply_preprocessing(
    preprocessing: Mapping | None, X: Sequence[Sequence[float]]
) -> list[list[float]]:
    """``X`` with ``preprocessing`` applied (unchanged copies if it is None).

    Raises ``ValueError`` when a row's length is not the number of features it was fitted on.
    """
    if preprocessing is None:
        return [list(map(float, row)) for row in X]
    check_preprocessing(preprocessing)
    mean, std = preprocessing["mean"], preprocessing["std"]
    out = []
    for i, row in enumerate(X):
        if len(row) != len(mean):
            raise ValueError(
                f"preprocessing: row {i} has {len(row)} features, the model was trained on "
                f"{len(mean)} ({', '.join(preprocessing['features'][:5])}"
                f"{', ...' if len(mean) > 5 else ''})"
            )
        out.append([(float(v) - m) / s for v, m, s in zip(row, mean, std)])
    return out


def check_preprocessing(preprocessing: object) -> str:
    """Raise ``ValueError`` saying what is wrong with a preprocessing dict; returns its type."""
    if not isinstance(preprocessing, Mapping) or preprocessing.get("type") != "standardize":
        raise ValueError(
            'preprocessing must be a {"type": "standardize", "mean": [...], "std": [...], '
            f'"features": [...]}} object, got {preprocessing!r:.80}'
        )
    mean, std, names = (preprocessing.get(k) for k in ("mean", "std", "features"))
    if not all(isinstance(v, list) for v in (mean, std, names)):
        raise ValueError('preprocessing: "mean", "std" and "features" must be lists')
    assert isinstance(mean, list) and isinstance(std, list) and isinstance(names, list)
    if not len(mean) == len(std) == len(names) or not mean:
        raise ValueError(
            f'preprocessing: "mean", "std" and "features" have {len(mean)}, {len(std)} and '
            f"{len(names)} entries; they must have the same number, at least 1"
        )
    for m, s in zip(mean, std):
        for v in (m, s):
            if isinstance(v, bool) or not isinstance(v, Real) or not math.isfinite(v):
                raise ValueError(f"preprocessing: {v!r} is not a finite number")
        if s <= 0:
            raise ValueError(f"preprocessing: a standard deviation must be > 0, got {s!r}")
    if not all(isinstance(name, str) for name in names):
        raise ValueError('preprocessing: "features" must be strings')
    return "standardize"


__all__ = ["fit_standardize", "apply_preprocessing", "check_preprocessing"]
