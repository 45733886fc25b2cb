"""Toy data sets: shapes, labels, determinism, and that each has the promised geometry."""

import math

import pytest

from nn import make_blobs, make_circles, make_moons, make_xor, signed_labels, train_test_split

MAKERS = [make_moons, make_circles, make_blobs, make_xor]


@pytest.mark.parametrize("make", MAKERS)
def test_shapes_labels_and_seeding(make):
    X, y = make(101, noise=0.1, seed=3)
    assert len(X) == len(y) == 101
    assert all(len(p) == 2 and all(isinstance(c, float) for c in p) for p in X)
    assert set(y) == {0, 1}
    assert make(101, noise=0.1, seed=3) == (X, y)
    assert make(101, noise=0.1, seed=4)[0] != X


@pytest.mark.parametrize("make", [make_moons, make_circles, make_blobs])
def test_classes_are_balanced(make):
    _, y = make(100, seed=0)
    assert y.count(0) == y.count(1) == 50


def test_noiseless_moons_lie_on_their_arcs():
    X, y = make_moons(50, noise=0.0, seed=0)
    for (a, b), label in zip(X, y):
        centre = (0.0, 0.0) if label == 0 else (1.0, 0.5)
        assert math.hypot(a - centre[0], b - centre[1]) == pytest.approx(1.0)
        assert (b >= -1e-12) if label == 0 else (b <= 0.5 + 1e-12)


def test_noiseless_circles_have_their_radii():
    X, y = make_circles(40, factor=0.3, seed=0)
    for p, label in zip(X, y):
        assert math.hypot(*p) == pytest.approx(1.0 if label == 0 else 0.3)


def test_noiseless_xor_labels_are_the_xor_of_the_signs():
    X, y = make_xor(200, seed=1)
    assert all(label == int((a > 0) != (b > 0)) for (a, b), label in zip(X, y))


def test_blobs_are_grouped_around_their_centres():
    X, y = make_blobs(300, centers=3, noise=0.1, seed=2)
    assert set(y) == {0, 1, 2}
    for k in range(3):
        members = [p for p, label in zip(X, y) if label == k]
        cx = sum(p[0] for p in members) / len(members)
        cy = sum(p[1] for p in members) / len(members)
        assert max(math.hypot(p[0] - cx, p[1] - cy) for p in members) < 0.6


def test_train_test_split_is_a_seeded_partition():
    X = [[float(i), 0.0] for i in range(30)]
    y = list(range(30))
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_fraction=1 / 3, seed=0)
    assert len(X_test) == 10 and len(X_train) == 20
    assert sorted(y_train + y_test) == y
    assert all(p[0] == label for p, label in zip(X_train + X_test, y_train + y_test))
    assert train_test_split(X, y, 1 / 3, seed=0) == (X_train, X_test, y_train, y_test)
    assert train_test_split(X, y, 1 / 3, seed=1)[3] != y_test
    assert y_test != list(range(20, 30))  # shuffled, not the tail


def test_signed_labels():
    assert signed_labels([0, 1, 1, 0]) == [-1, 1, 1, -1]
    assert signed_labels([-1, 1]) == [-1, 1]
    with pytest.raises(ValueError, match="label 1 is 2"):
        signed_labels([0, 2])


def test_bad_arguments():
    with pytest.raises(ValueError, match="make_moons: n_samples must be a positive integer"):
        make_moons(0)
    with pytest.raises(ValueError, match="make_xor: noise must be a number ≥ 0"):
        make_xor(10, noise=-1)
    with pytest.raises(ValueError, match="test_fraction must be in \\(0, 1\\)"):
        train_test_split([[0.0, 0.0]] * 4, [0] * 4, test_fraction=1.5)
    with pytest.raises(ValueError, match="3 inputs but 2 labels"):
        train_test_split([[0.0, 0.0]] * 3, [0] * 2)
