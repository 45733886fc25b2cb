"""Bad arguments to the losses and optimizers are refused at the call, with an error naming
the function and the argument: a bool is not a number here (True would silently be 1.0), and
Adam's betas must be below 1 (a 1.0 divides by 1 − β¹ = 0 at the first step)."""

import pytest

from autograd import Value
from nn import losses
from nn.optim import SGD, Adam


@pytest.mark.parametrize(
    "loss, prediction",
    [
        (losses.mse_loss, Value(0.5)),
        (losses.hinge_loss, Value(0.5)),
        (losses.binary_cross_entropy, Value(0.5)),
        (losses.cross_entropy, [Value(0.5), Value(-0.5)]),
    ],
)
@pytest.mark.parametrize("target", [True, False])
def test_a_bool_target_is_refused(loss, prediction, target):
    with pytest.raises((TypeError, ValueError), match=loss.__name__):
        loss(prediction, target)
    batch = [prediction, prediction]
    with pytest.raises((TypeError, ValueError), match=loss.__name__):
        loss(batch, [target, target])


@pytest.mark.parametrize(
    "make, argument",
    [
        (lambda p: SGD(p, lr=True), "lr"),
        (lambda p: SGD(p, lr=0.1, momentum=True), "momentum"),
        (lambda p: SGD(p, lr=0.1, weight_decay=False), "weight_decay"),
        (lambda p: Adam(p, lr=True), "lr"),
        (lambda p: Adam(p, eps=True), "eps"),
        (lambda p: Adam(p, weight_decay=True), "weight_decay"),
        (lambda p: Adam(p, betas=(False, 0.999)), "betas"),
        (lambda p: Adam(p, betas=(0.9, True)), "betas"),
        (lambda p: Adam(p, betas=(1.0, 0.999)), "betas"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), "betas"),
        (lambda p: Adam(p, betas=(0.9,)), "betas"),
    ],
)
def test_bad_optimizer_hyperparameters_are_refused_at_construction(make, argument):
    with pytest.raises(ValueError, match=argument):
        make([Value(1.0)])


def test_betas_just_below_one_work():
    w = Value(1.0)
    optimizer = Adam([w], lr=0.1, betas=(0.0, 0.9999))
    w.grad = 1.0
    optimizer.step()
    assert w.data == pytest.approx(0.9)
