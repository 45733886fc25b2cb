"""nn: neurons, layers, MLPs, losses, optimizers, toy data sets and a training loop, built on
the ``autograd`` engine.

    >>> from nn import MLP, fit, make_moons
    >>> X, y = make_moons(200, noise=0.1, seed=0)
    >>> model = MLP(2, [16, 16, 1], seed=0)      # tanh hidden layers, a linear output
    >>> history = fit(model, X, y, loss="bce", epochs=5, progress=False)
    >>> len(history["loss"])
    5

``python -m nn`` trains such a model end to end and writes the results (see ``nn.__main__``).
"""

from nn.csv_data import CSVDataError, Dataset, load_csv
from nn.data import make_blobs, make_circles, make_moons, make_xor, signed_labels, train_test_split
from nn.datasets import load_dataset
from nn.export import export_onnx, from_torch, to_torch
from nn.layers import ACTIVATIONS, MLP, Layer, Neuron
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss, l2_penalty, mse_loss
from nn.module import Module
from nn.optim import SGD, Adam, Optimizer
from nn.preprocessing import apply_preprocessing, fit_standardize
from nn.serialization import ModelFileError, ModelFileNotFoundError, load_model
from nn.train import TrainingDiverged, accuracy, evaluate, fit, predict

__all__ = [
    "Module",
    "Neuron",
    "Layer",
    "MLP",
    "ACTIVATIONS",
    "mse_loss",
    "hinge_loss",
    "binary_cross_entropy",
    "cross_entropy",
    "l2_penalty",
    "Optimizer",
    "SGD",
    "Adam",
    "make_moons",
    "make_circles",
    "make_blobs",
    "make_xor",
    "train_test_split",
    "signed_labels",
    "load_dataset",
    "load_csv",
    "Dataset",
    "CSVDataError",
    "fit",
    "evaluate",
    "TrainingDiverged",
    "fit_standardize",
    "apply_preprocessing",
    "accuracy",
    "predict",
    "ModelFileError",
    "ModelFileNotFoundError",
    "load_model",
    "to_torch",
    "from_torch",
    "export_onnx",
]
