"""The bundled real data sets: shapes, classes and published facts about each one."""

import gzip
import math
import os

import pytest

import nn
from nn.datasets import CLASSES, REAL_DATASETS, dataset_path

# (samples, features, samples per class) as the UCI repository and scikit-learn document them.
PUBLISHED = {
    "digits": (1797, 64, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]),
    "iris": (150, 4, [50, 50, 50]),
    "wine": (178, 13, [59, 71, 48]),
    "breast_cancer": (569, 30, [212, 357]),  # 212 malignant, 357 benign
}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_shapes_and_class_counts_are_the_published_ones(name):
    samples, features, counts = PUBLISHED[name]
    data = nn.load_dataset(name)
    X, y = data
    assert len(X) == len(y) == samples
    assert all(len(row) == features for row in X)
    assert len(data.features) == features and len(set(data.features)) == features
    assert [y.count(k) for k in range(len(counts))] == counts
    assert data.classes == CLASSES[name]
    assert all(isinstance(v, float) and math.isfinite(v) for row in X for v in row)


def test_iris_is_fishers_data():
    X, y = nn.load_dataset("iris")
    assert X[0] == [5.1, 3.5, 1.4, 0.2] and y[0] == 0  # the first row of Fisher's table
    means = [sum(col) / len(col) for col in zip(*X)]
    # Fisher's (and R's) column means; UCI's copy has two values changed.
    assert [round(m, 3) for m in means] == [5.843, 3.057, 3.758, 1.199]


def test_digits_pixels_are_counts_0_to_16():
    X, _ = nn.load_dataset("digits")
    assert {v for row in X for v in row} <= {float(k) for k in range(17)}
    assert max(v for row in X for v in row) == 16.0


def test_breast_cancer_class_names_follow_scikit_learn():
    data = nn.load_dataset("breast_cancer")
    assert data.classes == ["malignant", "benign"]
    assert data.features[0] == "mean radius" and data.features[-1] == "worst fractal dimension"


def test_files_are_small_gzipped_csv_with_a_header():
    total = 0
    for name in REAL_DATASETS:
        path = dataset_path(name)
        total += os.path.getsize(path)
        with gzip.open(path, "rt", encoding="utf-8") as f:
            header = f.readline().rstrip("\n").split(",")
        assert header[-1] == "target"
    assert total < 400_000
    assert os.path.exists(os.path.join(os.path.dirname(dataset_path("iris")), "DATA.md"))


def test_an_unknown_name_lists_the_known_ones():
    with pytest.raises(ValueError, match="unknown data set 'mnist'.*digits, iris, wine"):
        nn.load_dataset("mnist")


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_same_numbers_as_scikit_learn_when_installed(name):
    datasets = pytest.importorskip("sklearn.datasets")
    ref = getattr(datasets, f"load_{name}")()
    X, y = nn.load_dataset(name)
    assert X == ref.data.tolist() and y == ref.target.tolist()
